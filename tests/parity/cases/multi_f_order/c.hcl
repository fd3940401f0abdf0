target "one" {
  args = { WHO = "c.hcl" }
}
target "two" { tags = ["two"] }
