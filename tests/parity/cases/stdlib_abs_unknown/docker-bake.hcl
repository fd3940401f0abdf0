# buildx 0.13.1 only has "absolute"; terraform-style "abs" is unknown.
target "default" {
  args = { ABS = abs(-3) }
}
