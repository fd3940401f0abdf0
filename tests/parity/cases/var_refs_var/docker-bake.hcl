variable "REGISTRY" { default = "docker.io" }
variable "REPO" { default = "${REGISTRY}/acme/app" }
variable "VERSION" { default = "1.2.3" }
variable "IMAGE" { default = "${REPO}:${VERSION}" }
variable "MAJOR" { default = split(".", VERSION)[0] }
target "default" {
  tags = [IMAGE, "${REPO}:${MAJOR}"]
}
