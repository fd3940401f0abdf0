variable "PUSH" { default = false }
target "default" {
  args = { PUSH = PUSH }
}
