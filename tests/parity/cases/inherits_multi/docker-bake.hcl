target "p1" {
  context    = "p1"
  args       = { FROM = "p1", P1 = "1" }
  tags       = ["p1"]
  cache-from = ["p1"]
  platforms  = ["linux/amd64"]
  attest     = ["type=sbom,generator=p1"]
}
target "p2" {
  dockerfile = "p2.Dockerfile"
  args       = { FROM = "p2", P2 = "2" }
  tags       = ["p2"]
  cache-from = ["p2"]
  labels     = { l = "p2" }
  attest     = ["type=sbom,generator=p2", "type=provenance"]
}
target "child" {
  inherits   = ["p1", "p2"]
  args       = { CHILD = "c" }
  cache-from = ["child"]
}
target "child_rev" {
  inherits = ["p2", "p1"]
}
group "default" {
  targets = ["child", "child_rev"]
}
