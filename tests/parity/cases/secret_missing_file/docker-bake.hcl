target "default" {
  secret = ["id=mysecret,src=./does-not-exist.txt"]
}
