target "default" {
  args = {
    regex_plain  = regex("[0-9]+\\.[0-9]+", "version 12.34.56")
    regex_groups = join("|", regex("^(\\w+)-(\\d+)$", "release-42"))
    regex_named  = regex("(?P<major>\\d+)\\.(?P<minor>\\d+)", "v1.22").minor
    regexall     = jsonencode(regexall("[a-z]+", "abc 123 def 456 gh"))
    regexall_cnt = length(regexall("o", "foo boo"))
    regex_rep    = regex_replace("feature/Foo_Bar", "[^a-zA-Z0-9]+", "-")
    regex_rep_g  = regex_replace("2024-01-15", "(\\d+)-(\\d+)-(\\d+)", "$3.$2.$1")
  }
}
