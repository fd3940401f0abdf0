target "base" {
  tags = ["acme/base:1"]
  args = { VERSION = "1.2", OTHER = "x" }
  platforms = ["linux/amd64"]
}
target "app" {
  args = {
    BASE_TAG     = target.base.tags[0]
    BASE_VERSION = target.base.args.VERSION
    BASE_PLATS   = join(",", target.base.platforms)
  }
  tags = [for t in target.base.tags : "${t}-app"]
}
