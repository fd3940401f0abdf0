target "default" {
  context    = "."
  dockerfile = "Dockerfile"
  tags       = ["example/app:latest"]
}
