# User functions called again with arguments that are equal but not the same
# (a number parsed from text vs a literal; a string vs a number): each call
# must give its own result.
function "third" {
  params = [x]
  result = "${x / 3}"
}
function "enc" {
  params = [x]
  result = jsonencode(x)
}
target "default" {
  args = {
    A = third(1)
    B = third(jsondecode("1"))
    C = third(1)
    D = third(1.0)
    E = enc(1)
    F = enc("1")
    G = enc(1)
    H = third(parseint("1", 10))
    I = third(1)
  }
}
