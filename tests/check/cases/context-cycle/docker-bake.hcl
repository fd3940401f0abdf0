group "default" { targets = ["a"] }
target "a" { contexts = { x = "target:b" } }
target "b" { contexts = { x = "target:c" } }
target "c" { contexts = { x = "target:a" } }
