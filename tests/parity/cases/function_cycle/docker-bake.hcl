function "ping" {
  params = [x]
  result = pong(x)
}
function "pong" {
  params = [x]
  result = ping(x)
}
target "default" {
  args = { X = ping("a") }
}
