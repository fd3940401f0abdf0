group "app" {
  targets = ["app", "sidecar"]
}
target "app" { tags = ["app"] }
target "sidecar" { tags = ["sidecar"] }
