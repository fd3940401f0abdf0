# A variadic user function called again and again: the remembered arguments
# are the call's own (fixed ones, then the variadic rest), so calls that differ
# only in how many extra arguments they pass never share a result.
function "tagged" {
  params = [prefix]
  variadic_params = rest
  result = join("-", concat([prefix], rest))
}
function "count" {
  params = []
  variadic_params = items
  result = length(items)
}
target "default" {
  args = {
    A = tagged("a")
    B = tagged("a", "b")
    C = tagged("a")
    D = tagged("a", "b", "c")
    E = tagged("a", "b")
    F = count()
    G = count("x")
    H = count()
    I = count("x", "y")
    J = tagged("a", "b", "c")
  }
}
