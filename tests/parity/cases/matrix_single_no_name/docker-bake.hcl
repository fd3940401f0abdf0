target "app" {
  matrix = { v = ["only"] }
  args = { V = v }
}
