//! Collection, sequence, boolean and general functions (cty stdlib
//! collection.go, sequence.go, general.go, bool.go).

use std::collections::BTreeMap;

use super::convert::{Ty, convert, equals, ty_eq, type_of, unify};
use super::{PTy, Param, as_int, as_number, as_str, call_args, fixed_args};
use crate::bake::value::{Number, Str, Value};

const LIST: Param = Param::new("list", PTy::Dyn);

fn as_bool(v: &Value) -> bool {
    matches!(v, Value::Bool(true))
}

pub fn not(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[Param::new("val", PTy::Bool)])?;
    Ok(Value::Bool(!as_bool(&a[0])))
}

pub fn and(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[Param::new("a", PTy::Bool), Param::new("b", PTy::Bool)],
    )?;
    Ok(Value::Bool(as_bool(&a[0]) && as_bool(&a[1])))
}

pub fn or(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[Param::new("a", PTy::Bool), Param::new("b", PTy::Bool)],
    )?;
    Ok(Value::Bool(as_bool(&a[0]) || as_bool(&a[1])))
}

const EQ_PARAMS: [Param; 2] = [
    Param::new("a", PTy::Dyn).nullable(),
    Param::new("b", PTy::Dyn).nullable(),
];

pub fn equal(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &EQ_PARAMS)?;
    Ok(Value::Bool(equals(&a[0], &a[1])))
}

pub fn notequal(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &EQ_PARAMS)?;
    Ok(Value::Bool(!equals(&a[0], &a[1])))
}

pub fn coalesce(args: &[Value]) -> Result<Value, String> {
    let a = call_args(args, &[], Some(Param::new("vals", PTy::Dyn).nullable()))?;
    let tys: Vec<Ty> = a.iter().map(type_of).collect();
    let Some(ret) = unify(&tys) else {
        return Err("all arguments must have the same type".into());
    };
    match a.iter().find(|v| !v.is_null()) {
        Some(v) => convert(v, &ret),
        None => Err("no non-null arguments".into()),
    }
}

pub fn coalescelist(args: &[Value]) -> Result<Value, String> {
    let a = call_args(args, &[], Some(Param::new("vals", PTy::Dyn).nullable()))?;
    if a.is_empty() {
        return Err("at least one argument is required".into());
    }
    if a.iter()
        .any(|v| !matches!(v, Value::List(_) | Value::Tuple(_)))
    {
        return Err("coalescelist arguments must be lists or tuples".into());
    }
    a.into_iter()
        .find(|v| v.as_seq().is_some_and(|xs| !xs.is_empty()))
        .ok_or_else(|| "no non-null arguments".into())
}

pub fn compact(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[Param::new("list", PTy::ListStr)])?;
    let out = a[0]
        .as_seq()
        .unwrap_or(&[])
        .iter()
        .filter(|v| matches!(v, Value::String(s) if !s.is_empty()))
        .cloned()
        .collect();
    Ok(Value::List(out))
}

pub fn concat(args: &[Value]) -> Result<Value, String> {
    let a = call_args(args, &[], Some(Param::new("seqs", PTy::Dyn)))?;
    if a.is_empty() {
        return Err("at least one argument is required".into());
    }
    if a.iter().all(|v| matches!(v, Value::List(_))) {
        let tys: Vec<Ty> = a.iter().map(type_of).collect();
        if let Some(common) = unify(&tys) {
            let mut out = vec![];
            for (i, v) in a.iter().enumerate() {
                match convert(v, &common).map_err(|e| format!("argument {}: {e}", i + 1))? {
                    Value::List(xs) => out.extend(xs),
                    other => out.extend(other.as_seq().unwrap_or(&[]).iter().cloned()),
                }
            }
            return Ok(Value::List(out));
        }
    }
    let mut out = vec![];
    for v in &a {
        match v {
            Value::List(xs) | Value::Tuple(xs) => out.extend(xs.iter().cloned()),
            other => {
                return Err(format!(
                    "all arguments must be lists or tuples; got {}",
                    type_of(other).friendly()
                ));
            }
        }
    }
    Ok(Value::Tuple(out))
}

pub fn contains(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[LIST, Param::new("value", PTy::Dyn)])?;
    let Some(xs) = a[0].as_seq() else {
        return Err("argument must be list, tuple, or set".into());
    };
    Ok(Value::Bool(xs.iter().any(|x| equals(&a[1], x))))
}

pub fn distinct(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[Param::new("list", PTy::ListDyn)])?;
    let mut out: Vec<Value> = vec![];
    for v in a[0].as_seq().unwrap_or(&[]) {
        if !out.iter().any(|o| equals(o, v)) {
            out.push(v.clone());
        }
    }
    Ok(Value::List(out))
}

pub fn chunklist(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[
            Param::new("list", PTy::ListDyn),
            Param::new("size", PTy::Num),
        ],
    )?;
    let size = as_int(&a[1]).map_err(|e| format!("invalid size: {e}"))?;
    if size < 0 {
        return Err("the size argument must be positive".into());
    }
    let xs = a[0].as_seq().unwrap_or(&[]);
    if xs.is_empty() {
        return Ok(Value::List(vec![]));
    }
    if size == 0 {
        return Ok(Value::List(vec![a[0].clone()]));
    }
    Ok(Value::List(
        xs.chunks(size as usize)
            .map(|c| Value::List(c.to_vec()))
            .collect(),
    ))
}

pub fn element(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[LIST, Param::new("index", PTy::Num)])?;
    let xs = match &a[0] {
        Value::List(xs) | Value::Tuple(xs) => xs,
        other => {
            return Err(format!(
                "cannot read elements from {}",
                type_of(other).friendly()
            ));
        }
    };
    if as_number(&a[1]).signum() < 0 {
        return Err("cannot use element function with a negative index".into());
    }
    let idx = as_int(&a[1]).map_err(|e| format!("invalid index: {e}"))?;
    if xs.is_empty() {
        return Err("cannot use element function with an empty list".into());
    }
    Ok(xs[idx as usize % xs.len()].clone())
}

fn flatten_into(xs: &[Value], out: &mut Vec<Value>) {
    for x in xs {
        match x {
            Value::List(ys) | Value::Set(ys) | Value::Tuple(ys) => flatten_into(ys, out),
            other => out.push(other.clone()),
        }
    }
}

pub fn flatten(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[LIST])?;
    let Some(xs) = a[0].as_seq() else {
        return Err("can only flatten lists, sets and tuples".into());
    };
    let mut out = vec![];
    flatten_into(xs, &mut out);
    Ok(Value::Tuple(out))
}

/// cty's `Value.HasIndex` for known values.
fn has_index(coll: &Value, key: &Value) -> bool {
    match coll {
        Value::List(xs) | Value::Tuple(xs) => match key {
            Value::Number(n) => n
                .to_i64()
                .is_some_and(|i| i >= 0 && (i as u64) < xs.len() as u64),
            _ => false,
        },
        Value::Map(m) => match key {
            Value::String(k) => m.contains_key(k),
            _ => false,
        },
        _ => false,
    }
}

pub fn hasindex(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[
            Param::new("collection", PTy::Dyn),
            Param::new("key", PTy::Dyn),
        ],
    )?;
    if !matches!(a[0], Value::List(_) | Value::Tuple(_) | Value::Map(_)) {
        return Err("collection must be a list, a map or a tuple".into());
    }
    Ok(Value::Bool(has_index(&a[0], &a[1])))
}

pub fn index(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[
            Param::new("collection", PTy::Dyn),
            Param::new("key", PTy::Dyn),
        ],
    )?;
    let (coll, key) = (&a[0], &a[1]);
    match coll {
        Value::Tuple(xs) => {
            if !matches!(key, Value::Number(_)) {
                return Err("key for tuple must be number".into());
            }
            let idx = as_int(key).map_err(|e| format!("invalid key for tuple: {e}"))?;
            if idx < 0 || idx as usize >= xs.len() {
                return Err(format!("key must be between 0 and {} inclusive", xs.len()));
            }
        }
        Value::List(_) => {
            if !matches!(key, Value::Number(_)) {
                return Err("key for list must be number".into());
            }
        }
        Value::Map(_) => {
            if !matches!(key, Value::String(_)) {
                return Err("key for map must be string".into());
            }
        }
        _ => return Err("collection must be a list, a map or a tuple".into()),
    }
    if !has_index(coll, key) {
        return Err("invalid index".into());
    }
    Ok(match (coll, key) {
        (Value::List(xs) | Value::Tuple(xs), Value::Number(n)) => {
            xs[n.to_i64().unwrap_or(0) as usize].clone()
        }
        (Value::Map(m), Value::String(k)) => m[k].clone(),
        _ => unreachable!(),
    })
}

pub fn keys(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[Param::new("inputMap", PTy::Dyn)])?;
    let ks = |m: &BTreeMap<Str, Value>| m.keys().cloned().map(Value::string).collect();
    match &a[0] {
        Value::Map(m) => Ok(Value::List(ks(m))),
        Value::Object(m) => Ok(Value::Tuple(ks(m))),
        _ => Err("must have map or object type".into()),
    }
}

pub fn length(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[Param::new("collection", PTy::Dyn)])?;
    match &a[0] {
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            Ok(Value::Number(Number::from(xs.len())))
        }
        Value::Map(m) => Ok(Value::Number(Number::from(m.len()))),
        _ => Err("collection must be a list, a map or a tuple".into()),
    }
}

pub fn lookup(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[
            Param::new("inputMap", PTy::Dyn),
            Param::new("key", PTy::Str),
            Param::new("default", PTy::Dyn),
        ],
    )?;
    let key = as_str(&a[1]);
    match &a[0] {
        Value::Object(m) => Ok(m.get(key).cloned().unwrap_or_else(|| a[2].clone())),
        Value::Map(m) => {
            let Ty::Map(ety) = type_of(&a[0]) else {
                unreachable!()
            };
            let default = convert(&a[2], &ety).map_err(|_| {
                "the default value must have the same type as the map elements".to_string()
            })?;
            Ok(m.get(key).cloned().unwrap_or(default))
        }
        _ => Err("lookup() requires a map as the first argument".into()),
    }
}

pub fn merge(args: &[Value]) -> Result<Value, String> {
    let a = call_args(args, &[], Some(Param::new("maps", PTy::Dyn).nullable()))?;
    let mut out = BTreeMap::new();
    let mut all_maps = !a.is_empty();
    let mut first: Option<Ty> = None;
    for v in &a {
        match v {
            Value::Null => all_maps = false,
            Value::Map(m) | Value::Object(m) => {
                let t = type_of(v);
                match &first {
                    None => first = Some(t),
                    Some(f) if !ty_eq(f, &t) => all_maps = false,
                    _ => {}
                }
                if !matches!(v, Value::Map(_)) {
                    all_maps = false;
                }
                out.extend(m.iter().map(|(k, x)| (k.clone(), x.clone())));
            }
            other => {
                return Err(format!(
                    "arguments must be maps or objects, got \"{}\"",
                    type_of(other).friendly()
                ));
            }
        }
    }
    Ok(if all_maps {
        Value::Map(out)
    } else {
        Value::Object(out)
    })
}

pub fn range(args: &[Value]) -> Result<Value, String> {
    let a = call_args(args, &[], Some(Param::new("params", PTy::Num)))?;
    let n: Vec<Number> = a.iter().map(as_number).collect();
    let zero = Number::from_i64(0);
    let unit = |down: bool| Number::from_i64(if down { -1 } else { 1 });
    let (start, end, step) = match n.len() {
        1 => (
            zero.clone(),
            n[0].clone(),
            unit(n[0].cmp_value(&zero).is_lt()),
        ),
        2 => (
            n[0].clone(),
            n[1].clone(),
            unit(n[1].cmp_value(&n[0]).is_lt()),
        ),
        3 => (n[0].clone(), n[1].clone(), n[2].clone()),
        _ => return Err("must have one, two, or three arguments".into()),
    };
    if step.is_zero() {
        return Err("step must not be zero".into());
    }
    let down = step.cmp_value(&zero).is_lt();
    if down && end.cmp_value(&start).is_gt() {
        return Err("end must be less than start when step is negative".into());
    }
    if !down && end.cmp_value(&start).is_lt() {
        return Err("end must be greater than start when step is positive".into());
    }
    let mut vals = vec![];
    let mut num = start;
    while if down {
        num.cmp_value(&end).is_gt()
    } else {
        num.cmp_value(&end).is_lt()
    } {
        if vals.len() >= 1024 {
            return Err("more than 1024 values were generated; either decrease the difference between start and end or use a smaller step".into());
        }
        let next = num
            .add(&step)
            .map_err(|_| "can't compute sum of opposing infinities".to_string())?;
        vals.push(Value::Number(num));
        num = next;
    }
    Ok(Value::List(vals))
}

pub fn reverselist(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[LIST])?;
    match &a[0] {
        Value::Tuple(xs) => Ok(Value::Tuple(xs.iter().rev().cloned().collect())),
        Value::List(xs) | Value::Set(xs) => Ok(Value::List(xs.iter().rev().cloned().collect())),
        other => Err(format!(
            "can only reverse list or tuple values, not {}",
            type_of(other).friendly()
        )),
    }
}

pub fn slice(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[
            LIST,
            Param::new("start_index", PTy::Num),
            Param::new("end_index", PTy::Num),
        ],
    )?;
    let xs = match &a[0] {
        Value::Set(_) => {
            return Err("cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important".into());
        }
        Value::List(xs) | Value::Tuple(xs) => xs,
        _ => return Err("must be a list or tuple value".into()),
    };
    let start = as_int(&a[1]).map_err(|e| format!("invalid start index: {e}"))?;
    if start < 0 {
        return Err("start index must not be less than zero".into());
    }
    if start as usize > xs.len() {
        return Err("start index must not be greater than the length of the list".into());
    }
    let end = as_int(&a[2]).map_err(|e| format!("invalid end index: {e}"))?;
    if end < 0 {
        return Err("end index must not be less than zero".into());
    }
    if end as usize > xs.len() {
        return Err("end index must not be greater than the length of the list".into());
    }
    if start > end {
        return Err("start index must not be greater than end index".into());
    }
    let out = xs[start as usize..end as usize].to_vec();
    Ok(match &a[0] {
        Value::Tuple(_) => Value::Tuple(out),
        _ => Value::List(out),
    })
}

pub fn values(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[Param::new("mapping", PTy::Dyn)])?;
    match &a[0] {
        Value::Map(m) => Ok(Value::List(m.values().cloned().collect())),
        Value::Object(m) => Ok(Value::Tuple(m.values().cloned().collect())),
        _ => Err("values() requires a map as the first argument".into()),
    }
}

pub fn zipmap(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[
            Param::new("keys", PTy::ListStr),
            Param::new("values", PTy::Dyn),
        ],
    )?;
    let keys = a[0].as_seq().unwrap_or(&[]);
    let (vals, is_tuple) = match &a[1] {
        Value::List(xs) => (xs, false),
        Value::Tuple(xs) => (xs, true),
        _ => return Err("values argument must be a list or tuple value".into()),
    };
    if keys.len() != vals.len() {
        return Err(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            vals.len()
        ));
    }
    let mut out = BTreeMap::new();
    for (i, (k, v)) in keys.iter().zip(vals).enumerate() {
        let Value::String(k) = k else {
            return Err(format!("keys list has null value at index {i}"));
        };
        out.insert(k.clone(), v.clone());
    }
    Ok(if is_tuple {
        Value::Object(out)
    } else {
        Value::Map(out)
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
    fn b(x: bool) -> Value {
        Value::Bool(x)
    }
    fn l(xs: Vec<Value>) -> Value {
        Value::List(xs)
    }
    fn t(xs: Vec<Value>) -> Value {
        Value::Tuple(xs)
    }
    fn obj(kv: &[(&str, Value)]) -> BTreeMap<Str, Value> {
        kv.iter().map(|(k, v)| (Str::from(*k), v.clone())).collect()
    }

    #[test]
    fn booleans_and_equality() {
        assert_eq!(not(&[b(true)]).unwrap(), b(false));
        assert_eq!(not(&[s("false")]).unwrap(), b(true));
        assert!(not(&[Value::Null]).is_err());
        assert_eq!(and(&[b(true), b(false)]).unwrap(), b(false));
        assert_eq!(or(&[b(true), b(false)]).unwrap(), b(true));
        assert_eq!(equal(&[n(1.0), n(1.0)]).unwrap(), b(true));
        assert_eq!(equal(&[n(1.0), s("1")]).unwrap(), b(false));
        assert_eq!(equal(&[Value::Null, Value::Null]).unwrap(), b(true));
        assert_eq!(equal(&[Value::Null, n(1.0)]).unwrap(), b(false));
        assert_eq!(notequal(&[n(1.0), n(2.0)]).unwrap(), b(true));
    }

    #[test]
    fn coalesce_cases() {
        assert_eq!(coalesce(&[s("first"), s("second")]).unwrap(), s("first"));
        assert_eq!(coalesce(&[Value::Null, s("second")]).unwrap(), s("second"));
        assert_eq!(coalesce(&[Value::Null, n(1.0), s("a")]).unwrap(), s("1"));
        assert_eq!(
            coalesce(&[Value::Null, Value::Null]).unwrap_err(),
            "no non-null arguments"
        );
        assert_eq!(
            coalesce(&[n(1.0), b(true)]).unwrap_err(),
            "all arguments must have the same type"
        );
        let first = t(vec![s("a")]);
        assert_eq!(coalescelist(&[t(vec![]), first.clone()]).unwrap(), first);
        assert_eq!(
            coalescelist(&[t(vec![]), t(vec![])]).unwrap_err(),
            "no non-null arguments"
        );
        assert!(coalescelist(&[s("a")]).is_err());
    }

    #[test]
    fn list_functions() {
        assert_eq!(
            compact(&[t(vec![s("a"), s(""), Value::Null, s("b")])]).unwrap(),
            l(vec![s("a"), s("b")])
        );
        assert_eq!(
            concat(&[l(vec![s("a")]), l(vec![s("b"), s("c")])]).unwrap(),
            l(vec![s("a"), s("b"), s("c")])
        );
        assert_eq!(
            concat(&[l(vec![s("a")]), l(vec![n(1.0)])]).unwrap(),
            l(vec![s("a"), s("1")])
        );
        assert_eq!(
            concat(&[t(vec![s("a"), n(1.0)]), l(vec![b(true)])]).unwrap(),
            t(vec![s("a"), n(1.0), b(true)])
        );
        assert!(concat(&[]).is_err());
        assert!(concat(&[s("a")]).unwrap_err().contains("got string"));
        assert_eq!(
            contains(&[t(vec![s("a"), s("b")]), s("b")]).unwrap(),
            b(true)
        );
        assert_eq!(contains(&[t(vec![n(1.0)]), s("1")]).unwrap(), b(false));
        assert!(contains(&[s("a"), s("b")]).is_err());
        assert_eq!(
            distinct(&[t(vec![s("a"), s("b"), s("a")])]).unwrap(),
            l(vec![s("a"), s("b")])
        );
        assert_eq!(
            chunklist(&[t(vec![s("a"), s("b"), s("c")]), n(2.0)]).unwrap(),
            l(vec![l(vec![s("a"), s("b")]), l(vec![s("c")])])
        );
        assert_eq!(
            chunklist(&[t(vec![s("a")]), n(0.0)]).unwrap(),
            l(vec![l(vec![s("a")])])
        );
        assert!(chunklist(&[t(vec![s("a")]), n(-1.0)]).is_err());
        assert_eq!(element(&[t(vec![s("a"), s("b")]), n(3.0)]).unwrap(), s("b"));
        assert!(
            element(&[t(vec![]), n(0.0)])
                .unwrap_err()
                .contains("empty list")
        );
        assert!(
            element(&[t(vec![s("a")]), n(-1.0)])
                .unwrap_err()
                .contains("negative")
        );
        assert_eq!(
            flatten(&[t(vec![t(vec![s("a"), l(vec![s("b")])]), t(vec![]), s("c")])]).unwrap(),
            t(vec![s("a"), s("b"), s("c")])
        );
        assert_eq!(
            reverselist(&[t(vec![n(1.0), s("a")])]).unwrap(),
            t(vec![s("a"), n(1.0)])
        );
        assert_eq!(
            reverselist(&[l(vec![n(1.0), n(2.0)])]).unwrap(),
            l(vec![n(2.0), n(1.0)])
        );
        assert_eq!(
            slice(&[l(vec![n(1.0), n(2.0), n(3.0)]), n(1.0), n(3.0)]).unwrap(),
            l(vec![n(2.0), n(3.0)])
        );
        assert_eq!(
            slice(&[t(vec![n(1.0)]), n(1.0), n(1.0)]).unwrap(),
            t(vec![])
        );
        assert!(slice(&[t(vec![n(1.0)]), n(1.0), n(2.0)]).is_err());
        assert!(slice(&[t(vec![n(1.0)]), n(1.0), n(0.0)]).is_err());
        assert_eq!(length(&[t(vec![n(1.0)])]).unwrap(), n(1.0));
        assert!(length(&[s("abc")]).is_err());
    }

    #[test]
    fn index_functions() {
        let list = l(vec![s("a"), s("b")]);
        assert_eq!(hasindex(&[list.clone(), n(1.0)]).unwrap(), b(true));
        assert_eq!(hasindex(&[list.clone(), n(2.0)]).unwrap(), b(false));
        assert_eq!(hasindex(&[list.clone(), s("1")]).unwrap(), b(false));
        assert_eq!(index(&[list.clone(), n(1.0)]).unwrap(), s("b"));
        assert_eq!(index(&[list.clone(), n(5.0)]).unwrap_err(), "invalid index");
        assert_eq!(
            index(&[list, s("1")]).unwrap_err(),
            "key for list must be number"
        );
        let m = Value::Map(obj(&[("a", s("x"))]));
        assert_eq!(index(&[m.clone(), s("a")]).unwrap(), s("x"));
        assert_eq!(hasindex(&[m, s("b")]).unwrap(), b(false));
    }

    #[test]
    fn map_functions() {
        let o = Value::Object(obj(&[("b", n(1.0)), ("a", s("x"))]));
        let m = Value::Map(obj(&[("b", s("1")), ("a", s("x"))]));
        assert_eq!(
            keys(std::slice::from_ref(&o)).unwrap(),
            t(vec![s("a"), s("b")])
        );
        assert_eq!(
            keys(std::slice::from_ref(&m)).unwrap(),
            l(vec![s("a"), s("b")])
        );
        assert!(keys(&[t(vec![])]).is_err());
        assert_eq!(
            values(std::slice::from_ref(&o)).unwrap(),
            t(vec![s("x"), n(1.0)])
        );
        assert_eq!(
            values(std::slice::from_ref(&m)).unwrap(),
            l(vec![s("x"), s("1")])
        );
        assert_eq!(lookup(&[o.clone(), s("a"), s("d")]).unwrap(), s("x"));
        assert_eq!(lookup(&[o.clone(), s("z"), s("d")]).unwrap(), s("d"));
        assert_eq!(lookup(&[m.clone(), s("z"), n(5.0)]).unwrap(), s("5"));
        assert!(lookup(&[t(vec![]), s("z"), n(5.0)]).is_err());
        assert!(lookup(&[m.clone(), s("z")]).is_err());
        assert_eq!(
            merge(&[o.clone(), Value::Object(obj(&[("c", b(true))]))]).unwrap(),
            Value::Object(obj(&[("a", s("x")), ("b", n(1.0)), ("c", b(true))]))
        );
        assert_eq!(
            merge(&[m.clone(), Value::Map(obj(&[("a", s("y"))]))]).unwrap(),
            Value::Map(obj(&[("a", s("y")), ("b", s("1"))]))
        );
        assert_eq!(merge(&[]).unwrap(), Value::Object(BTreeMap::new()));
        assert_eq!(
            merge(&[Value::Null, m.clone()]).unwrap(),
            Value::Object(obj(&[("a", s("x")), ("b", s("1"))]))
        );
        assert!(merge(&[s("a")]).is_err());
        assert_eq!(
            zipmap(&[t(vec![s("a"), s("b")]), l(vec![n(1.0), n(2.0)])]).unwrap(),
            Value::Map(obj(&[("a", n(1.0)), ("b", n(2.0))]))
        );
        assert_eq!(
            zipmap(&[t(vec![s("a"), s("b")]), t(vec![n(1.0), s("x")])]).unwrap(),
            Value::Object(obj(&[("a", n(1.0)), ("b", s("x"))]))
        );
        assert!(zipmap(&[t(vec![s("a")]), t(vec![])]).is_err());
    }

    #[test]
    fn range_cases() {
        let nums = |xs: &[f64]| l(xs.iter().map(|x| n(*x)).collect());
        assert_eq!(range(&[n(3.0)]).unwrap(), nums(&[0.0, 1.0, 2.0]));
        assert_eq!(range(&[n(-3.0)]).unwrap(), nums(&[0.0, -1.0, -2.0]));
        assert_eq!(range(&[n(1.0), n(4.0)]).unwrap(), nums(&[1.0, 2.0, 3.0]));
        assert_eq!(
            range(&[n(0.0), n(1.0), n(0.25)]).unwrap(),
            nums(&[0.0, 0.25, 0.5, 0.75])
        );
        assert_eq!(range(&[n(0.0)]).unwrap(), nums(&[]));
        assert!(range(&[]).is_err());
        assert!(
            range(&[n(0.0), n(1.0), n(0.0)])
                .unwrap_err()
                .contains("zero")
        );
        assert!(range(&[n(0.0), n(5.0), n(-1.0)]).is_err());
        assert!(range(&[n(2000.0)]).unwrap_err().contains("1024"));
    }
}
