target "app" {
  dockerfile = "hcl.Dockerfile"
  args = { FROM_HCL = "3", SHARED = "hcl" }
  labels = { "org.example.hcl" = "yes" }
}
