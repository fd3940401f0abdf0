variable "CSV" {
  default = "name,version\nalpine,3.19\ndebian,12\n"
}
target "default" {
  args = {
    jsonencode    = jsonencode({ b = [1, 2.5, true, null], a = "x<y>&\"" })
    jsondecode    = jsondecode("{\"k\": [\"v1\", \"v2\"]}").k[1]
    jsonroundtrip = jsonencode(jsondecode("[1, \"two\", {\"three\": 3}]"))
    b64enc        = base64encode("hello bake ✓")
    b64dec        = base64decode("aGVsbG8gd29ybGQ=")
    urlencode     = urlencode("a b&c=d/é?")
    csvdecode     = join(",", [for r in csvdecode(CSV) : "${r.name}@${r.version}"])
  }
}
