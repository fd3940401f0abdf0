group "default" { targets = ["a"] }
target "a" { inherits = ["b"] }
target "b" { inherits = ["a"] }
