# The example matrix: this project's own source, built offline across base
# systems, Rust toolchains, cargo profiles, feature sets and CPU levels.
# `matrix generate` turns it into bake/bake.hcl (see docs/spec.md); every
# cache id comes from the cache block (see docs/cache-ids.md).
#
# Inputs made on the host by scripts/example-inputs, never fetched inside a
# build (docs/engine.md):
#   ${rootfs_dir}/<sys_name>-<sys_version>-<arch>   OCI image layouts of the
#                                                   debootstrap'ed root filesystems
#                                                   (with gcc and libc6-dev included)
#   ${toolchains_dir}/<toolchain>-x86_64-unknown-linux-gnu
#                                                   the host's rustup toolchains,
#                                                   without share/doc
#   ${vendor_dir}/vendor.tar                        `cargo vendor` output, one tar
#
# Every stage's output is the build cache only: the tree's results are its
# layers and cache mounts, and no stage is exported as an image.

variable "rootfs_dir" {
  description = "OCI image layouts of debootstrap'ed root filesystems, one per <sys_name>-<sys_version>-<arch>"
  default     = ".cache/rootfs"
}

variable "toolchains_dir" {
  description = "the host's rustup toolchains without share/doc (each becomes a named context)"
  default     = ".cache/toolchains"
}

variable "vendor_dir" {
  description = "a directory holding vendor.tar, the output of `cargo vendor` for Cargo.lock"
  default     = ".cache/vendor"
}

axis "cargo_profile" {
  values  = ["test", "release", "bench"]
  default = ["test"]
}

axis "rust_toolchain" {
  values   = ["stable", "nightly", "1.85.0"]
  default  = ["stable"]
  sanitize = true
}

axis "rust_target" {
  values = ["x86_64-unknown-linux-gnu"]
}

axis "feat_set" {
  values  = ["default", "none"]
  default = ["default"]
}

axis "sys_name" {
  values = ["debian"]
}

axis "sys_version" {
  values  = ["bookworm", "trixie"]
  default = ["bookworm"]
}

axis "sys_target" {
  values  = ["x86_64-v1-linux-gnu", "x86_64-v3-linux-gnu"]
  default = ["x86_64-v1-linux-gnu"]
}

# The minimum supported toolchain is only built on the older release.
exclude {
  rust_toolchain = "1.85.0"
  sys_version    = "trixie"
}

cache {
  namespace = "bake-matrix"
  # The seed's prefix plus the CPU level (docs/cache-ids.md).
  partition     = ["sys_name", "sys_version", "rust_target", "rust_toolchain", "cargo_profile", "sys_target"]
  apt_partition = ["sys_name", "sys_version", "sys_target"]
}

stage "system" {
  description = "the base system: a debootstrap'ed Debian made on the host"
  axes        = ["sys_name", "sys_version", "sys_target"]
  dockerfile  = "docker/Dockerfile.system"
  contexts = {
    rootfs = "oci-layout://${rootfs_dir}/${sys_name}-${sys_version}-${split("-", sys_target)[0]}"
  }
  platforms = [split("-", sys_target)[0] == "x86_64" ? "linux/amd64" : "linux/arm64"]
  outputs   = ["type=cacheonly"]
}

stage "rust" {
  description = "a Rust toolchain: the host's rustup toolchain as a named context"
  axes        = ["rust_toolchain", "sys_name", "sys_version", "sys_target"]
  input       = "system"
  dockerfile  = "docker/Dockerfile.rust"
  contexts = {
    toolchain = "${toolchains_dir}/${rust_toolchain}-x86_64-unknown-linux-gnu"
  }
  outputs = ["type=cacheonly"]
}

stage "deps" {
  description = "the dependencies of Cargo.lock, from the vendored crates' tar, per cargo profile"
  axes        = ["cargo_profile", "rust_toolchain", "rust_target", "sys_name", "sys_version", "sys_target"]
  input       = "rust"
  dockerfile  = "docker/Dockerfile.cargo"
  contexts = {
    vendor = vendor_dir
  }
  args = {
    rust_cpu = lookup({ "x86_64-v1-linux-gnu" = "x86-64", "x86_64-v3-linux-gnu" = "x86-64-v3" }, sys_target, "generic")
  }
  outputs = ["type=cacheonly"]
  caches  = ["cargo-target"]
}

# A build cell is one buildx target: docker/Dockerfile.build holds the stages
# of system, rust and deps too, so the cell takes their contexts rather than a
# `target:` chain (one solve per rebuild instead of four; the system and rust
# layers are the same cache entries as those stages' targets).
stage "build" {
  description = "the project, per cargo profile and feature set (system, toolchain and dependencies in the same build)"
  axes        = ["cargo_profile", "rust_toolchain", "rust_target", "feat_set", "sys_name", "sys_version", "sys_target"]
  dockerfile  = "docker/Dockerfile.build"
  # The sources as a context of their own (see docker/Dockerfile.cargo).
  contexts = {
    rootfs    = "oci-layout://${rootfs_dir}/${sys_name}-${sys_version}-${split("-", sys_target)[0]}"
    toolchain = "${toolchains_dir}/${rust_toolchain}-x86_64-unknown-linux-gnu"
    vendor    = vendor_dir
    src       = "src"
  }
  platforms = [split("-", sys_target)[0] == "x86_64" ? "linux/amd64" : "linux/arm64"]
  args = {
    rust_cpu = lookup({ "x86_64-v1-linux-gnu" = "x86-64", "x86_64-v3-linux-gnu" = "x86-64-v3" }, sys_target, "generic")
  }
  outputs = ["type=cacheonly"]
  caches  = ["cargo-target"]
}

stage "tests" {
  description = "the test suite (inherits the build's Dockerfile and args)"
  axes        = ["cargo_profile", "rust_toolchain", "rust_target", "feat_set", "sys_name", "sys_version", "sys_target"]
  input       = "build"
  outputs     = ["type=cacheonly"]
  caches      = ["cargo-target"]
}

group "default" {
  targets = ["tests"]
}

group "all" {
  targets = ["system", "rust", "deps", "build", "tests"]
}
