target "default" {
  no-cache-filter = ["keepme"]
  ulimits         = ["nofile=1:2"]
  annotations     = ["a=1"]
}
