function "two" {
  params = [a, b]
  result = "${a}${b}"
}
target "default" {
  args = { X = two("only") }
}
