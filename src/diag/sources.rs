//! Source text for snippets, keyed by the file name shown in labels.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

/// Maps a label's `file` to its text so renderers can show snippets.
///
/// Text given with [`Sources::insert`] wins; otherwise, unless the value was
/// made with [`Sources::in_memory`], a file is read from disk the first time
/// it is asked for (relative names resolved against [`Sources::with_root`],
/// or the working directory) and cached, misses included. Unreadable files
/// simply have no source: renderers then print the location without a
/// snippet. Invalid UTF-8 is replaced (lossy), and CRLF / lone CR line ends
/// are normalized to LF so columns and carets line up.
#[derive(Debug, Default)]
pub struct Sources {
    cache: RefCell<HashMap<String, Option<Rc<str>>>>,
    root: Option<PathBuf>,
    disk: bool,
}

impl Sources {
    /// Sources that fall back to reading files from disk.
    pub fn new() -> Self {
        Sources {
            disk: true,
            ..Sources::default()
        }
    }

    /// Sources that only know what is [`insert`](Sources::insert)ed.
    pub fn in_memory() -> Self {
        Sources::default()
    }

    /// Resolve relative file names against `root` when reading from disk.
    pub fn with_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.root = Some(root.into());
        self
    }

    /// Provide the text of `file` (e.g. the buffer that was parsed).
    pub fn insert(&mut self, file: impl Into<String>, text: impl AsRef<str>) {
        self.cache
            .get_mut()
            .insert(file.into(), Some(normalize(text.as_ref()).into()));
    }

    /// The text of `file`, loading it from disk on first use if allowed.
    pub fn get(&self, file: &str) -> Option<Rc<str>> {
        if let Some(hit) = self.cache.borrow().get(file) {
            return hit.clone();
        }
        let loaded = if self.disk { self.load(file) } else { None };
        self.cache
            .borrow_mut()
            .insert(file.to_string(), loaded.clone());
        loaded
    }

    /// Line `line` (1-based) of `file`, without its line end.
    pub fn line(&self, file: &str, line: usize) -> Option<String> {
        let text = self.get(file)?;
        let (start, end) = line_range(&text, line)?;
        Some(text[start..end].to_string())
    }

    fn load(&self, file: &str) -> Option<Rc<str>> {
        let mut path = PathBuf::from(file);
        if path.is_relative()
            && let Some(root) = &self.root
        {
            path = root.join(path);
        }
        let bytes = std::fs::read(path).ok()?;
        Some(normalize(&String::from_utf8_lossy(&bytes)).into())
    }
}

fn normalize(text: &str) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    }
}

/// Byte range of line `line` (1-based) in `text`, without the `\n`.
/// `None` if the line does not exist. A final line after the last `\n`
/// exists only if it is non-empty.
pub(crate) fn line_range(text: &str, line: usize) -> Option<(usize, usize)> {
    if line == 0 {
        return None;
    }
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    if start >= text.len() {
        return None;
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_ranges() {
        let mut s = Sources::in_memory();
        s.insert("a", "one\r\ntwo\nthree");
        assert_eq!(s.line("a", 1).as_deref(), Some("one"));
        assert_eq!(s.line("a", 2).as_deref(), Some("two"));
        assert_eq!(s.line("a", 3).as_deref(), Some("three"));
        assert_eq!(s.line("a", 4), None);
        assert_eq!(s.line("a", 0), None);
        assert_eq!(s.line("missing", 1), None);
        assert_eq!(line_range("x\n", 2), None);
        assert_eq!(line_range("x\n\ny", 2), Some((2, 2)));
        assert_eq!(line_range("", 1), None);
    }

    #[test]
    fn lazy_disk_load_and_missing_file() {
        let dir = std::env::temp_dir().join(format!("bake-matrix-diag-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("f.hcl"), b"a = 1\nb = \xff\n").unwrap();
        let s = Sources::new().with_root(&dir);
        assert_eq!(s.line("f.hcl", 1).as_deref(), Some("a = 1"));
        assert_eq!(s.line("f.hcl", 2).as_deref(), Some("b = \u{fffd}"));
        assert_eq!(s.get("nope.hcl"), None);
        // in-memory sources never touch the disk
        let m = Sources::in_memory().with_root(&dir);
        assert_eq!(m.get("f.hcl"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
