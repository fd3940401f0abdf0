variable "M" {
  default = { b = "2", a = "1", c = "3" }
}
target "default" {
  args = {
    concat     = join(",", concat(["a"], ["b", "c"], []))
    flatten    = join(",", flatten([["a", ["b"]], [], ["c"]]))
    keys       = join(",", keys(M))
    values     = join(",", values(M))
    merge      = jsonencode(merge({ a = 1, b = 2 }, { b = 3, c = 4 }))
    lookup     = lookup(M, "a", "none")
    lookup_def = lookup(M, "zz", "none")
    element    = element(["a", "b", "c"], 4)
    slice      = join(",", slice(["a", "b", "c", "d"], 1, 3))
    distinct   = join(",", distinct(["a", "b", "a", "c", "b"]))
    sort       = join(",", sort(["b", "c", "a", "10", "9"]))
    zipmap     = jsonencode(zipmap(["x", "y"], [1, 2]))
    setproduct = jsonencode(setproduct(["a", "b"], ["1", "2"]))
    coalesce   = coalesce("", "first", "second")
    coalescel  = jsonencode(coalescelist([], ["x"]))
    compact    = join(",", compact(["a", "", "b", ""]))
    contains   = contains(["a", "b"], "b")
    index      = index(["a", "b", "c"], 2)
    indexmap   = index(convert(M, map(string)), "b")
    convert    = jsonencode(convert(["1", 2], list(number)))
    length     = length(keys(M))
    reverse    = join(",", reverselist([1, 2, 3]))
    chunklist  = jsonencode(chunklist(["a", "b", "c", "d", "e"], 2))
    range      = jsonencode(range(5))
    range3     = jsonencode(range(1, 10, 3))
    rangeneg   = jsonencode(range(3, 0, -1))
    setunion   = jsonencode(setunion(["a", "b"], ["b", "c"]))
    setsub     = jsonencode(setsubtract(["a", "b", "c"], ["b"]))
    setint     = jsonencode(setintersection(["a", "b", "c"], ["b", "c", "d"]))
    hasindex   = hasindex(["a"], 0)
  }
}
