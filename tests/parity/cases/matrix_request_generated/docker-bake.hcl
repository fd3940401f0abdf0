target "app" {
  name = "app-${mode}"
  matrix = { mode = ["a", "b", "c"] }
  args = { MODE = mode }
}
