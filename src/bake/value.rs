//! A dynamically typed value with the kinds that go-cty (the value system behind
//! buildx's HCL evaluation) distinguishes. Keeping list/tuple/set and map/object
//! apart matters because stdlib functions and attribute decoding treat them differently.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

pub use super::number::Number;

/// An immutable string that clones in O(1): short ones inline, longer ones
/// shared behind a reference count.
pub type Str = smol_str::SmolStr;

/// Set by [`keep_strings_until_exit`].
static PERMANENT_STRINGS: AtomicBool = AtomicBool::new(false);

/// For programs that keep what they evaluate until they exit (the `matrix`
/// commands do): from now on the strings of decoded targets and of global
/// values are never freed. A copy of such a string is then a plain copy,
/// where a shared one costs an atomic update of its count, on a cache line
/// of its own and contended when threads copy the same string: resolving
/// inherited targets copies every string of every parent.
pub fn keep_strings_until_exit() {
    PERMANENT_STRINGS.store(true, Ordering::Relaxed);
}

/// `s`, made permanent if strings are kept until exit (see above).
pub fn settle(s: Str) -> Str {
    if !s.is_heap_allocated() || !PERMANENT_STRINGS.load(Ordering::Relaxed) {
        return s;
    }
    let text: *const str = s.as_str();
    std::mem::forget(s);
    // SAFETY: `text` points into the shared allocation of the handle just
    // forgotten; its count can no longer reach zero, so the text lives for
    // the rest of the process.
    Str::new_static(unsafe { &*text })
}

/// `v` with every string in it (map keys too) passed through [`settle`].
pub fn settle_value(v: Value) -> Value {
    if !PERMANENT_STRINGS.load(Ordering::Relaxed) {
        return v;
    }
    let seq = |items: Vec<Value>| items.into_iter().map(settle_value).collect();
    let map = |m: BTreeMap<Str, Value>| {
        m.into_iter()
            .map(|(k, v)| (settle(k), settle_value(v)))
            .collect()
    };
    match v {
        Value::String(s) => Value::String(settle(s)),
        Value::List(items) => Value::List(seq(items)),
        Value::Tuple(items) => Value::Tuple(seq(items)),
        Value::Set(items) => Value::Set(seq(items)),
        Value::Map(m) => Value::Map(map(m)),
        Value::Object(m) => Value::Object(map(m)),
        other => other,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(Str),
    /// Homogeneous sequence (cty list), e.g. the result of `split`.
    List(Vec<Value>),
    /// Heterogeneous sequence (cty tuple), e.g. a `[...]` literal or `jsondecode` array.
    Tuple(Vec<Value>),
    /// Sorted, de-duplicated sequence (cty set).
    Set(Vec<Value>),
    /// Homogeneous string-keyed map (cty map).
    Map(BTreeMap<Str, Value>),
    /// Heterogeneous attribute collection (cty object), e.g. a `{...}` literal.
    Object(BTreeMap<Str, Value>),
}

impl Value {
    pub fn string(s: impl Into<Str>) -> Value {
        Value::String(s.into())
    }

    /// cty's friendly type name, used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Elements of a list, tuple or set.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Tuple(v) | Value::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Entries of a map or object.
    pub fn as_entries(&self) -> Option<&BTreeMap<Str, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Converts a primitive to a string the way cty's `convert` does
    /// (numbers in shortest decimal form without exponent, bools as words).
    /// Returns `None` for null and for collections.
    pub fn to_cty_string(&self) -> Option<Str> {
        match self {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string().into()),
            Value::Bool(b) => Some(Str::new_static(if *b { "true" } else { "false" })),
            _ => None,
        }
    }

    /// Converts to a number as cty does: numbers as they are, strings parsed as decimals.
    pub fn to_cty_number(&self) -> Option<Number> {
        match self {
            Value::Number(n) => Some(n.clone()),
            Value::String(s) => parse_number(s),
            _ => None,
        }
    }

    /// Converts to a bool as cty does: the strings "true"/"1" and "false"/"0" convert.
    pub fn to_cty_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" || s == "1" => Some(true),
            Value::String(s) if s == "false" || s == "0" => Some(false),
            _ => None,
        }
    }

    /// Same kind and representation all the way down (numbers by
    /// [`Number::identical`]), unlike `==`, which follows cty's equality.
    pub fn identical(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a.identical(b),
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b))
            | (Value::Tuple(a), Value::Tuple(b))
            | (Value::Set(a), Value::Set(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.identical(y))
            }
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && va.identical(vb))
            }
            _ => false,
        }
    }

    /// Feeds `h` so that [`Self::identical`] values hash alike (numbers by
    /// sign and exponent only: representations that differ elsewhere merely
    /// collide).
    pub fn hash_identity<H: std::hash::Hasher>(&self, h: &mut H) {
        use std::hash::Hash;
        std::mem::discriminant(self).hash(h);
        match self {
            Value::Null => {}
            Value::Bool(b) => b.hash(h),
            Value::Number(n) => n.hash_identity(h),
            Value::String(s) => s.hash(h),
            Value::List(v) | Value::Tuple(v) | Value::Set(v) => {
                v.len().hash(h);
                v.iter().for_each(|x| x.hash_identity(h));
            }
            Value::Map(m) | Value::Object(m) => {
                m.len().hash(h);
                for (k, v) in m {
                    k.hash(h);
                    v.hash_identity(h);
                }
            }
        }
    }

    /// Whether this is a primitive (string, number, bool).
    pub fn is_primitive(&self) -> bool {
        matches!(self, Value::Bool(_) | Value::Number(_) | Value::String(_))
    }
}

/// A number value from an f64 (cty's `NumberFloatVal`, 53-bit precision).
pub fn num(f: f64) -> Value {
    Value::Number(Number::from_f64(f))
}

/// A number value from an integer (cty's `NumberIntVal`, 64-bit precision).
pub fn int(i: i64) -> Value {
    Value::Number(Number::from_i64(i))
}

/// Parses a decimal number as cty does for string-to-number conversion
/// (`cty.ParseNumberVal`: 512-bit precision).
pub fn parse_number(s: &str) -> Option<Number> {
    Number::parse(s)
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(v) | Value::Tuple(v) | Value::Set(v) => {
                write!(f, "[")?;
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{x}")?;
                }
                write!(f, "]")
            }
            Value::Map(m) | Value::Object(m) => {
                write!(f, "{{")?;
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k:?} = {x}")?;
                }
                write!(f, "}}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Settled strings keep their text and stop being shared allocations;
    /// short (inline) strings and other values are left as they are. The
    /// switch is process-wide: turning it on here only makes other tests'
    /// strings permanent, which changes no result.
    #[test]
    fn settled_strings_keep_their_text() {
        let long = "type=registry,ref=localhost:5000/example/server:cache";
        keep_strings_until_exit();
        let s = settle(Str::new(long));
        assert_eq!(s, long);
        assert!(!s.is_heap_allocated());
        let short = settle(Str::new("short"));
        assert_eq!(short, "short");
        let v = settle_value(Value::Object(BTreeMap::from([(
            Str::new(long),
            Value::Tuple(vec![Value::string(long), Value::Bool(true), Value::Null]),
        )])));
        let Value::Object(m) = &v else {
            panic!("an object stays an object: {v:?}")
        };
        let (k, items) = m.iter().next().expect("one entry");
        assert!(!k.is_heap_allocated());
        assert_eq!(
            items,
            &Value::Tuple(vec![Value::string(long), Value::Bool(true), Value::Null])
        );
        let Value::Tuple(items) = items else {
            panic!("a tuple stays a tuple")
        };
        assert!(matches!(&items[0], Value::String(s) if !s.is_heap_allocated()));
    }
}
