target "default" {
  attest = ["type=sbom,generator=a", "type=provenance,mode=min"]
  annotations = ["a=1"]
}
