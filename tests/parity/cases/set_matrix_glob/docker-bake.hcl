target "app" {
  name = "app-${v}"
  matrix = { v = ["a", "b"] }
  args = { V = v }
}
target "other" {}
group "default" {
  targets = ["app", "other"]
}
