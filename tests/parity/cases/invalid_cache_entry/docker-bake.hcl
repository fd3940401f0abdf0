target "default" {
  cache-from = ["type=local,src"]
}
