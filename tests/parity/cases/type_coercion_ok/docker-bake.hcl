target "default" {
  no-cache  = "true"
  pull      = "false"
  context   = 42
  args      = { NUM = 1.50, BOOL = true, STR = "s" }
  tags      = [1, true, "x"]
  shm-size  = 128
}
