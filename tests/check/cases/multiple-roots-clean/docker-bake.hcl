group "default" { targets = ["app", "tool"] }
target "system" {}
target "app" { contexts = { input = "target:system" } }
target "tool" { inherits = ["system"] }
