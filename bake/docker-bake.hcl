# Example tree: a Rust project's images across a small matrix, in the style of
# hand-written trees (tuwunel's docker/bake.hcl). `matrix print -f bake/docker-bake.hcl`
# resolves it; environment variables override the axis lists, e.g.
#   cargo_profiles='["test","release"]' matrix print -f bake/docker-bake.hcl

variable "cargo_profiles" { default = "[\"test\"]" }
variable "rust_toolchains" { default = "[\"stable\"]" }
variable "rust_targets" { default = "[\"x86_64-unknown-linux-gnu\"]" }
variable "feat_sets" { default = "[\"all\"]" }
variable "sys_names" { default = "[\"debian\"]" }
variable "sys_versions" { default = "[\"bookworm\"]" }
variable "sys_targets" { default = "[\"x86_64-v1-linux-gnu\"]" }

variable "registry" { default = "localhost:5000" }
variable "repo" { default = "bake-matrix" }

# Target names: a stage prefix followed by the cell's axis values.
function "elem" {
  params = [prefix, axes]
  result = join("--", [prefix, join("--", axes)])
}

function "tag" {
  params = [name]
  result = "${registry}/${repo}:${name}"
}

group "default" {
  targets = ["tests"]
}

group "all" {
  targets = ["system", "rust", "deps", "build", "tests"]
}

target "system" {
  name     = elem("system", [sys_name, sys_version, sys_target])
  matrix   = {
    sys_name    = jsondecode(sys_names)
    sys_version = jsondecode(sys_versions)
    sys_target  = jsondecode(sys_targets)
  }
  dockerfile = "docker/Dockerfile.system"
  target     = "system"
  args = {
    sys_name    = sys_name
    sys_version = sys_version
  }
  tags = [tag(elem("system", [sys_name, sys_version, sys_target]))]
}

target "rust" {
  name   = elem("rust", [rust_toolchain, sys_name, sys_version, sys_target])
  matrix = {
    rust_toolchain = jsondecode(rust_toolchains)
    sys_name       = jsondecode(sys_names)
    sys_version    = jsondecode(sys_versions)
    sys_target     = jsondecode(sys_targets)
  }
  dockerfile = "docker/Dockerfile.rust"
  target     = "rust"
  contexts = {
    input = elem("target:system", [sys_name, sys_version, sys_target])
  }
  args = {
    rust_toolchain = rust_toolchain
    sys_name       = sys_name
    sys_version    = sys_version
  }
}

target "deps" {
  name   = elem("deps", [cargo_profile, rust_toolchain, rust_target, sys_name, sys_version, sys_target])
  matrix = {
    cargo_profile  = jsondecode(cargo_profiles)
    rust_toolchain = jsondecode(rust_toolchains)
    rust_target    = jsondecode(rust_targets)
    sys_name       = jsondecode(sys_names)
    sys_version    = jsondecode(sys_versions)
    sys_target     = jsondecode(sys_targets)
  }
  dockerfile = "docker/Dockerfile.cargo"
  target     = "deps"
  contexts = {
    input = elem("target:rust", [rust_toolchain, sys_name, sys_version, sys_target])
  }
  args = {
    cargo_profile  = cargo_profile
    rust_target    = rust_target
    rust_toolchain = rust_toolchain
    sys_name       = sys_name
    sys_version    = sys_version
  }
}

target "build" {
  name   = elem("build", [cargo_profile, rust_toolchain, rust_target, feat_set, sys_name, sys_version, sys_target])
  matrix = {
    cargo_profile  = jsondecode(cargo_profiles)
    rust_toolchain = jsondecode(rust_toolchains)
    rust_target    = jsondecode(rust_targets)
    feat_set       = jsondecode(feat_sets)
    sys_name       = jsondecode(sys_names)
    sys_version    = jsondecode(sys_versions)
    sys_target     = jsondecode(sys_targets)
  }
  inherits   = [elem("deps", [cargo_profile, rust_toolchain, rust_target, sys_name, sys_version, sys_target])]
  target     = "build"
  contexts = {
    input = elem("target:deps", [cargo_profile, rust_toolchain, rust_target, sys_name, sys_version, sys_target])
  }
  args = { feat_set = feat_set }
}

target "tests" {
  name   = elem("tests", [cargo_profile, rust_toolchain, rust_target, feat_set, sys_name, sys_version, sys_target])
  matrix = {
    cargo_profile  = jsondecode(cargo_profiles)
    rust_toolchain = jsondecode(rust_toolchains)
    rust_target    = jsondecode(rust_targets)
    feat_set       = jsondecode(feat_sets)
    sys_name       = jsondecode(sys_names)
    sys_version    = jsondecode(sys_versions)
    sys_target     = jsondecode(sys_targets)
  }
  inherits = [elem("build", [cargo_profile, rust_toolchain, rust_target, feat_set, sys_name, sys_version, sys_target])]
  target   = "tests"
  contexts = {
    input = elem("target:build", [cargo_profile, rust_toolchain, rust_target, feat_set, sys_name, sys_version, sys_target])
  }
  output = ["type=cacheonly"]
}
