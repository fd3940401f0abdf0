//! Prints a [`Definition`] byte-for-byte as buildx 0.13.1's `--print` does
//! (Go's `json.MarshalIndent` with two spaces: struct fields in declaration
//! order, map keys sorted, `omitempty`, and Go's HTML-safe string escaping).

use super::definition::Definition;
use super::target::Target;
use std::fmt::Write;

pub fn to_json(def: &Definition) -> String {
    let mut w = JsonWriter::default();
    w.open('{');
    if !def.groups.is_empty() {
        w.key("group");
        w.open('{');
        for (name, g) in &def.groups {
            w.key(name);
            w.open('{');
            w.key("targets");
            if g.targets.is_empty() {
                // A nil slice marshals as null; buildx's groups always carry a list.
                w.raw("null");
            } else {
                w.str_list(&g.targets);
            }
            w.close('}');
        }
        w.close('}');
    }
    w.key("target");
    w.open('{');
    for (name, t) in &def.targets {
        w.key(name);
        target(&mut w, t);
    }
    w.close('}');
    w.close('}');
    w.out
}

fn target(w: &mut JsonWriter, t: &Target) {
    w.open('{');
    let list = |w: &mut JsonWriter, k: &str, v: &Option<Vec<String>>| {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            w.key(k);
            w.str_list(v);
        }
    };
    let string = |w: &mut JsonWriter, k: &str, v: &Option<String>| {
        if let Some(v) = v {
            w.key(k);
            w.string(v);
        }
    };
    let boolean = |w: &mut JsonWriter, k: &str, v: &Option<bool>| {
        if let Some(v) = v {
            w.key(k);
            w.raw(if *v { "true" } else { "false" });
        }
    };
    list(w, "inherits", &t.inherits);
    list(w, "annotations", &t.annotations);
    list(w, "attest", &t.attest);
    string(w, "context", &t.context);
    if let Some(c) = t.contexts.as_ref().filter(|c| !c.is_empty()) {
        w.key("contexts");
        w.open('{');
        for (k, v) in c {
            w.key(k);
            w.string(v);
        }
        w.close('}');
    }
    string(w, "dockerfile", &t.dockerfile);
    string(w, "dockerfile-inline", &t.dockerfile_inline);
    for (key, m) in [("args", &t.args), ("labels", &t.labels)] {
        if let Some(m) = m.as_ref().filter(|m| !m.is_empty()) {
            w.key(key);
            w.open('{');
            for (k, v) in m {
                w.key(k);
                match v {
                    Some(v) => w.string(v),
                    None => w.raw("null"),
                }
            }
            w.close('}');
        }
    }
    list(w, "tags", &t.tags);
    list(w, "cache-from", &t.cache_from);
    list(w, "cache-to", &t.cache_to);
    string(w, "target", &t.target);
    list(w, "secret", &t.secrets);
    list(w, "ssh", &t.ssh);
    list(w, "platforms", &t.platforms);
    list(w, "output", &t.outputs);
    boolean(w, "pull", &t.pull);
    boolean(w, "no-cache", &t.no_cache);
    list(w, "no-cache-filter", &t.no_cache_filter);
    string(w, "shm-size", &t.shm_size);
    list(w, "ulimits", &t.ulimits);
    w.close('}');
}

/// A minimal indenting JSON writer matching Go's layout.
#[derive(Default)]
struct JsonWriter {
    out: String,
    depth: usize,
    /// Whether the current container already has a member.
    has_member: Vec<bool>,
    after_key: bool,
}

impl JsonWriter {
    fn before_value(&mut self) {
        if self.after_key {
            self.after_key = false;
            return;
        }
        if let Some(has) = self.has_member.last_mut() {
            if *has {
                self.out.push(',');
            }
            *has = true;
            self.newline();
        }
    }

    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, c: char) {
        self.before_value();
        self.out.push(c);
        self.depth += 1;
        self.has_member.push(false);
    }

    fn close(&mut self, c: char) {
        self.depth -= 1;
        if self.has_member.pop() == Some(true) {
            self.newline();
        }
        self.out.push(c);
    }

    fn key(&mut self, k: &str) {
        self.before_value();
        go_string(&mut self.out, k);
        self.out.push_str(": ");
        self.after_key = true;
    }

    fn string(&mut self, s: &str) {
        self.before_value();
        go_string(&mut self.out, s);
    }

    fn raw(&mut self, s: &str) {
        self.before_value();
        self.out.push_str(s);
    }

    fn str_list(&mut self, v: &[String]) {
        self.open('[');
        for s in v {
            self.string(s);
        }
        self.close(']');
    }
}

/// Go's `encoding/json` string encoding (with HTML escaping, as `json.Marshal` does).
pub fn go_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    // Copy runs of characters that need no escaping in one go.
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => Some(""),
            c if (c as u32) < 0x20 => Some(""),
            _ => None,
        };
        if let Some(esc) = escape {
            out.push_str(&s[start..i]);
            if esc.is_empty() {
                let _ = write!(out, "\\u{:04x}", c as u32);
            } else {
                out.push_str(esc);
            }
            start = i + c.len_utf8();
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_go() {
        let mut s = String::new();
        go_string(&mut s, "a<b>&\"\n\u{1}");
        assert_eq!(s, r#""a\u003cb\u003e\u0026\"\n\u0001""#);
    }
}
