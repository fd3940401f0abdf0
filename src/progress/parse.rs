//! Incremental reader of `--progress=rawjson` streams.
//!
//! buildx 0.13.1 pretty-prints every `SolveStatus` over many lines (Go's
//! `json.Encoder` with a two-space indent); newer buildx prints one object per line. Both
//! are a sequence of top-level JSON objects, and buildx may print other lines on the same
//! stream (its final `ERROR: …` message, a Dockerfile excerpt, logrus warnings).
//!
//! A plain `serde_json::StreamDeserializer` cannot step over such lines, so the reader
//! frames objects itself, line by line: outside an object, a line whose first non-blank
//! byte is not `{` is reported as [`RawEvent::Skipped`]; inside one, it tracks strings,
//! escapes and nesting until the top-level `}` closes, then decodes the object's bytes
//! with serde_json. Since JSON strings never hold a raw newline, an object that is still
//! open when a line ends inside a string, or when a new line starts with `{` in column 0
//! while nested lines are indented, is broken: it is reported as
//! [`RawEvent::Malformed`] and reading resynchronises on the next object. Nothing here
//! panics on any input; a read error ends the stream with one `Malformed` event.

use std::collections::VecDeque;
use std::io::BufRead;

use serde::Serialize;

use super::event::SolveStatus;

/// One item read from a rawjson stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RawEvent {
    /// A decoded `SolveStatus` object.
    Status(SolveStatus),
    /// A line that is not JSON (1-based line number, text without the line ending).
    Skipped { line: u64, text: String },
    /// An object that could not be decoded, or a stream cut inside an object.
    Malformed { line: u64, message: String },
}

/// Reads [`RawEvent`]s from any `BufRead` (a pipe from buildx, a file, a byte slice)
/// as the bytes arrive: each event is yielded as soon as its last line has been read.
pub struct RawJsonReader<R> {
    reader: R,
    line_no: u64,
    object: Vec<u8>,
    object_line: u64,
    depth: usize,
    in_string: bool,
    escaped: bool,
    pending: VecDeque<RawEvent>,
    done: bool,
}

impl<R: BufRead> RawJsonReader<R> {
    pub fn new(reader: R) -> Self {
        RawJsonReader {
            reader,
            line_no: 0,
            object: Vec::new(),
            object_line: 0,
            depth: 0,
            in_string: false,
            escaped: false,
            pending: VecDeque::new(),
            done: false,
        }
    }

    fn reset_object(&mut self) {
        self.object.clear();
        self.depth = 0;
        self.in_string = false;
        self.escaped = false;
    }

    fn malformed(&mut self, message: String) {
        self.pending.push_back(RawEvent::Malformed {
            line: self.object_line,
            message,
        });
        self.reset_object();
    }

    fn close_object(&mut self) {
        let event = match serde_json::from_slice::<SolveStatus>(&self.object) {
            Ok(status) => RawEvent::Status(status),
            Err(e) => RawEvent::Malformed {
                line: self.object_line,
                message: format!("invalid progress object: {e}"),
            },
        };
        self.pending.push_back(event);
        self.reset_object();
    }

    fn feed_line(&mut self, raw: &[u8]) {
        let mut line = raw;
        while let [rest @ .., b'\n' | b'\r'] = line {
            line = rest;
        }
        if self.depth > 0 && line.first() == Some(&b'{') && !self.in_string {
            let start = self.object_line;
            self.malformed(format!(
                "progress object started at line {start} is not closed before a new one"
            ));
        }
        let mut i = 0;
        let mut in_object_before = self.depth > 0;
        while i < line.len() {
            let b = line[i];
            if self.depth == 0 {
                if b.is_ascii_whitespace() {
                    i += 1;
                    continue;
                }
                if b != b'{' {
                    // A whole line keeps its indentation; text after an object does not.
                    let from = if in_object_before { i } else { 0 };
                    let text = String::from_utf8_lossy(&line[from..])
                        .trim_end()
                        .to_string();
                    self.pending.push_back(RawEvent::Skipped {
                        line: self.line_no,
                        text,
                    });
                    return;
                }
                self.object_line = self.line_no;
            }
            in_object_before = true;
            self.object.push(b);
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
            } else {
                match b {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => {
                        self.depth -= 1;
                        if self.depth == 0 {
                            self.close_object();
                        }
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        if self.depth > 0 {
            if self.in_string {
                let start = self.object_line;
                self.malformed(format!(
                    "progress object started at line {start}: string not closed at the end of line {}",
                    self.line_no
                ));
            } else {
                self.object.push(b'\n');
            }
        }
    }

    fn fill(&mut self) {
        let mut buf = Vec::new();
        while self.pending.is_empty() && !self.done {
            buf.clear();
            match self.reader.read_until(b'\n', &mut buf) {
                Ok(0) => {
                    self.done = true;
                    if self.depth > 0 {
                        let start = self.object_line;
                        self.malformed(format!(
                            "stream truncated inside the progress object started at line {start}"
                        ));
                    }
                }
                Ok(_) => {
                    self.line_no += 1;
                    self.feed_line(&buf);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.done = true;
                    self.pending.push_back(RawEvent::Malformed {
                        line: self.line_no,
                        message: format!("reading progress stream: {e}"),
                    });
                }
            }
        }
    }
}

impl<R: BufRead> Iterator for RawJsonReader<R> {
    type Item = RawEvent;

    fn next(&mut self) -> Option<RawEvent> {
        self.fill();
        self.pending.pop_front()
    }
}

/// Parses a whole rawjson text.
pub fn parse_str(text: &str) -> Vec<RawEvent> {
    RawJsonReader::new(text.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Read};

    fn kinds(events: &[RawEvent]) -> Vec<String> {
        events
            .iter()
            .map(|e| match e {
                RawEvent::Status(s) => format!(
                    "status:{}",
                    s.vertexes
                        .iter()
                        .map(|v| v.name.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                RawEvent::Skipped { line, text } => format!("skipped@{line}:{text}"),
                RawEvent::Malformed { line, .. } => format!("malformed@{line}"),
            })
            .collect()
    }

    #[test]
    fn pretty_and_compact_and_noise() {
        let text = "{\n  \"vertexes\": [\n    {\n      \"digest\": \"sha256:1\",\n      \"name\": \"a {[\\\"]}\"\n    }\n  ]\n}\n\
                    #1 not json\n\
                    {\"vertexes\":[{\"digest\":\"sha256:2\",\"name\":\"b\"}]}{\"vertexes\":[{\"name\":\"c\"}]}\n\
                    \n\
                      \x20\x20ERROR: failed to solve\r\n\
                    {\"vertexes\":[{\"name\":\"d\"}]} trailing\n";
        assert_eq!(
            kinds(&parse_str(text)),
            [
                "status:a {[\"]}",
                "skipped@9:#1 not json",
                "status:b",
                "status:c",
                "skipped@12:  ERROR: failed to solve",
                "status:d",
                "skipped@13:trailing",
            ]
        );
    }

    #[test]
    fn malformed_and_truncated() {
        let text = "{\"vertexes\": 5}\n{\"vertexes\":[{\"name\":\"ok\"}]}\n{\n  \"vertexes\": [\n{\"vertexes\":[{\"name\":\"after\"}]}\n{\"logs\":[{\"data\":\"%%\"}]}\n{\"vertexes\":[{\"name\":\"cut\n{\n  \"statuses\": [\n";
        assert_eq!(
            kinds(&parse_str(text)),
            [
                "malformed@1",
                "status:ok",
                "malformed@3",
                "status:after",
                "malformed@6",
                "malformed@7",
                "malformed@8",
            ]
        );
    }

    /// A reader handing out the input a few bytes at a time, as a pipe may.
    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(self.0.len()).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn partial_reads_give_the_same_events() {
        let text = "{\n  \"vertexes\": [\n    {\n      \"name\": \"x\"\n    }\n  ]\n}\nnoise\n{\"vertexes\":[{\"name\":\"y\"}]}";
        let whole = parse_str(text);
        for step in 1..7 {
            let events: Vec<_> =
                RawJsonReader::new(BufReader::with_capacity(3, Trickle(text.as_bytes(), step)))
                    .collect();
            assert_eq!(events, whole);
        }
        assert_eq!(kinds(&whole), ["status:x", "skipped@8:noise", "status:y"]);
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let alphabet = b"{}[]\"\\:, \nabc0\xff";
        for _ in 0..2000 {
            let mut bytes = Vec::new();
            for _ in 0..(seed % 64) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                bytes.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let _ = RawJsonReader::new(&bytes[..]).count();
        }
    }
}
