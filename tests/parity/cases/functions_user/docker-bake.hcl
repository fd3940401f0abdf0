variable "REPO" { default = "acme" }
function "tag" {
  params = [name, version]
  result = "${REPO}/${name}:${version}"
}
function "tags" {
  params = [name]
  variadic_params = versions
  result = [for v in versions : tag(name, v)]
}
function "count_all" {
  params = []
  variadic_params = items
  result = length(items)
}
function "shout" {
  params = [s]
  result = "${upper(s)}!"
}
target "default" {
  tags = tags("web", "1.0", "latest")
  args = {
    ONE   = tag("api", "2")
    NONE  = count_all()
    THREE = count_all("a", "b", "c")
    SHOUT = shout(tag("x", "y"))
  }
}
