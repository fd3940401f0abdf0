target "svc" {
  name = "svc-${item.name}"
  matrix = {
    item = [
      { name = "api", port = 8080, flags = ["a"] },
      { name = "web", port = 80, flags = ["b", "c"] },
    ]
  }
  args = { PORT = item.port, FLAGS = join(",", item.flags) }
  tags = ["acme/${item.name}"]
}
