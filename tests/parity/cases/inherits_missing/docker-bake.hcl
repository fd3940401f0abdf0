target "default" {
  inherits = ["ghost"]
}
