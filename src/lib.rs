//! bake-matrix: evaluate, generate, validate and drive Docker Bake matrix trees.

pub mod bake;
pub mod build;
pub mod builder;
pub mod cacheid;
pub mod check;
pub mod diag;
pub mod dockerfile;
pub mod generate;
pub mod progress;
pub mod spec;
