# Both branches of a conditional are converted to one unified type, even the
# branch not taken: [1] vs ["a"] yields a list of strings.
target "default" {
  args = {
    num_or_str  = true ? 1 : "a"
    tuple_len   = jsonencode(false ? ["a"] : ["a", "b"])
    obj_or_map  = jsonencode(true ? { a = 1 } : {})
    list_unify  = jsonencode(true ? [1] : ["a"])
    null_branch = jsonencode(true ? null : [1])
    num_eq      = 1 == 1.0
    tuple_eq    = ["a"] == ["a"]
    obj_eq      = { a = 1 } == { a = "1" }
  }
}
