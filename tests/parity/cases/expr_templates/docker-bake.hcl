variable "ITEMS" { default = ["x", "y", "z"] }
variable "DEBUG" { default = false }
target "default" {
  args = {
    if_else  = "mode=%{if DEBUG}debug%{else}release%{endif}"
    for_dir  = "%{for i, v in ITEMS}${i}:${v};%{endfor}"
    strip    = <<-EOT
      %{~ for v in ITEMS ~}
      [${v}]
      %{~ endfor ~}
    EOT
    escapes  = "tab\there \"quoted\" back\\slash nl\nend $${literal} %%{literal}"
    unicode  = "caf\u00e9 \U0001F600 日本語"
    dollar   = "cost: $5 and 100%"
  }
}
