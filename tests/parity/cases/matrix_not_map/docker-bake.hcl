target "app" {
  name = "app-${v}"
  matrix = ["a", "b"]
}
