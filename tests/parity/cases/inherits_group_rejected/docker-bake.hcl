group "g" {
  targets = ["x"]
}
target "x" {}
target "default" {
  inherits = ["g"]
}
