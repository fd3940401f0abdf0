variable "ENV" { default = "prod" }
variable "N" { default = 5 }
target "default" {
  args = {
    cond     = ENV == "prod" ? "production" : "other"
    nested   = N > 10 ? "big" : N > 3 ? "medium" : "small"
    arith    = (N + 3) * 2 - 10 / 4
    neg      = -N
    mod      = N % 3
    cmp      = "${N >= 5}-${N < 5}-${N <= 5}-${N != 5}"
    logic    = true && !false || false
    and      = ENV == "prod" && N == 5
    strcmp   = "a" == "a"
    listeq   = [1, 2] == [1, 2]
    numstr   = "5" == 5
    float    = 0.1 + 0.2
    exp      = 1e3 + 2.5e-1
  }
}
