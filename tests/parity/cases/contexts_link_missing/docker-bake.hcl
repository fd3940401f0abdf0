target "a" {
  contexts = { x = "target:nowhere" }
}
