target "default" {
  inherits = ["default"]
  tags = ["self"]
}
