variable "STR" { default = "hello" }
variable "NUM" { default = 42 }
variable "FLOAT" { default = 1.5 }
variable "BOOL" { default = true }
variable "LIST" { default = ["a", "b"] }
variable "MAP" {
  default = { k1 = "v1", k2 = "v2" }
}
variable "NODEFAULT" {}
variable "NULLDEF" { default = null }
target "default" {
  args = {
    STR      = STR
    NUM      = NUM
    FLOAT    = FLOAT
    BOOL     = BOOL
    LIST     = join(",", LIST)
    MAP      = MAP.k2
    NODEF    = "[${NODEFAULT}]"
    NULLDEF  = NULLDEF
    NULLTYPE = NULLDEF == null ? "isnull" : "notnull"
  }
}
