group "default" { targets = ["app"] }
target "app" {
  contexts = { me = "target:app" }
}
