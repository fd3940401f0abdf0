//! The bake language: load bake files, evaluate them exactly as
//! `docker buildx bake --print` (buildx 0.13.1) does, and print the result.

pub mod funcs;
pub mod value;
