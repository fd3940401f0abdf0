target "my.app" {
  tags = ["x"]
}
