//! Number functions (cty stdlib number.go). Arithmetic is on `Number` (cty's big
//! floats); log and pow go through float64 and signum through int, as in cty.
//! Results that would be NaN are errors, as cty panics on them.

use num_bigint::{BigInt, BigUint, Sign};

use super::{PTy, Param, as_int, as_num, as_number, as_str, call_args, fixed_args};
use crate::bake::value::{Number, Value};

const NUM: Param = Param::new("num", PTy::Num);
const A: Param = Param::new("a", PTy::Num);
const B: Param = Param::new("b", PTy::Num);

fn one(args: &[Value]) -> Result<Number, String> {
    Ok(as_number(&fixed_args(args, &[NUM])?[0]))
}

fn two(args: &[Value]) -> Result<(Number, Number), String> {
    let a = fixed_args(args, &[A, B])?;
    Ok((as_number(&a[0]), as_number(&a[1])))
}

fn num(n: Number) -> Value {
    Value::Number(n)
}

fn float(f: f64, msg: &str) -> Result<Value, String> {
    if f.is_nan() {
        Err(msg.to_string())
    } else {
        Ok(num(Number::from_f64(f)))
    }
}

pub fn absolute(args: &[Value]) -> Result<Value, String> {
    Ok(num(one(args)?.abs()))
}

pub fn negate(args: &[Value]) -> Result<Value, String> {
    Ok(num(one(args)?.neg()))
}

pub fn add(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    a.add(&b)
        .map(num)
        .map_err(|_| "can't compute sum of opposing infinities".into())
}

pub fn subtract(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    a.sub(&b)
        .map(num)
        .map_err(|_| "can't subtract infinity from itself".into())
}

pub fn multiply(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    a.mul(&b)
        .map(num)
        .map_err(|_| "can't multiply zero by infinity".into())
}

pub fn divide(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    a.quo(&b)
        .map(num)
        .map_err(|_| "can't divide zero by zero or infinity by infinity".into())
}

pub fn modulo(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    a.modulo(&b)
        .map(num)
        .map_err(|_| "can't use modulo with zero and infinity".into())
}

pub fn greaterthan(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    Ok(Value::Bool(a.cmp_value(&b).is_gt()))
}

pub fn greaterthanorequalto(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    Ok(Value::Bool(a.cmp_value(&b).is_ge()))
}

pub fn lessthan(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    Ok(Value::Bool(a.cmp_value(&b).is_lt()))
}

pub fn lessthanorequalto(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    Ok(Value::Bool(a.cmp_value(&b).is_le()))
}

fn numbers(args: &[Value]) -> Result<Vec<Number>, String> {
    let a = call_args(args, &[], Some(Param::new("numbers", PTy::Num)))?;
    if a.is_empty() {
        return Err("must pass at least one number".into());
    }
    Ok(a.iter().map(as_number).collect())
}

/// The first of the numbers that is strictly below (`min`) or above all before it.
fn extreme(args: &[Value], min: bool) -> Result<Value, String> {
    let mut best = Number::from_f64(if min {
        f64::INFINITY
    } else {
        f64::NEG_INFINITY
    });
    for n in numbers(args)? {
        let ord = n.cmp_value(&best);
        if (min && ord.is_lt()) || (!min && ord.is_gt()) {
            best = n;
        }
    }
    Ok(num(best))
}

pub fn min(args: &[Value]) -> Result<Value, String> {
    extreme(args, true)
}

pub fn max(args: &[Value]) -> Result<Value, String> {
    extreme(args, false)
}

pub fn int(args: &[Value]) -> Result<Value, String> {
    let n = one(args)?;
    if n.is_int() {
        return Ok(num(n));
    }
    match n.to_bigint() {
        Some((i, _)) => Ok(num(Number::from_bigint(&i))),
        None => Err("can't truncate infinity to an integer".into()),
    }
}

pub fn ceil(args: &[Value]) -> Result<Value, String> {
    Ok(num(one(args)?.floor_ceil(false)))
}

pub fn floor(args: &[Value]) -> Result<Value, String> {
    Ok(num(one(args)?.floor_ceil(true)))
}

pub fn log(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[NUM, Param::new("base", PTy::Num)])?;
    let r = as_num(&a[0]).ln() / as_num(&a[1]).ln();
    float(r, "the result is not a number")
}

pub fn pow(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[NUM, Param::new("power", PTy::Num)])?;
    float(
        as_num(&a[0]).powf(as_num(&a[1])),
        "the result is not a number",
    )
}

pub fn signum(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[NUM])?;
    Ok(num(Number::from_i64(as_int(&a[0])?.signum())))
}

/// Go's big.Int.SetString for bases 2..=62 (no underscores, optional sign).
fn parse_big_int(s: &str, base: u32) -> Option<BigInt> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut ds = Vec::with_capacity(digits.len());
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 10,
            'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
            'A'..='Z' => c as u32 - 'A' as u32 + 36,
            _ => return None,
        };
        if d >= base {
            return None;
        }
        ds.push(d as u8);
    }
    let m = BigUint::from_radix_be(&ds, base)?;
    Some(BigInt::from_biguint(
        if neg { Sign::Minus } else { Sign::Plus },
        m,
    ))
}

pub fn parseint(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[Param::new("number", PTy::Dyn), Param::new("base", PTy::Num)],
    )?;
    if !matches!(a[0], Value::String(_)) {
        return Err(format!(
            "first argument must be a string, not {}",
            a[0].type_name()
        ));
    }
    let base = as_int(&a[1])?;
    if !(2..=62).contains(&base) {
        return Err("base must be a whole number between 2 and 62 inclusive".into());
    }
    let s = as_str(&a[0]);
    parse_big_int(s, base as u32)
        .map(|i| num(Number::from_bigint(&i)))
        .ok_or_else(|| format!("cannot parse \"{s}\" as a base {base} integer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(x: f64) -> Value {
        Value::Number(Number::from_f64(x))
    }
    fn s(x: &str) -> Value {
        Value::string(x)
    }

    #[test]
    fn arithmetic() {
        assert_eq!(absolute(&[n(-1.0)]).unwrap(), n(1.0));
        assert_eq!(absolute(&[n(f64::NEG_INFINITY)]).unwrap(), n(f64::INFINITY));
        assert_eq!(add(&[n(1.0), n(2.0)]).unwrap(), n(3.0));
        assert_eq!(add(&[s("1"), n(2.0)]).unwrap(), n(3.0));
        assert!(
            add(&[s("a"), n(2.0)])
                .unwrap_err()
                .contains("a number is required")
        );
        assert_eq!(
            add(&[n(f64::INFINITY), n(f64::NEG_INFINITY)]).unwrap_err(),
            "can't compute sum of opposing infinities"
        );
        assert_eq!(subtract(&[n(1.0), n(2.0)]).unwrap(), n(-1.0));
        assert_eq!(multiply(&[n(5.0), n(2.0)]).unwrap(), n(10.0));
        assert!(multiply(&[n(0.0), n(f64::INFINITY)]).is_err());
        assert_eq!(divide(&[n(6.0), n(2.0)]).unwrap(), n(3.0));
        assert_eq!(divide(&[n(1.0), n(0.0)]).unwrap(), n(f64::INFINITY));
        assert!(divide(&[n(0.0), n(0.0)]).is_err());
        assert_eq!(modulo(&[n(15.0), n(10.0)]).unwrap(), n(5.0));
        assert_eq!(modulo(&[n(-15.0), n(10.0)]).unwrap(), n(-5.0));
        assert_eq!(modulo(&[n(1.0), n(0.0)]).unwrap(), n(1.0));
        assert_eq!(
            modulo(&[n(f64::INFINITY), n(1.0)]).unwrap(),
            n(f64::INFINITY)
        );
        assert_eq!(negate(&[n(1.0)]).unwrap(), n(-1.0));
        assert!(add(&[Value::Null, n(1.0)]).is_err());
    }

    #[test]
    fn comparisons() {
        assert_eq!(greaterthan(&[n(2.0), n(1.0)]).unwrap(), Value::Bool(true));
        assert_eq!(greaterthan(&[n(1.0), n(1.0)]).unwrap(), Value::Bool(false));
        assert_eq!(
            greaterthanorequalto(&[n(1.0), n(1.0)]).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(lessthan(&[n(1.0), n(2.0)]).unwrap(), Value::Bool(true));
        assert_eq!(
            lessthanorequalto(&[n(2.0), n(1.0)]).unwrap(),
            Value::Bool(false)
        );
    }

    #[test]
    fn rounding_and_more() {
        assert_eq!(min(&[n(5.0), n(1.0), n(3.0)]).unwrap(), n(1.0));
        assert_eq!(max(&[n(5.0), n(1.0), n(3.0)]).unwrap(), n(5.0));
        assert_eq!(max(&[]).unwrap_err(), "must pass at least one number");
        assert_eq!(int(&[n(1.5)]).unwrap(), n(1.0));
        assert_eq!(int(&[n(-1.5)]).unwrap(), n(-1.0));
        assert!(int(&[n(f64::INFINITY)]).is_err());
        assert_eq!(ceil(&[n(-1.8)]).unwrap(), n(-1.0));
        assert_eq!(ceil(&[n(1.2)]).unwrap(), n(2.0));
        assert_eq!(floor(&[n(-1.8)]).unwrap(), n(-2.0));
        assert_eq!(floor(&[n(f64::INFINITY)]).unwrap(), n(f64::INFINITY));
        assert_eq!(log(&[n(1.0), n(10.0)]).unwrap(), n(0.0));
        assert_eq!(log(&[n(16.0), n(2.0)]).unwrap(), n(4.0));
        assert_eq!(pow(&[n(2.0), n(8.0)]).unwrap(), n(256.0));
        assert_eq!(pow(&[n(5.0), n(0.0)]).unwrap(), n(1.0));
        assert_eq!(signum(&[n(-5.0)]).unwrap(), n(-1.0));
        assert_eq!(signum(&[n(0.0)]).unwrap(), n(0.0));
        assert!(signum(&[n(0.5)]).unwrap_err().contains("whole number"));
    }

    #[test]
    fn parseint_cases() {
        assert_eq!(parseint(&[s("128"), n(10.0)]).unwrap(), n(128.0));
        assert_eq!(parseint(&[s("-12"), n(10.0)]).unwrap(), n(-12.0));
        assert_eq!(parseint(&[s("FF"), n(16.0)]).unwrap(), n(255.0));
        assert_eq!(parseint(&[s("ff"), n(16.0)]).unwrap(), n(255.0));
        assert_eq!(parseint(&[s("1011"), n(2.0)]).unwrap(), n(11.0));
        assert_eq!(parseint(&[s("aA"), n(62.0)]).unwrap(), n(656.0));
        assert_eq!(parseint(&[s("Z"), n(62.0)]).unwrap(), n(61.0));
        assert_eq!(
            parseint(&[s("12"), n(1.0)]).unwrap_err(),
            "base must be a whole number between 2 and 62 inclusive"
        );
        assert_eq!(
            parseint(&[s("1.2"), n(10.0)]).unwrap_err(),
            "cannot parse \"1.2\" as a base 10 integer"
        );
        assert_eq!(
            parseint(&[s(""), n(10.0)]).unwrap_err(),
            "cannot parse \"\" as a base 10 integer"
        );
        assert_eq!(
            parseint(&[s("2"), n(2.0)]).unwrap_err(),
            "cannot parse \"2\" as a base 2 integer"
        );
        assert_eq!(
            parseint(&[n(1.0), n(10.0)]).unwrap_err(),
            "first argument must be a string, not number"
        );
    }
}
