//! From an evaluated [`Config`] to the definition buildx prints and builds
//! (`bake.ReadTargets` + the checks of `toBuildOpt`): group expansion,
//! inheritance, `--set` overrides, `target:` links, defaults and validation.

use super::error::{BakeError, Result};
use super::resolve::{Config, dedup};
use super::target::{Group, Str, Target, remove_attest_dupes};
use super::{FastMap, FastSet};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The resolved definition: what `--print` shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Definition {
    pub groups: BTreeMap<String, Group>,
    pub targets: BTreeMap<String, Target>,
}

/// One `--set` value for one target key.
#[derive(Debug, Clone, Default)]
struct Override {
    value: String,
    values: Vec<Str>,
}

/// Targets already resolved with their parents, shared across one definition.
/// Disabled once an inherits cycle is cut, since the cut depends on the start.
struct Memo<'i> {
    enabled: bool,
    /// Names some target inherits from: only those are worth keeping.
    inherited: &'i FastSet<Str>,
    targets: FastMap<String, Rc<Target>>,
}

impl<'i> Memo<'i> {
    fn new(inherited: &'i FastSet<Str>) -> Memo<'i> {
        Memo {
            enabled: true,
            inherited,
            targets: FastMap::default(),
        }
    }
}

/// Targets from which resolution and validation run on several threads.
const PARALLEL_TARGETS: usize = 256;

fn threads_for(items: usize) -> usize {
    if items < PARALLEL_TARGETS {
        return 1;
    }
    super::worker_threads()
}

/// Items a thread takes at a time in [`map_shares`].
const SHARE_CHUNK: usize = 64;

/// `f` over `items` on `threads` threads, results in the order of `items`.
/// Each thread makes its own state with `init` and takes the next chunk of
/// items whenever it is done with one, so the threads finish together even
/// when items differ in cost (fixed halves finished up to 3.5 ms apart in a
/// 20 ms resolution of the bench tree). `f` may return fewer results than
/// items (stopping at an error): the results of each chunk stay together.
fn map_shares<T: Sync, R: Send, S>(
    items: &[T],
    threads: usize,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &[T]) -> Vec<R> + Sync,
) -> Vec<R> {
    if threads < 2 || items.len() <= SHARE_CHUNK {
        return f(&mut init(), items);
    }
    let queue = super::work::Queue::new(items.len().div_ceil(SHARE_CHUNK));
    let mut parts: Vec<(usize, Vec<R>)> = super::work::on_threads(threads, || {
        let mut state = init();
        let mut done = Vec::new();
        while let Some(k) = queue.take() {
            let chunk = &items[k * SHARE_CHUNK..((k + 1) * SHARE_CHUNK).min(items.len())];
            done.push((k, f(&mut state, chunk)));
        }
        done
    })
    .into_iter()
    .flat_map(|done| done.expect("a resolver thread panicked"))
    .collect();
    parts.sort_unstable_by_key(|(k, _)| *k);
    // One allocation of the final size: growing by doubling would copy
    // the results into fresh pages again and again.
    let mut out = Vec::with_capacity(parts.iter().map(|(_, r)| r.len()).sum());
    for (_, part) in parts {
        out.extend(part);
    }
    out
}

/// Overrides per target name, keys in the order given.
type Overrides = BTreeMap<String, Vec<(String, Override)>>;

pub struct ResolveOptions<'a> {
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

impl Config {
    fn find_target(&self, name: &str) -> Option<&Target> {
        self.target_index.get(name).map(|&i| &self.targets[i])
    }

    fn find_group(&self, name: &str) -> Option<&Group> {
        self.group_index.get(name).map(|&i| &self.groups[i])
    }

    /// Names of targets matching a `--set` pattern (`path.Match` glob).
    fn expand_pattern(&self, pattern: &str) -> Result<Vec<String>> {
        if self.find_target(pattern).is_some() {
            return Ok(vec![pattern.to_string()]);
        }
        let glob = glob::Pattern::new(pattern).map_err(|e| {
            BakeError::new(format!("could not match targets with '{pattern}': {e}"))
        })?;
        let opts = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        let names: Vec<String> = self
            .targets
            .iter()
            .filter(|t| glob.matches_with(&t.name, opts))
            .map(|t| t.name.clone())
            .collect();
        if names.is_empty() {
            return Err(BakeError::new(format!(
                "could not find any target matching '{pattern}'"
            )));
        }
        Ok(names)
    }

    fn parse_overrides(&self, sets: &[String], opts: &ResolveOptions) -> Result<Overrides> {
        let mut m: Overrides = BTreeMap::new();
        for s in sets {
            let (lhs, value) = match s.split_once('=') {
                Some((l, v)) => (l, Some(v)),
                None => (s.as_str(), None),
            };
            let keys: Vec<&str> = lhs.splitn(3, '.').collect();
            if keys.len() < 2 {
                return Err(BakeError::new(format!(
                    "invalid override key {lhs}, expected target.name"
                ))
                .with_help("use --set TARGET.KEY=VALUE, e.g. --set '*.args.FOO=bar'"));
            }
            let pattern = keys[0];
            if value.is_none() && keys[1] != "args" {
                return Err(BakeError::new(format!(
                    "invalid override {s}, expected target.name=value"
                )));
            }
            let names = self.expand_pattern(pattern)?;
            let key = lhs.split_once('.').map(|(_, k)| k).unwrap_or_default();
            for name in names {
                let entries = m.entry(name).or_default();
                let idx = match entries.iter().position(|(k, _)| k == key) {
                    Some(i) => i,
                    None => {
                        entries.push((key.to_string(), Override::default()));
                        entries.len() - 1
                    }
                };
                let o = &mut entries[idx].1;
                match keys[1] {
                    "output" | "cache-to" | "cache-from" | "tags" | "platform" | "secrets"
                    | "ssh" | "attest" => {
                        if let Some(v) = value {
                            o.values.push(v.into());
                        }
                    }
                    "args" | "contexts" => {
                        if keys.len() != 3 {
                            return Err(BakeError::new(format!(
                                "invalid key {lhs}, {} requires name",
                                keys[1]
                            )));
                        }
                        match value {
                            Some(v) => o.value = v.to_string(),
                            None => match (opts.env)(keys[2]) {
                                Some(v) => o.value = v,
                                None => {
                                    // Nothing to set: buildx skips the key entirely.
                                    if o.value.is_empty() && o.values.is_empty() {
                                        entries.remove(idx);
                                    }
                                    continue;
                                }
                            },
                        }
                    }
                    _ => {
                        if let Some(v) = value {
                            o.value = v.to_string();
                        }
                    }
                }
            }
        }
        Ok(m)
    }

    /// `Config.group`: targets and groups a name expands to.
    fn expand_group<'a>(
        &'a self,
        name: &'a str,
        visited: &mut BTreeMap<&'a str, (Vec<&'a str>, Vec<&'a str>)>,
    ) -> (Vec<&'a str>, Vec<&'a str>) {
        if let Some(v) = visited.get(name) {
            return v.clone();
        }
        let Some(g) = self.find_group(name) else {
            return (vec![name], Vec::new());
        };
        visited.insert(name, (Vec::new(), Vec::new()));
        let mut targets = Vec::new();
        let mut groups = vec![name];
        for t in &g.targets {
            let (tt, tg) = self.expand_group(t, visited);
            if tt.is_empty() {
                targets.push(t.as_str());
            } else {
                targets.extend(tt);
            }
            groups.extend(tg);
        }
        visited.insert(name, (targets.clone(), groups.clone()));
        (targets, groups)
    }

    /// Every target with inheritance and defaults applied (no `--set`, no links,
    /// no build-option checks), for analysis such as `matrix check`. Targets
    /// whose resolution fails (e.g. inheriting from a missing target) are left out.
    pub fn resolved_targets(&self) -> Vec<Target> {
        let inherited = self.inherited();
        let o = Overrides::new();
        let threads = threads_for(self.targets.len());
        map_shares(
            &self.targets,
            threads,
            || Memo::new(&inherited),
            |memo, share| {
                share
                    .iter()
                    .filter_map(|t| self.resolve_target(&t.name, &o, memo).ok())
                    .collect()
            },
        )
    }

    /// Names some target inherits from.
    fn inherited(&self) -> FastSet<Str> {
        self.targets
            .iter()
            .flat_map(|t| t.inherits.iter().flatten().cloned())
            .collect()
    }

    /// [`Self::resolve_target`] of each name, paired with the name, on
    /// several threads when there are many (each with its own memo: a memo
    /// only ever holds targets whose resolution does not depend on where it
    /// started). The first error in `names` order wins, as in a sequential run.
    fn resolve_all(
        &self,
        names: &[&str],
        o: &Overrides,
        inherited: &FastSet<Str>,
        threads: usize,
    ) -> Result<Vec<(String, Target)>> {
        map_shares(
            names,
            threads,
            || Memo::new(inherited),
            |memo, share| {
                let mut out = Vec::with_capacity(share.len());
                for name in share {
                    let r = self
                        .resolve_target(name, o, memo)
                        .map(|t| (name.to_string(), t));
                    let failed = r.is_err();
                    out.push(r);
                    if failed {
                        break; // later names of this chunk cannot matter
                    }
                }
                out
            },
        )
        .into_iter()
        .collect()
    }

    /// `Config.ResolveTarget`: inheritance and overrides, then defaults.
    fn resolve_target(&self, name: &str, o: &Overrides, memo: &mut Memo) -> Result<Target> {
        let mut visited: BTreeMap<String, Option<Rc<Target>>> = BTreeMap::new();
        let resolved = self
            .target_with_parents(name, &mut visited, o, memo)?
            .expect("a requested target is never a cycle");
        // Drop the other handles so a target nobody inherits from is not copied.
        drop(visited);
        let mut t = Rc::unwrap_or_clone(resolved);
        t.inherits = None;
        t.context.get_or_insert_with(|| Str::new_static("."));
        t.dockerfile
            .get_or_insert_with(|| Str::new_static("Dockerfile"));
        Ok(t)
    }

    fn target_with_parents(
        &self,
        name: &str,
        visited: &mut BTreeMap<String, Option<Rc<Target>>>,
        o: &Overrides,
        memo: &mut Memo,
    ) -> Result<Option<Rc<Target>>> {
        if let Some(t) = visited.get(name) {
            // In progress (an inherits cycle) yields nothing, as in buildx.
            if t.is_none() {
                // What a cut cycle yields depends on where resolution started.
                memo.enabled = false;
                memo.targets.clear();
            }
            return Ok(t.clone());
        }
        if let Some(t) = memo.targets.get(name) {
            visited.insert(name.to_string(), Some(t.clone()));
            return Ok(Some(t.clone()));
        }
        visited.insert(name.to_string(), None);
        let Some(t) = self.find_target(name) else {
            return Err(BakeError::new(format!("failed to find target {name}")));
        };
        let mut parents: Option<Target> = None;
        for p in t.inherits.iter().flatten() {
            if let Some(pt) = self.target_with_parents(p, visited, o, memo)? {
                match &mut parents {
                    Some(merged) => merged.merge(&pt),
                    None => parents = Some(Target::merged_into_empty(&pt)),
                }
            }
        }
        let parents = parents.unwrap_or_default();
        // Merging into an empty target would copy `parents` unchanged: reuse it.
        let mut tt = parents;
        tt.merge(t);
        tt.name = name.to_string();
        if let Some(ov) = o.get(name) {
            add_overrides(&mut tt, ov)?;
        }
        tt.normalize();
        let tt = Rc::new(tt);
        if memo.enabled && memo.inherited.contains(name) {
            memo.targets.insert(name.to_string(), tt.clone());
        }
        visited.insert(name.to_string(), Some(tt.clone()));
        Ok(Some(tt))
    }

    /// `bake.ReadTargets` plus the per-target checks buildx makes before printing.
    pub fn definition(
        &self,
        requested: &[String],
        sets: &[String],
        opts: &ResolveOptions,
    ) -> Result<Definition> {
        let requested: Vec<String> = requested.iter().map(|t| t.replace('.', "_")).collect();
        let o = self.parse_overrides(sets, opts)?;
        let mut n: BTreeMap<String, Group> = BTreeMap::new();
        let inherited = self.inherited();
        let mut memo = Memo::new(&inherited);
        // Names borrowed from the config and the request: a group of
        // thousands of targets is expanded without copying each name at each
        // level of nesting.
        let mut wanted: Vec<&str> = Vec::new();
        let mut seen = FastSet::default();
        for name in &requested {
            let (ts, gs) = self.expand_group(name, &mut BTreeMap::new());
            for tname in ts {
                if seen.insert(tname) {
                    wanted.push(tname);
                }
            }
            for gname in gs {
                if !n.contains_key(gname)
                    && let Some(g) = self.find_group(gname)
                {
                    n.insert(gname.to_string(), g.clone());
                }
            }
        }
        let threads = threads_for(wanted.len());
        // Kept as one vector sorted by name (names are unique) until the end:
        // every map or vector the targets move through is another copy of
        // them all in fresh memory.
        let mut all = self.resolve_all(&wanted, &o, &inherited, threads)?;
        all.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for name in &requested {
            if name == "default" {
                continue;
            }
            n.entry("default".to_string())
                .or_insert_with(|| Group {
                    name: "default".to_string(),
                    targets: Vec::new(),
                })
                .targets
                .push(name.clone());
        }
        if let Some(g) = n.get_mut("default") {
            g.targets = dedup(std::mem::take(&mut g.targets));
        }
        let linked = LinkLoader::new(self, &all, &o, &mut memo).load_all()?;
        if !linked.is_empty() {
            all.extend(linked);
            all.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        }
        if let Some(epoch) = (opts.env)("SOURCE_DATE_EPOCH").filter(|v| !v.is_empty()) {
            for (_, t) in &mut all {
                let args = t.args.get_or_insert_default();
                args.entry(Str::new_static("SOURCE_DATE_EPOCH"))
                    .or_insert(Some(epoch.clone().into()));
            }
        }
        // Checks (which also normalize values) on several threads for large
        // definitions; the first failing target in name order wins.
        let threads = threads_for(all.len());
        check_all(&mut all, threads)?;
        Ok(Definition {
            groups: n,
            targets: all.into_iter().collect(),
        })
    }
}

/// `Config.loadLinks` for every requested target: pulls in the targets named
/// by `target:` contexts that were not requested (resolved, without outputs,
/// marked as linked), and rejects links to self, loops and platform mismatches.
struct LinkLoader<'a, 'm, 'i> {
    config: &'a Config,
    o: &'a Overrides,
    memo: &'m mut Memo<'i>,
    /// The requested targets, sorted by name, and the same by name.
    requested: &'a [(String, Target)],
    by_name: FastMap<&'a str, &'a Target>,
    linked: FastMap<String, Target>,
    /// Targets whose links were all loaded once: they cannot reveal a new loop.
    done: FastSet<String>,
    /// The chain of links being followed.
    visited: Vec<String>,
}

impl<'a, 'm, 'i> LinkLoader<'a, 'm, 'i> {
    fn new(
        config: &'a Config,
        requested: &'a [(String, Target)],
        o: &'a Overrides,
        memo: &'m mut Memo<'i>,
    ) -> Self {
        LinkLoader {
            config,
            o,
            memo,
            requested,
            by_name: requested.iter().map(|(n, t)| (n.as_str(), t)).collect(),
            linked: FastMap::default(),
            done: FastSet::default(),
            visited: Vec::new(),
        }
    }

    /// Follows the links of each requested target in name order; returns the
    /// targets pulled in.
    fn load_all(mut self) -> Result<Vec<(String, Target)>> {
        for (name, _) in self.requested {
            self.visited.clear();
            self.load(name)?;
        }
        Ok(self.linked.into_iter().collect())
    }

    fn target(&self, name: &str) -> &Target {
        match self.by_name.get(name) {
            Some(t) => t,
            None => &self.linked[name],
        }
    }

    fn load(&mut self, name: &str) -> Result<()> {
        if self.done.contains(name) {
            return Ok(());
        }
        self.visited.push(name.to_string());
        let t = self.target(name);
        let links: Vec<Str> = t
            .contexts
            .iter()
            .flat_map(|c| c.values())
            .filter(|v| v.starts_with("target:"))
            .cloned()
            .collect();
        let to_self = links.iter().position(|l| l["target:".len()..] == *t.name);
        let platforms = t.platforms.as_ref().filter(|p| p.len() > 1).cloned();
        for (i, link) in links.iter().enumerate() {
            let link = &link["target:".len()..];
            if to_self == Some(i) {
                return Err(BakeError::new(format!(
                    "target {link} cannot link to itself"
                )));
            }
            if self.visited.iter().any(|x| x == link) {
                return Err(BakeError::new(format!(
                    "infinite loop from {name} to {link}"
                )));
            }
            if !self.by_name.contains_key(link) && !self.linked.contains_key(link) {
                let mut t2 = self.config.resolve_target(link, self.o, self.memo)?;
                t2.outputs = None;
                t2.linked = true;
                self.linked.insert(link.to_string(), t2);
            }
            self.load(link)?;
            let p2 = self.target(link).platforms.as_ref();
            if let (Some(p1), Some(p2)) = (&platforms, p2.filter(|p| p.len() > 1)) {
                let (mut a, mut b) = (p1.clone(), p2.clone());
                a.sort();
                b.sort();
                if a != b {
                    return Err(BakeError::new(format!(
                        "target {link} can't be used by {name} because it is defined for different platforms [{}] and [{}]",
                        p2.join(" "),
                        p1.join(" ")
                    )));
                }
            }
        }
        self.visited.pop();
        self.done.insert(name.to_string());
        Ok(())
    }
}

/// `validate::check_target` of every target (which also normalizes values),
/// on `threads` threads; the first failure in order wins.
fn check_all(all: &mut [(String, Target)], threads: usize) -> Result<()> {
    let check = |share: &mut [(String, Target)]| -> Result<()> {
        let mut checked = super::validate::Checked::default();
        for (name, t) in share {
            super::validate::check_target(t, &mut checked)
                .map_err(|e| BakeError::new(format!("target {name:?}: {}", e.message)))?;
        }
        Ok(())
    };
    if threads < 2 {
        return check(all);
    }
    let share = all.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = all
            .chunks_mut(share)
            .map(|c| scope.spawn(move || check(c)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a validation thread panicked"))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .collect()
}

/// `Target.AddOverrides`.
fn add_overrides(t: &mut Target, overrides: &[(String, Override)]) -> Result<()> {
    for (key, o) in overrides {
        let value = o.value.clone();
        let (k0, k1) = match key.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (key.as_str(), None),
        };
        let need_name = |what: &str| -> Result<String> {
            k1.map(str::to_string)
                .ok_or_else(|| BakeError::new(format!("{what} require name")))
        };
        let parse_bool = |what: &str| -> Result<bool> {
            super::csv::parse_go_bool(&value).ok_or_else(|| {
                BakeError::new(format!("invalid value {value} for boolean key {what}"))
            })
        };
        match k0 {
            "context" => t.context = Some(value.into()),
            "dockerfile" => t.dockerfile = Some(value.into()),
            "args" => {
                let k = need_name("args")?;
                t.args.get_or_insert_default().insert(k.into(), Some(value.into()));
            }
            "contexts" => {
                let k = need_name("contexts")?;
                t.contexts
                    .get_or_insert_default()
                    .insert(k.into(), value.into());
            }
            "labels" => {
                let k = need_name("labels")?;
                t.labels.get_or_insert_default().insert(k.into(), Some(value.into()));
            }
            "tags" => t.tags = Some(o.values.clone()),
            "cache-from" => t.cache_from = Some(o.values.clone()),
            "cache-to" => t.cache_to = Some(o.values.clone()),
            "target" => t.target = Some(value.into()),
            "secrets" => t.secrets = Some(o.values.clone()),
            "ssh" => t.ssh = Some(o.values.clone()),
            "platform" => t.platforms = Some(o.values.clone()),
            "output" => t.outputs = Some(o.values.clone()),
            "annotations" => t
                .annotations
                .get_or_insert_with(Vec::new)
                .extend(o.values.iter().cloned()),
            "attest" => t
                .attest
                .get_or_insert_with(Vec::new)
                .extend(o.values.iter().cloned()),
            "no-cache" => t.no_cache = Some(parse_bool("no-cache")?),
            "no-cache-filter" => t.no_cache_filter = Some(o.values.clone()),
            "shm-size" => t.shm_size = Some(value.into()),
            "ulimits" => t.ulimits = Some(o.values.clone()),
            "pull" => t.pull = Some(parse_bool("pull")?),
            "push" => {
                parse_bool("push")?;
                match &mut t.outputs {
                    Some(outs) if !outs.is_empty() => {
                        for out in outs.iter_mut() {
                            let ty = output_type(out);
                            if ty == "image" || ty == "registry" {
                                *out = format!("{out},push={value}").into();
                            }
                        }
                    }
                    _ => t.outputs = Some(vec![Str::new_static("type=image,push=true")]),
                }
            }
            _ => {
                return Err(BakeError::new(format!("unknown key: {k0}")).with_help(
                    "overridable keys: args, cache-from, cache-to, context, contexts, dockerfile, labels, no-cache, no-cache-filter, output, platform, pull, push, secrets, ssh, tags, target, annotations, attest, shm-size, ulimits",
                ))
            }
        }
    }
    if let Some(a) = t.attest.take() {
        t.attest = Some(remove_attest_dupes(a));
    }
    Ok(())
}

/// The `type=` of an output spec (buildx's `parseOutputType`).
fn output_type(s: &str) -> String {
    let Ok(fields) = super::csv::parse_line(s) else {
        return String::new();
    };
    for f in fields {
        if let Some(("type", v)) = f.split_once('=') {
            return v.to_string();
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bake::resolve::{EvalOptions, evaluate};

    fn config(n: usize, broken: &[usize]) -> Config {
        let mut src = String::from("target \"base\" {\n  args = { B = \"1\" }\n}\n");
        for i in 0..n {
            let parent = if broken.contains(&i) {
                format!("missing{i}")
            } else if i > 0 && i % 10 != 0 {
                format!("t{:03}", i - 1) // chains of inheritance
            } else {
                "base".to_string()
            };
            src.push_str(&format!(
                "target \"t{i:03}\" {{\n  inherits = [\"{parent}\"]\n  args = {{ I = \"{i}\" }}\n  tags = [\"x:{i}\"]\n}}\n"
            ));
        }
        let body = crate::bake::syntax::parse_hcl(&src, 0).unwrap();
        let env = |_: &str| None;
        evaluate(
            &body,
            &EvalOptions {
                env: &env,
                builtin_vars: Vec::new(),
            },
        )
        .unwrap()
    }

    #[test]
    fn parallel_resolution_equals_sequential() {
        let c = config(PARALLEL_TARGETS + 50, &[]);
        let names: Vec<&str> = c.targets.iter().map(|t| t.name.as_str()).collect();
        let inherited = c.inherited();
        let o = Overrides::new();
        let one = c.resolve_all(&names, &o, &inherited, 1).unwrap();
        for threads in [2, 3, 8] {
            assert_eq!(one, c.resolve_all(&names, &o, &inherited, threads).unwrap());
        }
        assert_eq!(
            one[25].1.args.as_ref().unwrap().get("B").unwrap(),
            &Some("1".into())
        );
    }

    #[test]
    fn resolved_targets_leave_out_the_broken_ones_in_order() {
        let c = config(PARALLEL_TARGETS + 50, &[100, 250]);
        let got = c.resolved_targets();
        let inherited = c.inherited();
        let mut memo = Memo::new(&inherited);
        let o = Overrides::new();
        let expected: Vec<Target> = c
            .targets
            .iter()
            .filter_map(|t| c.resolve_target(&t.name, &o, &mut memo).ok())
            .collect();
        assert_eq!(got, expected);
        // The broken targets and the chains inheriting from them are left out.
        assert!(got.len() < c.targets.len());
        assert!(got.iter().all(|t| t.name != "t100" && t.name != "t250"));
    }

    #[test]
    fn the_first_error_in_order_wins_on_any_number_of_threads() {
        let c = config(PARALLEL_TARGETS + 50, &[100, 250]);
        let names: Vec<&str> = c.targets.iter().map(|t| t.name.as_str()).collect();
        let inherited = c.inherited();
        let o = Overrides::new();
        for threads in [1, 2, 3, 8] {
            let err = c.resolve_all(&names, &o, &inherited, threads).unwrap_err();
            assert!(
                err.message.contains("missing100"),
                "{threads}: {}",
                err.message
            );
        }
        // And through the whole definition (threads as this machine has).
        let all: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let env = |_: &str| None;
        let err = c
            .definition(&all, &[], &ResolveOptions { env: &env })
            .unwrap_err();
        assert!(err.message.contains("missing100"), "{}", err.message);
    }

    #[test]
    fn checks_report_the_first_invalid_target_in_name_order() {
        let mut all: Vec<(String, Target)> = (0..PARALLEL_TARGETS + 10)
            .map(|i| {
                let t = Target {
                    name: format!("t{i:03}"),
                    shm_size: (i == 40 || i == 200).then(|| "lots".into()),
                    ..Target::default()
                };
                (t.name.clone(), t)
            })
            .collect();
        let mut again = all.clone();
        let one = check_all(&mut all, 1).unwrap_err();
        let four = check_all(&mut again, 4).unwrap_err();
        assert!(one.message.contains("t040"), "{}", one.message);
        assert_eq!(one.message, four.message);
    }
}
