//! The bake standard library: the functions buildx 0.13.1 registers
//! (`bake/hclparser/stdlib.go`), implemented with go-cty 1.12.1 semantics
//! (plus hashicorp/go-cty-funcs for crypto, encoding, uuid and cidr).
//!
//! `try` and `can` evaluate their arguments lazily, so the evaluator handles them
//! itself; `convert` (hcl's typeexpr) is not provided either.
//!
//! Numbers are `value::Number`, an emulation of cty's big floats; functions that
//! cty implements on float64 or int (log, pow, signum, indices) convert as gocty does.
//!
//! Crates added for this module:
//! - `regex`: Go RE2-compatible syntax for regex/regexall/regex_replace.
//! - `unicode-segmentation`: grapheme clusters, which cty counts as "characters".
//! - `base64`: base64encode/base64decode (Go's StdEncoding).
//! - `md-5`, `sha1` (and the existing `sha2`): md5/sha1/sha256/sha512.
//! - `uuid` (v4, v5): uuidv4/uuidv5.
//! - `chrono`: current time for `timestamp` and calendar maths for formatdate/timeadd.

//! - `bcrypt`: the bcrypt function (Go's x/crypto/bcrypt output format `$2a$`).
//! - `rsa`: rsadecrypt (PKCS#1 v1.5 with a PKCS#1 PEM private key).

pub mod cidr;
pub mod collection;
pub mod convert;
pub mod crypto;
pub mod datetime;
pub mod encoding;
pub mod format;
pub mod numeric;
pub mod regex;
pub mod set;
pub mod string;

use super::value::{Number, Value};
use convert::Ty;

/// A builtin receives its already-evaluated arguments.
pub type FuncImpl = fn(&[Value]) -> Result<Value, String>;

pub struct Builtin {
    pub name: &'static str,
    /// Number of fixed parameters.
    pub params: usize,
    /// Whether extra arguments are accepted after the fixed ones.
    pub variadic: bool,
    pub call: FuncImpl,
}

/// The builtin called `name`. Every function call looks its name up here
/// first (builtins shadow user functions), so the table is hashed once.
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    static BY_NAME: std::sync::LazyLock<super::FastMap<&'static str, &'static Builtin>> =
        std::sync::LazyLock::new(|| BUILTINS.iter().map(|b| (b.name, b)).collect());
    BY_NAME.get(name).copied()
}

macro_rules! builtins {
    ($($name:literal => $params:literal, $variadic:literal, $call:path;)*) => {
        &[$(Builtin { name: $name, params: $params, variadic: $variadic, call: $call }),*]
    };
}

/// Sorted by name (checked by a test), so the table reads like the docs' index.
static BUILTINS: &[Builtin] = builtins! {
    "absolute" => 1, false, numeric::absolute;
    "add" => 2, false, numeric::add;
    "and" => 2, false, collection::and;
    "base64decode" => 1, false, encoding::base64decode;
    "base64encode" => 1, false, encoding::base64encode;
    "bcrypt" => 1, true, crypto::bcrypt;
    "byteslen" => 1, false, encoding::byteslen;
    "bytesslice" => 3, false, encoding::bytesslice;
    "ceil" => 1, false, numeric::ceil;
    "chomp" => 1, false, string::chomp;
    "chunklist" => 2, false, collection::chunklist;
    "cidrhost" => 2, false, cidr::cidrhost;
    "cidrnetmask" => 1, false, cidr::cidrnetmask;
    "cidrsubnet" => 3, false, cidr::cidrsubnet;
    "cidrsubnets" => 1, true, cidr::cidrsubnets;
    "coalesce" => 0, true, collection::coalesce;
    "coalescelist" => 0, true, collection::coalescelist;
    "compact" => 1, false, collection::compact;
    "concat" => 0, true, collection::concat;
    "contains" => 2, false, collection::contains;
    "csvdecode" => 1, false, encoding::csvdecode;
    "distinct" => 1, false, collection::distinct;
    "divide" => 2, false, numeric::divide;
    "element" => 2, false, collection::element;
    "equal" => 2, false, collection::equal;
    "flatten" => 1, false, collection::flatten;
    "floor" => 1, false, numeric::floor;
    "format" => 1, true, format::format;
    "formatdate" => 2, false, datetime::formatdate;
    "formatlist" => 1, true, format::formatlist;
    "greaterthan" => 2, false, numeric::greaterthan;
    "greaterthanorequalto" => 2, false, numeric::greaterthanorequalto;
    "hasindex" => 2, false, collection::hasindex;
    "indent" => 2, false, string::indent;
    "index" => 2, false, collection::index;
    "int" => 1, false, numeric::int;
    "join" => 1, true, string::join;
    "jsondecode" => 1, false, encoding::jsondecode;
    "jsonencode" => 1, false, encoding::jsonencode;
    "keys" => 1, false, collection::keys;
    "length" => 1, false, collection::length;
    "lessthan" => 2, false, numeric::lessthan;
    "lessthanorequalto" => 2, false, numeric::lessthanorequalto;
    "log" => 2, false, numeric::log;
    "lookup" => 3, false, collection::lookup;
    "lower" => 1, false, string::lower;
    "max" => 0, true, numeric::max;
    "md5" => 1, false, crypto::md5;
    "merge" => 0, true, collection::merge;
    "min" => 0, true, numeric::min;
    "modulo" => 2, false, numeric::modulo;
    "multiply" => 2, false, numeric::multiply;
    "negate" => 1, false, numeric::negate;
    "not" => 1, false, collection::not;
    "notequal" => 2, false, collection::notequal;
    "or" => 2, false, collection::or;
    "parseint" => 2, false, numeric::parseint;
    "pow" => 2, false, numeric::pow;
    "range" => 0, true, collection::range;
    "regex" => 2, false, regex::regex;
    "regex_replace" => 3, false, regex::regex_replace;
    "regexall" => 2, false, regex::regexall;
    "replace" => 3, false, string::replace;
    "reverse" => 1, false, string::reverse;
    "reverselist" => 1, false, collection::reverselist;
    "rsadecrypt" => 2, false, crypto::rsadecrypt;
    "sethaselement" => 2, false, set::sethaselement;
    "setintersection" => 1, true, set::setintersection;
    "setproduct" => 0, true, set::setproduct;
    "setsubtract" => 2, false, set::setsubtract;
    "setsymmetricdifference" => 1, true, set::setsymmetricdifference;
    "setunion" => 1, true, set::setunion;
    "sha1" => 1, false, crypto::sha1;
    "sha256" => 1, false, crypto::sha256;
    "sha512" => 1, false, crypto::sha512;
    "signum" => 1, false, numeric::signum;
    "slice" => 3, false, collection::slice;
    "sort" => 1, false, string::sort;
    "split" => 2, false, string::split;
    "strlen" => 1, false, string::strlen;
    "substr" => 3, false, string::substr;
    "subtract" => 2, false, numeric::subtract;
    "timeadd" => 2, false, datetime::timeadd;
    "timestamp" => 0, false, datetime::timestamp;
    "title" => 1, false, string::title;
    "trim" => 2, false, string::trim;
    "trimprefix" => 2, false, string::trimprefix;
    "trimspace" => 1, false, string::trimspace;
    "trimsuffix" => 2, false, string::trimsuffix;
    "upper" => 1, false, string::upper;
    "urlencode" => 1, false, encoding::urlencode;
    "uuidv4" => 0, false, crypto::uuidv4;
    "uuidv5" => 2, false, crypto::uuidv5;
    "values" => 1, false, collection::values;
    "zipmap" => 2, false, collection::zipmap;
};

// ---------------------------------------------------------------------------
// Parameter handling shared by the submodules (cty's function.Call).

/// A parameter type, kept `Copy` so parameter lists can be constants.
#[derive(Clone, Copy, Debug)]
pub enum PTy {
    Str,
    Num,
    Bool,
    Dyn,
    ListStr,
    ListDyn,
    SetDyn,
}

impl PTy {
    fn ty(self) -> Ty {
        match self {
            PTy::Str => Ty::String,
            PTy::Num => Ty::Number,
            PTy::Bool => Ty::Bool,
            PTy::Dyn => Ty::Dynamic,
            PTy::ListStr => Ty::list(Ty::String),
            PTy::ListDyn => Ty::list(Ty::Dynamic),
            PTy::SetDyn => Ty::set(Ty::Dynamic),
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub name: &'static str,
    pub ty: PTy,
    pub allow_null: bool,
}

impl Param {
    pub const fn new(name: &'static str, ty: PTy) -> Param {
        Param {
            name,
            ty,
            allow_null: false,
        }
    }
    pub const fn nullable(self) -> Param {
        Param {
            allow_null: true,
            ..self
        }
    }
}

/// Checks arity, rejects nulls where cty does and converts each argument to its
/// parameter type, as cty's `Function.Call` does.
pub fn call_args(
    args: &[Value],
    fixed: &[Param],
    var: Option<Param>,
) -> Result<Vec<Value>, String> {
    if args.len() < fixed.len() {
        return Err(format!(
            "expects {} argument(s); missing value for \"{}\"",
            fixed.len(),
            fixed[args.len()].name
        ));
    }
    if args.len() > fixed.len() && var.is_none() {
        return Err(format!("expects only {} argument(s)", fixed.len()));
    }
    args.iter()
        .enumerate()
        .map(|(i, a)| {
            let p = fixed.get(i).copied().or(var).expect("checked above");
            if a.is_null() {
                if p.allow_null {
                    return Ok(Value::Null);
                }
                return Err(format!(
                    "invalid value for \"{}\" parameter: argument must not be null",
                    p.name
                ));
            }
            convert::convert(a, &p.ty.ty())
                .map_err(|e| format!("invalid value for \"{}\" parameter: {e}", p.name))
        })
        .collect()
}

/// Shorthand for functions whose parameters are all fixed.
pub fn fixed_args(args: &[Value], fixed: &[Param]) -> Result<Vec<Value>, String> {
    call_args(args, fixed, None)
}

/// The string inside a value already converted to string.
pub fn as_str(v: &Value) -> &str {
    match v {
        Value::String(s) => s,
        _ => "",
    }
}

/// The number inside a value already converted to number.
pub fn as_number(v: &Value) -> Number {
    match v {
        Value::Number(n) => n.clone(),
        _ => Number::from_i64(0),
    }
}

/// The number inside a value already converted to number, as gocty converts
/// it to a Go `float64` (nearest value).
pub fn as_num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.to_f64(),
        _ => 0.0,
    }
}

/// gocty's conversion of a number to a Go `int`.
pub fn as_int(v: &Value) -> Result<i64, String> {
    match v {
        Value::Number(n) => n.to_i64(),
        _ => Some(0),
    }
    .ok_or_else(|| {
        format!(
            "value must be a whole number, between {} and {}",
            i64::MIN,
            i64::MAX
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted() {
        let names: Vec<_> = super::BUILTINS.iter().map(|b| b.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }

    #[test]
    fn has_buildx_functions() {
        let src = "absolute add and base64decode base64encode bcrypt byteslen bytesslice ceil chomp \
            chunklist cidrhost cidrnetmask cidrsubnet cidrsubnets coalesce coalescelist compact concat \
            contains csvdecode distinct divide element equal flatten floor format formatdate formatlist \
            greaterthan greaterthanorequalto hasindex indent index int join jsondecode jsonencode keys \
            length lessthan lessthanorequalto log lookup lower max md5 merge min modulo multiply negate \
            not notequal or parseint pow range regex_replace regex regexall replace reverse reverselist \
            rsadecrypt sethaselement setintersection setproduct setsubtract setsymmetricdifference \
            setunion sha1 sha256 sha512 signum slice sort split strlen substr subtract timeadd timestamp \
            title trim trimprefix trimspace trimsuffix upper urlencode uuidv4 uuidv5 values zipmap";
        for name in src.split_whitespace() {
            assert!(lookup(name).is_some(), "{name} missing");
        }
        assert_eq!(BUILTINS.len(), src.split_whitespace().count());
        assert!(lookup("try").is_none());
    }

    #[test]
    fn argument_checks() {
        let upper = lookup("upper").unwrap().call;
        assert_eq!(
            upper(&[crate::bake::value::num(1.0)]).unwrap(),
            Value::string("1")
        );
        assert!(
            upper(&[])
                .unwrap_err()
                .contains("missing value for \"str\"")
        );
        assert!(upper(&[Value::string("a"), Value::string("b")]).is_err());
        assert!(
            upper(&[Value::Null])
                .unwrap_err()
                .contains("must not be null")
        );
        assert!(
            upper(&[Value::Tuple(vec![])])
                .unwrap_err()
                .contains("string required")
        );
    }
}
