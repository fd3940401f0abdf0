variable "CFG" {
  default = { name = "app" }
}
target "default" {
  args = {
    try_ok    = try(CFG.name, "fallback")
    try_miss  = try(CFG.missing, "fallback")
    try_chain = try(CFG.a.b, CFG.c, "last")
    can_ok    = can(CFG.name)
    can_miss  = can(CFG.missing)
    can_re    = can(regex("^[a-z]+$", "abc"))
    can_re2   = can(regex("^[a-z]+$", "ABC"))
  }
}
