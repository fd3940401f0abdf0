//! Who is building, and the builder name derived from it.

use super::{Error, Result, sha256_hex};
use std::path::Path;

/// Longest builder name we derive (buildx names its container
/// `buildx_buildkit_<name>0`, which must stay a valid, readable Docker name).
pub const MAX_NAME_LEN: usize = 48;

/// Hex digits of the sha256 suffix (of the unsanitized identity).
pub const SUFFIX_LEN: usize = 8;

/// The identity a builder belongs to: `actor/repo/branch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// GitHub actor or git user (`git config user.name`, else `$USER`).
    pub actor: String,
    /// Repository: `owner/name` on GitHub, the origin remote's or the
    /// directory's name locally.
    pub repo: String,
    /// Branch (`GITHUB_HEAD_REF`, else `GITHUB_REF_NAME`; locally the current
    /// branch, or `detached-<sha>`).
    pub branch: String,
}

impl Identity {
    /// The unsanitized identity, `actor/repo/branch`.
    pub fn raw(&self) -> String {
        format!("{}/{}/{}", self.actor, self.repo, self.branch)
    }

    /// From GitHub Actions variables when `GITHUB_ACTOR` and `GITHUB_REPOSITORY`
    /// are set, else from git in the current directory.
    pub fn detect() -> Result<Identity> {
        let cwd = std::env::current_dir().map_err(|e| Error::Io(".".into(), e))?;
        Ok(Self::detect_with(|k| std::env::var(k).ok(), &cwd))
    }

    /// [`Identity::detect`] with an explicit environment and directory.
    pub fn detect_with(env: impl Fn(&str) -> Option<String>, dir: &Path) -> Identity {
        let var = |k: &str| {
            env(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if let Some(id) = Self::from_github(&var) {
            return id;
        }
        let git = |args: &[&str]| -> Option<String> {
            duct::cmd("git", args)
                .dir(dir)
                .stdout_capture()
                .stderr_null()
                .unchecked()
                .run()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let actor = git(&["config", "user.name"])
            .or_else(|| var("USER"))
            .unwrap_or_else(|| "unknown".into());
        let repo = git(&["remote", "get-url", "origin"])
            .and_then(|url| repo_name_from_url(&url))
            .or_else(|| {
                let top = git(&["rev-parse", "--show-toplevel"])?;
                Some(Path::new(&top).file_name()?.to_string_lossy().into_owned())
            })
            .or_else(|| Some(dir.file_name()?.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "norepo".into());
        let branch = match git(&["rev-parse", "--abbrev-ref", "HEAD"]) {
            Some(b) if b != "HEAD" => b,
            Some(_) => match git(&["rev-parse", "--short", "HEAD"]) {
                Some(sha) => format!("detached-{sha}"),
                None => "detached".into(),
            },
            // An unborn branch (no commit yet) still has a symbolic HEAD.
            None => git(&["symbolic-ref", "--short", "HEAD"]).unwrap_or_else(|| "nobranch".into()),
        };
        Identity {
            actor,
            repo,
            branch,
        }
    }

    fn from_github(var: &impl Fn(&str) -> Option<String>) -> Option<Identity> {
        let actor = var("GITHUB_ACTOR")?;
        let repo = var("GITHUB_REPOSITORY")?;
        let branch = var("GITHUB_HEAD_REF")
            .or_else(|| var("GITHUB_REF_NAME"))
            .unwrap_or_else(|| "nobranch".into());
        Some(Identity {
            actor,
            repo,
            branch,
        })
    }
}

/// `https://host/owner/name.git`, `git@host:owner/name.git`, `/path/name` → `name`.
fn repo_name_from_url(url: &str) -> Option<String> {
    let url = url.trim().trim_end_matches('/');
    let last = url.rsplit(['/', ':', '\\']).next()?;
    let name = last.strip_suffix(".git").unwrap_or(last);
    (!name.is_empty()).then(|| name.to_string())
}

/// Lowercase, `[a-z0-9_-]` only, runs of other characters (and of `-`)
/// collapsed to one `-`, no leading or trailing separator.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            c
        } else {
            '-'
        };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    out.trim_matches(['-', '_']).to_string()
}

/// The builder name for an identity: the sanitized `actor-repo-branch`
/// (the repository's last path component), cut so that the whole name is at
/// most [`MAX_NAME_LEN`] characters, then `-` and the first [`SUFFIX_LEN`] hex
/// digits of the sha256 of [`Identity::raw`]. Distinct identities that
/// sanitize alike still get distinct names; the same identity always gets the
/// same name. Names start with a letter, as buildx requires.
pub fn builder_name(id: &Identity) -> String {
    let repo = id
        .repo
        .rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or(&id.repo);
    let mut base = sanitize(&format!("{}-{}-{}", id.actor, repo, id.branch));
    if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base.insert_str(0, "b-");
    }
    let room = MAX_NAME_LEN - SUFFIX_LEN - 1;
    if base.len() > room {
        base.truncate(room); // ASCII only: any index is a char boundary
    }
    let base = base.trim_end_matches(['-', '_']);
    let hash = sha256_hex(id.raw().as_bytes());
    format!("{base}-{}", &hash[..SUFFIX_LEN])
}

/// Check a user-given builder name (`--builder NAME`) against buildx's rule:
/// a letter, then letters, digits, `.`, `_` or `-`.
pub fn validate_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && name.len() <= 128;
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "invalid builder name {name:?}: use a letter followed by letters, digits, '.', '_' or '-'"
        )))
    }
}

/// The builder to use: `--builder NAME` if given (validated), else the name
/// derived from the detected identity.
pub fn resolve(override_name: Option<&str>) -> Result<String> {
    match override_name {
        Some(name) => validate_name(name).map(|()| name.to_string()),
        None => Ok(builder_name(&Identity::detect()?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(actor: &str, repo: &str, branch: &str) -> Identity {
        Identity {
            actor: actor.into(),
            repo: repo.into(),
            branch: branch.into(),
        }
    }

    #[test]
    fn sanitizes_for_buildx_and_docker() {
        assert_eq!(
            sanitize("Jane Doe/My.Repo//feature/Ünï"),
            "jane-doe-my-repo-feature-n"
        );
        assert_eq!(sanitize("--a__b--"), "a__b");
        let name = builder_name(&id("Jane Doe", "acme/Web.App", "feat/JIRA-12_x"));
        assert!(
            name.starts_with("jane-doe-web-app-feat-jira-12_x-"),
            "{name}"
        );
        validate_name(&name).unwrap();
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_".contains(c))
        );
    }

    #[test]
    fn identities_alike_after_sanitizing_differ_by_suffix() {
        let pairs = [
            (id("a", "o/r", "feat/x"), id("a", "o/r", "feat-x")),
            (id("A", "o/r", "main"), id("a", "o/r", "main")),
            (id("a", "o/r", "x.y"), id("a", "o/r", "x y")),
            (id("a", "one/r", "main"), id("a", "two/r", "main")),
            (id("a-b", "r", "c"), id("a", "b-r", "c")),
        ];
        for (x, y) in pairs {
            let (nx, ny) = (builder_name(&x), builder_name(&y));
            assert_ne!(nx, ny, "{x:?} vs {y:?}");
            let cut = nx.len() - SUFFIX_LEN;
            assert_eq!(nx[..cut], ny[..ny.len() - SUFFIX_LEN], "same readable part");
        }
    }

    #[test]
    fn length_is_bounded_and_long_names_still_differ() {
        let long = "x".repeat(300);
        let a = builder_name(&id(&long, &long, "main"));
        let b = builder_name(&id(&long, &long, "dev"));
        assert!(
            a.len() <= MAX_NAME_LEN && b.len() <= MAX_NAME_LEN,
            "{a} {b}"
        );
        assert_ne!(a, b);
        validate_name(&a).unwrap();
        let weird = builder_name(&id("---", "///", "..."));
        assert!(weird.starts_with("b-") || weird.starts_with('b'), "{weird}");
        validate_name(&weird).unwrap();
        let digits = builder_name(&id("123", "r", "m"));
        assert!(digits.starts_with("b-123"), "{digits}");
    }

    #[test]
    fn deterministic() {
        let x = id("octo", "octo-org/hello", "main");
        assert_eq!(builder_name(&x), builder_name(&x.clone()));
        assert_eq!(
            builder_name(&x),
            "octo-hello-main-".to_string() + &sha256_hex(b"octo/octo-org/hello/main")[..8]
        );
    }

    #[test]
    fn github_variables() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let dir = Path::new("/");
        let pr = Identity::detect_with(
            env(&[
                ("GITHUB_ACTOR", "octo"),
                ("GITHUB_REPOSITORY", "org/app"),
                ("GITHUB_HEAD_REF", "fix/1"),
                ("GITHUB_REF_NAME", "42/merge"),
            ]),
            dir,
        );
        assert_eq!(pr.raw(), "octo/org/app/fix/1");
        let push = Identity::detect_with(
            env(&[
                ("GITHUB_ACTOR", "octo"),
                ("GITHUB_REPOSITORY", "org/app"),
                ("GITHUB_HEAD_REF", ""),
                ("GITHUB_REF_NAME", "main"),
            ]),
            dir,
        );
        assert_eq!(push.raw(), "octo/org/app/main");
    }

    #[test]
    fn local_git_identity() {
        let tmp = std::env::temp_dir().join(format!("matrix-ident-{}", std::process::id()));
        let repo = tmp.join("My Project");
        std::fs::create_dir_all(&repo).unwrap();
        let git = |args: &[&str]| {
            duct::cmd("git", args)
                .dir(&repo)
                .stdout_null()
                .stderr_null()
                .run()
                .unwrap()
        };
        git(&["init", "-q", "-b", "topic/one"]);
        git(&["config", "user.name", "Jane Doe"]);
        let env = |k: &str| (k == "USER").then(|| "fallback".to_string());
        let local = Identity::detect_with(env, &repo);
        assert_eq!(local.raw(), "Jane Doe/My Project/topic/one");
        git(&["remote", "add", "origin", "git@example.com:acme/widget.git"]);
        assert_eq!(Identity::detect_with(env, &repo).repo, "widget");
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn remote_urls() {
        assert_eq!(
            repo_name_from_url("https://h/o/n.git").as_deref(),
            Some("n")
        );
        assert_eq!(repo_name_from_url("git@h:o/n.git").as_deref(), Some("n"));
        assert_eq!(repo_name_from_url("/srv/git/n/").as_deref(), Some("n"));
    }

    #[test]
    fn override_names() {
        assert_eq!(resolve(Some("my.builder_1")).unwrap(), "my.builder_1");
        assert!(resolve(Some("1abc")).is_err());
        assert!(resolve(Some("a/b")).is_err());
    }
}
