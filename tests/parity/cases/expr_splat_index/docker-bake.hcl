variable "OBJS" {
  default = [
    { name = "one", tags = ["a", "b"] },
    { name = "two", tags = ["c"] },
  ]
}
variable "MAP" {
  default = { "key-with-dash" = "dashed", plain = { deep = "deeper" } }
}
target "default" {
  args = {
    splat      = join(",", OBJS[*].name)
    splat_full = join(",", flatten(OBJS.*.tags))
    index0     = OBJS[0].name
    index1     = OBJS[1]["name"]
    map_str    = MAP["key-with-dash"]
    map_deep   = MAP.plain.deep
    map_deep2  = MAP["plain"]["deep"]
    legacy     = OBJS.1.name
    strsplat   = join(",", "single"[*])
  }
}
