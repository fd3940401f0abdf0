group "default" { targets = ["app"] }
target "base" {}
target "app" { contexts = { input = "target:base" } }
target "forgotten" {}
