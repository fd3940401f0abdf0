target = "oops"
target "default" {}
