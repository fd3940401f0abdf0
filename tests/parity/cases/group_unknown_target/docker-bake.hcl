group "default" {
  targets = ["exists", "missing"]
}
target "exists" {}
