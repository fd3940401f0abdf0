variable "profiles" { default = "[\"dev\"]" }
group "default" { targets = ["deps", "app"] }
target "deps" {
  name   = "deps--${p}--stable"
  matrix = { p = jsondecode(profiles) }
}
target "app" {
  name     = "app--${p}--stable"
  matrix   = { p = jsondecode(profiles) }
  contexts = { input = "target:deps--stable--${p}" }
}
