target "default" {
  annotations = ["no-equals-sign"]
}
