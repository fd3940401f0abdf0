group "default" {
  targets = ["b", "c"]
}
target "c" {}
