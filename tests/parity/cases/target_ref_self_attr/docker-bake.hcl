target "app" {
  args = { V = "1" }
  tags = ["acme/app:${target.app.args.V}"]
}
