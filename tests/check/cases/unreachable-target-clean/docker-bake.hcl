group "default" { targets = ["app", "extra"] }
target "base" {}
target "app" { inherits = ["base"] }
target "extra" {}
