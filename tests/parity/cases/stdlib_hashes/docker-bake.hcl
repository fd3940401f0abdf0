target "default" {
  args = {
    md5    = md5("hello")
    sha1   = sha1("hello")
    sha256 = sha256("hello")
    sha512 = sha512("hello")
    uuidv5 = uuidv5("dns", "example.com")
    uuidv5url = uuidv5("url", "https://example.com/")
    uuidv5custom = uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "custom")
  }
}
