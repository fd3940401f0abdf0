//! Set functions (cty stdlib set.go, and setproduct from collection.go).

use super::convert::{Ty, canonical_set, convert, equals, type_of, unify};
use super::{PTy, Param, call_args, fixed_args};
use crate::bake::value::Value;

const SET: Param = Param::new("set", PTy::SetDyn);

pub fn sethaselement(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[SET, Param::new("elem", PTy::Dyn)])?;
    let xs = a[0].as_seq().unwrap_or(&[]);
    Ok(Value::Bool(xs.iter().any(|x| equals(x, &a[1]))))
}

/// Converts all (already set-typed) arguments to a set of their unified element type.
fn unify_sets(sets: &[Value]) -> Result<Vec<Vec<Value>>, String> {
    let mut etys = vec![];
    for s in sets {
        if let Ty::Set(e) = type_of(s)
            && !(*e == Ty::Dynamic && s.as_seq().is_some_and(|x| x.is_empty()))
        {
            etys.push(*e);
        }
    }
    let ety = if etys.is_empty() {
        Ty::Dynamic
    } else {
        unify(&etys).ok_or("given sets must all have compatible element types")?
    };
    let target = Ty::set(ety);
    sets.iter()
        .map(|s| match convert(s, &target)? {
            Value::Set(xs) => Ok(xs),
            _ => Ok(vec![]),
        })
        .collect()
}

fn set_op(
    args: &[Value],
    two_only: bool,
    op: fn(Vec<Value>, &[Value]) -> Vec<Value>,
) -> Result<Value, String> {
    let a = if two_only {
        fixed_args(
            args,
            &[Param::new("a", PTy::SetDyn), Param::new("b", PTy::SetDyn)],
        )?
    } else {
        call_args(
            args,
            &[Param::new("first_set", PTy::SetDyn)],
            Some(Param::new("other_sets", PTy::SetDyn)),
        )?
    };
    let sets = unify_sets(&a)?;
    let mut acc = sets[0].clone();
    for s in &sets[1..] {
        acc = op(acc, s);
    }
    Ok(Value::Set(canonical_set(acc)))
}

fn has(xs: &[Value], v: &Value) -> bool {
    xs.iter().any(|x| equals(x, v))
}

pub fn setunion(args: &[Value]) -> Result<Value, String> {
    set_op(args, false, |mut a, b| {
        a.extend(b.iter().cloned());
        a
    })
}

pub fn setintersection(args: &[Value]) -> Result<Value, String> {
    set_op(args, false, |a, b| {
        a.into_iter().filter(|x| has(b, x)).collect()
    })
}

pub fn setsubtract(args: &[Value]) -> Result<Value, String> {
    set_op(args, true, |a, b| {
        a.into_iter().filter(|x| !has(b, x)).collect()
    })
}

pub fn setsymmetricdifference(args: &[Value]) -> Result<Value, String> {
    set_op(args, false, |a, b| {
        let mut out: Vec<Value> = a.iter().filter(|x| !has(b, x)).cloned().collect();
        out.extend(b.iter().filter(|x| !has(&a, x)).cloned());
        out
    })
}

pub fn setproduct(args: &[Value]) -> Result<Value, String> {
    let a = call_args(args, &[], Some(Param::new("sets", PTy::Dyn)))?;
    if a.len() < 2 {
        return Err("at least two arguments are required".into());
    }
    let mut list_count = 0;
    let mut etys = vec![];
    for (i, arg) in a.iter().enumerate() {
        match type_of(arg) {
            Ty::Set(e) => etys.push(*e),
            Ty::List(e) => {
                etys.push(*e);
                list_count += 1;
            }
            Ty::Tuple(ts) => {
                list_count += 1;
                if ts.is_empty() {
                    etys.push(Ty::Dynamic);
                } else {
                    etys.push(unify(&ts).ok_or_else(|| {
                        format!("argument {}: all elements must be of the same type", i + 1)
                    })?);
                }
            }
            _ => return Err(format!("argument {}: a set or a list is required", i + 1)),
        }
    }
    let mut product: Vec<Vec<Value>> = vec![vec![]];
    for (arg, ety) in a.iter().zip(&etys) {
        let xs = arg.as_seq().unwrap_or(&[]);
        let conv: Vec<Value> = xs
            .iter()
            .map(|x| convert(x, ety))
            .collect::<Result<_, _>>()?;
        let mut next = Vec::with_capacity(product.len() * conv.len());
        for p in &product {
            for x in &conv {
                let mut q = p.clone();
                q.push(x.clone());
                next.push(q);
            }
        }
        product = next;
    }
    let tuples: Vec<Value> = product.into_iter().map(Value::Tuple).collect();
    Ok(if list_count == a.len() {
        Value::List(tuples)
    } else {
        Value::Set(canonical_set(tuples))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn n(x: f64) -> Value {
        crate::bake::value::num(x)
    }
    fn set(xs: &[&str]) -> Value {
        Value::Set(xs.iter().map(|x| s(x)).collect())
    }
    fn tup(xs: &[&str]) -> Value {
        Value::Tuple(xs.iter().map(|x| s(x)).collect())
    }

    #[test]
    fn has_element() {
        assert_eq!(
            sethaselement(&[set(&["a", "b"]), s("a")]).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            sethaselement(&[set(&["a", "b"]), s("c")]).unwrap(),
            Value::Bool(false)
        );
        assert_eq!(
            sethaselement(&[tup(&["1"]), n(1.0)]).unwrap(),
            Value::Bool(false)
        );
    }

    #[test]
    fn operations() {
        assert_eq!(
            setunion(&[tup(&["b", "a"]), tup(&["c", "a"])]).unwrap(),
            set(&["a", "b", "c"])
        );
        assert_eq!(
            setunion(&[tup(&["a"]), Value::Tuple(vec![n(1.0)])]).unwrap(),
            set(&["1", "a"])
        );
        assert_eq!(
            setunion(&[tup(&["a"]), Value::Tuple(vec![])]).unwrap(),
            set(&["a"])
        );
        assert_eq!(
            setintersection(&[
                tup(&["a", "b", "c"]),
                tup(&["b", "c", "d"]),
                tup(&["c", "b"])
            ])
            .unwrap(),
            set(&["b", "c"])
        );
        assert_eq!(
            setsubtract(&[tup(&["a", "b", "c"]), tup(&["a", "c"])]).unwrap(),
            set(&["b"])
        );
        assert!(setsubtract(&[tup(&["a"])]).is_err());
        assert_eq!(
            setsymmetricdifference(&[tup(&["a", "b"]), tup(&["b", "c"])]).unwrap(),
            set(&["a", "c"])
        );
        assert_eq!(
            setunion(&[Value::Tuple(vec![n(10.0), n(2.0)])]).unwrap(),
            Value::Set(vec![n(2.0), n(10.0)])
        );
        assert!(
            setunion(&[
                Value::Tuple(vec![n(1.0)]),
                Value::Tuple(vec![Value::Bool(true)])
            ])
            .is_err()
        );
    }

    #[test]
    fn product() {
        let r = setproduct(&[tup(&["a", "b"]), tup(&["x", "y"])]).unwrap();
        assert_eq!(
            r,
            Value::List(vec![
                tup(&["a", "x"]),
                tup(&["a", "y"]),
                tup(&["b", "x"]),
                tup(&["b", "y"])
            ])
        );
        let r = setproduct(&[set(&["b", "a"]), tup(&["x"])]).unwrap();
        assert_eq!(r, Value::Set(vec![tup(&["a", "x"]), tup(&["b", "x"])]));
        assert_eq!(
            setproduct(&[tup(&[]), tup(&["x"])]).unwrap(),
            Value::List(vec![])
        );
        assert!(setproduct(&[tup(&["a"])]).is_err());
        assert!(setproduct(&[tup(&["a"]), s("x")]).is_err());
    }
}
