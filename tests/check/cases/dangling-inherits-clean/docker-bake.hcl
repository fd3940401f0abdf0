group "default" { targets = ["app"] }
target "common" { args = { A = "1" } }
target "app" {
  inherits = ["common"]
}
