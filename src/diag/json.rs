//! Machine-readable JSON output. The schema is documented in
//! `docs/check-json.md`; bump [`JSON_SCHEMA_VERSION`] on any incompatible
//! change (adding fields is compatible, removing or retyping one is not).

use serde::{Deserialize, Serialize};

use super::{Counts, Diagnostic, Label, Severity};

/// Value of the top-level `"version"` field.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// The whole JSON document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonReport {
    pub version: u32,
    pub diagnostics: Vec<JsonDiagnostic>,
    pub summary: JsonSummary,
}

/// One diagnostic. Location fields are `null` when it has no primary label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonDiagnostic {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub line: Option<usize>,
    #[serde(default)]
    pub column: Option<usize>,
    #[serde(default)]
    pub end_column: Option<usize>,
    /// Text of the primary label.
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub help: Option<String>,
    #[serde(default)]
    pub notes: Vec<String>,
    /// The secondary labels.
    #[serde(default)]
    pub related: Vec<JsonLocation>,
}

/// A secondary location.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonLocation {
    pub file: String,
    pub line: usize,
    pub column: usize,
    #[serde(default)]
    pub end_column: Option<usize>,
    #[serde(default)]
    pub label: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonSummary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl From<&Label> for JsonLocation {
    fn from(l: &Label) -> Self {
        JsonLocation {
            file: l.file.clone(),
            line: l.line,
            column: l.column,
            end_column: l.end_column,
            label: l.text.clone(),
        }
    }
}

impl From<&Diagnostic> for JsonDiagnostic {
    fn from(d: &Diagnostic) -> Self {
        let p = d.primary.as_ref();
        JsonDiagnostic {
            rule: d.rule.to_string(),
            severity: d.severity,
            message: d.message.clone(),
            file: p.map(|l| l.file.clone()),
            line: p.map(|l| l.line),
            column: p.map(|l| l.column),
            end_column: p.and_then(|l| l.end_column),
            label: p.and_then(|l| l.text.clone()),
            help: d.help.clone(),
            notes: d.notes.clone(),
            related: d.secondary.iter().map(JsonLocation::from).collect(),
        }
    }
}

impl JsonReport {
    pub fn from_diagnostics(diags: &[Diagnostic]) -> Self {
        let c = Counts::of(diags);
        JsonReport {
            version: JSON_SCHEMA_VERSION,
            diagnostics: diags.iter().map(JsonDiagnostic::from).collect(),
            summary: JsonSummary {
                errors: c.errors,
                warnings: c.warnings,
                notes: c.notes,
            },
        }
    }
}

/// The JSON document for `diags`, pretty-printed, ending with a newline.
pub fn render_json(diags: &[Diagnostic]) -> String {
    let mut s = serde_json::to_string_pretty(&JsonReport::from_diagnostics(diags))
        .expect("JSON report serializes");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn sample() -> Vec<Diagnostic> {
        vec![
            Diagnostic::error("dangling-context", "context directory does not exist")
                .with_primary(
                    Label::new("docker-bake.hcl", 2, 13)
                        .with_end_column(24)
                        .with_text("no such directory"),
                )
                .with_secondary(Label::new("vars.hcl", 1, 1).with_text("set from here"))
                .with_help("create it")
                .with_note("n \"quoted\"\nsecond line"),
            Diagnostic::warning("no-targets", "no targets"),
            Diagnostic::note("info", "fyi").at("Dockerfile", 3, 1),
        ]
    }

    #[test]
    fn round_trip() {
        let diags = sample();
        let text = render_json(&diags);
        let parsed: JsonReport = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, JsonReport::from_diagnostics(&diags));
        assert_eq!(parsed.version, 1);
        assert_eq!(
            parsed.summary,
            JsonSummary {
                errors: 1,
                warnings: 1,
                notes: 1
            }
        );
        assert_eq!(parsed.diagnostics[0].notes[0], "n \"quoted\"\nsecond line");
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn exact_shape() {
        let v: Value = serde_json::from_str(&render_json(&sample()[..2])).unwrap();
        let want = json!({
            "version": 1,
            "diagnostics": [
                {
                    "rule": "dangling-context",
                    "severity": "error",
                    "message": "context directory does not exist",
                    "file": "docker-bake.hcl",
                    "line": 2,
                    "column": 13,
                    "end_column": 24,
                    "label": "no such directory",
                    "help": "create it",
                    "notes": ["n \"quoted\"\nsecond line"],
                    "related": [
                        {"file": "vars.hcl", "line": 1, "column": 1, "end_column": null, "label": "set from here"}
                    ]
                },
                {
                    "rule": "no-targets",
                    "severity": "warning",
                    "message": "no targets",
                    "file": null,
                    "line": null,
                    "column": null,
                    "end_column": null,
                    "label": null,
                    "help": null,
                    "notes": [],
                    "related": []
                }
            ],
            "summary": {"errors": 1, "warnings": 1, "notes": 0}
        });
        assert_eq!(v, want);
        // Field order is part of the documented schema.
        let keys: Vec<&String> = v["diagnostics"][0].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "rule",
                "severity",
                "message",
                "file",
                "line",
                "column",
                "end_column",
                "label",
                "help",
                "notes",
                "related"
            ]
        );
    }

    #[test]
    fn empty_and_tolerant_parse() {
        assert_eq!(
            render_json(&[]),
            "{\n  \"version\": 1,\n  \"diagnostics\": [],\n  \"summary\": {\n    \"errors\": 0,\n    \"warnings\": 0,\n    \"notes\": 0\n  }\n}\n"
        );
        // Optional fields may be omitted and unknown fields are ignored.
        let d: JsonDiagnostic = serde_json::from_str(
            r#"{"rule":"r","severity":"note","message":"m","future_field":true}"#,
        )
        .unwrap();
        assert_eq!(d.severity, Severity::Note);
        assert!(d.file.is_none() && d.notes.is_empty() && d.related.is_empty());
    }
}
