//! The bake standard library: the functions buildx 0.13.1 registers
//! (`bake/hclparser/stdlib.go`), implemented with go-cty 1.12.1 semantics.
//!
//! `try` and `can` evaluate their arguments lazily, so the evaluator handles them
//! itself; they are not in this table.

use super::value::Value;

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

pub fn lookup(name: &str) -> Option<&'static Builtin> {
    BUILTINS
        .binary_search_by(|b| b.name.cmp(name))
        .ok()
        .map(|i| &BUILTINS[i])
}

/// Sorted by name (checked by a test) so lookup can binary-search.
static BUILTINS: &[Builtin] = &[
    Builtin { name: "lower", params: 1, variadic: false, call: lower },
    Builtin { name: "upper", params: 1, variadic: false, call: upper },
];

fn string_arg(args: &[Value], i: usize) -> Result<String, String> {
    match &args[i] {
        Value::Null => Err(format!("argument {} must not be null", i + 1)),
        v => v
            .to_cty_string()
            .ok_or_else(|| format!("argument {}: a string is required, got {}", i + 1, v.type_name())),
    }
}

fn lower(args: &[Value]) -> Result<Value, String> {
    Ok(Value::String(string_arg(args, 0)?.to_lowercase()))
}

fn upper(args: &[Value]) -> Result<Value, String> {
    Ok(Value::String(string_arg(args, 0)?.to_uppercase()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_is_sorted() {
        let names: Vec<_> = super::BUILTINS.iter().map(|b| b.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }
}
