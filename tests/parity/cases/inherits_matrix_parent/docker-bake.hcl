target "base" {
  name = "base-${os}"
  matrix = { os = ["alpine", "debian"] }
  args = { OS = os }
}
target "app" {
  inherits = ["base-debian"]
  tags = ["acme/app"]
}
