group "default" { targets = ["app"] }
target "app" {
  name   = "app-${v}"
  matrix = { v = ["1.80.0"] }
}
