//! A small model of cty's type system and of its `convert` package (unsafe
//! conversions, as `function.Call` and `convert.UnifyUnsafe` use), plus cty
//! value equality and set canonicalisation.
//!
//! `Value` carries no static type, so types are inferred from values: a null is of
//! the dynamic pseudo-type, and an empty collection has a dynamic element type.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::bake::value::{Str, Value, parse_number};

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Dynamic,
    String,
    Number,
    Bool,
    List(Box<Ty>),
    Set(Box<Ty>),
    Map(Box<Ty>),
    Tuple(Vec<Ty>),
    Object(BTreeMap<Str, Ty>),
}

impl Ty {
    pub fn list(t: Ty) -> Ty {
        Ty::List(Box::new(t))
    }
    pub fn set(t: Ty) -> Ty {
        Ty::Set(Box::new(t))
    }
    pub fn map(t: Ty) -> Ty {
        Ty::Map(Box::new(t))
    }

    fn is_primitive(&self) -> bool {
        matches!(self, Ty::String | Ty::Number | Ty::Bool)
    }

    /// cty's `FriendlyName`.
    pub fn friendly(&self) -> String {
        match self {
            Ty::Dynamic => "dynamic".into(),
            Ty::String => "string".into(),
            Ty::Number => "number".into(),
            Ty::Bool => "bool".into(),
            Ty::List(e) => format!("list of {}", e.friendly()),
            Ty::Set(e) => format!("set of {}", e.friendly()),
            Ty::Map(e) => format!("map of {}", e.friendly()),
            Ty::Tuple(_) => "tuple".into(),
            Ty::Object(_) => "object".into(),
        }
    }
}

/// Type equality where the dynamic pseudo-type (our stand-in for "unknown element
/// type of an empty collection" and "type of an untyped null") matches anything.
pub fn ty_eq(a: &Ty, b: &Ty) -> bool {
    match (a, b) {
        (Ty::Dynamic, _) | (_, Ty::Dynamic) => true,
        (Ty::List(x), Ty::List(y)) | (Ty::Set(x), Ty::Set(y)) | (Ty::Map(x), Ty::Map(y)) => {
            ty_eq(x, y)
        }
        (Ty::Tuple(x), Ty::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| ty_eq(a, b))
        }
        (Ty::Object(x), Ty::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| ty_eq(a, b)))
        }
        _ => a == b,
    }
}

/// The element type of a homogeneous collection, inferred from its elements.
fn elem_ty<'a>(vals: impl Iterator<Item = &'a Value>) -> Ty {
    let tys: Vec<Ty> = vals.filter(|v| !v.is_null()).map(type_of).collect();
    if tys.is_empty() {
        return Ty::Dynamic;
    }
    unify(&tys).unwrap_or(Ty::Dynamic)
}

pub fn type_of(v: &Value) -> Ty {
    match v {
        Value::Null => Ty::Dynamic,
        Value::Bool(_) => Ty::Bool,
        Value::Number(_) => Ty::Number,
        Value::String(_) => Ty::String,
        Value::List(xs) => Ty::list(elem_ty(xs.iter())),
        Value::Set(xs) => Ty::set(elem_ty(xs.iter())),
        Value::Map(m) => Ty::map(elem_ty(m.values())),
        Value::Tuple(xs) => Ty::Tuple(xs.iter().map(type_of).collect()),
        Value::Object(m) => Ty::Object(m.iter().map(|(k, v)| (k.clone(), type_of(v))).collect()),
    }
}

// ---------------------------------------------------------------------------
// Type unification (convert/unify.go, unsafe mode)

pub fn unify(types: &[Ty]) -> Option<Ty> {
    if types.is_empty() {
        return None;
    }
    let (mut map_ct, mut list_ct, mut set_ct, mut obj_ct, mut tup_ct, mut dyn_ct) =
        (0, 0, 0, 0, 0, 0);
    for t in types {
        match t {
            Ty::Map(_) => map_ct += 1,
            Ty::List(_) => list_ct += 1,
            Ty::Set(_) => set_ct += 1,
            Ty::Object(_) => obj_ct += 1,
            Ty::Tuple(_) => tup_ct += 1,
            Ty::Dynamic => dyn_ct += 1,
            _ => {}
        }
    }
    let n = types.len();
    if map_ct > 0 && map_ct + dyn_ct == n {
        return unify_collections(types, dyn_ct > 0, Ty::map);
    } else if map_ct > 0 && map_ct + obj_ct + dyn_ct == n {
        if let Some(t @ Ty::Map(_)) = unify_objects_as_maps(types) {
            return Some(t);
        }
    } else if list_ct > 0 && list_ct + dyn_ct == n {
        return unify_collections(types, dyn_ct > 0, Ty::list);
    } else if list_ct > 0 && list_ct + tup_ct + dyn_ct == n {
        if let Some(t @ Ty::List(_)) = unify_tuples_as_list(types) {
            return Some(t);
        }
    } else if set_ct > 0 && set_ct + dyn_ct == n {
        return unify_collections(types, dyn_ct > 0, Ty::set);
    } else if obj_ct > 0 && obj_ct + dyn_ct == n {
        return unify_objects(types, dyn_ct > 0);
    } else if tup_ct > 0 && tup_ct + dyn_ct == n {
        return unify_tuples(types, dyn_ct > 0);
    } else if obj_ct > 0 && tup_ct > 0 {
        return None;
    }

    'pref: for want in sort_types(types) {
        let want_ty = &types[want];
        for (i, t) in types.iter().enumerate() {
            if i == want || t == want_ty {
                continue;
            }
            if !can_convert(t, want_ty) {
                continue 'pref;
            }
        }
        return Some(want_ty.clone());
    }
    None
}

fn unify_collections(types: &[Ty], has_dyn: bool, mk: fn(Ty) -> Ty) -> Option<Ty> {
    if has_dyn {
        return Some(Ty::Dynamic);
    }
    let etys: Vec<Ty> = types
        .iter()
        .map(|t| match t {
            Ty::List(e) | Ty::Set(e) | Ty::Map(e) => (**e).clone(),
            _ => Ty::Dynamic,
        })
        .collect();
    let ret = mk(unify(&etys)?);
    types.iter().all(|t| can_convert(t, &ret)).then_some(ret)
}

fn unify_objects_as_maps(types: &[Ty]) -> Option<Ty> {
    let objs: Vec<Ty> = types
        .iter()
        .filter(|t| matches!(t, Ty::Object(_)))
        .cloned()
        .collect();
    let mty = unify_objects_to_map(&objs)?;
    let mapped: Vec<Ty> = types
        .iter()
        .map(|t| {
            if matches!(t, Ty::Object(_)) {
                mty.clone()
            } else {
                t.clone()
            }
        })
        .collect();
    unify(&mapped).filter(|t| matches!(t, Ty::Map(_)))
}

fn unify_tuples_as_list(types: &[Ty]) -> Option<Ty> {
    let tups: Vec<Ty> = types
        .iter()
        .filter(|t| matches!(t, Ty::Tuple(_)))
        .cloned()
        .collect();
    let lty = unify_tuples_to_list(&tups)?;
    let listed: Vec<Ty> = types
        .iter()
        .map(|t| {
            if matches!(t, Ty::Tuple(_)) {
                lty.clone()
            } else {
                t.clone()
            }
        })
        .collect();
    unify(&listed).filter(|t| matches!(t, Ty::List(_)))
}

fn unify_objects(types: &[Ty], has_dyn: bool) -> Option<Ty> {
    if has_dyn {
        return Some(Ty::Dynamic);
    }
    let attrs = |t: &Ty| match t {
        Ty::Object(a) => a.clone(),
        _ => BTreeMap::new(),
    };
    let first = attrs(&types[0]);
    for t in &types[1..] {
        let a = attrs(t);
        if a.len() != first.len() || a.keys().any(|k| !first.contains_key(k)) {
            return unify_objects_to_map(types);
        }
    }
    let mut ret = BTreeMap::new();
    for name in first.keys() {
        let across: Vec<Ty> = types.iter().map(|t| attrs(t)[name].clone()).collect();
        ret.insert(name.clone(), unify(&across)?);
    }
    let ret = Ty::Object(ret);
    if types.iter().all(|t| can_convert(t, &ret)) {
        Some(ret)
    } else {
        unify_objects_to_map(types)
    }
}

fn unify_objects_to_map(types: &[Ty]) -> Option<Ty> {
    let mut atys = vec![];
    for t in types {
        if let Ty::Object(a) = t {
            atys.extend(a.values().cloned());
        }
    }
    let ret = Ty::map(unify(&atys)?);
    types.iter().all(|t| can_convert(t, &ret)).then_some(ret)
}

fn unify_tuples(types: &[Ty], has_dyn: bool) -> Option<Ty> {
    if has_dyn {
        return Some(Ty::Dynamic);
    }
    let etys = |t: &Ty| match t {
        Ty::Tuple(e) => e.clone(),
        _ => vec![],
    };
    let first = etys(&types[0]);
    if types[1..].iter().any(|t| etys(t).len() != first.len()) {
        return unify_tuples_to_list(types);
    }
    let mut ret = vec![];
    for i in 0..first.len() {
        let across: Vec<Ty> = types.iter().map(|t| etys(t)[i].clone()).collect();
        ret.push(unify(&across)?);
    }
    let ret = Ty::Tuple(ret);
    if types.iter().all(|t| can_convert(t, &ret)) {
        Some(ret)
    } else {
        unify_tuples_to_list(types)
    }
}

fn unify_tuples_to_list(types: &[Ty]) -> Option<Ty> {
    let mut etys = vec![];
    for t in types {
        if let Ty::Tuple(e) = t {
            etys.extend(e.iter().cloned());
        }
    }
    let ret = Ty::list(unify(&etys)?);
    types.iter().all(|t| can_convert(t, &ret)).then_some(ret)
}

/// convert/compare_types.go: negative when `a` is preferred over `b`.
fn compare_types(a: &Ty, b: &Ty) -> i32 {
    if *a == Ty::Dynamic || *b == Ty::Dynamic {
        return match (a == &Ty::Dynamic, b == &Ty::Dynamic) {
            (false, _) => -1,
            (_, false) => 1,
            _ => 0,
        };
    }
    if a.is_primitive() && b.is_primitive() && (*a == Ty::String || *b == Ty::String) {
        return match (a == &Ty::String, b == &Ty::String) {
            (false, _) => 1,
            (_, false) => -1,
            _ => 0,
        };
    }
    match (a, b) {
        (Ty::List(x), Ty::List(y)) | (Ty::Set(x), Ty::Set(y)) | (Ty::Map(x), Ty::Map(y)) => {
            return compare_types(x, y);
        }
        _ => {}
    }
    let (a, b, swap) = match (a, b) {
        (Ty::Tuple(_), Ty::List(_))
        | (Ty::Object(_), Ty::Map(_))
        | (Ty::Set(_), Ty::Tuple(_))
        | (Ty::Set(_), Ty::List(_)) => (b, a, -1),
        _ => (a, b, 1),
    };
    match (a, b) {
        (Ty::Tuple(_) | Ty::List(_), Ty::Set(_)) => -swap,
        (Ty::List(_), Ty::Tuple(_)) => -swap,
        (Ty::Map(_), Ty::Object(_)) => -swap,
        (Ty::Object(x), Ty::Object(y)) => {
            if x.len() != y.len() || x.keys().any(|k| !y.contains_key(k)) {
                return 0;
            }
            let cmps: Vec<i32> = x.iter().map(|(k, t)| compare_types(t, &y[k])).collect();
            super_cmp(&cmps) * swap
        }
        (Ty::Tuple(x), Ty::Tuple(y)) => {
            if x.len() != y.len() {
                return 0;
            }
            let cmps: Vec<i32> = x.iter().zip(y).map(|(a, b)| compare_types(a, b)).collect();
            super_cmp(&cmps) * swap
        }
        _ => 0,
    }
}

fn super_cmp(cmps: &[i32]) -> i32 {
    let a_super = cmps.iter().any(|c| *c < 0);
    let b_super = cmps.iter().any(|c| *c > 0);
    match (a_super, b_super) {
        (true, true) | (false, false) => 0,
        (true, false) => -1,
        (false, true) => 1,
    }
}

/// convert/sort_types.go: a topological sort by preference.
fn sort_types(tys: &[Ty]) -> Vec<usize> {
    let l = tys.len();
    let mut edges: Vec<Vec<usize>> = vec![vec![]; l];
    for i in 0..l.saturating_sub(1) {
        for j in i + 1..l {
            match compare_types(&tys[i], &tys[j]) {
                c if c < 0 => edges[i].push(j),
                c if c > 0 => edges[j].push(i),
                _ => {}
            }
        }
    }
    let mut in_degree = vec![0; l];
    for outs in &edges {
        for &j in outs {
            in_degree[j] += 1;
        }
    }
    let mut queue: Vec<usize> = (0..l).filter(|&i| in_degree[i] == 0).collect();
    let mut qi = 0;
    while qi < queue.len() {
        let i = queue[qi];
        qi += 1;
        for &j in &edges[i] {
            in_degree[j] -= 1;
            if in_degree[j] == 0 {
                queue.push(j);
            }
        }
    }
    queue
}

/// Whether cty has an (unsafe) conversion from `from` to `to` at the type level.
pub fn can_convert(from: &Ty, to: &Ty) -> bool {
    if from == to {
        return true;
    }
    match (from, to) {
        (_, Ty::Dynamic) | (Ty::Dynamic, _) => true,
        (Ty::Number | Ty::Bool, Ty::String) | (Ty::String, Ty::Number | Ty::Bool) => true,
        (a, b) if a.is_primitive() && b.is_primitive() => false,
        (Ty::Object(i), Ty::Object(o)) => o
            .iter()
            .all(|(k, t)| i.get(k).is_some_and(|it| can_convert(it, t))),
        (Ty::Tuple(i), Ty::Tuple(o)) => {
            i.len() == o.len() && i.iter().zip(o).all(|(a, b)| can_convert(a, b))
        }
        (Ty::List(i) | Ty::Set(i), Ty::List(o) | Ty::Set(o)) => can_convert(i, o),
        (Ty::Map(i), Ty::Map(o)) => can_convert(i, o),
        (Ty::Tuple(i), Ty::List(o) | Ty::Set(o)) => seq_to_collection_ety(i, o).is_some(),
        (Ty::Object(i), Ty::Map(o)) => {
            let atys: Vec<Ty> = i.values().cloned().collect();
            seq_to_collection_ety(&atys, o).is_some()
        }
        (Ty::Map(i), Ty::Object(o)) => o.values().all(|t| can_convert(i, t)),
        _ => false,
    }
}

/// The element type a tuple (or object) converts to for a collection of `ety`,
/// following conversionTupleToList: dynamic element types are unified.
fn seq_to_collection_ety(etys: &[Ty], ety: &Ty) -> Option<Ty> {
    if etys.is_empty() {
        return Some(ety.clone());
    }
    let mut target = ety.clone();
    if target == Ty::Dynamic {
        target = unify(etys)?;
        if target == Ty::Dynamic && etys.iter().any(|t| *t != Ty::Dynamic) {
            return None;
        }
    }
    etys.iter()
        .all(|t| can_convert(t, &target))
        .then_some(target)
}

// ---------------------------------------------------------------------------
// Value conversion

fn mismatch(v: &Value, want: &Ty) -> String {
    match (v, want) {
        (Value::String(_), Ty::Number) => "a number is required".into(),
        (Value::String(s), Ty::Bool) => match s.to_lowercase().as_str() {
            "true" => "a bool is required; to convert from string, use lowercase \"true\"".into(),
            "false" => "a bool is required; to convert from string, use lowercase \"false\"".into(),
            _ => "a bool is required".into(),
        },
        _ => format!("{} required", want.friendly()),
    }
}

/// Converts a value to the given type as cty's `convert.Convert` does.
pub fn convert(v: &Value, ty: &Ty) -> Result<Value, String> {
    if *ty == Ty::Dynamic || v.is_null() {
        return Ok(v.clone());
    }
    // Fast path for the common case of a sequence already holding the wanted
    // primitive (e.g. a list of strings for `join`): nothing to convert or unify.
    if let (Ty::List(et), Value::List(xs) | Value::Tuple(xs)) = (ty, v)
        && !xs.is_empty()
        && xs.iter().all(|x| {
            matches!(
                (&**et, x),
                (Ty::String, Value::String(_))
                    | (Ty::Number, Value::Number(_))
                    | (Ty::Bool, Value::Bool(_))
            )
        })
    {
        return Ok(Value::List(xs.clone()));
    }
    let fail = || Err(mismatch(v, ty));
    match ty {
        Ty::Dynamic => Ok(v.clone()),
        Ty::String => v
            .to_cty_string()
            .map(Value::string)
            .ok_or_else(|| mismatch(v, ty)),
        Ty::Number => match v {
            Value::Number(n) => Ok(Value::Number(n.clone())),
            Value::String(s) => parse_number(s)
                .map(Value::Number)
                .ok_or_else(|| mismatch(v, ty)),
            _ => fail(),
        },
        Ty::Bool => match v {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::String(s) if s == "true" || s == "1" => Ok(Value::Bool(true)),
            Value::String(s) if s == "false" || s == "0" => Ok(Value::Bool(false)),
            _ => fail(),
        },
        Ty::List(et) | Ty::Set(et) => {
            let elems = match v {
                Value::List(xs) | Value::Set(xs) => {
                    let out: Vec<Value> = xs
                        .iter()
                        .map(|x| convert(x, et))
                        .collect::<Result<_, _>>()?;
                    if **et == Ty::Dynamic {
                        unify_values(out)?
                    } else {
                        out
                    }
                }
                Value::Tuple(xs) => {
                    let etys: Vec<Ty> = xs.iter().map(type_of).collect();
                    let Some(target) = seq_to_collection_ety(&etys, et) else {
                        return fail();
                    };
                    let out: Vec<Value> = xs
                        .iter()
                        .map(|x| convert(x, &target))
                        .collect::<Result<_, _>>()?;
                    unify_values(out)?
                }
                _ => return fail(),
            };
            Ok(match ty {
                Ty::Set(_) => Value::Set(canonical_set(elems)),
                _ => Value::List(elems),
            })
        }
        Ty::Map(et) => {
            let m = match v {
                Value::Map(m) => m,
                Value::Object(m) => {
                    let atys: Vec<Ty> = m.values().map(type_of).collect();
                    if seq_to_collection_ety(&atys, et).is_none() {
                        return fail();
                    }
                    m
                }
                _ => return fail(),
            };
            let mut out = BTreeMap::new();
            for (k, x) in m {
                out.insert(k.clone(), convert(x, et)?);
            }
            let keys: Vec<Str> = out.keys().cloned().collect();
            let vals = unify_values(out.into_values().collect())?;
            Ok(Value::Map(keys.into_iter().zip(vals).collect()))
        }
        Ty::Tuple(etys) => match v {
            Value::Tuple(xs) if xs.len() == etys.len() => Ok(Value::Tuple(
                xs.iter()
                    .zip(etys)
                    .map(|(x, t)| convert(x, t))
                    .collect::<Result<_, _>>()?,
            )),
            _ => fail(),
        },
        Ty::Object(atys) => match v {
            Value::Object(m) | Value::Map(m) => {
                let mut out = BTreeMap::new();
                for (k, t) in atys {
                    let Some(x) = m.get(k) else {
                        return Err(format!("attribute \"{k}\" is required"));
                    };
                    out.insert(k.clone(), convert(x, t)?);
                }
                Ok(Value::Object(out))
            }
            _ => fail(),
        },
    }
}

/// Makes the elements of a would-be collection share one type
/// (conversionUnifyListElements).
fn unify_values(vals: Vec<Value>) -> Result<Vec<Value>, String> {
    let tys: Vec<Ty> = vals.iter().filter(|v| !v.is_null()).map(type_of).collect();
    if tys.is_empty() {
        return Ok(vals);
    }
    let Some(t) = unify(&tys) else {
        return Err("all elements must have the same type".into());
    };
    if t == Ty::Dynamic && tys.iter().any(|x| *x != Ty::Dynamic) {
        return Err("all elements must have the same type".into());
    }
    vals.iter().map(|v| convert(v, &t)).collect()
}

// ---------------------------------------------------------------------------
// Equality and sets

/// cty's `Value.Equals` for known values: values of different types are unequal.
pub fn equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        _ => ty_eq(&type_of(a), &type_of(b)) && raw_equals(a, b),
    }
}

fn raw_equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::List(x), Value::List(y))
        | (Value::Tuple(x), Value::Tuple(y))
        | (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equals(a, b))
        }
        (Value::Map(x), Value::Map(y)) | (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, a)| y.get(k).is_some_and(|b| equals(a, b)))
        }
        _ => false,
    }
}

/// Sorts and de-duplicates set elements in cty's iteration order: nulls last,
/// strings lexically, numbers numerically, false before true, anything else by
/// its set-hash rendering.
pub fn canonical_set(vals: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(vals.len());
    for v in vals {
        if !out.iter().any(|o| equals(o, &v)) {
            out.push(v);
        }
    }
    out.sort_by(set_less);
    out
}

fn set_less(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x.cmp_value(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => set_hash(a).cmp(&set_hash(b)),
    }
}

/// cty's `makeSetHashBytes` rendering.
pub fn set_hash(v: &Value) -> String {
    let mut s = String::new();
    append_hash(v, &mut s);
    s
}

fn append_hash(v: &Value, buf: &mut String) {
    match v {
        Value::Null => buf.push('~'),
        Value::Number(n) => buf.push_str(&n.text('g', Some(10))),
        Value::Bool(b) => buf.push(if *b { 'T' } else { 'F' }),
        Value::String(s) => buf.push_str(&go_quote(s)),
        Value::Map(m) => {
            buf.push('{');
            for (k, x) in m {
                buf.push_str(&go_quote(k));
                buf.push(':');
                append_hash(x, buf);
                buf.push(';');
            }
            buf.push('}');
        }
        Value::List(xs) | Value::Set(xs) => {
            buf.push('[');
            for x in xs {
                append_hash(x, buf);
                buf.push(';');
            }
            buf.push(']');
        }
        Value::Object(m) => {
            buf.push('<');
            for x in m.values() {
                append_hash(x, buf);
                buf.push(';');
            }
            buf.push('>');
        }
        Value::Tuple(xs) => {
            buf.push('<');
            for x in xs {
                append_hash(x, buf);
                buf.push(';');
            }
            buf.push('>');
        }
    }
}

/// Go's `strconv.Quote` (approximately: printable characters are kept).
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32))
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }

    #[test]
    fn unify_primitives() {
        assert_eq!(unify(&[Ty::String, Ty::Number]), Some(Ty::String));
        assert_eq!(unify(&[Ty::Number, Ty::Bool]), None);
        assert_eq!(unify(&[Ty::Number, Ty::Dynamic]), Some(Ty::Number));
        assert_eq!(
            unify(&[Ty::list(Ty::String), Ty::list(Ty::Number)]),
            Some(Ty::list(Ty::String))
        );
    }

    #[test]
    fn tuple_to_list() {
        let t = Value::Tuple(vec![crate::bake::value::num(1.0), Value::Bool(true)]);
        assert_eq!(
            convert(&t, &Ty::list(Ty::String)).unwrap(),
            Value::List(vec![s("1"), s("true")])
        );
        assert_eq!(
            convert(
                &Value::Tuple(vec![crate::bake::value::num(1.0), s("a")]),
                &Ty::list(Ty::Dynamic)
            )
            .unwrap(),
            Value::List(vec![s("1"), s("a")])
        );
        assert!(
            convert(
                &Value::Tuple(vec![crate::bake::value::num(1.0), Value::Bool(true)]),
                &Ty::list(Ty::Dynamic)
            )
            .is_err()
        );
    }

    #[test]
    fn sets_are_canonical() {
        let t = Value::Tuple(vec![s("b"), s("a"), s("b")]);
        assert_eq!(
            convert(&t, &Ty::set(Ty::Dynamic)).unwrap(),
            Value::Set(vec![s("a"), s("b")])
        );
        let t = Value::Tuple(vec![
            crate::bake::value::num(10.0),
            crate::bake::value::num(9.0),
        ]);
        assert_eq!(
            convert(&t, &Ty::set(Ty::Dynamic)).unwrap(),
            Value::Set(vec![
                crate::bake::value::num(9.0),
                crate::bake::value::num(10.0)
            ])
        );
    }

    #[test]
    fn string_to_bool() {
        assert_eq!(convert(&s("1"), &Ty::Bool).unwrap(), Value::Bool(true));
        assert!(
            convert(&s("TRUE"), &Ty::Bool)
                .unwrap_err()
                .contains("lowercase")
        );
        assert!(convert(&crate::bake::value::num(1.0), &Ty::Bool).is_err());
    }

    #[test]
    fn equality() {
        assert!(!equals(&crate::bake::value::num(1.0), &s("1")));
        assert!(equals(&Value::Null, &Value::Null));
        assert!(!equals(
            &Value::List(vec![s("a")]),
            &Value::Tuple(vec![s("a")])
        ));
    }
}
