group "default" { targets = ["app"] }
target "base" {
  dockerfile = "Dockerfile"
  target = "base"
}
target "app" {
  dockerfile = "Dockerfile"
  target = "app"
  contexts = { input = "target:base" }
}
