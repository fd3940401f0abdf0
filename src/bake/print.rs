//! Prints a [`Definition`] byte-for-byte as buildx 0.13.1's `--print` does
//! (Go's `json.MarshalIndent` with two spaces: struct fields in declaration
//! order, map keys sorted, `omitempty`, and Go's HTML-safe string escaping).

use super::definition::Definition;
use super::target::Target;
use super::value::Str;
use std::io::{self, Write};

/// The definition as one string, with the trailing newline `--print` writes.
pub fn to_json(def: &Definition) -> String {
    let mut out = Vec::new();
    write_json(def, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("the JSON writer only writes UTF-8")
}

/// Targets rendered per piece: output is written piece by piece, so memory
/// stays flat however large the definition is.
const PIECE: usize = 64;
/// Definitions with at least this many targets are rendered on several threads.
const PARALLEL_TARGETS: usize = 512;

/// Writes the definition (with the trailing newline) to `out`, streaming.
pub fn write_json(def: &Definition, out: &mut dyn Write) -> io::Result<()> {
    let threads = super::worker_threads();
    write_json_on(def, out, threads)
}

fn write_json_on(def: &Definition, out: &mut dyn Write, threads: usize) -> io::Result<()> {
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
    out.write_all(&w.out)?;
    let targets: Vec<(&String, &Target)> = def.targets.iter().collect();
    let pieces: Vec<&[(&String, &Target)]> = targets.chunks(PIECE).collect();
    if targets.len() < PARALLEL_TARGETS || threads < 2 {
        let mut buf = Vec::new();
        for (i, piece) in pieces.iter().enumerate() {
            render_piece(piece, i == 0, &mut buf);
            out.write_all(&buf)?;
        }
    } else {
        write_pieces_parallel(&pieces, threads, out)?;
    }
    let mut w = JsonWriter {
        depth: 2,
        has_member: vec![true, !targets.is_empty()],
        ..JsonWriter::default()
    };
    w.close('}');
    w.close('}');
    w.out.push(b'\n');
    out.write_all(&w.out)
}

/// Renders the targets of one piece as members of the "target" object
/// (`first`: the piece that opens it, so no leading comma).
fn render_piece(piece: &[(&String, &Target)], first: bool, buf: &mut Vec<u8>) {
    buf.clear();
    let mut w = JsonWriter {
        out: std::mem::take(buf),
        depth: 2,
        has_member: vec![true, !first],
        after_key: false,
    };
    for (name, t) in piece {
        w.key(name);
        target(&mut w, t);
    }
    *buf = w.out;
}

/// Worker `k` renders pieces k, k+n, k+2n… into buffers sent over its own
/// bounded channel; this thread writes them in order and hands buffers back,
/// so only a few pieces are ever in memory.
fn write_pieces_parallel(
    pieces: &[&[(&String, &Target)]],
    threads: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
    std::thread::scope(|scope| {
        let mut rendered: Vec<Receiver<Vec<u8>>> = Vec::new();
        let mut recycle: Vec<SyncSender<Vec<u8>>> = Vec::new();
        for k in 0..threads {
            let (send, recv) = sync_channel::<Vec<u8>>(2);
            let (give_back, take_back) = sync_channel::<Vec<u8>>(4);
            rendered.push(recv);
            recycle.push(give_back);
            scope.spawn(move || {
                for i in (k..pieces.len()).step_by(threads) {
                    let mut buf = take_back.try_recv().unwrap_or_default();
                    render_piece(pieces[i], i == 0, &mut buf);
                    if send.send(buf).is_err() {
                        return; // the writer stopped (write error)
                    }
                }
            });
        }
        for i in 0..pieces.len() {
            let k = i % threads;
            let buf = rendered[k]
                .recv()
                .map_err(|_| io::Error::other("a print worker stopped"))?;
            out.write_all(&buf)?;
            let _ = recycle[k].try_send(buf);
        }
        Ok(())
    })
}

fn target(w: &mut JsonWriter, t: &Target) {
    w.open('{');
    let list = |w: &mut JsonWriter, k: &str, v: &Option<Vec<Str>>| {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            w.key(k);
            w.str_list(v);
        }
    };
    let string = |w: &mut JsonWriter, k: &str, v: &Option<Str>| {
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
    out: Vec<u8>,
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
                self.out.push(b',');
            }
            *has = true;
            self.newline();
        }
    }

    fn newline(&mut self) {
        // A newline and the indentation in one copy (two spaces per level).
        const LINE: &[u8] = b"\n                                                                ";
        let width = 1 + 2 * self.depth;
        if width <= LINE.len() {
            self.out.extend_from_slice(&LINE[..width]);
        } else {
            self.out.push(b'\n');
            self.out.resize(self.out.len() + 2 * self.depth, b' ');
        }
    }

    fn open(&mut self, c: char) {
        self.before_value();
        self.out.push(c as u8);
        self.depth += 1;
        self.has_member.push(false);
    }

    fn close(&mut self, c: char) {
        self.depth -= 1;
        if self.has_member.pop() == Some(true) {
            self.newline();
        }
        self.out.push(c as u8);
    }

    fn key(&mut self, k: &str) {
        self.before_value();
        go_string(&mut self.out, k);
        self.out.extend_from_slice(b": ");
        self.after_key = true;
    }

    fn string(&mut self, s: &str) {
        self.before_value();
        go_string(&mut self.out, s);
    }

    fn raw(&mut self, s: &str) {
        self.before_value();
        self.out.extend_from_slice(s.as_bytes());
    }

    fn str_list<S: AsRef<str>>(&mut self, v: &[S]) {
        self.open('[');
        for s in v {
            self.string(s.as_ref());
        }
        self.close(']');
    }
}

/// Bytes that `encoding/json` escapes (HTML-safe, as `json.Marshal` does):
/// controls, `"`, `\\`, `<`, `>`, `&`; 0xE2 starts U+2028/U+2029, checked
/// separately.
const ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'&' as usize] = true;
    t[0xE2] = true;
    t
};

/// The length of the longest run of whole 16-byte blocks at the start of `b`
/// that holds only printable ASCII other than `"`, `\\`, `<`, `>` and `&`
/// (stopping inside the first block that holds anything else). Output is
/// mostly such text, and this is where `matrix print` spends its time.
#[cfg(target_arch = "x86_64")]
fn plain_ascii_prefix(b: &[u8]) -> usize {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    let mut i = 0;
    // SAFETY: SSE2 is part of the x86_64 baseline, and every load reads 16
    // bytes that lie inside `b` (`i + 16 <= b.len()`), unaligned loads allowed.
    unsafe {
        // A signed compare: controls (< 0x20) and every byte >= 0x80 are "less".
        let space = _mm_set1_epi8(0x20);
        let specials = [b'"', b'\\', b'<', b'>', b'&'].map(|c| _mm_set1_epi8(c as i8));
        while i + 16 <= b.len() {
            let x = _mm_loadu_si128(b.as_ptr().add(i).cast::<__m128i>());
            let mut hit = _mm_cmplt_epi8(x, space);
            for s in specials {
                hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, s));
            }
            let mask = _mm_movemask_epi8(hit);
            if mask != 0 {
                return i + mask.trailing_zeros() as usize;
            }
            i += 16;
        }
    }
    i
}

#[cfg(not(target_arch = "x86_64"))]
fn plain_ascii_prefix(_: &[u8]) -> usize {
    0
}

/// Go's `encoding/json` string encoding (with HTML escaping, as `json.Marshal` does).
pub fn go_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    // Copy runs of bytes that need no escaping in one go.
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        i += plain_ascii_prefix(&b[i..]);
        while i < b.len() && !ESCAPE[b[i] as usize] {
            i += 1;
        }
        let Some(&c) = b.get(i) else { break };
        if c == 0xE2 {
            // U+2028 and U+2029 are E2 80 A8 / E2 80 A9.
            if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xA8 | 0xA9)) {
                out.extend_from_slice(&b[start..i]);
                out.extend_from_slice(if b[i + 2] == 0xA8 {
                    b"\\u2028"
                } else {
                    b"\\u2029"
                });
                i += 3;
                start = i;
            } else {
                i += 1;
            }
            continue;
        }
        out.extend_from_slice(&b[start..i]);
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            // Go 1.22+ (buildx 0.13.1 in Debian is built with it) writes these short forms.
            0x08 => out.extend_from_slice(b"\\b"),
            0x0C => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(c >> 4) as usize],
                HEX[(c & 15) as usize],
            ]),
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&b[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_printing_equals_sequential() {
        let mut def = Definition::default();
        for i in 0..(PARALLEL_TARGETS + 3 * PIECE + 7) {
            let t = Target {
                context: Some(format!("ctx{i}").into()),
                tags: Some(vec![format!("t:{i}").into(), "<x>".into()]),
                ..Target::default()
            };
            def.targets.insert(format!("target-{i:04}"), t);
        }
        let print = |threads| {
            let mut out = Vec::new();
            write_json_on(&def, &mut out, threads).unwrap();
            String::from_utf8(out).unwrap()
        };
        let one = print(1);
        assert!(one.ends_with("\n  }\n}\n"), "{}", &one[one.len() - 40..]);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&one).unwrap()["target"]
                .as_object()
                .unwrap()
                .len(),
            def.targets.len()
        );
        for threads in [2, 3, 8] {
            assert!(print(threads) == one, "{threads} threads print differently");
        }
    }

    #[test]
    fn empty_definition_prints_like_buildx() {
        assert_eq!(to_json(&Definition::default()), "{\n  \"target\": {}\n}\n");
    }

    #[test]
    fn escapes_like_go() {
        let mut s = Vec::new();
        go_string(
            &mut s,
            "a<b>&\"\n\u{1}\u{2028}é\u{2029}\u{2027}\\\r\t\u{1f}\u{8}\u{c}\u{7f}",
        );
        assert_eq!(
            String::from_utf8(s).unwrap(),
            r#""a\u003cb\u003e\u0026\"\n\u0001\u2028é\u2029\u{2027}\\\r\t\u001f\b\f\u{7f}""#
                .replace("\\u{2027}", "\u{2027}")
                .replace("\\u{7f}", "\u{7f}")
        );
    }

    /// The block scan must not change a byte: every special character, at
    /// every offset of strings around the 16-byte block size, escapes as a
    /// plain per-character encoder escapes it.
    #[test]
    fn block_scan_escapes_like_the_per_character_encoder() {
        fn reference(s: &str) -> String {
            let mut out = String::from("\"");
            for ch in s.chars() {
                match ch {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '\u{8}' => out.push_str("\\b"),
                    '\u{c}' => out.push_str("\\f"),
                    c if (c as u32) < 0x20
                        || matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') =>
                    {
                        out.push_str(&format!("\\u{:04x}", c as u32))
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        let specials = [
            '"', '\\', '<', '>', '&', '\n', '\u{1}', '\u{1f}', '\u{7f}', 'é', '\u{2028}',
            '\u{2029}', '\u{2027}', '€',
        ];
        let mut checked = 0;
        for len in [0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 64] {
            for at in 0..len.max(1) {
                for &sp in &specials {
                    let mut text: String =
                        (0..len).map(|k| (b'a' + (k % 26) as u8) as char).collect();
                    if len > 0 {
                        text.replace_range(at..at + 1, sp.encode_utf8(&mut [0; 4]));
                        text.push_str("xyz0123456789ABCDEFG<"); // a second block after it
                    }
                    let mut out = Vec::new();
                    go_string(&mut out, &text);
                    assert_eq!(
                        String::from_utf8(out).unwrap(),
                        reference(&text),
                        "{text:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 4000, "{checked}");
    }
}
