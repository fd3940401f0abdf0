target "default" {
  args = { X = true ? 1 : true }
}
