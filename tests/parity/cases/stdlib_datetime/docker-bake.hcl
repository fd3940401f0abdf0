variable "T" { default = "2024-02-29T13:04:05Z" }
target "default" {
  args = {
    rfc     = formatdate("YYYY-MM-DD'T'hh:mm:ssZ", T)
    human   = formatdate("EEEE, DD MMM YYYY hh:mm:ss ZZZ", T)
    short   = formatdate("EEE D/M/YY h:m aa AA", T)
    add     = timeadd(T, "36h30m")
    sub     = timeadd(T, "-1h")
    offset  = formatdate("YYYY-MM-DD hh:mm ZZZZ ZZZZZ", "2024-01-01T10:00:00+05:30")
  }
}
