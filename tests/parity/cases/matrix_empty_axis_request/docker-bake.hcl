target "app" {
  name = "app-${v}"
  matrix = { v = [] }
}
target "other" {
  tags = ["other"]
}
