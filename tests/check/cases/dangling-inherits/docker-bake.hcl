group "default" { targets = ["app"] }
target "common" {}
target "app" {
  inherits = ["comon"]
}
