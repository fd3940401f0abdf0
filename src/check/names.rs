//! Name suggestions, and environment variables that nearly name a bake variable.

use super::Context;
use crate::diag::Diagnostic;

/// The candidate closest to `name` by edit distance, if close enough to be a typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 4).clamp(1, 3);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::osa_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// A candidate whose `--`-separated parts are `name`'s parts in another order
/// (a matrix cell named with its axis values out of order).
pub fn reordered<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut parts: Vec<&str> = name.split("--").collect();
    if parts.len() < 3 {
        return None;
    }
    parts.sort_unstable();
    candidates.into_iter().find(|c| {
        let mut cp: Vec<&str> = c.split("--").collect();
        cp.sort_unstable();
        *c != name && cp == parts
    })
}

/// `did you mean …` help for a name that matches nothing.
pub fn suggestion(name: &str, candidates: &[&str]) -> Option<String> {
    if let Some(r) = reordered(name, candidates.iter().copied()) {
        return Some(format!(
            "did you mean `{r}`? (the same axis values, in the order the target is named)"
        ));
    }
    closest(name, candidates.iter().copied()).map(|c| format!("did you mean `{c}`?"))
}

/// Environment variables that look like an override of a bake variable but
/// match none: a typo, a case difference, or singular/plural (`env_sys_name`
/// for `env_sys_names` silently falls back to the default).
pub fn check_env(cx: &Context, diags: &mut Vec<Diagnostic>) {
    let vars = &cx.config.variables;
    if vars.is_empty() {
        return;
    }
    let declared = |n: &str| vars.iter().any(|(v, _)| v == n);
    for (key, _) in &cx.opts.env {
        if declared(key)
            || key.len() < 4
            || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            continue;
        }
        let likely = vars.iter().find(|(v, _)| {
            v.eq_ignore_ascii_case(key)
                || format!("{key}s") == *v
                || format!("{v}s") == *key
                || (v.len() >= 6 && strsim::levenshtein(v, key) == 1)
        });
        let Some((var, span)) = likely else {
            continue;
        };
        let d = Diagnostic::warning(
            "env-near-miss",
            format!("environment variable `{key}` is set but no bake variable has that name"),
        )
        .with_help(format!(
            "did you mean `{var}`? As it is, `{var}` keeps its default and `{key}` is ignored"
        ));
        Context::emit(diags, d, cx.label(*span));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_typos_and_reorders() {
        let c = ["deps--release--stable", "system", "rust"];
        assert_eq!(closest("systen", c), Some("system"));
        assert_eq!(closest("zzzzzz", c), None);
        assert_eq!(
            reordered("deps--stable--release", c),
            Some("deps--release--stable")
        );
        assert!(
            suggestion("deps--stable--release", &c)
                .unwrap()
                .contains("order")
        );
    }
}
