//! Bake files as bodies of attributes and blocks, from HCL (via hcl-edit) or
//! from HCL's JSON syntax, with spans for diagnostics.

use super::error::{BakeError, Result};
use super::ir::{self, Expr, Lowerer};
use super::source::{SourceMap, Span};
use hcl_edit::Span as _;
use hcl_edit::structure::{self as hs, BlockLabel};

#[derive(Debug, Clone, Default)]
pub struct Body {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
    pub span: Span,
    /// Whether an expression anywhere in the body names `target` or `group`
    /// (see [`Body::names_blocks`]), when the parser worked it out on its
    /// threads; `None` when unknown.
    pub names_blocks_known: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct Attr {
    pub name: String,
    pub name_span: Span,
    pub expr: Expr,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub kind: String,
    pub kind_span: Span,
    pub labels: Vec<String>,
    pub label_spans: Vec<Span>,
    pub body: Body,
}

impl Body {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// Whether any expression, in any nested block, names `target` or
    /// `group` (a block's attributes read from another block).
    pub fn names_blocks(&self) -> bool {
        if let Some(known) = self.names_blocks_known {
            return known;
        }
        self.scan_names_blocks()
    }

    fn scan_names_blocks(&self) -> bool {
        self.attrs.iter().any(|a| {
            let mut found = false;
            a.expr.walk(&mut |e| {
                if let ir::ExprKind::Variable(v) = &e.kind {
                    found |= v == "target" || v == "group";
                }
            });
            found
        }) || self.blocks.iter().any(|b| b.body.scan_names_blocks())
    }

    /// Records [`Body::names_blocks`] (on the parser's thread).
    fn with_names_blocks(mut self) -> Body {
        self.names_blocks_known = Some(self.scan_names_blocks());
        self
    }

    /// Appends `other`'s items; what is known of both is known of the result.
    pub fn append(&mut self, other: Body) {
        let known = match (self.names_blocks_known, other.names_blocks_known) {
            (Some(a), Some(b)) => Some(a || b),
            _ => None,
        };
        let was_empty = self.attrs.is_empty() && self.blocks.is_empty();
        self.attrs.extend(other.attrs);
        self.blocks.extend(other.blocks);
        self.names_blocks_known = if was_empty {
            other.names_blocks_known
        } else {
            known
        };
    }
}

impl Block {
    /// Where to point for errors about the whole block: its first label, or its type.
    pub fn label_span(&self) -> Span {
        self.label_spans.first().copied().unwrap_or(self.kind_span)
    }
}

/// Parses one file. `name` decides the syntax as buildx does: `.json` is JSON,
/// `.hcl` is HCL, anything else is tried as HCL, then as JSON.
pub fn parse_file(sources: &SourceMap, file: usize) -> Result<Body> {
    let src = &sources.files[file];
    if src.name.ends_with(".json") {
        return parse_json(&src.text, file);
    }
    match parse_hcl(&src.text, file) {
        Ok(b) => Ok(b),
        Err(e) if !src.name.ends_with(".hcl") => parse_json(&src.text, file).map_err(|_| e),
        Err(e) => Err(e),
    }
}

/// Files at least this large are parsed in parallel chunks.
const PARALLEL_PARSE_BYTES: usize = 64 * 1024;
/// Chunks per thread: each hcl-edit tree is freed as soon as it is lowered, so
/// small chunks keep the parser's memory (and the kernel's page zeroing, a
/// large share of the run time on fresh pages) low.
const CHUNKS_PER_THREAD: usize = 32;
const MIN_CHUNK_BYTES: usize = 8 * 1024;

pub fn parse_hcl(text: &str, file: usize) -> Result<Body> {
    let threads = super::worker_threads();
    let points = if text.len() >= PARALLEL_PARSE_BYTES {
        let chunks = (threads * CHUNKS_PER_THREAD).min(text.len() / MIN_CHUNK_BYTES);
        super::split::split_points(text, chunks)
    } else {
        Vec::new()
    };
    if points.is_empty() {
        return parse_chunk(text, 0, file);
    }
    let mut bounds = vec![0];
    bounds.extend(points);
    bounds.push(text.len());
    let chunks: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    // Parsing costs differ along a file (a top of variables, then large target
    // blocks): each thread takes the next chunk when done with its last, and
    // the bodies are merged back in file order.
    let queue = super::work::Queue::new(chunks.len());
    let mut results: Vec<(usize, Result<Body>)> = Vec::with_capacity(chunks.len());
    for done in super::work::on_threads(threads, || {
        let mut done = Vec::new();
        while let Some(k) = queue.take() {
            let (a, b) = chunks[k];
            let body = parse_chunk(&text[a..b], a, file);
            if body.is_err() {
                queue.stop(); // the whole file is parsed again: no use going on
            }
            done.push((k, body));
        }
        done
    }) {
        match done {
            Ok(done) => results.extend(done),
            Err(_) => results.push((0, Err(BakeError::new("parser thread failed")))),
        }
    }
    results.sort_unstable_by_key(|(k, _)| *k);
    let mut merged = Body {
        span: Span::new(file, 0..text.len()),
        ..Body::default()
    };
    for (_, r) in results {
        match r {
            Ok(body) => merged.append(body),
            // A chunk boundary may have been guessed wrong: the whole file decides.
            Err(_) => return parse_chunk(text, 0, file),
        }
    }
    // Each chunk's parse rejected attributes redefined within it; across
    // chunks, one pass over a set of the names (a scan per attribute made a
    // file of 40,000 top-level attributes take 1.9 s).
    let mut names = super::FastSet::default();
    for a in &merged.attrs {
        if !names.insert(a.name.as_str()) {
            return Err(redefined(&a.name, a.name_span));
        }
    }
    Ok(merged)
}

/// Parses `chunk`, which starts `offset` bytes into `text` (the whole file).
fn parse_chunk(chunk: &str, offset: usize, file: usize) -> Result<Body> {
    // Spanned: the lowering never reads decor (whitespace, comments), so it is
    // not copied out of the text (vendor/README.md).
    let body = hcl_edit::parser::parse_body_spanned(chunk).map_err(|e| {
        let at = offset + e.location().offset();
        let msg = e.message().to_string();
        // The same words and the attribute's name whether the redefinition is
        // found within a chunk (here, by hcl-edit) or across chunks.
        if msg.contains("found redefined attribute") {
            let rest = &chunk[e.location().offset()..];
            let len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(rest.len());
            return redefined(&rest[..len], Span::new(file, at..at + len));
        }
        let msg = if msg.is_empty() {
            "invalid HCL syntax".to_string()
        } else {
            format!("invalid HCL syntax: {msg}")
        };
        BakeError::at(Span::new(file, at..at + 1), msg)
    })?;
    let lw = Lowerer {
        file,
        offset,
        src: chunk,
    };
    Ok(lower_body(&lw, &body)?.with_names_blocks())
}

fn redefined(name: &str, span: Span) -> BakeError {
    BakeError::at(
        span,
        format!("attribute redefined: the argument {name:?} was already set in this block"),
    )
}

fn lower_body(lw: &Lowerer, body: &hs::Body) -> Result<Body> {
    let mut out = Body {
        span: lw.span(body.span()),
        ..Body::default()
    };
    for s in body.iter() {
        match s {
            hs::Structure::Attribute(a) => {
                // hcl-edit has rejected a redefined attribute of this body.
                let name = a.key.as_str().to_string();
                let name_span = lw.span(a.key.span());
                out.attrs.push(Attr {
                    name,
                    name_span,
                    expr: lw.expr(&a.value)?,
                });
            }
            hs::Structure::Block(b) => {
                let mut labels = Vec::new();
                let mut label_spans = Vec::new();
                for l in &b.labels {
                    let (text, span) = match l {
                        BlockLabel::Ident(i) => (i.as_str().to_string(), i.span()),
                        BlockLabel::String(s) => (s.value().to_string(), s.span()),
                    };
                    labels.push(text);
                    label_spans.push(lw.span(span));
                }
                out.blocks.push(Block {
                    kind: b.ident.as_str().to_string(),
                    kind_span: lw.span(b.ident.span()),
                    labels,
                    label_spans,
                    body: lower_body(lw, &b.body)?,
                });
            }
        }
    }
    Ok(out)
}

/// Block types of the bake schema and how many labels each has; in JSON syntax
/// these keys introduce blocks, every other key is an attribute.
const JSON_BLOCKS: &[&str] = &["target", "group", "variable", "function"];

pub fn parse_json(text: &str, file: usize) -> Result<Body> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        let span = json_error_span(text, file, e.line(), e.column());
        BakeError::at(span, format!("invalid JSON: {e}"))
    })?;
    let span = Span::file_start(file);
    let obj = v
        .as_object()
        .ok_or_else(|| BakeError::at(span, "invalid bake JSON: the root must be an object"))?;
    let mut body = Body {
        span,
        ..Body::default()
    };
    for (key, val) in obj {
        if JSON_BLOCKS.contains(&key.as_str()) {
            json_blocks(key, val, file, &mut body.blocks)?;
        } else {
            body.attrs.push(Attr {
                name: key.clone(),
                name_span: span,
                expr: ir::lower_json(val, file)?,
            });
        }
    }
    Ok(body)
}

fn json_error_span(text: &str, file: usize, line: usize, column: usize) -> Span {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            offset += column.saturating_sub(1).min(l.len());
            break;
        }
        offset += l.len();
    }
    Span::new(file, offset..offset + 1)
}

/// `"target": {"name": {...}}`, or an array of such objects, or `"name": [{...}, {...}]`.
fn json_blocks(
    kind: &str,
    val: &serde_json::Value,
    file: usize,
    out: &mut Vec<Block>,
) -> Result<()> {
    let span = Span::file_start(file);
    let invalid = || {
        BakeError::at(
            span,
            format!("invalid bake JSON: {kind:?} must be an object of labelled {kind} blocks"),
        )
    };
    match val {
        serde_json::Value::Array(items) => {
            for item in items {
                json_blocks(kind, item, file, out)?;
            }
        }
        serde_json::Value::Object(labels) => {
            for (label, content) in labels {
                let bodies: Vec<&serde_json::Value> = match content {
                    serde_json::Value::Array(items) => items.iter().collect(),
                    other => vec![other],
                };
                for b in bodies {
                    let obj = b.as_object().ok_or_else(invalid)?;
                    let mut body = Body {
                        span,
                        ..Body::default()
                    };
                    for (k, v) in obj {
                        body.attrs.push(Attr {
                            name: k.clone(),
                            name_span: span,
                            expr: ir::lower_json(v, file)?,
                        });
                    }
                    out.push(Block {
                        kind: kind.to_string(),
                        kind_span: span,
                        labels: vec![label.clone()],
                        label_spans: vec![span],
                        body,
                    });
                }
            }
        }
        _ => return Err(invalid()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file large enough to be split, with what can hide a line start from
    /// the splitter: heredocs, multi-line templates and comments.
    fn big_file() -> String {
        let mut s = String::from("variable \"v\" { default = \"x\" }\n");
        for i in 0..1000 {
            s.push_str(&format!(
                r#"# target {i}
target "t{i}" {{
  /* a block comment
target "fake{i}" {{ */
  args = {{ A = "${{v}}-{i}", B = <<EOT
not_a_block {{
  ${{v}}
EOT
  }}
  tags = [for x in ["a", "b"] : "${{x}}-{i}"]
  dockerfile-inline = "FROM scratch\n%{{ if true }}RUN echo {i}\n%{{ endif }}"
}}
"#
            ));
        }
        s
    }

    #[test]
    fn chunked_parse_equals_whole_file_parse() {
        let text = big_file();
        assert!(text.len() >= PARALLEL_PARSE_BYTES * 2);
        let chunked = parse_hcl(&text, 0).unwrap();
        let whole = parse_chunk(&text, 0, 0).unwrap();
        assert_eq!(chunked.blocks.len(), 1001);
        assert_eq!(format!("{chunked:?}"), format!("{whole:?}"));
    }

    #[test]
    fn the_parser_works_out_whether_blocks_are_named() {
        let text = big_file();
        let body = parse_hcl(&text, 0).unwrap();
        assert_eq!(body.names_blocks_known, Some(false));
        // In a nested block of the last chunk.
        let named =
            format!("{text}target \"z\" {{\n  inner {{\n    a = group.g.targets\n  }}\n}}\n");
        let body = parse_hcl(&named, 0).unwrap();
        assert_eq!(body.names_blocks_known, Some(true));
        assert!(body.scan_names_blocks());
        // Unknown after a merge with a body nobody scanned: the walk decides.
        let mut merged = parse_hcl(&text, 0).unwrap();
        merged.append(Body {
            attrs: body.blocks.last().unwrap().body.attrs.clone(),
            blocks: body.blocks.last().unwrap().body.blocks.clone(),
            ..Body::default()
        });
        assert_eq!(merged.names_blocks_known, None);
        assert!(merged.names_blocks());
    }

    #[test]
    fn the_big_file_is_really_parsed_in_chunks() {
        let text = big_file();
        let points = crate::bake::split::split_points(&text, 8);
        assert_eq!(points.len(), 7);
        for p in points {
            let part = &text[p..];
            assert!(part.starts_with("# target "), "{:?}", &part[..20]);
            assert!(parse_chunk(part, p, 0).is_ok());
        }
    }

    /// Lines that look like block boundaries inside heredocs, comments and
    /// unindented blocks: the splitter guesses wrong, and the whole file decides.
    #[test]
    fn wrong_boundary_guesses_fall_back_to_the_whole_file() {
        let mut text = String::new();
        for i in 0..4000 {
            text.push_str(&match i % 4 {
                0 => format!("target \"h{i}\" {{\n  args = {{ A = <<EOT\n}}\nnot_an_item = {i}\nEOT\n  }}\n}}\n"),
                1 => format!("/* {i}\n}}\nnot_an_item {{\n*/\ntarget \"c{i}\" {{\n}}\n"),
                2 => format!("target \"u{i}\" {{\nargs = {{\n}}\ndockerfile = \"D{i}\"\n}}\n"),
                _ => format!("v{i} = \"${{\"}}\"}}\"\n"),
            });
        }
        assert!(text.len() >= PARALLEL_PARSE_BYTES * 2);
        let chunked = parse_hcl(&text, 0).unwrap();
        let whole = parse_chunk(&text, 0, 0).unwrap();
        assert_eq!(chunked.blocks.len(), 3000);
        assert_eq!(format!("{chunked:?}"), format!("{whole:?}"));
    }

    #[test]
    fn a_syntax_error_in_a_chunk_is_located_in_the_whole_file() {
        let mut text = big_file();
        let at = text.len() * 3 / 4;
        let line_start = text[..at].rfind('\n').unwrap() + 1;
        text.insert_str(line_start, "target \"broken\" { args = }\n");
        let err = parse_hcl(&text, 0).unwrap_err();
        let whole = parse_chunk(&text, 0, 0).unwrap_err();
        assert_eq!(format!("{err:?}"), format!("{whole:?}"));
    }

    /// Top-level attributes, chunk by chunk and across chunks: a redefinition
    /// is reported where it is, however many attributes come before it, and
    /// 40,000 attributes are checked in linear time.
    #[test]
    fn redefined_attributes_among_many_are_found_quickly() {
        // Blocks every 1,000 attributes, so the file is split into chunks
        // and the attributes of different chunks are checked after merging.
        let mut text: String = (0..40_000)
            .map(|i| match i % 1000 {
                999 => format!("a{i} = {i}\ntarget \"t{i}\" {{\n}}\n"),
                _ => format!("a{i} = {i}\n"),
            })
            .collect();
        let start = std::time::Instant::now();
        let body = parse_hcl(&text, 0).unwrap();
        assert_eq!(body.attrs.len(), 40_000);
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
        // Within one body, as hcl-edit finds it: the same message.
        let err = parse_hcl("a = 1\nb = 2\na = 3\n", 0).unwrap_err();
        assert_eq!(err.message, redefined("a", Span::default()).message);
        assert_eq!(err.span.map(|s| (s.start, s.end)), Some((12, 13)));
        text.push_str("a123 = 1\n");
        let err = parse_hcl(&text, 0).unwrap_err();
        assert!(err.message.contains("\"a123\""), "{}", err.message);
        let at = text.rfind("a123").unwrap();
        assert_eq!(err.span.map(|s| s.start as usize), Some(at), "{err:?}");
    }
}
