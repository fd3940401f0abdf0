//! Which matrix cells to build: axis values from the command line, from the
//! environment as tuwunel's `bake.sh` wrappers set it, or the tree's defaults.
//!
//! A tree feeds each axis from a JSON-array variable with a plural name
//! (`cargo_profiles = "[\"test\"]"`). Precedence, highest first:
//! 1. command line: `--cargo-profile release,dev` or `--axis cargo_profile=release,dev`;
//! 2. the plural variable in the environment: `cargo_profiles='["release"]'`;
//! 3. the singular in the environment: `cargo_profile=release` (comma-separated values);
//! 4. the variable's default in the bake file.

use std::collections::BTreeMap;

/// Where an axis's values came from (printed with `-v`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    CommandLine,
    /// The variable itself is set in the environment.
    Env,
    /// The singular form of a plural axis variable is set (`cargo_profile=…`).
    EnvSingular,
}

/// Axis values chosen on the command line, keyed by singular axis name.
#[derive(Debug, Clone, Default)]
pub struct Vector {
    axes: BTreeMap<String, Vec<String>>,
}

impl Vector {
    /// Adds `values` for `axis` (singular or plural name; comma-separated values).
    pub fn set(&mut self, axis: &str, values: &str) {
        let axis = singular(axis).to_string();
        let vals = values
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string);
        self.axes.entry(axis).or_default().extend(vals);
    }

    /// Parses `--axis NAME=V1,V2`.
    pub fn set_pair(&mut self, pair: &str) -> Result<(), String> {
        let (name, values) = pair
            .split_once('=')
            .ok_or_else(|| format!("invalid --axis {pair:?}: expected NAME=VALUE[,VALUE…]"))?;
        if name.is_empty() {
            return Err(format!("invalid --axis {pair:?}: the axis name is empty"));
        }
        self.set(name, values);
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.axes.is_empty()
    }

    /// The value of bake variable `name` under this vector and `env`, with where
    /// it came from; `None` leaves the bake file's default.
    pub fn lookup(
        &self,
        name: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<(String, Source)> {
        let plural = name.ends_with('s');
        let axis = singular(name);
        if let Some(vals) = self.axes.get(axis) {
            let v = if plural {
                json_array(vals)
            } else {
                vals.join(",")
            };
            return Some((v, Source::CommandLine));
        }
        if let Some(v) = env(name) {
            return Some((v, Source::Env));
        }
        if plural && let Some(v) = env(axis) {
            let vals: Vec<String> = v.split(',').map(|s| s.trim().to_string()).collect();
            return Some((json_array(&vals), Source::EnvSingular));
        }
        None
    }

    /// Axis names given on the command line.
    pub fn axes(&self) -> impl Iterator<Item = (&String, &Vec<String>)> {
        self.axes.iter()
    }
}

fn singular(name: &str) -> &str {
    name.strip_suffix('s').unwrap_or(name)
}

fn json_array(vals: &[String]) -> String {
    serde_json::to_string(vals).expect("strings serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |n| {
            pairs
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn precedence_cli_then_plural_then_singular() {
        let env = env_of(&[
            ("cargo_profiles", r#"["bench"]"#),
            ("cargo_profile", "dev"),
            ("sys_version", "trixie,bookworm"),
        ]);
        let mut v = Vector::default();
        assert_eq!(
            v.lookup("cargo_profiles", &env),
            Some((r#"["bench"]"#.to_string(), Source::Env))
        );
        assert_eq!(
            v.lookup("sys_versions", &env),
            Some((r#"["trixie","bookworm"]"#.to_string(), Source::EnvSingular))
        );
        assert_eq!(v.lookup("feat_sets", &env), None);
        v.set("cargo-profile".replace('-', "_").as_str(), "release,dev");
        assert_eq!(
            v.lookup("cargo_profiles", &env),
            Some((r#"["release","dev"]"#.to_string(), Source::CommandLine))
        );
        assert!(v.set_pair("nope").is_err());
        v.set_pair("sys_names=debian").unwrap();
        assert_eq!(v.lookup("sys_names", &env).unwrap().0, r#"["debian"]"#);
        assert_eq!(v.lookup("sys_name", &env).unwrap().0, "debian");
    }
}
