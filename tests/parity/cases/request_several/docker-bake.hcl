group "grp" {
  targets = ["t2", "t3"]
}
target "t1" { args = { N = "1" } }
target "t2" { args = { N = "2" } }
target "t3" { args = { N = "3" } }
