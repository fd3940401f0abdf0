//! bake-matrix: evaluate, generate, validate and drive Docker Bake matrix trees.

pub mod bake;
pub mod diag;
