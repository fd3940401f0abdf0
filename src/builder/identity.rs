//! Who is building, and the builder name derived from it.

use super::{Error, Result, sha256_hex};
use std::path::{Path, PathBuf};

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
    /// are set, else from git in the current directory, remembered in the
    /// state directory while the files git reads it from are unchanged (see
    /// [`Identity::detect_cached`]).
    pub fn detect() -> Result<Identity> {
        let cwd = std::env::current_dir().map_err(|e| Error::Io(".".into(), e))?;
        // `GIT_DIR`, `GIT_CONFIG_*` and the like change where git looks: ask
        // it. Other `GIT_*` variables (`GIT_SSL_CAINFO`, …) become part of
        // the key.
        let mut git_env: Vec<(String, String)> = std::env::vars_os()
            .filter(|(k, _)| k.as_encoded_bytes().starts_with(b"GIT_"))
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .collect();
        git_env.sort();
        let redirected = git_env
            .iter()
            .any(|(k, _)| REDIRECTING_VARS.contains(&k.as_str()) || k.starts_with("GIT_CONFIG"));
        let cache = super::state_dir()
            .ok()
            .filter(|_| !redirected)
            .map(|d| d.join("identity"));
        Ok(Self::detect_cached(
            |k| std::env::var(k).ok(),
            &cwd,
            cache.as_deref().map(|c| (c, git_env.as_slice())),
        ))
    }

    /// [`Identity::detect_with`], answered from `cache_dir` when an earlier
    /// run from `dir` recorded the git identity under the same [`git_key`]:
    /// the five `git` runs cost ~60 ms, a cached build ~1 s. Without a key
    /// (no repository found, config includes, a detached HEAD) or a cache
    /// directory ([`Identity::detect`] gives none when `GIT_DIR`, a `GIT_CONFIG*`
    /// or another variable that redirects git is set) git is asked every time.
    /// `cache` is the directory and the `GIT_*` variables to key on.
    pub fn detect_cached(
        env: impl Fn(&str) -> Option<String>,
        dir: &Path,
        cache: Option<(&Path, &[(String, String)])>,
    ) -> Identity {
        if let Some(id) = Self::from_github(&env) {
            return id;
        }
        let key = cache.and_then(|(_, vars)| git_key(&env, dir, vars));
        let cache_dir = cache.map(|(d, _)| d);
        let (Some(cache_dir), Some(key)) = (cache_dir, key) else {
            return Self::detect_with(env, dir);
        };
        let path = cache_dir.join(format!(
            "{}.json",
            &sha256_hex(dir.as_os_str().as_encoded_bytes())[..16]
        ));
        let cached = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<CachedIdentity>(&b).ok())
            .filter(|c| c.key == key && c.dir == dir.to_string_lossy());
        if let Some(c) = cached {
            return Identity {
                actor: c.actor,
                repo: c.repo,
                branch: c.branch,
            };
        }
        let id = Self::detect_with(env, dir);
        let record = CachedIdentity {
            dir: dir.to_string_lossy().into_owned(),
            key,
            actor: id.actor.clone(),
            repo: id.repo.clone(),
            branch: id.branch.clone(),
        };
        // A cache: failing to write it only costs the next run the git calls.
        let _ = super::lifecycle::write_file(
            &path,
            (serde_json::to_string_pretty(&record).expect("serializes") + "\n").as_bytes(),
        );
        id
    }

    /// [`Identity::detect`] with an explicit environment and directory.
    pub fn detect_with(env: impl Fn(&str) -> Option<String>, dir: &Path) -> Identity {
        if let Some(id) = Self::from_github(&env) {
            return id;
        }
        let var = |k: &str| set_var(&env, k);
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

    fn from_github(env: &impl Fn(&str) -> Option<String>) -> Option<Identity> {
        let var = |k: &str| set_var(env, k);
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

/// The value of `k` in `env`, trimmed; `None` when unset or blank.
fn set_var(env: &impl Fn(&str) -> Option<String>, k: &str) -> Option<String> {
    env(k)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Variables that change where git finds the repository or its config (with
/// every `GIT_CONFIG*`): with one set, the identity is not cached.
const REDIRECTING_VARS: [&str; 8] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_NAMESPACE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
];

/// A remembered git identity (`<state>/identity/<sha256(dir)>.json`).
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedIdentity {
    dir: String,
    key: String,
    actor: String,
    repo: String,
    branch: String,
}

/// What the git identity of `dir` depends on, without running git: the
/// working directory, `USER`, `HOME`, `XDG_CONFIG_HOME`, the repository found
/// as git finds it (walking up to a `.git` directory or `gitdir:` file; or
/// none), its `HEAD` (a branch: a detached HEAD gives no key, as the short
/// sha's length depends on the object store), the files whose change could
/// change what `git rev-parse --abbrev-ref` says of it (`packed-refs`,
/// `refs/tags`, `refs/remotes`), and every config file git reads (repository,
/// worktree, global, XDG, system), each by path, device, inode, size, mtime,
/// ctime and owner (git rewrites them by rename). A config file mentioning
/// `include` gives no key (the files it names are not followed), and so does
/// anything that may be a bare repository.
pub fn git_key(
    env: &impl Fn(&str) -> Option<String>,
    dir: &Path,
    git_env: &[(String, String)],
) -> Option<String> {
    use std::fmt::Write as _;
    use std::os::unix::fs::MetadataExt;
    let var = |k: &str| env(k).filter(|v| !v.is_empty());
    // The repository as git discovers it: the first ancestor with a `.git`
    // directory or `gitdir:` file. Anything else git might take for one (a
    // bare repository, a malformed `.git` file) gives no key; so does
    // a detached HEAD.
    let mut found = None;
    for d in dir.ancestors() {
        let dot = d.join(".git");
        if let Ok(meta) = std::fs::metadata(&dot) {
            if meta.is_dir() {
                found = Some(dot);
            } else {
                let text = std::fs::read_to_string(&dot).ok()?;
                found = Some(d.join(text.strip_prefix("gitdir:")?.trim()));
            }
            break;
        }
        if d.join("HEAD").exists() && d.join("objects").exists() {
            return None;
        }
    }
    let home = var("HOME").map(PathBuf::from);
    let xdg = var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".config")));
    // Global and system config: read with or without a repository.
    let mut configs: Vec<PathBuf> = [
        home.as_ref().map(|h| h.join(".gitconfig")),
        xdg.map(|x| x.join("git/config")),
        Some("/etc/gitconfig".into()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut files = Vec::new();
    let mut repo_line = "no repository".to_string();
    if let Some(git_dir) = found {
        let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
        let branch_ref = head.trim().strip_prefix("ref:")?.trim();
        let common = match std::fs::read_to_string(git_dir.join("commondir")) {
            Ok(rel) => git_dir.join(rel.trim()),
            Err(_) => git_dir.clone(),
        };
        repo_line = format!("{}\0{branch_ref}", git_dir.display());
        configs.extend([common.join("config"), git_dir.join("config.worktree")]);
        files.extend([
            git_dir.join("HEAD"),
            common.join("packed-refs"),
            common.join("refs/tags"),
            common.join("refs/remotes"),
        ]);
    }
    let mut key = format!(
        "v1\0{}\0{}\0{}\0{}\0{repo_line}\0",
        dir.display(),
        var("USER").unwrap_or_default(),
        var("HOME").unwrap_or_default(),
        var("XDG_CONFIG_HOME").unwrap_or_default(),
    );
    for (k, v) in git_env {
        let _ = write!(key, "{k}={v}\0");
    }
    let mut stat = |path: &Path| match std::fs::metadata(path) {
        Ok(m) => {
            let _ = write!(
                key,
                "{}:{}:{}:{}:{}.{}:{}.{}:{}\0",
                path.display(),
                m.dev(),
                m.ino(),
                m.size(),
                m.mtime(),
                m.mtime_nsec(),
                m.ctime(),
                m.ctime_nsec(),
                m.uid()
            );
        }
        Err(_) => {
            let _ = write!(key, "{}:-\0", path.display());
        }
    };
    for path in &files {
        stat(path);
    }
    for path in &configs {
        stat(path);
        if let Ok(text) = std::fs::read(path)
            && text.windows(7).any(|w| w.eq_ignore_ascii_case(b"include"))
        {
            return None;
        }
    }
    Some(sha256_hex(key.as_bytes()))
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
    fn cached_git_identity_follows_head_and_config() {
        // The example tree's test stage runs in a root file system without git.
        if duct::cmd!("git", "--version")
            .stdout_null()
            .stderr_null()
            .run()
            .is_err()
        {
            eprintln!("no git: skipped");
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("proj");
        let home = tmp.path().join("home");
        let cache = tmp.path().join("cache");
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        let git = |args: &[&str]| {
            duct::cmd("git", args)
                .dir(&repo)
                .env("HOME", &home)
                .stdout_null()
                .stderr_null()
                .run()
                .unwrap()
        };
        git(&["init", "-q", "-b", "main"]);
        git(&["config", "user.name", "Ann"]);
        let h = home.to_string_lossy().into_owned();
        let env = move |k: &str| match k {
            "HOME" => Some(h.clone()),
            "USER" => Some("fallback".to_string()),
            _ => None,
        };
        let detect = || Identity::detect_cached(&env, &repo, Some((&cache, &[])));
        // Outside any repository: recorded as well.
        let plain = tmp.path().join("plain");
        std::fs::create_dir_all(&plain).unwrap();
        assert!(git_key(&env, &plain, &[]).is_some());
        let outside = Identity::detect_cached(&env, &plain, Some((&cache, &[])));
        assert_eq!((&*outside.repo, &*outside.branch), ("plain", "nobranch"));
        assert_eq!(
            Identity::detect_cached(&env, &plain, Some((&cache, &[]))),
            outside
        );
        std::fs::remove_dir_all(&cache).unwrap();
        let key = git_key(&env, &repo, &[]).expect("a branch checkout has a key");
        assert_eq!(detect().raw(), "Ann/proj/main");
        assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1, "recorded");
        // Answered from the record: a forged record with the same key wins.
        let record = std::fs::read_dir(&cache)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let text = std::fs::read_to_string(&record).unwrap();
        std::fs::write(&record, text.replace("\"Ann\"", "\"Cached\"")).unwrap();
        assert_eq!(detect().raw(), "Cached/proj/main");
        // Another branch, another user name: the key changes, git is asked.
        git(&["symbolic-ref", "HEAD", "refs/heads/topic/two"]);
        assert_ne!(git_key(&env, &repo, &[]).unwrap(), key);
        assert_eq!(detect().raw(), "Ann/proj/topic/two");
        git(&["config", "user.name", "Bob"]);
        assert_eq!(detect().raw(), "Bob/proj/topic/two");
        git(&[
            "remote",
            "add",
            "origin",
            "https://example.com/o/widget.git",
        ]);
        assert_eq!(detect().raw(), "Bob/widget/topic/two");
        // From a subdirectory: its own record, the same identity.
        let sub = repo.join("src");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(
            Identity::detect_cached(&env, &sub, Some((&cache, &[]))).raw(),
            "Bob/widget/topic/two"
        );
        // The global config counts too; includes are not followed: no key.
        std::fs::write(home.join(".gitconfig"), "[user]\n\tname = Global\n").unwrap();
        assert_eq!(detect().raw(), "Bob/widget/topic/two");
        std::fs::write(home.join(".gitconfig"), "[include]\n\tpath = other\n").unwrap();
        assert_eq!(git_key(&env, &repo, &[]), None);
        // A detached HEAD has no key.
        std::fs::write(home.join(".gitconfig"), "").unwrap();
        std::fs::write(repo.join("README"), "x").unwrap();
        git(&["add", "README"]);
        git(&["-c", "user.email=a@b", "commit", "-q", "-m", "x"]);
        git(&["checkout", "-q", "--detach"]);
        assert_eq!(git_key(&env, &repo, &[]), None);
        assert!(detect().branch.starts_with("detached-"));
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
