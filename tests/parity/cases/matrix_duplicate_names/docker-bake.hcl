target "app" {
  name = "app-${lower(v)}"
  matrix = { v = ["X", "x"] }
}
