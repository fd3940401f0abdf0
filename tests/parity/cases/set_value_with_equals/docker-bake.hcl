group "default" {
  targets = ["app", "tool", "web"]
}
target "app" {
  args   = { A = "1" }
  tags   = ["acme/app"]
  output = ["type=image,name=acme/app"]
}
target "tool" {
  args   = { A = "1" }
  tags   = ["acme/tool"]
}
target "web" {
  tags   = ["acme/web"]
  output = ["type=local,dest=out", "type=registry"]
}
