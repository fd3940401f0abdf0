target "app" {
  name = "app-${tgt}"
  matrix = {
    tgt = ["release", "debug"]
  }
  target = tgt
  tags = ["acme/app:${tgt}"]
}
