variable "NAME" { default = "bake" }
target "default" {
  dockerfile-inline = <<EOT
FROM alpine
  RUN echo "hello ${NAME}"
# literal $${NAME} and %%{x}
EOT
  args = {
    indented = <<-EOT
        first
          second (indented)
        third ${NAME}
        EOT
    empty = <<EOT
EOT
  }
}
