target "build" {
  name = "build-${os}-${replace(ver, ".", "_")}"
  matrix = {
    os  = ["alpine", "debian"]
    ver = ["1.0", "2.0"]
  }
  args = { OS = os, VER = ver }
}
