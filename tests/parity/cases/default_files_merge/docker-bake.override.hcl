target "app" {
  args = { SHARED = "override-hcl" }
  tags = ["from/override-hcl"]
  platforms = ["linux/arm64"]
}
