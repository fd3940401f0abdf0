target "default" {
  args = {
    s       = format("%s|%q", "str", "quoted")
    d       = format("%d|%5d|%-5d|%05d", 42, 42, 42, 42)
    f       = format("%f|%.2f|%8.3f|%e|%g", 3.14159, 3.14159, 3.14159, 1234.5, 0.000012)
    x       = format("%x|%X|%o|%b", 255, 255, 8, 5)
    t       = format("%t|%v|%v|%#v", true, "v", 12, "gv")
    pct     = format("100%%")
    idx     = format("%[2]s %[1]s", "world", "hello")
    flist   = join(",", formatlist("%s=%d", ["a", "b"], [1, 2]))
    flist1  = join(",", formatlist("img:%s", ["x", "y", "z"]))
  }
}
