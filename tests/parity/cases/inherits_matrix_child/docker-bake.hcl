target "common" {
  labels = { team = "infra" }
  args = { COMMON = "yes", V = "common" }
}
target "app" {
  inherits = ["common"]
  name = "app-${replace(v, ".", "-")}"
  matrix = { v = ["1.0", "2.0"] }
  args = { V = v }
}
