//! The bake language: load bake files, evaluate them exactly as
//! `docker buildx bake --print` (buildx 0.13.1) does, and print the result.
//!
//! The pipeline is `load` (find and read files) → `syntax` (parse to bodies) →
//! `resolve` (variables, functions, matrices: a [`Config`]) → `definition`
//! (groups, inheritance, overrides, links: a [`Definition`]) → `print`.

pub mod csv;
pub mod definition;
pub mod error;
pub mod eval;
pub mod funcs;
pub mod ir;
pub mod load;
pub mod number;
pub mod print;
pub mod resolve;
pub mod source;
pub mod split;
pub mod syntax;
pub mod target;
pub mod validate;
pub mod value;
mod work;

pub use definition::{Definition, ResolveOptions};
pub use error::BakeError;
pub use load::{Loaded, Project};
pub use resolve::{Config, EvalOptions};
pub use source::SourceMap;

/// Hash maps and sets keyed by target, block and variable names. The keys come
/// from the files being evaluated, not from an adversary who could aim at
/// collisions, so a fast hash beats std's DoS-resistant SipHash here.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// Threads the parallel phases (parse, evaluate, resolve, print) may use:
/// the CPUs this process may run on, at most 8 (more buys nothing on trees of
/// a few thousand targets).
pub(crate) fn worker_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}
