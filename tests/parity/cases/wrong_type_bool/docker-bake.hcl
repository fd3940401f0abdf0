target "default" {
  no-cache = "maybe"
}
