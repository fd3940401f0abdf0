function "slug" {
  params = [s]
  result = lower(regex_replace(s, "[^a-zA-Z0-9]+", "-"))
}
variable "BRANCH" { default = "Feature/Add_Thing" }
variable "SLUG" { default = slug(BRANCH) }
target "default" {
  tags = ["acme/app:${SLUG}"]
}
