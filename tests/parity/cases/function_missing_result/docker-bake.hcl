function "broken" {
  params = [x]
}
target "default" {
  args = { X = broken("a") }
}
