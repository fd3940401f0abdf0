# In buildx 0.13.1 "index" is cty's index(collection, key), not
# terraform's index(list, value): looking up a string key in a list fails.
target "default" {
  args = { I = index(["a", "b", "c"], "c") }
}
