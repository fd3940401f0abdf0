//! Builder locks across processes, and builder lifecycle against the real
//! engine from `scripts/engine` (see ENGINE.md: docker-container builders are
//! recorded by buildx without booting; docker-driver builders really work).

mod common;

use bake_matrix::builder::{
    Action, BuilderConfig, Builders, Driver, Error, PruneOutcome, State, Wait,
};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("matrix-builder-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

// ------------------------------------------------------------------ locks ---

const CHILD_STATE: &str = "MATRIX_TEST_LOCK_STATE";
const CHILD_HOLD_MS: &str = "MATRIX_TEST_LOCK_HOLD_MS";
const CHILD_LOG: &str = "MATRIX_TEST_LOCK_LOG";

/// Not a test of its own: the body of the child processes the lock tests
/// spawn (this test binary, re-run with `--exact` and the variables above).
#[test]
fn lock_child_helper() {
    let Ok(state) = std::env::var(CHILD_STATE) else {
        return;
    };
    let hold = std::env::var(CHILD_HOLD_MS).map_or(u64::MAX, |v| v.parse().unwrap());
    let log = std::env::var(CHILD_LOG).ok();
    let append = |what: &str| {
        if let Some(log) = &log {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(log)
                .unwrap();
            writeln!(f, "{what} {}", std::process::id()).unwrap();
        }
    };
    let builders = Builders::new(state);
    let guard = builders
        .lock("shared", Wait::Wait, |msg| eprintln!("child: {msg}"))
        .unwrap();
    append("start");
    println!("LOCKED {}", std::process::id());
    std::thread::sleep(Duration::from_millis(hold.min(3_600_000)));
    append("end");
    drop(guard);
}

/// Spawn a child holding builder "shared"'s lock in `state` for `hold_ms`
/// (forever if None). With `wait_locked`, return once it holds the lock.
fn spawn_holder(
    state: &Path,
    hold_ms: Option<u64>,
    log: Option<&Path>,
    wait_locked: bool,
) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "lock_child_helper",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_STATE, state)
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    if let Some(ms) = hold_ms {
        cmd.env(CHILD_HOLD_MS, ms.to_string());
    }
    if let Some(log) = log {
        cmd.env(CHILD_LOG, log);
    }
    let mut child = cmd.spawn().unwrap();
    if wait_locked {
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let want = format!("LOCKED {}", child.id());
        loop {
            match lines.next() {
                Some(Ok(line)) if line.trim_end().ends_with(&want) => break,
                Some(Ok(_)) => continue,
                _ => panic!("child {} exited before taking the lock", child.id()),
            }
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
    }
    child
}

#[test]
fn lock_survives_kill_9_of_the_holder() {
    let state = temp_dir("kill9");
    let mut child = spawn_holder(&state, None, None, true);
    let builders = Builders::new(&state);
    match builders.lock("shared", Wait::NoWait, |_| panic!("NoWait never waits")) {
        Err(Error::Locked { name, holder }) => {
            assert_eq!(name, "shared");
            assert!(holder.contains(&format!("pid {}", child.id())), "{holder}");
            assert!(holder.contains("started 20"), "{holder}");
        }
        other => panic!("expected Locked, got {other:?}"),
    }
    assert!(builders.is_locked("shared").unwrap());
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let started = Instant::now();
    let guard = builders
        .lock("shared", Wait::NoWait, |_| panic!("no wait after kill -9"))
        .expect("the kernel released the dead holder's lock");
    assert!(started.elapsed() < Duration::from_secs(1));
    let text = std::fs::read_to_string(guard.path()).unwrap();
    assert!(
        text.starts_with(&format!("pid={}\n", std::process::id())),
        "{text}"
    );
    drop(guard);
    assert!(!builders.is_locked("shared").unwrap());
    std::fs::remove_dir_all(&state).unwrap();
}

#[test]
fn waiting_is_announced_once_and_serialized() {
    let state = temp_dir("wait");
    let mut child = spawn_holder(&state, Some(700), None, true);
    let builders = Builders::new(&state);
    let messages = std::cell::RefCell::new(Vec::new());
    let guard = builders
        .lock("shared", Wait::Wait, |m| {
            messages.borrow_mut().push(m.to_string())
        })
        .unwrap();
    // We only got the lock once the holder had let go (and exited).
    let status = child.wait().unwrap();
    assert!(status.success());
    let messages = messages.into_inner();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let expected = format!(
        "waiting for builder shared: another build holds it (pid {}, started ",
        child.id()
    );
    assert!(messages[0].starts_with(&expected), "{}", messages[0]);
    drop(guard);
    std::fs::remove_dir_all(&state).unwrap();
}

#[test]
fn two_processes_serialize() {
    let state = temp_dir("serial");
    let log = state.join("log");
    let a = spawn_holder(&state, Some(400), Some(&log), false);
    let b = spawn_holder(&state, Some(400), Some(&log), false);
    for mut c in [a, b] {
        assert!(c.wait().unwrap().success());
    }
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<(&str, &str)> = text.lines().map(|l| l.split_once(' ').unwrap()).collect();
    assert_eq!(lines.len(), 4, "{text}");
    // start X, end X, start Y, end Y: never two starts in a row.
    assert_eq!(lines[0].0, "start");
    assert_eq!(lines[1], ("end", lines[0].1), "{text}");
    assert_eq!(lines[2].0, "start");
    assert_eq!(lines[3], ("end", lines[2].1), "{text}");
    assert_ne!(lines[0].1, lines[2].1);
    std::fs::remove_dir_all(&state).unwrap();
}

// ----------------------------------------------------------------- engine ---

/// Environment for `docker` against the engine, with a private buildx store
/// (a temporary DOCKER_CONFIG sharing the engine's cli-plugins), or None when
/// no engine is reachable: a failure under CI=true, a warning otherwise.
fn engine(tag: &str) -> Option<(Builders, PathBuf)> {
    let mut vars: Vec<(String, String)> = Vec::new();
    if let Ok(host) = std::env::var("DOCKER_HOST") {
        vars.push(("DOCKER_HOST".into(), host));
        if let Ok(cfg) = std::env::var("DOCKER_CONFIG") {
            vars.push(("DOCKER_CONFIG".into(), cfg));
        }
    } else if let Some(env) = common::engine_env_vars() {
        vars.extend(
            env.into_iter()
                .filter(|(k, _)| k == "DOCKER_HOST" || k == "DOCKER_CONFIG"),
        );
    }
    let reachable = vars.iter().any(|(k, _)| k == "DOCKER_HOST")
        && Command::new("docker")
            .args(["buildx", "inspect", "default"])
            .envs(vars.iter().map(|(k, v)| (k, v)))
            .env_remove("DOCKER_CONTEXT")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if !reachable {
        return common::engine_missing(
            "builder tests",
            "no engine reachable: run `scripts/engine up` (and `eval \"$(scripts/engine env)\"`)",
        );
    }
    let base = temp_dir(tag);
    let config = base.join("docker-config");
    std::fs::create_dir_all(&config).unwrap();
    let engine_config = vars
        .iter()
        .find(|(k, _)| k == "DOCKER_CONFIG")
        .map(|(_, v)| PathBuf::from(v))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")));
    if let Some(plugins) = engine_config.map(|c| c.join("cli-plugins"))
        && plugins.exists()
    {
        std::os::unix::fs::symlink(plugins, config.join("cli-plugins")).unwrap();
    }
    let host = vars
        .iter()
        .find(|(k, _)| k == "DOCKER_HOST")
        .unwrap()
        .1
        .clone();
    std::fs::write(base.join("docker-host"), &host).unwrap();
    let builders = Builders::new(base.join("state"))
        .docker_env("DOCKER_HOST", host)
        .docker_env("DOCKER_CONFIG", &config)
        .docker_env("DOCKER_CONTEXT", "default");
    Some((builders, base))
}

/// `docker buildx inspect NAME` in the test's private buildx store.
fn buildx_inspect(base: &Path, name: &str) -> Option<String> {
    let host = std::fs::read_to_string(base.join("docker-host")).unwrap();
    let out = Command::new("docker")
        .args(["buildx", "inspect", name])
        .env("DOCKER_CONFIG", base.join("docker-config"))
        .env("DOCKER_CONTEXT", "default")
        .env("DOCKER_HOST", host)
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn ci_config() -> BuilderConfig {
    BuilderConfig::new(Driver::DockerContainer)
        .allow("network.host")
        .unwrap()
        .http_registry("127.0.0.1:5000")
        .unwrap()
}

fn backdate(builders: &Builders, name: &str, secs: u64) {
    let mut state: State = builders.load(name).unwrap().unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    state.last_used = now - secs;
    let path = builders
        .state_dir()
        .join("builders")
        .join(format!("{name}.json"));
    std::fs::write(path, serde_json::to_string(&state).unwrap()).unwrap();
}

#[test]
fn engine_ensure_is_idempotent_and_recreates_on_config_change() {
    let Some((builders, base)) = engine("ensure") else {
        return;
    };
    let name = format!("mxtest-ensure-{}", std::process::id());
    let config = ci_config();

    let first = builders.ensure(&name, &config).unwrap();
    assert_eq!(first.action, Action::Created);
    assert_eq!(first.buildx_name, name);
    let text = buildx_inspect(&base, &name).expect("buildx recorded the builder");
    assert!(text.contains("docker-container"), "{text}");
    assert!(
        text.contains("--allow-insecure-entitlement network.host"),
        "{text}"
    );
    let toml = std::fs::read_to_string(builders.toml_path(&name)).unwrap();
    assert!(toml.contains("[registry.\"127.0.0.1:5000\"]"), "{toml}");
    let instance = base.join("docker-config/buildx/instances").join(&name);
    let stored = std::fs::read_to_string(&instance).unwrap();
    assert!(
        stored.contains("buildkitd.toml"),
        "the config file is in buildx's store: {stored}"
    );

    let second = builders.ensure(&name, &config).unwrap();
    assert_eq!(second.action, Action::Unchanged);
    assert_eq!(
        std::fs::read_to_string(&instance).unwrap(),
        stored,
        "not recreated"
    );

    let changed = config.clone().allow("security.insecure").unwrap();
    let third = builders.ensure(&name, &changed).unwrap();
    assert_eq!(third.action, Action::Recreated);
    let text = buildx_inspect(&base, &name).unwrap();
    assert!(text.contains("security.insecure"), "{text}");
    assert_eq!(
        builders.load(&name).unwrap().unwrap().config_hash,
        changed.hash()
    );
    assert_eq!(
        builders.ensure(&name, &changed).unwrap().action,
        Action::Unchanged
    );

    // Removed behind our back: ensure notices and creates it again.
    builders.remove(&name).unwrap();
    assert!(buildx_inspect(&base, &name).is_none());
    assert!(builders.load(&name).unwrap().is_none());
    assert_eq!(
        builders.ensure(&name, &changed).unwrap().action,
        Action::Created
    );
    let list = builders.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, name);
    assert_eq!(list[0].driver, "docker-container");
    assert_eq!(list[0].present, Some(true));
    assert!(!list[0].locked);
    builders.remove(&name).unwrap();
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn engine_docker_driver_adopts_the_context_builder() {
    let Some((builders, base)) = engine("docker") else {
        return;
    };
    let name = format!("mxtest-docker-{}", std::process::id());
    let config = BuilderConfig::new(Driver::Docker);
    let b = builders.ensure(&name, &config).unwrap();
    assert_eq!(b.action, Action::Adopted);
    assert_eq!(b.buildx_name, "default");
    assert_eq!(
        builders.ensure(&name, &config).unwrap().action,
        Action::Unchanged
    );
    let info = builders.inspect(&name).unwrap();
    let text = info.buildx.unwrap();
    assert!(
        text.contains("Driver:") && text.contains("docker"),
        "{text}"
    );
    let list = builders.list().unwrap();
    assert_eq!(list[0].present, Some(true));
    builders.remove(&name).unwrap();
    // The context's builder is not ours to remove.
    assert!(buildx_inspect(&base, "default").is_some());
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn engine_ls_rm_prune() {
    let Some((builders, base)) = engine("prune") else {
        return;
    };
    let pid = std::process::id();
    let [current, idle, locked, recent] =
        ["current", "idle", "locked", "recent"].map(|n| format!("mxtest-{n}-{pid}"));
    for name in [&current, &idle, &locked, &recent] {
        builders.ensure(name, &ci_config()).unwrap();
    }
    for name in [&current, &idle, &locked] {
        backdate(&builders, name, 3 * 86400);
    }
    let held = builders.lock(&locked, Wait::NoWait, |_| {}).unwrap();
    let listed = builders.list().unwrap();
    assert_eq!(listed.len(), 4);
    let locked_info = listed.iter().find(|b| b.name == locked).unwrap();
    assert!(locked_info.locked);
    assert!(locked_info.idle_seconds >= 3 * 86400);
    assert!(matches!(
        builders.remove(&locked),
        Err(Error::Locked { .. })
    ));

    let idle_limit = bake_matrix::builder::parse_duration("2d").unwrap();
    let mut outcome = builders.prune(idle_limit, &current).unwrap();
    outcome.sort();
    let mut expected = vec![
        (current.clone(), PruneOutcome::KeptCurrent),
        (idle.clone(), PruneOutcome::Removed),
        (locked.clone(), PruneOutcome::KeptLocked),
        (recent.clone(), PruneOutcome::KeptRecent),
    ];
    expected.sort();
    assert_eq!(outcome, expected);
    assert!(
        buildx_inspect(&base, &idle).is_none(),
        "pruned from buildx too"
    );
    assert!(buildx_inspect(&base, &locked).is_some());
    drop(held);
    for name in [&current, &locked, &recent] {
        builders.remove(name).unwrap();
        assert!(buildx_inspect(&base, name).is_none());
    }
    assert!(builders.list().unwrap().is_empty());
    std::fs::remove_dir_all(&base).unwrap();
}
