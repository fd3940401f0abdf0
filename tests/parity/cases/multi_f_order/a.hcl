group "default" { targets = ["one"] }
target "one" {
  args = { A = "a", WHO = "a.hcl" }
  cache-from = ["type=registry,ref=a"]
  secret = ["id=a,env=A"]
  tags = ["a"]
}
