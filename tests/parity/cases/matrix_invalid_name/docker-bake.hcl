target "app" {
  name = "app-${v}"
  matrix = { v = ["1.0", "2.0"] }
}
