variable "TAG" { default = "hcl" }
target "default" {
  args = { T = TAG }
}
