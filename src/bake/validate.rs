//! The per-target checks buildx 0.13.1 makes while turning a resolved target into
//! build options (`toBuildOpt`), which `--print` runs too: a target that fails
//! them is rejected even when only printing. Also cleans `context` as buildx does.

use super::csv::{go_lower, parse_go_bool, parse_line};
use super::error::{BakeError, Result};
use super::target::Target;
use super::value::Str;

/// Cache specs already found valid. The same few specs recur in most targets
/// of a tree (`cache-from` accumulates along `inherits`), and their check is
/// a pure function of the string.
#[derive(Default)]
pub struct Checked {
    cache_entries: super::FastSet<String>,
}

pub fn check_target(t: &mut Target, checked: &mut Checked) -> Result<()> {
    if t.context.as_deref() == Some("-") {
        return Err(BakeError::new("context from stdin not allowed in bake"));
    }
    if t.dockerfile.as_deref() == Some("-") {
        return Err(BakeError::new("dockerfile from stdin not allowed in bake"));
    }
    let mut context = t.context.clone().unwrap_or_else(|| Str::new_static("."));
    if !context.starts_with("cwd://") && !is_remote_url(&context) {
        context = clean_path(&context).into();
    }
    if let Some(rest) = context.strip_prefix("cwd://") {
        context = clean_path(rest).into();
    }
    t.context = Some(context);

    if let Some(s) = &t.shm_size {
        parse_ram_bytes(s).ok_or_else(|| {
            BakeError::new(format!("invalid value {s} for membytes key shm-size"))
        })?;
    }
    for p in t.platforms.iter().flatten() {
        for part in p.split(',') {
            if !part.eq_ignore_ascii_case("local") {
                parse_platform(part).map_err(BakeError::new)?;
            }
        }
    }
    for s in t.secrets.iter().flatten() {
        check_secret(s).map_err(BakeError::new)?;
    }
    for s in t.ssh.iter().flatten() {
        check_ssh(s).map_err(BakeError::new)?;
    }
    for list in [&t.cache_from, &t.cache_to] {
        for s in list.iter().flatten() {
            if !checked.cache_entries.contains(s.as_str()) {
                check_cache_entry(s).map_err(BakeError::new)?;
                checked.cache_entries.insert(s.to_string());
            }
        }
    }
    let mut stdout_used = false;
    for s in t.outputs.iter().flatten() {
        check_output(s, &mut stdout_used).map_err(BakeError::new)?;
    }
    for s in t.annotations.iter().flatten() {
        check_annotation(s).map_err(BakeError::new)?;
    }
    let mut types = Vec::new();
    for s in t.attest.iter().flatten() {
        let ty = check_attest(s).map_err(BakeError::new)?;
        if types.contains(&ty) {
            return Err(BakeError::new(format!("duplicate attestation field {ty}")));
        }
        types.push(ty);
    }
    for s in t.ulimits.iter().flatten() {
        check_ulimit(s).map_err(BakeError::new)?;
    }
    Ok(())
}

/// Whether buildx treats a context as remote (an http(s) URL or a git reference).
pub fn is_remote_url(s: &str) -> bool {
    if s.starts_with("http://") || s.starts_with("https://") {
        return true;
    }
    let git_prefix = ["git://", "github.com/", "git@", "ssh://"];
    if git_prefix.iter().any(|p| s.starts_with(p)) {
        return true;
    }
    let base = s.split('#').next().unwrap_or(s);
    base.ends_with(".git") && (base.contains("://") || base.contains('@'))
}

/// Go's `path.Clean`.
pub fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            x => out.push(x),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// docker's `units.RAMInBytes`.
fn parse_ram_bytes(s: &str) -> Option<i64> {
    let s = s.trim_end();
    let digits_end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let (num, rest) = s.split_at(digits_end);
    if num.is_empty() || num.starts_with('.') || num.ends_with('.') || num.contains("..") {
        return None;
    }
    let n: f64 = num.parse().ok()?;
    let rest = rest.strip_prefix(' ').unwrap_or(rest).to_ascii_lowercase();
    let mut chars = rest.chars();
    let mult: f64 = match chars.clone().next() {
        None => return Some(n as i64),
        Some('k') => 1024f64,
        Some('m') => 1024f64.powi(2),
        Some('g') => 1024f64.powi(3),
        Some('t') => 1024f64.powi(4),
        Some('p') => 1024f64.powi(5),
        Some('b') => 1.0,
        Some(_) => return None,
    };
    let tail: String = if matches!(rest.chars().next(), Some('b')) {
        chars.collect::<String>()
    } else {
        chars.next();
        chars.collect()
    };
    let tail = tail.strip_prefix('i').unwrap_or(&tail);
    let tail = tail.strip_prefix('b').unwrap_or(tail);
    if !tail.is_empty() {
        return None;
    }
    Some((n * mult) as i64)
}

const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "windows",
    "zos",
];
const KNOWN_ARCH: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "ppc64",
    "ppc64le",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

fn normalize_arch(a: &str) -> &str {
    match a {
        "i386" => "386",
        "x86_64" | "x86-64" | "amd64" => "amd64",
        "aarch64" | "arm64" => "arm64",
        "armhf" | "armel" | "arm" => "arm",
        other => other,
    }
}

/// containerd's `platforms.Parse` accept/reject rules.
pub fn parse_platform(spec: &str) -> std::result::Result<(), String> {
    if spec.contains('*') {
        return Err(format!("{spec:?}: wildcards not yet supported"));
    }
    let lower = spec.to_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    for p in &parts {
        if p.is_empty()
            || !p
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(format!(
                "{p:?} is an invalid component of {spec:?}: platform specifier component must match \"^[A-Za-z0-9_-]+$\": invalid argument"
            ));
        }
    }
    match parts.len() {
        1 => {
            let os = if parts[0] == "macos" {
                "darwin"
            } else {
                parts[0]
            };
            if KNOWN_OS.contains(&os) || KNOWN_ARCH.contains(&normalize_arch(parts[0])) {
                Ok(())
            } else {
                Err(format!(
                    "{spec:?}: unknown operating system or architecture: invalid argument"
                ))
            }
        }
        2 | 3 => Ok(()),
        _ => Err(format!(
            "{spec:?}: cannot parse platform specifier: invalid argument"
        )),
    }
}

fn kv_fields(s: &str) -> std::result::Result<Vec<(String, String)>, String> {
    parse_line(s)
        .map_err(|e| format!("parse error on line 1: {e}"))?
        .into_iter()
        .map(|f| match f.split_once('=') {
            Some((k, v)) => Ok((k.to_string(), v.to_string())),
            None => Err(format!("invalid field '{f}' must be a key=value pair")),
        })
        .collect()
}

fn check_secret(s: &str) -> std::result::Result<(), String> {
    let mut ty = String::new();
    let mut id = String::new();
    let mut src = String::new();
    let mut env = String::new();
    for (k, v) in kv_fields(s)? {
        match go_lower(k.trim()).as_ref() {
            "type" => {
                if v != "file" && v != "env" {
                    return Err(format!("unsupported secret type {v:?}"));
                }
                ty = v;
            }
            "id" => id = v,
            "source" | "src" => src = v,
            "env" => env = v,
            other => return Err(format!("unexpected key '{other}' in '{s}'")),
        }
    }
    if ty == "env" && env.is_empty() {
        env = src.clone();
        src.clear();
    }
    if id.is_empty() {
        return Err("secret missing ID".to_string());
    }
    if env.is_empty() && src.is_empty() {
        if std::env::var_os(&id).is_some() {
            return Ok(());
        }
        src = id.clone();
    }
    if !src.is_empty() {
        std::fs::metadata(&src).map_err(|e| format!("failed to stat {src}: {e}"))?;
    }
    Ok(())
}

fn check_ssh(s: &str) -> std::result::Result<(), String> {
    let (_, paths) = s.split_once('=').unwrap_or((s, ""));
    let paths: Vec<&str> = paths.split(',').filter(|p| !p.is_empty()).collect();
    if paths.is_empty() {
        match std::env::var("SSH_AUTH_SOCK") {
            Ok(sock) if !sock.is_empty() => {
                std::fs::metadata(&sock).map_err(|e| format!("failed to stat {sock}: {e}"))?;
            }
            _ => {
                return Err(
                    "invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set".to_string(),
                );
            }
        }
    }
    for p in paths {
        std::fs::metadata(p).map_err(|e| format!("failed to stat {p}: {e}"))?;
    }
    Ok(())
}

fn check_cache_entry(s: &str) -> std::result::Result<(), String> {
    let fields = parse_line(s).map_err(|e| format!("parse error on line 1: {e}"))?;
    if fields.iter().all(|f| !f.contains('=')) {
        return Ok(());
    }
    let mut ty = String::new();
    for f in &fields {
        let (k, v) = f
            .split_once('=')
            .ok_or_else(|| format!("invalid value {f}"))?;
        if go_lower(k) == "type" {
            ty = v.to_string();
        }
    }
    if ty.is_empty() {
        return Err(format!("type required form> {s:?}"));
    }
    Ok(())
}

fn check_output(s: &str, stdout_used: &mut bool) -> std::result::Result<(), String> {
    let fields = parse_line(s).map_err(|e| format!("parse error on line 1: {e}"))?;
    let (ty, mut dest, attrs) = if fields.len() == 1 && fields[0] == s && !s.starts_with("type=") {
        if s != "-" {
            return Ok(()); // a plain path: the local exporter
        }
        ("tar", "-", Vec::new())
    } else {
        let mut ty = "";
        let mut dest = "";
        let mut attrs = Vec::new();
        for f in &fields {
            let (k, v) = f
                .split_once('=')
                .ok_or_else(|| format!("invalid value {f}"))?;
            match go_lower(k.trim()) {
                k if k == "type" => ty = v,
                k if k == "dest" => dest = v,
                other => attrs.push((other, v)),
            }
        }
        (ty, dest, attrs)
    };
    if ty.is_empty() {
        return Err("type is required for output".to_string());
    }
    let tar_attr = attrs
        .iter()
        .find(|(k, _)| k == "tar")
        .and_then(|(_, v)| parse_go_bool(v))
        .unwrap_or(true);
    let (file, dir) = match ty {
        "local" => (false, true),
        "tar" => (true, false),
        "oci" | "docker" => (tar_attr, !tar_attr),
        _ => (false, false),
    };
    if dir {
        if dest.is_empty() {
            return Err(format!("dest is required for {ty} exporter"));
        }
        if dest == "-" {
            return Err(format!("dest cannot be stdout for {ty} exporter"));
        }
        if let Ok(md) = std::fs::metadata(dest)
            && !md.is_dir()
        {
            return Err(format!("destination directory {dest} is a file"));
        }
    }
    if file {
        if dest.is_empty() && ty != "docker" {
            dest = "-";
        }
        if dest == "-" {
            if *stdout_used {
                return Err("multiple outputs configured to write to stdout".to_string());
            }
            *stdout_used = true;
        } else if !dest.is_empty()
            && let Ok(md) = std::fs::metadata(dest)
            && md.is_dir()
        {
            return Err(format!("destination file {dest} is a directory"));
        }
    }
    Ok(())
}

fn check_annotation(s: &str) -> std::result::Result<(), String> {
    let Some((k, _)) = s.split_once('=') else {
        return Err(format!("invalid annotation {s:?}, expected key=value"));
    };
    static ANNOTATION_KEY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^(?:([a-z-]+)(?:\[([A-Za-z0-9_/-]+)\])?:)?(\S+)$")
            .expect("static regex")
    });
    let caps = ANNOTATION_KEY.captures(k).ok_or_else(|| {
        format!("invalid annotation format, expected <type>:<key>=<value>, got {s:?}")
    })?;
    let ty = caps.get(1).map(|m| m.as_str()).unwrap_or("");
    if !matches!(
        ty,
        "" | "index" | "index-descriptor" | "manifest" | "manifest-descriptor"
    ) {
        return Err(format!("unknown annotation type {ty:?}"));
    }
    if let Some(p) = caps.get(2) {
        parse_platform(p.as_str())
            .map_err(|e| format!("invalid platform {:?}: {e}", p.as_str()))?;
    }
    Ok(())
}

/// Returns the attestation's type.
fn check_attest(s: &str) -> std::result::Result<String, String> {
    let fields = parse_line(s).map_err(|e| format!("parse error on line 1: {e}"))?;
    let mut ty = String::new();
    for f in fields {
        let (k, v) = f
            .split_once('=')
            .ok_or_else(|| format!("invalid value {f}"))?;
        match go_lower(k.trim()).as_ref() {
            "type" => ty = v.to_string(),
            "disabled" => {
                parse_go_bool(v).ok_or_else(|| format!("invalid value {f}"))?;
            }
            _ => {}
        }
    }
    Ok(ty)
}

const ULIMITS: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

fn check_ulimit(s: &str) -> std::result::Result<(), String> {
    let (name, limits) = s
        .split_once('=')
        .ok_or_else(|| format!("invalid ulimit argument: {s}"))?;
    if !ULIMITS.contains(&name) {
        return Err(format!("invalid ulimit type: {name}"));
    }
    let (soft, hard) = match limits.split_once(':') {
        Some((a, b)) => (a, Some(b)),
        None => (limits, None),
    };
    let soft: i64 = soft
        .parse()
        .map_err(|_| format!("invalid ulimit soft value: {soft}"))?;
    if let Some(h) = hard {
        let h: i64 = h
            .parse()
            .map_err(|_| format!("invalid ulimit hard value: {h}"))?;
        if soft > h {
            return Err(format!(
                "ulimit soft limit must be less than or equal to hard limit: {soft} > {h}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_like_go() {
        assert_eq!(clean_path("./foo/../bar/"), "bar");
        assert_eq!(clean_path("../a/./b"), "../a/b");
        assert_eq!(clean_path("/.."), "/");
        assert_eq!(clean_path(""), ".");
    }

    #[test]
    fn ram_bytes() {
        assert_eq!(parse_ram_bytes("128m"), Some(128 << 20));
        assert_eq!(parse_ram_bytes("1.5g"), Some(1610612736));
        assert_eq!(parse_ram_bytes("2 GiB"), Some(2 << 30));
        assert_eq!(parse_ram_bytes("12x"), None);
    }

    #[test]
    fn platforms() {
        assert!(parse_platform("linux/amd64").is_ok());
        assert!(parse_platform("arm64").is_ok());
        assert!(parse_platform("bogus").is_err());
        assert!(parse_platform("linux/amd64/v2/x").is_err());
    }
}
