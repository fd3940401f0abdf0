group "default" { targets = ["app"] }
target "app" {
  name   = "app"
  matrix = { p = ["dev", "release"] }
}
