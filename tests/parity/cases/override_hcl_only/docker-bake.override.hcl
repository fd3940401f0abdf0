target "default" {
  args = { ONLY = "override" }
}
