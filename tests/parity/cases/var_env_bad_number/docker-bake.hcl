variable "COUNT" { default = 3 }
target "default" {
  args = { COUNT = COUNT }
}
