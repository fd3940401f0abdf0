//! cty numbers: an emulation of Go's `math/big.Float` as go-cty 1.12.1 uses it.
//!
//! A number is `±mant × 2^exp` with a binary precision (`prec`, in bits) that
//! travels with it, as in big.Float: literals and strings parse at 512 bits
//! (`cty.ParseNumberVal`), `NumberIntVal` gives 64 bits, `NumberFloatVal` 53.
//! Arithmetic rounds to nearest-even at the larger operand precision, and
//! numbers print with `Text('f', -1)`: the shortest decimal that rounds back to
//! the same value at its precision. Negative zero and infinities exist.
//!
//! Mantissas that fit in 64 bits are stored inline, so small integers cost no
//! allocation; larger ones use `num_bigint::BigUint`.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::{One, ToPrimitive, Zero};

/// The precision of numbers parsed from text (`cty.ParseNumberVal`).
pub const PARSE_PREC: u32 = 512;

const MAX_EXP: i64 = i32::MAX as i64;
const MIN_EXP: i64 = i32::MIN as i64;

#[derive(Clone, Debug)]
enum Mant {
    Zero,
    Inf,
    /// Odd mantissa (trailing zero bits are moved into the exponent).
    Small(u64),
    Big(Box<BigUint>),
}

/// A cty number (see the module docs).
#[derive(Clone, Debug)]
pub struct Number {
    mant: Mant,
    exp: i64,
    prec: u32,
    neg: bool,
}

/// The operation has no defined result (Go's `big.ErrNaN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NaN;

fn bitlen(m: &BigUint) -> i64 {
    m.bits() as i64
}

impl Number {
    fn zero(neg: bool, prec: u32) -> Number {
        Number {
            mant: Mant::Zero,
            exp: 0,
            prec,
            neg,
        }
    }

    fn inf(neg: bool, prec: u32) -> Number {
        Number {
            mant: Mant::Inf,
            exp: 0,
            prec,
            neg,
        }
    }

    /// `mant × 2^exp` exactly (the caller guarantees it fits `prec`).
    fn exact(neg: bool, mant: BigUint, exp: i64, prec: u32) -> Number {
        if mant.is_zero() {
            return Number::zero(neg, prec);
        }
        let tz = mant.trailing_zeros().unwrap_or(0);
        let mant = if tz > 0 { mant >> tz } else { mant };
        let exp = exp + tz as i64;
        let top = exp + bitlen(&mant);
        if top > MAX_EXP {
            return Number::inf(neg, prec);
        }
        if top < MIN_EXP {
            return Number::zero(neg, prec);
        }
        let mant = match mant.to_u64() {
            Some(m) => Mant::Small(m),
            None => Mant::Big(Box::new(mant)),
        };
        Number {
            mant,
            exp,
            prec,
            neg,
        }
    }

    fn small(neg: bool, m: u64, exp: i64, prec: u32) -> Number {
        if m == 0 {
            return Number::zero(neg, prec);
        }
        let tz = m.trailing_zeros();
        Number {
            mant: Mant::Small(m >> tz),
            exp: exp + tz as i64,
            prec,
            neg,
        }
    }

    /// `mant × 2^exp` rounded to `prec` bits, nearest-even; `sticky` tells that
    /// nonzero bits below `mant` were dropped.
    fn rounded(neg: bool, mant: BigUint, exp: i64, prec: u32, sticky: bool) -> Number {
        let bits = bitlen(&mant);
        if bits <= prec as i64 {
            debug_assert!(!sticky);
            return Number::exact(neg, mant, exp, prec);
        }
        let shift = (bits - prec as i64) as u64;
        let half = mant.bit(shift - 1);
        let rest = sticky || mant.trailing_zeros().is_some_and(|tz| tz < shift - 1);
        let mut m = mant >> shift;
        if half && (rest || m.bit(0)) {
            m += 1u32;
        }
        Number::exact(neg, m, exp + shift as i64, prec)
    }

    /// `NumberFloatVal`: precision 53.
    pub fn from_f64(f: f64) -> Number {
        if f.is_infinite() {
            return Number::inf(f < 0.0, 53);
        }
        if f == 0.0 {
            return Number::zero(f.is_sign_negative(), 53);
        }
        let bits = f.to_bits();
        let neg = bits >> 63 != 0;
        let e = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1 << 52) - 1);
        let (m, exp) = if e == 0 {
            (frac, -1074)
        } else {
            (frac | (1 << 52), e - 1075)
        };
        Number::small(neg, m, exp, 53)
    }

    /// `NumberIntVal`: precision 64.
    pub fn from_i64(i: i64) -> Number {
        Number::small(i < 0, i.unsigned_abs(), 0, 64)
    }

    /// `NumberUIntVal`: precision 64.
    pub fn from_u64(i: u64) -> Number {
        Number::small(false, i, 0, 64)
    }

    /// `new(big.Float).SetInt(i)`: precision max(64, bit length).
    pub fn from_bigint(i: &BigInt) -> Number {
        let prec = (i.bits() as u32).max(64);
        Number::exact(i.sign() == Sign::Minus, i.magnitude().clone(), 0, prec)
    }

    /// `f.SetInt(i)` on a float of precision `prec` (rounds when needed).
    pub fn from_bigint_prec(i: &BigInt, prec: u32) -> Number {
        Number::rounded(
            i.sign() == Sign::Minus,
            i.magnitude().clone(),
            0,
            prec,
            false,
        )
    }

    pub fn prec(&self) -> u32 {
        self.prec
    }

    pub fn is_zero(&self) -> bool {
        matches!(self.mant, Mant::Zero)
    }

    pub fn is_inf(&self) -> bool {
        matches!(self.mant, Mant::Inf)
    }

    /// Whether the sign bit is set (also for -0).
    pub fn is_sign_negative(&self) -> bool {
        self.neg
    }

    /// big.Float.Sign: -1, 0 (for ±0) or +1.
    pub fn signum(&self) -> i32 {
        match self.mant {
            Mant::Zero => 0,
            _ if self.neg => -1,
            _ => 1,
        }
    }

    fn mag(&self) -> Cow<'_, BigUint> {
        match &self.mant {
            Mant::Small(m) => Cow::Owned(BigUint::from(*m)),
            Mant::Big(b) => Cow::Borrowed(b),
            Mant::Zero | Mant::Inf => Cow::Owned(BigUint::zero()),
        }
    }

    fn mant_bits(&self) -> i64 {
        match &self.mant {
            Mant::Small(m) => 64 - m.leading_zeros() as i64,
            Mant::Big(b) => bitlen(b),
            Mant::Zero | Mant::Inf => 0,
        }
    }

    /// Whether the value is an integer (infinities are not).
    pub fn is_int(&self) -> bool {
        match self.mant {
            Mant::Zero => true,
            Mant::Inf => false,
            _ => self.exp >= 0,
        }
    }

    /// big.Float.MinPrec: bits needed to represent the value exactly.
    fn min_prec(&self) -> u32 {
        self.mant_bits() as u32
    }

    /// `Int64()` when exact and in range.
    pub fn to_i64(&self) -> Option<i64> {
        let (i, acc) = self.to_bigint()?;
        if acc != Ordering::Equal {
            return None;
        }
        i.to_i64()
    }

    /// `Int(nil)`: the value truncated towards zero, with its accuracy
    /// (`Less`: the integer is below the value). None for infinities.
    pub fn to_bigint(&self) -> Option<(BigInt, Ordering)> {
        match self.mant {
            Mant::Zero => return Some((BigInt::zero(), Ordering::Equal)),
            Mant::Inf => return None,
            _ => {}
        }
        let sign = if self.neg { Sign::Minus } else { Sign::Plus };
        if self.exp >= 0 {
            let m = self.mag().into_owned() << self.exp as u64;
            return Some((BigInt::from_biguint(sign, m), Ordering::Equal));
        }
        // The mantissa is odd, so a negative exponent means a fraction.
        let m = self.mag().into_owned() >> (-self.exp) as u64;
        let acc = if self.neg {
            Ordering::Greater
        } else {
            Ordering::Less
        };
        Some((BigInt::from_biguint(sign, m), acc))
    }

    /// `Float64()`: nearest float64 (ties to even), ±Inf on overflow.
    pub fn to_f64(&self) -> f64 {
        let sign = if self.neg { -1.0 } else { 1.0 };
        match self.mant {
            Mant::Zero => return 0.0 * sign,
            Mant::Inf => return f64::INFINITY * sign,
            _ => {}
        }
        // Exponent of the value as 1.m × 2^e.
        let e = self.exp + self.mant_bits() - 1;
        let mut p: i64 = 53;
        if e < -1022 {
            p = 53 + 1022 + e;
            if p < 0 {
                return 0.0 * sign;
            }
            if p == 0 {
                // m is in [0.5, 1) of the smallest denormal: 0.5 rounds to even (0).
                let is_half = self.mant_bits() == 1;
                return if is_half { 0.0 } else { f64::from_bits(1) } * sign;
            }
        }
        let r = Number::rounded(false, self.mag().into_owned(), self.exp, p as u32, false);
        let top = r.exp + r.mant_bits() - 1;
        if r.is_inf() || top > 1023 {
            return f64::INFINITY * sign;
        }
        let m = r.mag().to_u64().unwrap_or(0) as f64;
        sign * ldexp(m, r.exp)
    }

    /// big.Float.Cmp (±0 are equal).
    pub fn cmp_value(&self, other: &Number) -> Ordering {
        let (sa, sb) = (self.signum_inf(), other.signum_inf());
        if sa != sb {
            return sa.cmp(&sb);
        }
        let mag = match (&self.mant, &other.mant) {
            (Mant::Zero, Mant::Zero) | (Mant::Inf, Mant::Inf) => Ordering::Equal,
            (Mant::Inf, _) | (_, Mant::Zero) => Ordering::Greater,
            (_, Mant::Inf) | (Mant::Zero, _) => Ordering::Less,
            _ => self.ucmp(other),
        };
        if sa < 0 { mag.reverse() } else { mag }
    }

    fn signum_inf(&self) -> i32 {
        self.signum()
    }

    /// Compares the magnitudes of two finite nonzero numbers.
    fn ucmp(&self, other: &Number) -> Ordering {
        let ta = self.exp + self.mant_bits();
        let tb = other.exp + other.mant_bits();
        if ta != tb {
            return ta.cmp(&tb);
        }
        if let (Mant::Small(a), Mant::Small(b)) = (&self.mant, &other.mant) {
            let e = self.exp.min(other.exp);
            // Same top bit, so both shifted values fit in 64 bits.
            return (a << (self.exp - e) as u32).cmp(&(b << (other.exp - e) as u32));
        }
        let e = self.exp.min(other.exp);
        let a = self.mag().into_owned() << (self.exp - e) as u64;
        let b = other.mag().into_owned() << (other.exp - e) as u64;
        a.cmp(&b)
    }

    pub fn neg(&self) -> Number {
        let mut r = self.clone();
        r.neg = !r.neg;
        r
    }

    pub fn abs(&self) -> Number {
        let mut r = self.clone();
        r.neg = false;
        r
    }

    /// `new(big.Float).Add(x, y)`.
    pub fn add(&self, other: &Number) -> Result<Number, NaN> {
        let prec = self.prec.max(other.prec);
        self.add_prec(other, false, prec)
    }

    /// `new(big.Float).Sub(x, y)`.
    pub fn sub(&self, other: &Number) -> Result<Number, NaN> {
        let prec = self.prec.max(other.prec);
        self.add_prec(other, true, prec)
    }

    fn add_prec(&self, y: &Number, sub: bool, prec: u32) -> Result<Number, NaN> {
        let yneg = y.neg != sub;
        let x = self;
        match (&x.mant, &y.mant) {
            (Mant::Inf, Mant::Inf) if x.neg != yneg => return Err(NaN),
            (Mant::Zero, Mant::Zero) => return Ok(Number::zero(x.neg && yneg, prec)),
            (Mant::Inf, _) | (_, Mant::Zero) => return Ok(x.with_prec(prec)),
            (_, Mant::Inf) | (Mant::Zero, _) => {
                let mut r = y.with_prec(prec);
                r.neg = yneg;
                return Ok(r);
            }
            _ => {}
        }
        // Fast path: small mantissas whose aligned sum fits in u128.
        if let (Mant::Small(a), Mant::Small(b)) = (&x.mant, &y.mant) {
            let e = x.exp.min(y.exp);
            let (sa, sb) = (x.exp - e, y.exp - e);
            if sa <= 60 && sb <= 60 {
                let a = (*a as u128) << sa;
                let b = (*b as u128) << sb;
                let (neg, m) = if x.neg == yneg {
                    (x.neg, a + b)
                } else if a >= b {
                    (x.neg, a - b)
                } else {
                    (yneg, b - a)
                };
                if m == 0 {
                    return Ok(Number::zero(false, prec));
                }
                return Ok(Number::rounded(neg, BigUint::from(m), e, prec, false));
            }
        }
        // Keep the smaller operand no wider than needed: far below the
        // rounding position it only acts as a sticky bit.
        let (big, small, big_neg, small_neg) = if x.ucmp(y) == Ordering::Less {
            (y, x, yneg, x.neg)
        } else {
            (x, y, x.neg, yneg)
        };
        let big_top = big.exp + big.mant_bits();
        let limit = big_top - prec as i64 - 4;
        let (smant, sexp) = if small.exp + small.mant_bits() < limit {
            (BigUint::one(), limit - 1)
        } else {
            (small.mag().into_owned(), small.exp)
        };
        let e = big.exp.min(sexp);
        let a = big.mag().into_owned() << (big.exp - e) as u64;
        let b = smant << (sexp - e) as u64;
        let (neg, m) = if big_neg == small_neg {
            (big_neg, a + b)
        } else {
            match a.cmp(&b) {
                Ordering::Equal => return Ok(Number::zero(false, prec)),
                Ordering::Greater => (big_neg, a - b),
                Ordering::Less => (small_neg, b - a),
            }
        };
        Ok(Number::rounded(neg, m, e, prec, false))
    }

    fn with_prec(&self, prec: u32) -> Number {
        if prec >= self.prec || !matches!(self.mant, Mant::Small(_) | Mant::Big(_)) {
            let mut r = self.clone();
            r.prec = prec;
            return r;
        }
        Number::rounded(self.neg, self.mag().into_owned(), self.exp, prec, false)
    }

    /// `z.Mul(x, y)` with `z` of precision `prec`.
    fn mul_prec(&self, y: &Number, prec: u32) -> Result<Number, NaN> {
        let neg = self.neg != y.neg;
        match (&self.mant, &y.mant) {
            (Mant::Inf, Mant::Zero) | (Mant::Zero, Mant::Inf) => Err(NaN),
            (Mant::Inf, _) | (_, Mant::Inf) => Ok(Number::inf(neg, prec)),
            (Mant::Zero, _) | (_, Mant::Zero) => Ok(Number::zero(neg, prec)),
            (Mant::Small(a), Mant::Small(b)) => {
                let m = *a as u128 * *b as u128;
                Ok(Number::rounded(
                    neg,
                    BigUint::from(m),
                    self.exp + y.exp,
                    prec,
                    false,
                ))
            }
            _ => {
                let m = self.mag().into_owned() * y.mag().as_ref();
                Ok(Number::rounded(neg, m, self.exp + y.exp, prec, false))
            }
        }
    }

    /// cty's `Value.Multiply`: the product at 512 bits, kept at the larger of
    /// the operand precisions and the bits the product needs.
    pub fn mul(&self, other: &Number) -> Result<Number, NaN> {
        let mut r = self.mul_prec(other, 512)?;
        let prec = self.prec.max(other.prec).max(r.min_prec());
        r.prec = prec;
        Ok(r)
    }

    /// `z.Quo(x, y)` with `z` of precision `prec`.
    fn quo_prec(&self, y: &Number, prec: u32) -> Result<Number, NaN> {
        let neg = self.neg != y.neg;
        match (&self.mant, &y.mant) {
            (Mant::Zero, Mant::Zero) | (Mant::Inf, Mant::Inf) => Err(NaN),
            (Mant::Zero, _) | (_, Mant::Inf) => Ok(Number::zero(neg, prec)),
            (Mant::Inf, _) | (_, Mant::Zero) => Ok(Number::inf(neg, prec)),
            _ => {
                let xb = self.mant_bits();
                let yb = y.mant_bits();
                let s = (prec as i64 + 3 + yb - xb).max(0);
                let a = self.mag().into_owned() << s as u64;
                let b = y.mag();
                let (q, r) = num_integer::Integer::div_rem(&a, b.as_ref());
                Ok(Number::rounded(
                    neg,
                    q,
                    self.exp - y.exp - s,
                    prec,
                    !r.is_zero(),
                ))
            }
        }
    }

    /// `new(big.Float).Quo(x, y)` (cty's `Value.Divide`).
    pub fn quo(&self, other: &Number) -> Result<Number, NaN> {
        self.quo_prec(other, self.prec.max(other.prec))
    }

    /// cty's `Value.Modulo`: `x - y × trunc(x / y)` at x's precision; `x % 0 = x`.
    pub fn modulo(&self, other: &Number) -> Result<Number, NaN> {
        if self.is_inf() || other.is_inf() {
            return self.mul(other);
        }
        if other.is_zero() {
            return Ok(self.clone());
        }
        let rat = self.quo(other)?;
        let (i, _) = rat.to_bigint().ok_or(NaN)?;
        let work = Number::from_bigint_prec(&i, self.prec);
        let work = other.mul_prec(&work, self.prec)?;
        self.add_prec(&work, true, self.prec)
    }

    /// Floor (`floor = true`) or ceiling as cty's `floor`/`ceil`: the integer
    /// keeps the number's precision.
    pub fn floor_ceil(&self, floor: bool) -> Number {
        let Some((mut i, acc)) = self.to_bigint() else {
            return self.clone();
        };
        if floor && acc == Ordering::Greater {
            i -= 1;
        }
        if !floor && acc == Ordering::Less {
            i += 1;
        }
        Number::from_bigint_prec(&i, self.prec)
    }

    /// `big.ParseFloat(s, 10, 512, ToNearestEven)` (cty.ParseNumberVal).
    pub fn parse(s: &str) -> Option<Number> {
        Number::parse_prec(s, PARSE_PREC)
    }

    fn parse_prec(s: &str, prec: u32) -> Option<Number> {
        match s {
            "Inf" | "inf" | "+Inf" | "+inf" => return Some(Number::inf(false, prec)),
            "-Inf" | "-inf" => return Some(Number::inf(true, prec)),
            _ => {}
        }
        let b = s.as_bytes();
        let mut i = 0;
        let neg = match b.first() {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let mut digits = Vec::new();
        let mut dp: Option<usize> = None;
        while i < b.len() {
            match b[i] {
                b'.' if dp.is_none() => dp = Some(digits.len()),
                c @ b'0'..=b'9' => digits.push(c),
                _ => break,
            }
            i += 1;
        }
        if digits.is_empty() {
            return None;
        }
        let fdigits = dp.map_or(0, |d| (digits.len() - d) as i64);
        // Exponent: e/E (decimal) or p/P (binary).
        let mut exp: i64 = 0;
        let mut ebase = 10;
        if i < b.len() {
            ebase = match b[i] {
                b'e' | b'E' => 10,
                b'p' | b'P' => 2,
                _ => return None,
            };
            i += 1;
            let mut eneg = false;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                eneg = b[i] == b'-';
                i += 1;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start || i != b.len() {
                return None;
            }
            let e: i64 = std::str::from_utf8(&b[start..i]).ok()?.parse().ok()?;
            exp = if eneg { -e } else { e };
        }
        let mant = BigUint::parse_bytes(&digits, 10)?;
        if mant.is_zero() {
            return Some(Number::zero(neg, prec));
        }
        let exp2 = exp.checked_sub(fdigits)?;
        let exp5 = if ebase == 10 { exp2 } else { -fdigits };
        // Go's range check on the binary exponent of 0.mant × 2^e.
        let top = exp2.checked_add(bitlen(&mant))?;
        if !(MIN_EXP..=MAX_EXP).contains(&top) {
            return None;
        }
        if exp5 == 0 {
            return Some(Number::rounded(neg, mant, exp2, prec, false));
        }
        // The mantissa stays unrounded until the 5^exp5 step, as in Go.
        let z = Number {
            mant: match mant.to_u64() {
                Some(m) => Mant::Small(m),
                None => Mant::Big(Box::new(mant)),
            },
            exp: exp2,
            prec,
            neg,
        };
        let p = pow5(exp5.unsigned_abs(), prec + 64);
        let r = if exp5 < 0 {
            z.quo_prec(&p, prec)
        } else {
            z.mul_prec(&p, prec)
        };
        r.ok()
    }

    /// The exact decimal expansion (big's `decimal.init`).
    fn decimal(&self) -> Decimal {
        if !matches!(self.mant, Mant::Small(_) | Mant::Big(_)) {
            return Decimal {
                mant: vec![],
                exp: 0,
            };
        }
        decimal_of(self.mag().into_owned(), self.exp)
    }

    /// `Text(fmt, prec)` for fmt in e, E, f, g, G; `prec` None means -1 (shortest).
    pub fn text(&self, fmt: char, prec: Option<usize>) -> String {
        let mut buf = String::new();
        if self.neg {
            buf.push('-');
        }
        if self.is_inf() {
            if !self.neg {
                buf.push('+');
            }
            buf.push_str("Inf");
            return buf;
        }
        let mut d = self.decimal();
        let shortest = prec.is_none();
        let mut prec: i64 = match prec {
            None => {
                self.round_shortest(&mut d);
                match fmt {
                    'e' | 'E' => d.mant.len() as i64 - 1,
                    'f' => (d.mant.len() as i64 - d.exp).max(0),
                    _ => d.mant.len() as i64,
                }
            }
            Some(p) => {
                let mut p = p as i64;
                match fmt {
                    'e' | 'E' => d.round(1 + p),
                    'f' => d.round(d.exp + p),
                    _ => {
                        if p == 0 {
                            p = 1;
                        }
                        d.round(p)
                    }
                }
                p
            }
        };
        match fmt {
            'e' | 'E' => fmt_e(&mut buf, fmt, prec, &d),
            'f' => fmt_f(&mut buf, prec, &d),
            _ => {
                let mut eprec = prec;
                if eprec > d.mant.len() as i64 && d.mant.len() as i64 >= d.exp {
                    eprec = d.mant.len() as i64;
                }
                if shortest {
                    eprec = 6;
                }
                let exp = d.exp - 1;
                if exp < -4 || exp >= eprec {
                    if prec > d.mant.len() as i64 {
                        prec = d.mant.len() as i64;
                    }
                    let e = if fmt == 'G' { 'E' } else { 'e' };
                    fmt_e(&mut buf, e, prec - 1, &d);
                } else {
                    if prec > d.exp {
                        prec = d.mant.len() as i64;
                    }
                    fmt_f(&mut buf, (prec - d.exp).max(0), &d);
                }
            }
        }
        buf
    }

    /// big's `roundShortest`.
    fn round_shortest(&self, d: &mut Decimal) {
        if d.mant.is_empty() {
            return;
        }
        let bits = self.mant_bits();
        let shift = self.prec as i64 + 1 - bits;
        // The mantissa is odd; widening it to prec+1 bits makes its lsb 1/2 ulp.
        let (mant, exp) = if shift >= 0 {
            (self.mag().into_owned() << shift as u64, self.exp - shift)
        } else {
            (self.mag().into_owned() >> (-shift) as u64, self.exp - shift)
        };
        let lower = decimal_of(&mant - 1u32, exp);
        let upper = decimal_of(&mant + 1u32, exp);
        let inclusive = !mant.bit(1);
        for i in 0..d.mant.len() {
            let m = d.mant[i];
            let l = lower.at(i as i64);
            let u = upper.at(i as i64);
            let okdown = l != m || inclusive && i + 1 == lower.mant.len();
            let okup = m != u && (inclusive || m + 1 < u || i + 1 < upper.mant.len());
            match (okdown, okup) {
                (true, true) => {
                    d.round(i as i64 + 1);
                    return;
                }
                (true, false) => {
                    d.round_down(i as i64 + 1);
                    return;
                }
                (false, true) => {
                    d.round_up(i as i64 + 1);
                    return;
                }
                _ => {}
            }
        }
    }
}

/// `m × 2^e` for a float64 mantissa whose result is representable.
fn ldexp(mut f: f64, mut e: i64) -> f64 {
    while e > 1000 {
        f *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        f *= 2f64.powi(-1000);
        e += 1000;
    }
    f * 2f64.powi(e as i32)
}

/// Go's `Float.pow5` on a float of precision `prec`.
fn pow5(n: u64, prec: u32) -> Number {
    const M: u64 = 27;
    if n <= M {
        return Number::small(false, 5u64.pow(n as u32), 0, prec);
    }
    let mut z = Number::small(false, 5u64.pow(M as u32), 0, prec);
    let mut n = n - M;
    let mut f = Number::small(false, 5, 0, prec + 64);
    while n > 0 {
        if n & 1 != 0 {
            z = z.mul_prec(&f, prec).unwrap_or(z);
        }
        f = f.mul_prec(&f, prec + 64).unwrap_or(f);
        n >>= 1;
    }
    z
}

/// Decimal digits `0.mant × 10^exp`, trailing zeros trimmed (big's `decimal`).
struct Decimal {
    mant: Vec<u8>,
    exp: i64,
}

fn decimal_of(m: BigUint, e: i64) -> Decimal {
    if m.is_zero() {
        return Decimal {
            mant: vec![],
            exp: 0,
        };
    }
    let (digits, k) = if e >= 0 {
        ((m << e as u64).to_str_radix(10), 0)
    } else {
        let k = -e;
        let tz = m.trailing_zeros().unwrap_or(0) as i64;
        let s = tz.min(k);
        let m = m >> s as u64;
        let k = k - s;
        let p = num_traits::pow(BigUint::from(5u32), k as usize);
        ((m * p).to_str_radix(10), k)
    };
    let mut mant = digits.into_bytes();
    let exp = mant.len() as i64 - k;
    while mant.last() == Some(&b'0') {
        mant.pop();
    }
    Decimal { mant, exp }
}

impl Decimal {
    fn at(&self, i: i64) -> u8 {
        if i >= 0 && (i as usize) < self.mant.len() {
            self.mant[i as usize]
        } else {
            b'0'
        }
    }

    fn should_round_up(&self, n: usize) -> bool {
        if self.mant[n] == b'5' && n + 1 == self.mant.len() {
            return n > 0 && (self.mant[n - 1] - b'0') & 1 != 0;
        }
        self.mant[n] >= b'5'
    }

    fn round(&mut self, n: i64) {
        if n < 0 || n as usize >= self.mant.len() {
            return;
        }
        if self.should_round_up(n as usize) {
            self.round_up(n);
        } else {
            self.round_down(n);
        }
    }

    fn round_up(&mut self, n: i64) {
        if n < 0 || n as usize >= self.mant.len() {
            return;
        }
        let mut n = n as usize;
        while n > 0 && self.mant[n - 1] >= b'9' {
            n -= 1;
        }
        if n == 0 {
            self.mant[0] = b'1';
            self.mant.truncate(1);
            self.exp += 1;
            return;
        }
        self.mant[n - 1] += 1;
        self.mant.truncate(n);
    }

    fn round_down(&mut self, n: i64) {
        if n < 0 || n as usize >= self.mant.len() {
            return;
        }
        self.mant.truncate(n as usize);
        while self.mant.last() == Some(&b'0') {
            self.mant.pop();
        }
        if self.mant.is_empty() {
            self.exp = 0;
        }
    }
}

fn fmt_f(buf: &mut String, prec: i64, d: &Decimal) {
    if d.exp > 0 {
        let m = (d.mant.len() as i64).min(d.exp) as usize;
        buf.push_str(std::str::from_utf8(&d.mant[..m]).unwrap_or(""));
        for _ in m as i64..d.exp {
            buf.push('0');
        }
    } else {
        buf.push('0');
    }
    if prec > 0 {
        buf.push('.');
        for i in 0..prec {
            buf.push(d.at(d.exp + i) as char);
        }
    }
}

fn fmt_e(buf: &mut String, fmt: char, prec: i64, d: &Decimal) {
    let ch = if d.mant.is_empty() { b'0' } else { d.mant[0] };
    buf.push(ch as char);
    if prec > 0 {
        buf.push('.');
        let mut i = 1;
        let m = (d.mant.len() as i64).min(prec + 1);
        if i < m {
            buf.push_str(std::str::from_utf8(&d.mant[i as usize..m as usize]).unwrap_or(""));
            i = m;
        }
        for _ in i..=prec {
            buf.push('0');
        }
    }
    buf.push(fmt);
    let exp = if d.mant.is_empty() { 0 } else { d.exp - 1 };
    if exp < 0 {
        buf.push('-');
    } else {
        buf.push('+');
    }
    let exp = exp.unsigned_abs();
    if exp < 10 {
        buf.push('0');
    }
    buf.push_str(&exp.to_string());
}

impl fmt::Display for Number {
    /// `Text('f', -1)`, as cty converts numbers to strings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Mant::Small(m) = self.mant
            && self.exp >= 0
            && self.exp < 64
            && (m as u128) << self.exp <= u64::MAX as u128
            && self.mant_bits() + self.exp <= self.prec as i64
        {
            // An integer held exactly: its digits are the shortest form.
            let v = m << self.exp;
            return if self.neg {
                write!(f, "-{v}")
            } else {
                write!(f, "{v}")
            };
        }
        f.write_str(&self.text('f', None))
    }
}

impl Number {
    /// Same representation (value, precision and sign of zero), not just
    /// equal: two identical numbers behave the same in every later operation.
    pub fn identical(&self, other: &Number) -> bool {
        let mant = match (&self.mant, &other.mant) {
            (Mant::Zero, Mant::Zero) | (Mant::Inf, Mant::Inf) => true,
            (Mant::Small(a), Mant::Small(b)) => a == b,
            (Mant::Big(a), Mant::Big(b)) => a == b,
            _ => false,
        };
        mant && self.exp == other.exp && self.prec == other.prec && self.neg == other.neg
    }

    /// A hash that [`Self::identical`] numbers share.
    pub fn hash_identity<H: std::hash::Hasher>(&self, h: &mut H) {
        use std::hash::Hash;
        (self.exp, self.prec, self.neg).hash(h);
        if let Mant::Small(m) = self.mant {
            m.hash(h);
        }
    }
}

/// cty's equality (`rawNumberEqual`): equal when they print the same, with
/// -0 equal to 0.
impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        if self.signum() != other.signum() {
            return false;
        }
        if self.prec == other.prec || self.is_zero() || self.is_inf() || other.is_inf() {
            return self.cmp_value(other) == Ordering::Equal;
        }
        self.to_string() == other.to_string()
    }
}

impl From<f64> for Number {
    fn from(f: f64) -> Number {
        Number::from_f64(f)
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        Number::from_i64(i)
    }
}

impl From<usize> for Number {
    fn from(i: usize) -> Number {
        Number::from_u64(i as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn parse_and_print() {
        assert_eq!(
            p("12345678901234567890").to_string(),
            "12345678901234567890"
        );
        assert_eq!(p("0.1").to_string(), "0.1");
        assert_eq!(p("1e30").to_string(), "1000000000000000000000000000000");
        assert_eq!(p("1.5e3").to_string(), "1500");
        assert_eq!(p("0.0000001").to_string(), "0.0000001");
        assert_eq!(p("-0").to_string(), "-0");
        assert_eq!(p(".5").to_string(), "0.5");
        assert_eq!(p("5.").to_string(), "5");
        assert_eq!(p("1p3").to_string(), "8");
        assert_eq!(p("Inf").to_string(), "+Inf");
        assert!(Number::parse("").is_none());
        assert!(Number::parse(".").is_none());
        assert!(Number::parse("1e").is_none());
        assert!(Number::parse(" 1").is_none());
        assert!(Number::parse("0x10").is_none());
        assert!(Number::parse("1_0").is_none());
        assert!(Number::parse("nan").is_none());
    }

    #[test]
    fn arithmetic_matches_big_float() {
        let third = p("1").quo(&p("3")).unwrap();
        assert_eq!(
            third.to_string(),
            "0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335"
        );
        let two_thirds = Number::from_i64(2).quo(&p("3")).unwrap();
        assert!(two_thirds.to_string().ends_with("6666667"));
        assert_eq!(p("0.1").add(&p("0.2")).unwrap().to_string(), "0.3");
        let m = p("10").modulo(&p("3.3")).unwrap();
        assert_eq!(
            m.to_string(),
            "0.10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000048"
        );
        assert_eq!(p("0").mul(&p("-1")).unwrap().to_string(), "-0");
        assert_eq!(p("1").quo(&p("0")).unwrap().to_string(), "+Inf");
        assert!(p("0").quo(&p("0")).is_err());
        assert_eq!(p("3").sub(&p("3")).unwrap().to_string(), "0");
        assert_eq!(Number::from_f64(0.1).to_string(), "0.1");
        assert_eq!(
            Number::from_f64(2f64.powi(100)).to_string(),
            "1267650600228229400000000000000"
        );
    }

    #[test]
    fn conversions() {
        assert_eq!(p("0.1").to_f64(), 0.1);
        assert_eq!(p("1e400").to_f64(), f64::INFINITY);
        assert_eq!(p("4.9e-324").to_f64(), 5e-324);
        assert_eq!(p("1.7976931348623157e308").to_f64(), f64::MAX);
        assert_eq!(p("-7.9").to_bigint().unwrap().0, BigInt::from(-7));
        assert_eq!(p("42").to_i64(), Some(42));
        assert_eq!(p("4.2").to_i64(), None);
        assert_eq!(p("-1.2").floor_ceil(true).to_string(), "-2");
        assert_eq!(p("1.2").floor_ceil(false).to_string(), "2");
        assert_eq!(p("1").cmp_value(&p("1.0000001")), Ordering::Less);
        assert_eq!(p("-0"), p("0"));
        assert_eq!(Number::from_i64(2), p("2"));
    }

    #[test]
    fn text_verbs() {
        let third = p("1").quo(&p("3")).unwrap();
        assert_eq!(third.text('f', Some(6)), "0.333333");
        assert_eq!(p("1000000").text('g', None), "1e+06");
        assert_eq!(p("123.456").text('e', Some(2)), "1.23e+02");
        assert_eq!(p("2.5").text('f', Some(0)), "2");
        assert_eq!(p("0.00001").text('g', None), "1e-05");
    }

    #[test]
    fn stays_small() {
        // Numbers live inline in `Value`, which stays as small as its other variants.
        assert!(std::mem::size_of::<Number>() <= 32);
        assert!(std::mem::size_of::<crate::bake::value::Value>() <= 32);
    }
}
