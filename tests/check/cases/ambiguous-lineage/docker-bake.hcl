variable "profiles" { default = "[\"dev\",\"release\"]" }
variable "oses" { default = "[\"bookworm\",\"trixie\"]" }
group "default" { targets = ["test"] }
target "build" {
  name   = "build--${os}--${p}"
  matrix = { os = jsondecode(oses), p = jsondecode(profiles) }
}
target "test" {
  name     = "test--${p}"
  matrix   = { p = jsondecode(profiles) }
  contexts = { input = "target:build--bookworm--${p}" }
}
