target "base" {
  dockerfile = "base.Dockerfile"
  output     = ["type=docker"]
  tags       = ["acme/base"]
}
target "deps" {
  contexts = { base = "target:base" }
}
target "app" {
  contexts = {
    deps  = "target:deps"
    alpine = "docker-image://alpine"
  }
  tags = ["acme/app"]
}
