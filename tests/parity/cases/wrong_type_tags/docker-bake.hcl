target "default" {
  tags = "acme/app:latest"
}
