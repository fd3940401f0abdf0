target "grand" {
  args   = { LEVEL = "grand", G = "g" }
  labels = { from = "grand" }
  output = ["type=docker"]
}
target "parent" {
  inherits = ["grand"]
  args     = { LEVEL = "parent", P = "p" }
}
target "child" {
  inherits = ["parent"]
  args     = { LEVEL = "child" }
  output   = ["type=registry"]
}
