target "default" {
  context           = "./app"
  contexts          = { base = "docker-image://alpine:3.19", src = "./src", empty = "" }
  dockerfile        = "build/Dockerfile.prod"
  dockerfile-inline = "FROM scratch\n"
  args              = { A = "1", NULLARG = null, EMPTY = "" }
  labels            = { "org.opencontainers.image.title" = "app", NULLLABEL = null }
  tags              = ["acme/app:1", "acme/app:1", "acme/app:latest"]
  cache-from        = ["type=registry,ref=acme/cache", "user/app:cache"]
  cache-to          = ["type=inline"]
  target            = "release"
  secret            = ["id=token,env=TOKEN", "id=npmrc,src=/dev/null"]
  ssh               = []
  platforms         = ["linux/amd64", "linux/arm64", "linux/amd64"]
  output            = ["type=image,name=acme/app", "type=local,dest=out"]
  pull              = true
  no-cache          = false
  no-cache-filter   = ["deps", "deps", "build"]
  shm-size          = "2g"
  ulimits           = ["nofile=1024:2048", "nproc=512"]
  annotations       = ["index:org.opencontainers.image.authors=me", "manifest:foo=bar"]
  attest            = ["type=sbom", "type=provenance,mode=max"]
}
