target "default" {
  args = { X = nosuchfunc("a") }
}
