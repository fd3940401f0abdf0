target "default" {
  ulimits = ["nofile"]
}
