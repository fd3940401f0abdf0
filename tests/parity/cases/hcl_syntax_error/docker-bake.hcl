target "default" {
  tags = ["a", "b"
  args = { X = "1" }
}
