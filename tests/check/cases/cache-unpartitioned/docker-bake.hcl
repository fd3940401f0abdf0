variable "profiles" { default = "[\"dev\",\"release\"]" }
group "default" { targets = ["build"] }
target "build" {
  name = "build--${cargo_profile}"
  matrix = { cargo_profile = jsondecode(profiles) }
  dockerfile = "Dockerfile"
  target = "build"
  args = { cargo_profile = cargo_profile }
}
