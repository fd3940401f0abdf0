target "app" {
  tags = target.nothere.tags
}
