target "default" {
  secret = ["id=mysecret,src=secret.txt", "id=envsecret,env=SOME_ENV", "type=file,id=short,src=docker-bake.hcl"]
}
