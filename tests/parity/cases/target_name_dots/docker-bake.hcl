target "app_v1" {
  tags = ["app:v1"]
}
