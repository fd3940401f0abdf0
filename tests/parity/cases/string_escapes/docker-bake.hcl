# Every class of character Go's encoding/json escapes differently: controls
# with short forms (\b \f \n \r \t), other controls, HTML-sensitive characters,
# U+2028/U+2029, DEL and non-ASCII text.
target "default" {
  args = {
    SHORT = "a\u0008b\u000cc\nd\re\tf"
    CTRL  = "\u0001\u001f\u007f"
    HTML  = "<tag attr=\"x\">&amp;</tag>"
    SEP   = "line\u2028para\u2029end"
    TEXT  = "héllo wörld ✓ 🚀 \\ back"
  }
  labels = { "k\u0008" = "v\u000c" }
}
