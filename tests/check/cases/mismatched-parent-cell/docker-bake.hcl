variable "profiles" { default = "[\"dev\",\"release\"]" }
group "default" { targets = ["test"] }
target "build" {
  name   = "build--${p}"
  matrix = { p = jsondecode(profiles) }
}
target "test" {
  name     = "test--${p}"
  matrix   = { p = jsondecode(profiles) }
  contexts = { input = "target:build--dev" }
}
