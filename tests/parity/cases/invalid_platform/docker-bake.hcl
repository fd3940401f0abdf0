target "default" {
  platforms = ["linux/amd64", "not a/valid platform!"]
}
