target "default" {
  tags = ["acme/${sanitize("feature/branch")}"]
}
