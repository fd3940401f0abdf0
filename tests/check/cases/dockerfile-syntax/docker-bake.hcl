group "default" { targets = ["app"] }
target "app" {
  dockerfile = "Dockerfile"
}
