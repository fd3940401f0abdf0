target "default" {
  tags = ["first"]
  args = { A = "1", B = "1" }
  cache-from = ["c1"]
}
target "default" {
  args = { B = "2" }
  cache-from = ["c2"]
  dockerfile = "second.Dockerfile"
}
