target "default" {
  args = { X = "${NOT_DEFINED}" }
}
