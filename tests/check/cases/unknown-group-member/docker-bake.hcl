group "default" { targets = ["app", "tests"] }
group "tests" { targets = ["unit", "integation"] }
target "app" {}
target "unit" {}
target "integration" {}
