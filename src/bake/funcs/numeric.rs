//! Number functions (cty stdlib number.go). Numbers are f64 here (cty uses
//! big floats); results that would be NaN are errors, as cty panics on them.

use super::{PTy, Param, as_int, as_num, as_str, call_args, fixed_args};
use crate::bake::value::Value;

const NUM: Param = Param::new("num", PTy::Num);
const A: Param = Param::new("a", PTy::Num);
const B: Param = Param::new("b", PTy::Num);

fn one(args: &[Value]) -> Result<f64, String> {
    Ok(as_num(&fixed_args(args, &[NUM])?[0]))
}

fn two(args: &[Value]) -> Result<(f64, f64), String> {
    let a = fixed_args(args, &[A, B])?;
    Ok((as_num(&a[0]), as_num(&a[1])))
}

fn num(n: f64) -> Value {
    // Avoid "-0": cty's big floats render negative zero as "0" anyway.
    Value::Number(if n == 0.0 { 0.0 } else { n })
}

fn checked(n: f64, msg: &str) -> Result<Value, String> {
    if n.is_nan() {
        Err(msg.to_string())
    } else {
        Ok(num(n))
    }
}

pub fn absolute(args: &[Value]) -> Result<Value, String> {
    Ok(num(one(args)?.abs()))
}

pub fn negate(args: &[Value]) -> Result<Value, String> {
    Ok(num(-one(args)?))
}

pub fn add(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    checked(a + b, "can't compute sum of opposing infinities")
}

pub fn subtract(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    checked(a - b, "can't subtract infinity from itself")
}

pub fn multiply(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    checked(a * b, "can't multiply zero by infinity")
}

pub fn divide(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    checked(a / b, "can't divide zero by zero or infinity by infinity")
}

pub fn modulo(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    if a.is_infinite() || b.is_infinite() {
        return checked(a * b, "can't use modulo with zero and infinity");
    }
    if b == 0.0 {
        return Ok(num(a));
    }
    Ok(num(a % b))
}

pub fn greaterthan(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    Ok(Value::Bool(a > b))
}

pub fn greaterthanorequalto(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    Ok(Value::Bool(a >= b))
}

pub fn lessthan(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    Ok(Value::Bool(a < b))
}

pub fn lessthanorequalto(args: &[Value]) -> Result<Value, String> {
    let (a, b) = two(args)?;
    Ok(Value::Bool(a <= b))
}

fn numbers(args: &[Value]) -> Result<Vec<f64>, String> {
    let a = call_args(args, &[], Some(Param::new("numbers", PTy::Num)))?;
    if a.is_empty() {
        return Err("must pass at least one number".into());
    }
    Ok(a.iter().map(as_num).collect())
}

pub fn min(args: &[Value]) -> Result<Value, String> {
    Ok(num(numbers(args)?
        .into_iter()
        .fold(f64::INFINITY, f64::min)))
}

pub fn max(args: &[Value]) -> Result<Value, String> {
    Ok(num(numbers(args)?
        .into_iter()
        .fold(f64::NEG_INFINITY, f64::max)))
}

pub fn int(args: &[Value]) -> Result<Value, String> {
    let n = one(args)?;
    if n.is_infinite() {
        return Err("can't truncate infinity to an integer".into());
    }
    Ok(num(n.trunc()))
}

pub fn ceil(args: &[Value]) -> Result<Value, String> {
    Ok(num(one(args)?.ceil()))
}

pub fn floor(args: &[Value]) -> Result<Value, String> {
    Ok(num(one(args)?.floor()))
}

pub fn log(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[NUM, Param::new("base", PTy::Num)])?;
    let r = as_num(&a[0]).ln() / as_num(&a[1]).ln();
    checked(r, "the result is not a number")
}

pub fn pow(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[NUM, Param::new("power", PTy::Num)])?;
    checked(
        as_num(&a[0]).powf(as_num(&a[1])),
        "the result is not a number",
    )
}

pub fn signum(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[NUM])?;
    Ok(num(as_int(&a[0])?.signum() as f64))
}

/// Go's big.Int.SetString for bases 2..=62 (no underscores, optional sign).
fn parse_big_int(s: &str, base: u32) -> Option<f64> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut acc: f64 = 0.0;
    let mut exact: u128 = 0;
    let mut overflow = false;
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
        acc = acc * base as f64 + d as f64;
        match exact
            .checked_mul(base as u128)
            .and_then(|x| x.checked_add(d as u128))
        {
            Some(x) => exact = x,
            None => overflow = true,
        }
    }
    let v = if overflow { acc } else { exact as f64 };
    Some(if neg { -v } else { v })
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
        .map(num)
        .ok_or_else(|| format!("cannot parse \"{s}\" as a base {base} integer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(x: f64) -> Value {
        Value::Number(x)
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
