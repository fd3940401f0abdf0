target "default" {
  tags        = ["acme/app"]
  description = "unknown attributes are ignored"
  network     = "host"
  push        = true
  some_block {
    x = 1
  }
}
