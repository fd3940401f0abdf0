group "default" { targets = ["app"] }
target "app" {
  dockerfile = "Dockerfile"
  target = "app"
}
