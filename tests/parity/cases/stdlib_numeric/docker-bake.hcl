target "default" {
  args = {
    absolute = absolute(-7.5)
    ceil     = ceil(1.2)
    floor    = floor(-1.2)
    log      = log(8, 2)
    pow      = pow(2, 10)
    signum   = join(",", [signum(-3), signum(0), signum(5)])
    min      = min(3, 1.5, 2)
    max      = max(3, 1.5, 2)
    parseint = parseint("ff", 16)
    parsebin = parseint("-101", 2)
    int      = int(7.9)
    intneg   = int(-7.9)
    add      = add(1, 2)
    subtract = subtract(10, 4.5)
    multiply = multiply(6, 7)
    divide   = divide(10, 4)
    modulo   = modulo(17, 5)
    negate   = negate(5)
    big      = 12345678901234567890
    frac     = 1 / 3
    ops      = 2 + 3 * 4 - 6 / 2 % 4
    cmp      = greaterthan(2, 1)
  }
}
