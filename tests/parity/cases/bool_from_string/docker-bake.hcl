# cty converts the strings "1"/"0" (and "true"/"false") to bools.
variable "ON" { default = "1" }
target "default" {
  pull     = ON
  no-cache = "0"
  args = {
    not_one = !"1"
    and     = "true" && "1"
    cond    = "0" ? "yes" : "no"
  }
}
