variable "STR" { default = "hello" }
variable "NUM" { default = 42 }
variable "BOOL_T" { default = false }
variable "BOOL_1" { default = false }
variable "BOOL_F" { default = true }
variable "NODEFAULT" {}
variable "NULLDEF" { default = null }
variable "UNSET" { default = "kept" }
target "default" {
  args = {
    STR     = STR
    NUMPLUS = NUM + 1
    BOOL_T  = BOOL_T ? "yes" : "no"
    BOOL_1  = BOOL_1 ? "yes" : "no"
    BOOL_F  = BOOL_F ? "yes" : "no"
    NODEF   = NODEFAULT
    NULLDEF = NULLDEF
    UNSET   = UNSET
  }
}
