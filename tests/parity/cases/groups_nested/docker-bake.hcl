group "default" {
  targets = ["backend", "frontend", "db"]
}
group "backend" {
  targets = ["api", "worker", "api"]
}
group "frontend" {
  targets = ["web", "backend"]
}
target "api" { tags = ["api"] }
target "worker" { tags = ["worker"] }
target "web" { tags = ["web"] }
target "db" { tags = ["db"] }
