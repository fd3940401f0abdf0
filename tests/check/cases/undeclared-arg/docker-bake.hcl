group "default" { targets = ["app"] }
target "app" {
  dockerfile = "Dockerfile"
  target = "app"
  args = { VERSION = "1", TARGETARCH = "amd64" }
}
