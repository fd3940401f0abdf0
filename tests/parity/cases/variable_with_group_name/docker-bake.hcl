variable "target" { default = "ignored" }
variable "NAME" { default = "app" }
target "default" {
  tags = [NAME]
}
