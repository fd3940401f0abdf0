target "base" {
  labels = { from = "hcl" }
}
target "app" {
  inherits = ["base"]
  args = { APP = "${BASE}-app" }
  tags = ["hcl/app"]
}
