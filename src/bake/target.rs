//! The target and group models of buildx 0.13.1 (`bake/bake.go`), with its merge rules.
//!
//! `Option<Vec<_>>` keeps Go's nil-versus-empty distinction: `tags = []` replaces a
//! parent's tags, an absent `tags` does not.

use std::collections::BTreeMap;

use litemap::LiteMap;

pub use super::value::Str;

pub type StrMap = LiteMap<Str, Str>;
/// Maps whose values may be null (`args`, `labels`): a null entry is dropped on merge.
pub type OptStrMap = LiteMap<Str, Option<Str>>;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Target {
    pub name: String,
    pub inherits: Option<Vec<Str>>,
    pub annotations: Option<Vec<Str>>,
    pub attest: Option<Vec<Str>>,
    pub context: Option<Str>,
    pub contexts: Option<StrMap>,
    pub dockerfile: Option<Str>,
    pub dockerfile_inline: Option<Str>,
    pub args: Option<OptStrMap>,
    pub labels: Option<OptStrMap>,
    pub tags: Option<Vec<Str>>,
    pub cache_from: Option<Vec<Str>>,
    pub cache_to: Option<Vec<Str>>,
    pub target: Option<Str>,
    pub secrets: Option<Vec<Str>>,
    pub ssh: Option<Vec<Str>>,
    pub platforms: Option<Vec<Str>>,
    pub outputs: Option<Vec<Str>>,
    pub pull: Option<bool>,
    pub no_cache: Option<bool>,
    pub no_cache_filter: Option<Vec<Str>>,
    pub shm_size: Option<Str>,
    pub ulimits: Option<Vec<Str>>,
    /// Pulled in only as a `target:` context of a requested target.
    pub linked: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Group {
    pub name: String,
    pub targets: Vec<String>,
}

/// How a target attribute is typed, which decides how a value decodes into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    List,
    Str,
    Bool,
    Map,
    OptMap,
}

/// The attributes a `target` block accepts in buildx 0.13.1, in its field order.
/// Other attributes in a target block are ignored, as buildx ignores them.
pub const TARGET_FIELDS: &[(&str, FieldKind)] = &[
    ("inherits", FieldKind::List),
    ("annotations", FieldKind::List),
    ("attest", FieldKind::List),
    ("context", FieldKind::Str),
    ("contexts", FieldKind::Map),
    ("dockerfile", FieldKind::Str),
    ("dockerfile-inline", FieldKind::Str),
    ("args", FieldKind::OptMap),
    ("labels", FieldKind::OptMap),
    ("tags", FieldKind::List),
    ("cache-from", FieldKind::List),
    ("cache-to", FieldKind::List),
    ("target", FieldKind::Str),
    ("secret", FieldKind::List),
    ("ssh", FieldKind::List),
    ("platforms", FieldKind::List),
    ("output", FieldKind::List),
    ("pull", FieldKind::Bool),
    ("no-cache", FieldKind::Bool),
    ("no-cache-filter", FieldKind::List),
    ("shm-size", FieldKind::Str),
    ("ulimits", FieldKind::List),
];

pub fn field_kind(name: &str) -> Option<FieldKind> {
    TARGET_FIELDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, k)| *k)
}

/// A decoded attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    List(Option<Vec<Str>>),
    Str(Option<Str>),
    Bool(Option<bool>),
    Map(Option<StrMap>),
    OptMap(Option<OptStrMap>),
}

impl Target {
    pub fn set_field(&mut self, name: &str, v: FieldValue) {
        use FieldValue as F;
        match (name, v) {
            ("inherits", F::List(v)) => self.inherits = v,
            ("annotations", F::List(v)) => self.annotations = v,
            ("attest", F::List(v)) => self.attest = v,
            ("context", F::Str(v)) => self.context = v,
            ("contexts", F::Map(v)) => self.contexts = v,
            ("dockerfile", F::Str(v)) => self.dockerfile = v,
            ("dockerfile-inline", F::Str(v)) => self.dockerfile_inline = v,
            ("args", F::OptMap(v)) => self.args = v,
            ("labels", F::OptMap(v)) => self.labels = v,
            ("tags", F::List(v)) => self.tags = v,
            ("cache-from", F::List(v)) => self.cache_from = v,
            ("cache-to", F::List(v)) => self.cache_to = v,
            ("target", F::Str(v)) => self.target = v,
            ("secret", F::List(v)) => self.secrets = v,
            ("ssh", F::List(v)) => self.ssh = v,
            ("platforms", F::List(v)) => self.platforms = v,
            ("output", F::List(v)) => self.outputs = v,
            ("pull", F::Bool(v)) => self.pull = v,
            ("no-cache", F::Bool(v)) => self.no_cache = v,
            ("no-cache-filter", F::List(v)) => self.no_cache_filter = v,
            ("shm-size", F::Str(v)) => self.shm_size = v,
            ("ulimits", F::List(v)) => self.ulimits = v,
            (n, v) => debug_assert!(false, "field {n} does not take {v:?}"),
        }
    }

    /// `Target.Merge`: values of `t2` override or extend this target's.
    pub fn merge(&mut self, t2: &Target) {
        fn over<T: Clone>(a: &mut Option<T>, b: &Option<T>) {
            if b.is_some() {
                a.clone_from(b);
            }
        }
        fn append(a: &mut Option<Vec<Str>>, b: &Option<Vec<Str>>) {
            if let Some(b) = b {
                a.get_or_insert_with(Vec::new).extend(b.iter().cloned());
            }
        }
        over(&mut self.context, &t2.context);
        over(&mut self.dockerfile, &t2.dockerfile);
        over(&mut self.dockerfile_inline, &t2.dockerfile_inline);
        for (mine, theirs) in [(&mut self.args, &t2.args), (&mut self.labels, &t2.labels)] {
            if let Some(m) = theirs {
                for (k, v) in m {
                    if v.is_some() {
                        mine.get_or_insert_default().insert(k.clone(), v.clone());
                    }
                }
            }
        }
        if let Some(m) = &t2.contexts {
            let mine = self.contexts.get_or_insert_default();
            for (k, v) in m {
                mine.insert(k.clone(), v.clone());
            }
        }
        over(&mut self.tags, &t2.tags);
        over(&mut self.target, &t2.target);
        append(&mut self.annotations, &t2.annotations);
        if t2.attest.is_some() {
            append(&mut self.attest, &t2.attest);
            self.attest = Some(remove_attest_dupes(self.attest.take().unwrap_or_default()));
        }
        append(&mut self.secrets, &t2.secrets);
        append(&mut self.ssh, &t2.ssh);
        over(&mut self.platforms, &t2.platforms);
        append(&mut self.cache_from, &t2.cache_from);
        over(&mut self.cache_to, &t2.cache_to);
        over(&mut self.outputs, &t2.outputs);
        over(&mut self.pull, &t2.pull);
        over(&mut self.no_cache, &t2.no_cache);
        append(&mut self.no_cache_filter, &t2.no_cache_filter);
        over(&mut self.shm_size, &t2.shm_size);
        append(&mut self.ulimits, &t2.ulimits);
        if let Some(i) = &t2.inherits {
            self.inherits
                .get_or_insert_with(Vec::new)
                .extend(i.iter().cloned());
        }
    }

    /// What `Target::default().merge(parent)` yields, by cloning: whole maps
    /// and lists are copied in one go instead of entry by entry (the first
    /// parent of every inheriting target takes this path).
    pub fn merged_into_empty(parent: &Target) -> Target {
        let mut t = parent.clone();
        t.name = String::new();
        t.linked = false;
        for map in [&mut t.args, &mut t.labels] {
            if let Some(m) = map {
                m.retain(|_, v| v.is_some());
                if m.is_empty() {
                    *map = None;
                }
            }
        }
        if let Some(a) = t.attest.take() {
            t.attest = Some(remove_attest_dupes(a));
        }
        t
    }

    /// `Target.normalize`: de-duplicate lists, drop empty contexts.
    pub fn normalize(&mut self) {
        for v in [
            &mut self.annotations,
            &mut self.tags,
            &mut self.secrets,
            &mut self.ssh,
            &mut self.platforms,
            &mut self.cache_from,
            &mut self.cache_to,
            &mut self.outputs,
            &mut self.no_cache_filter,
            &mut self.ulimits,
        ]
        .into_iter()
        .flatten()
        {
            remove_dupes(v);
        }
        if let Some(a) = self.attest.take() {
            self.attest = Some(remove_attest_dupes(a));
        }
        if let Some(c) = &mut self.contexts {
            c.retain(|_, v| !v.is_empty());
            if c.is_empty() {
                self.contexts = None;
            }
        }
    }
}

/// Removes empty strings and repeated values, keeping first occurrences.
pub fn remove_dupes(v: &mut Vec<Str>) {
    if v.len() <= 16 {
        // Short lists (nearly all of them): compare in place, allocate nothing.
        let mut kept = 0;
        for i in 0..v.len() {
            if !v[i].is_empty() && !v[..kept].contains(&v[i]) {
                v.swap(kept, i);
                kept += 1;
            }
        }
        v.truncate(kept);
        return;
    }
    let keep: Vec<bool> = {
        let mut seen = super::FastSet::with_capacity_and_hasher(v.len(), Default::default());
        v.iter()
            .map(|s| !s.is_empty() && seen.insert(s.as_str()))
            .collect()
    };
    let mut keep = keep.into_iter();
    v.retain(|_| keep.next().unwrap_or(false));
}

/// Keeps one attestation per `type=`, the last one winning at the first one's place.
pub fn remove_attest_dupes(v: Vec<Str>) -> Vec<Str> {
    let mut res: Vec<Str> = Vec::new();
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    for s in v {
        match attest_type(&s) {
            Some(t) => {
                if let Some(&i) = by_type.get(&t) {
                    res[i] = s;
                } else {
                    by_type.insert(t, res.len());
                    res.push(s);
                }
            }
            None => res.push(s),
        }
    }
    res
}

/// The `type` of an attestation spec, or `None` when the spec does not parse
/// (buildx keeps unparsable entries as they are).
fn attest_type(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some(String::new());
    }
    let fields = super::csv::parse_line(s).ok()?;
    let mut ty = String::new();
    for f in fields {
        let (k, v) = f.split_once('=')?;
        match super::csv::go_lower(k.trim()).as_ref() {
            "type" => ty = v.to_string(),
            "disabled" => {
                super::csv::parse_go_bool(v)?;
            }
            _ => {}
        }
    }
    Some(ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[&str]) -> Option<Vec<Str>> {
        Some(v.iter().map(|s| Str::from(*s)).collect())
    }

    fn opt_map(v: &[(&str, Option<&str>)]) -> Option<OptStrMap> {
        Some(
            v.iter()
                .map(|(k, v)| (Str::from(*k), v.map(Str::from)))
                .collect(),
        )
    }

    #[test]
    fn merged_into_empty_is_a_merge_into_a_default_target() {
        let parents = [
            Target::default(),
            Target {
                name: "p".into(),
                linked: true,
                inherits: strs(&["a", "b"]),
                args: opt_map(&[("A", Some("1")), ("B", None)]),
                labels: opt_map(&[("only-null", None)]),
                contexts: Some(StrMap::new()),
                attest: strs(&["type=sbom", "type=provenance,mode=min", "type=sbom,x=1"]),
                tags: Some(Vec::new()),
                cache_from: strs(&["a", "a"]),
                pull: Some(false),
                shm_size: Some("1g".into()),
                ..Target::default()
            },
            Target {
                args: Some(OptStrMap::new()),
                outputs: strs(&["type=cacheonly"]),
                ulimits: strs(&["nofile=1024"]),
                ..Target::default()
            },
        ];
        for p in &parents {
            let mut merged = Target::default();
            merged.merge(p);
            assert_eq!(Target::merged_into_empty(p), merged, "{p:?}");
        }
    }

    #[test]
    fn remove_dupes_keeps_first_occurrences_at_every_length() {
        for len in [0, 1, 5, 16, 17, 40] {
            let v: Vec<Str> = (0..len)
                .map(|i| ["a", "", "b", "a", "c"][i % 5].into())
                .collect();
            let mut expected: Vec<Str> = Vec::new();
            for s in &v {
                if !s.is_empty() && !expected.contains(s) {
                    expected.push(s.clone());
                }
            }
            let mut got = v.clone();
            remove_dupes(&mut got);
            assert_eq!(got, expected, "{v:?}");
        }
    }
}
