variable "IMAGES" { default = ["alpine", "debian", "ubuntu"] }
variable "VERSIONS" {
  default = { alpine = "3.19", debian = "12", ubuntu = "24.04" }
}
target "default" {
  tags = [for i, img in IMAGES : "acme/${img}:${i}"]
  args = {
    upper     = join(",", [for s in IMAGES : upper(s)])
    filtered  = join(",", [for s in IMAGES : s if s != "debian"])
    objfor    = jsonencode({ for k, v in VERSIONS : k => "${k}-${v}" })
    objif     = jsonencode({ for k, v in VERSIONS : upper(k) => v if k != "alpine" })
    grouping  = jsonencode({ for s in ["a1", "b1", "a2"] : substr(s, 0, 1) => s... })
    mapkeys   = join(",", [for k, v in VERSIONS : k])
    nested    = jsonencode([for a in [1, 2] : [for b in ["x", "y"] : "${a}${b}"]])
  }
}
