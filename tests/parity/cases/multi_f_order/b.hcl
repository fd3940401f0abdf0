target "one" {
  args = { B = "b", WHO = "b.hcl" }
  cache-from = ["type=registry,ref=b"]
  secret = ["id=b,env=B"]
  tags = ["b"]
  output = ["type=cacheonly"]
}
