target "a" {
  context = "./foo/../bar/"
}
target "b" {
  context    = "a//b/./c/.."
  dockerfile = "./docker/../Dockerfile.b"
}
target "c" {
  context = "cwd://sub/../dir"
}
target "d" {
  context = "https://github.com/acme/repo.git#main:./sub/../dir"
}
target "e" {
  context = "/abs//path/"
}
target "f" {
  context = ""
}
group "default" {
  targets = ["a", "b", "c", "d", "e", "f"]
}
