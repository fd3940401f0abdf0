variable "BIG" {
  default = 18446744073709551617
}

variable "ENVNUM" {
  default = 1
}

target "default" {
  args = {
    pow53p1     = 9007199254740993
    pow64p1     = BIG
    e30         = 1000000000000000000000000000000
    e30sci      = 1e30
    third       = 1 / 3
    twothirds   = 2 / 3
    tenseventh  = 10 / 7
    kib         = 1 / 1024
    pointthree  = 0.1 + 0.2
    tiny        = 0.0000001
    negzero     = -0
    negzeromul  = 0 * -1
    bighex      = parseint("ffffffffffffffffffffffffffffffff", 16)
    bighexadd   = parseint("ffffffffffffffffffffffffffffffff", 16) + 1
    fmtbig      = format("%d", BIG)
    fmtbigx     = format("%x", BIG)
    fmtthird    = format("%f", 1 / 3)
    fmtthirde   = format("%.20e", 1 / 3)
    fmtthirdv   = format("%v", 1 / 3)
    fmtthirdg   = format("%g", 1e30)
    json        = jsonencode([1 / 3, BIG, 0.1 + 0.2, -0, 1e-7])
    jsondecoded = jsondecode("123456789012345678901234567890.5")
    fromstring  = "1.5e3" + 0
    lenthird    = length([1, 2]) / 3
    modulo      = 10 % 3.3
    mulbig      = BIG * BIG
    floorthird  = floor(10 / 3)
    eqprec      = 1 / 3 == 2 / 6
    cmpbig      = BIG > 18446744073709551616
    minbig      = min(BIG, 18446744073709551618)
    powf        = pow(2, 100)
    sub         = 1 - 0.9
    envnum      = ENVNUM
    envthird    = ENVNUM / 3
  }
}
