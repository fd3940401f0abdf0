//! GitHub Actions workflow commands (annotations).
//!
//! Each diagnostic becomes one line
//! `::error file=F,line=L,col=C,title=RULE::BODY` (`::warning` for warnings,
//! `::notice` for notes; without a primary label only `title` is given).
//! BODY is the message followed, on further lines, by the primary label's
//! text, `help: ...`, each `note: ...` and each secondary label as
//! `related: f:l:c[: text]` — annotations have no other place for them.
//! `endColumn` is not emitted: GitHub does not document whether it is
//! inclusive, and annotations are shown per line anyway.
//!
//! Escaping follows the runner (`actions/toolkit` `command.ts`): property
//! values escape `%`, `\r`, `\n`, `:` and `,`; the message escapes `%`,
//! `\r` and `\n`.

use super::{Diagnostic, Severity};

/// Escape a workflow-command property value.
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a workflow-command message (the data after `::`).
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

fn command(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// One workflow command per diagnostic, each ending with a newline.
pub fn render_github(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let mut props = Vec::new();
        if let Some(p) = &d.primary {
            props.push(format!("file={}", escape_property(&p.file)));
            props.push(format!("line={}", p.line));
            props.push(format!("col={}", p.column));
        }
        props.push(format!("title={}", escape_property(d.rule)));

        let mut body = vec![d.message.clone()];
        if let Some(t) = d.primary.as_ref().and_then(|p| p.text.as_ref()) {
            body.push(t.clone());
        }
        if let Some(h) = &d.help {
            body.push(format!("help: {h}"));
        }
        body.extend(d.notes.iter().map(|n| format!("note: {n}")));
        for l in &d.secondary {
            body.push(match &l.text {
                Some(t) => format!("related: {}: {t}", l.location()),
                None => format!("related: {}", l.location()),
            });
        }

        out.push_str("::");
        out.push_str(command(d.severity));
        out.push(' ');
        out.push_str(&props.join(","));
        out.push_str("::");
        out.push_str(&escape_data(&body.join("\n")));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Label;

    #[test]
    fn escaping() {
        assert_eq!(escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
        assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
        assert_eq!(escape_data("100%25"), "100%2525");
        assert_eq!(escape_property("C:\\x,y.hcl"), "C%3A\\x%2Cy.hcl");
        assert_eq!(escape_property("plain/path.hcl"), "plain/path.hcl");
    }

    #[test]
    fn commands() {
        let diags = [
            Diagnostic::error("dangling-context", "context `./a,b` missing: 100%")
                .with_primary(Label::new("dir:1/docker-bake.hcl", 2, 13).with_text("here"))
                .with_help("fix it")
                .with_secondary(Label::new("x.hcl", 1, 2).with_text("t"))
                .with_secondary(Label::new("y.hcl", 3, 4)),
            Diagnostic::warning("no-targets", "no targets\r\nat all"),
            Diagnostic::note("info", "fyi")
                .at("Dockerfile", 1, 1)
                .with_note("n"),
        ];
        let got = render_github(&diags);
        let want = "\
::error file=dir%3A1/docker-bake.hcl,line=2,col=13,title=dangling-context::context `./a,b` missing: 100%25%0Ahere%0Ahelp: fix it%0Arelated: x.hcl:1:2: t%0Arelated: y.hcl:3:4
::warning title=no-targets::no targets%0D%0Aat all
::notice file=Dockerfile,line=1,col=1,title=info::fyi%0Anote: n
";
        assert_eq!(got, want);
        assert_eq!(render_github(&[]), "");
    }
}
