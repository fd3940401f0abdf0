# The type keyword "string" is seen as a variable reference by bake's
# dependency loader; the second lookup of the same unknown name is reported
# as a "variable cycle" by buildx 0.13.1.
target "default" {
  args = {
    A = jsonencode(convert({ x = "1" }, map(string)))
    B = jsonencode(convert(["2"], list(string)))
  }
}
