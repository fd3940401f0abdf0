REPO = "acme/app"
VERSION = "3.1"
TAG = "${REPO}:${VERSION}"
variable "SUFFIX" { default = "-dev" }
target "default" {
  tags = [TAG, "${TAG}${SUFFIX}"]
  args = { V = VERSION }
}
