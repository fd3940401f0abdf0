target "one" {
  args = { WHO = "a.hcl" }
  tags = ["a"]
}
