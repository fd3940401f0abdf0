group "default" {
  targets = ["a", "b"]
}
target "a" {}
target "b" {}
