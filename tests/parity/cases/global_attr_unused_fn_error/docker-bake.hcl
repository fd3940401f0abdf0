UNUSED = upper(1, 2)
target "default" {
  tags = ["x"]
}
