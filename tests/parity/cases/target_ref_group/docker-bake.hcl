group "all" {
  targets = ["a", "b"]
}
target "a" {}
target "b" {}
target "default" {
  args = { MEMBERS = join(",", group.all.targets) }
}
