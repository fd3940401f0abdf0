target "a" {
  args = { X = "1" }
}
target "b" {
  args = { SOURCE_DATE_EPOCH = "42" }
}
target "c" {}
group "default" {
  targets = ["a", "b", "c"]
}
