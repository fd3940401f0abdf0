BROKEN = nosuch.attr
target "default" {
  tags = ["x"]
}
