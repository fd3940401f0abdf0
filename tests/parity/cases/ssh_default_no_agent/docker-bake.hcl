target "default" {
  ssh = ["default"]
}
