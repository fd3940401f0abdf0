target {
  tags = ["x"]
}
