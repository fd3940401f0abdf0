target "default" {
  args = ["FOO=bar"]
}
