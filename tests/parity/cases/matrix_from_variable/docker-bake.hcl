variable "VERSIONS" { default = ["3.18", "3.19"] }
target "default" {
  name = "alpine-${replace(v, ".", "")}"
  matrix = { v = VERSIONS }
  args = { ALPINE = v }
}
