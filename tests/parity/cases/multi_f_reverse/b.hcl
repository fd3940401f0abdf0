target "one" {
  args = { WHO = "b.hcl" }
  tags = ["b"]
}
