target "default" {
  args = {
    upper      = upper("Hello")
    lower      = lower("HeLLo")
    title      = title("hello big world")
    trim       = trim("--x--", "-")
    trimprefix = trimprefix("prefix-rest", "prefix-")
    trimsuffix = trimsuffix("rest.tar.gz", ".gz")
    trimspace  = trimspace("  \t spaced \n ")
    chomp      = chomp("line\n\n")
    indent     = indent(2, "a\nb\nc")
    join       = join("/", ["a", "b", "c"])
    split      = join("|", split(",", "x,y,,z"))
    replace    = replace("1.2.3", ".", "-")
    replace_re = replace("feature/foo-BAR", "/[^a-z0-9]+/", "_")
    substr     = substr("hello world", 1, 4)
    substr_neg = substr("hello world", -5, -1)
    strlen     = strlen("héllo✓")
    equal      = equal("a", "a")
    format     = format("%s-%03d", "v", 7)
    absolute   = absolute(-3)
    reverse    = reverse("abc✓e")
  }
}
