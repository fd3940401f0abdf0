group "default" { targets = ["app", "tests"] }
group "tests" { targets = ["unit", "integration"] }
target "app" {}
target "unit" {}
target "integration" {}
