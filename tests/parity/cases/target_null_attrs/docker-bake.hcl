variable "UNSET" { default = null }
target "base" {
  context    = "base-ctx"
  dockerfile = "base.Dockerfile"
  target     = "base-stage"
  tags       = ["base"]
  args       = { KEEP = "base", DROP = "base" }
  platforms  = ["linux/amd64"]
}
target "default" {
  inherits   = ["base"]
  context    = null
  dockerfile = UNSET
  target     = null
  tags       = null
  platforms  = UNSET
  args       = { DROP = null, NEW = UNSET }
  labels     = null
  output     = null
}
