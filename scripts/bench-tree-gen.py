#!/usr/bin/env python3
"""Generate a deterministic docker-bake.hcl shaped like a real Rust CI matrix.

The tree is modelled on the tuwunel project's docker/bake.hcl: a single
unified tree of images rooted at `system`, every target a matrix over some
prefix/subset of seven axes

    cargo_profile rust_toolchain rust_target feat_set sys_name sys_version sys_target

each axis fed from a JSON-array string variable (`cargo_profiles`,
`rust_toolchains`, ...) decoded with `jsondecode()`, target names built by the
HCL function `elem(prefix, axes)`, and stages chained with `contexts` whose
`target:` references are built by the same function.  Every stage is keyed on
a superset of the axes of each of its parents, so every reference names a
well-defined parent cell.

Besides the core tree (system -> ... -> unit/integration/docker/publish) the
generator adds per-crate lint families (src-<crate>, typos-<crate>,
fmt-<crate>, ...) for a workspace of N crates, which is what brings the
default vector (one value per axis) to roughly 300 targets.

Usage:
    bench-tree-gen.py [-o FILE] [--crates N]
    bench-tree-gen.py --vector small|large      # print the env overrides
    bench-tree-gen.py --count small|large       # predicted expanded targets

The vectors:
    small  the file defaults: one value per axis
    large  4 cargo profiles x 2 toolchains x 4 feature sets x 3 CPU targets

Output is a pure function of the arguments (no randomness, no clock).
Python 3.11 standard library only.
"""

import argparse
import json
import os
import re
import sys

# ---------------------------------------------------------------------------
# Axes and vectors
# ---------------------------------------------------------------------------

# (axis, variable, default values)
AXES = [
    ("cargo_profile", "cargo_profiles", ["test"]),
    ("rust_toolchain", "rust_toolchains", ["stable"]),
    ("rust_target", "rust_targets", ["x86_64-unknown-linux-gnu"]),
    ("feat_set", "feat_sets", ["default"]),
    ("sys_name", "sys_names", ["debian"]),
    ("sys_version", "sys_versions", ["testing-slim"]),
    ("sys_target", "sys_targets", ["x86_64-v1-linux-gnu"]),
]
AXIS_NAMES = [a for a, _, _ in AXES]

VECTORS = {
    "small": {},
    "large": {
        "cargo_profiles": ["test", "release", "dev", "bench"],
        "rust_toolchains": ["stable", "nightly"],
        "feat_sets": ["none", "default", "logging", "all"],
        "sys_targets": [
            "x86_64-v1-linux-gnu",
            "x86_64-v2-linux-gnu",
            "x86_64-v3-linux-gnu",
        ],
    },
}

P, T, R, F, N, V, S = AXIS_NAMES
SYS = [N, V, S]
FEAT = [F, N, V, S]
RUSTUP = [R, N, V, S]
TOOL = [T, R, N, V, S]
RFEAT = [T, R, F, N, V, S]
ALL = [P, T, R, F, N, V, S]

# Named matrices (global attributes), as in the original file. Some stages
# use these by name, others spell the matrix out inline.
NAMED_MATRICES = [
    ("sys", SYS),
    ("feat_sys", FEAT),
    ("rust_sys", RUSTUP),
    ("rust_tool_sys", TOOL),
    ("rust_feat_sys", RFEAT),
    ("cargo_rust_feat_sys", ALL),
]

CRATES = [
    "core", "macros", "database", "service", "api", "router", "admin", "main",
    "web", "cli", "proto", "util", "crypto", "media", "federation", "sync",
    "push", "presence", "search", "appservice", "auth", "config", "metrics",
    "log", "client", "server", "state", "events", "rooms", "users", "keys",
    "devices",
]

# ---------------------------------------------------------------------------
# HCL helpers
# ---------------------------------------------------------------------------


def q(s):
    """HCL string literal (no template interpolation inside)."""
    return json.dumps(s).replace("${", "$${").replace("%{", "%%{")


def tq(s):
    """HCL string literal that may contain ${...} interpolation."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def axes_list(keys):
    return "[" + ", ".join(keys) + "]"


def elem(prefix, keys):
    return f"elem({q(prefix)}, {axes_list(keys)})"


def elem_tag(prefix, keys, tag):
    return f"elem_tag({q(prefix)}, {axes_list(keys)}, {q(tag)})"


def inline_matrix(keys, indent="    "):
    var = {a: v for a, v, _ in AXES}
    lines = ["{"]
    for k in keys:
        lines.append(f"{indent}    {k} = jsondecode({var[k]})")
    lines.append(f"{indent}}}")
    return "\n".join(lines)


class Stage:
    def __init__(self, name, keys, parents=(), inherits=None, matrix=None,
                 body=None, args=None, labels=None, kind="cache", desc=None):
        self.name = name
        self.keys = keys
        # parents: list of (context name, stage name)
        self.parents = list(parents)
        # inherits: list of stage names (default: the first parent)
        if inherits is None:
            inherits = [self.parents[0][1]] if self.parents else []
        self.inherits = inherits
        self.matrix = matrix  # None -> inline, else name of a named matrix
        self.body = body or []  # extra raw attribute lines
        self.args = args or []  # (key, hcl expr)
        self.labels = labels or []
        self.kind = kind
        self.desc = desc
        # Set by resolve_dockerfiles(): the Dockerfile family and stage this
        # target builds, and which of the attributes its block must spell out.
        self.family = None
        self.df_stage = None
        self.emit_target = self.emit_dockerfile = self.emit_context = False


def render_stage(st, stages):
    out = []
    out.append(f'target "{st.name}" {{')
    if st.desc:
        out.append(f"    description = {q(st.desc)}")
    out.append(f"    name = {elem(st.name, st.keys)}")
    out.append("    tags = [")
    out.append(f"        {elem_tag(st.name, st.keys, 'latest')},")
    if st.kind == "image":
        out.append("        " + tq(f"${{registry}}/${{repo}}:${{git_ref_name}}-{st.name}-${{{st.keys[-1]}}}") + ",")
    out.append("    ]")
    # `target`/`dockerfile`/`context` only where inheritance does not already
    # give the right value (see resolve_dockerfiles).
    if st.emit_target:
        out.append(f"    target = {q(st.df_stage)}")
    if st.emit_dockerfile:
        out.append("    dockerfile = " + tq(f"${{docker_dir}}/Dockerfile.{st.family}"))
    if st.emit_context:
        out.append('    context = "."')
    for line in st.body:
        out.append("    " + line)
    if st.matrix:
        out.append(f"    matrix = {st.matrix}")
    else:
        out.append(f"    matrix = {inline_matrix(st.keys)}")
    if st.inherits:
        out.append("    inherits = [")
        for p in st.inherits:
            out.append(f"        {elem(p, stages[p].keys)},")
        out.append("    ]")
    if st.parents:
        out.append("    contexts = {")
        for ctx, p in st.parents:
            out.append(f"        {ctx} = {elem('target:' + p, stages[p].keys)}")
        out.append("    }")
    # cache
    out.append("    cache-from = [")
    out.append("        " + tq(f"type=registry,ref=${{cache_registry}}/${{repo}}/{st.name}:${{elem_cache_key({axes_list(st.keys)})}}") + ",")
    if "cargo_profile" in st.keys:
        out.append("        " + tq(f"type=registry,ref=${{cache_registry}}/${{repo}}/{st.name}:${{cargo_profile}}-latest") + ",")
    out.append("    ]")
    out.append("    cache-to = [")
    out.append("        " + tq(f"type=registry,ref=${{cache_registry}}/${{repo}}/{st.name}:${{elem_cache_key({axes_list(st.keys)})}},mode=max,compression=zstd,compression-level=${{cache_compress_level}}") + ",")
    out.append("    ]")
    if st.kind == "cache":
        out.append('    output = ["type=cacheonly,compression=zstd,mode=max,compression-level=${cache_compress_level}"]')
    elif st.kind == "image":
        out.append('    output = ["type=docker,compression=zstd,mode=min,compression-level=${cache_compress_level}"]')
    elif st.kind == "registry":
        out.append('    output = ["type=registry,oci-mediatypes=true,compression=zstd,compression-level=${zstd_image_compress_level},force-compression=true"]')
    if True:
        out.append("    labels = {")
        out.append(f'        "org.opencontainers.image.title" = {elem(st.name, st.keys)}')
        out.append('        "org.opencontainers.image.revision" = git_ref_sha')
        out.append('        "org.opencontainers.image.source" = "https://github.com/${repo}"')
        out.append(f'        "ci.stage" = {q(st.name)}')
        for k in st.keys:
            out.append(f'        "ci.axis.{k}" = {k}')
        for k, v in st.labels:
            out.append(f"        {q(k)} = {v}")
        out.append("    }")
    if st.args:
        out.append("    args = {")
        for k, v in st.args:
            out.append(f"        {k} = {v}")
        out.append("    }")
    out.append("}")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# The tree
# ---------------------------------------------------------------------------


def feat_has(feature):
    return f'contains(split(",", cargo_feat_sets[feat_set]), {q(feature)})'


def build_stages(ncrates):
    st = []

    def add(*a, **kw):
        s = Stage(*a, **kw)
        st.append(s)
        return s

    # --- base systems -----------------------------------------------------
    add("system", SYS, matrix="sys", desc="Base system. Root of all layers.",
        body=[
            'context = "."',
            "platforms = (\n"
            '        cpu_arch(sys_target) == "x86_64"?\n'
            '            ["linux/amd64/${cpu_level(sys_target)}"]:\n'
            '        cpu_arch(sys_target) == "aarch64"?\n'
            '            ["linux/arm64"]:\n'
            '            ["local"]\n'
            "    )",
        ],
        args=[
            ("sys_name", "sys_name"),
            ("sys_version", "sys_version"),
            ("sys_target", "sys_target"),
            ("sys_triple", "sys_triple(sys_target)"),
            ("sys_isa", "sys_isa(sys_target)"),
        ])
    add("base", SYS, [("input", "system")], matrix="sys",
        desc="Base runtime environment with essential packages",
        args=[
            ("DEBIAN_FRONTEND", q("noninteractive")),
            ("var_lib_apt", tq("/var/lib/apt/${sys_name}/${sys_version}/${sys_triple(sys_target)}")),
            ("var_cache", tq("/var/cache/${sys_name}/${sys_version}/${sys_triple(sys_target)}")),
            ("packages", 'join(" ", base_pkgs)'),
        ])
    add("builder", SYS, [("input", "base")],
        desc="Base build environment; sans Rust",
        args=[("packages", 'join(" ", builder_pkgs)')])
    add("source", SYS, [("input", "builder")], matrix="sys",
        args=[("git_ref_sha", "git_ref_sha"), ("git_ref_name", "git_ref_name")])
    add("source-rust", SYS, [("source", "source")], inherits=[])
    add("typos", SYS, [("input", "source")], kind="none")
    add("lychee", SYS, [("input", "source")], kind="none",
        args=[("lychee_args", q("--offline --no-progress"))])

    runtime_pkgs = [
        ("bzip2_compression", "bzip2"), ("io_uring", "liburing2"),
        ("jemalloc", "libjemalloc2"), ("lz4_compression", "liblz4-1"),
        ("zstd_compression", "libzstd1"),
    ]
    add("runtime", FEAT, [("input", "base")], matrix="feat_sys",
        desc="Base runtime environment for executing the application.",
        args=[("packages", 'join(" ", [\n'
               + "".join(f"            {feat_has(f)}? {q(p)}: \"\",\n" for f, p in runtime_pkgs)
               + "        ])")])
    add("valgrind", FEAT, [("input", "runtime")], matrix="feat_sys",
        args=[("packages", 'join(" ", ["valgrind"])')])
    add("perf", FEAT, [("input", "runtime")], matrix="feat_sys",
        args=[("packages", 'join(" ", ["linux-perf"])')])
    kitchen_pkgs = [
        ("bzip2_compression", "libbz2-dev"), ("io_uring", "liburing-dev"),
        ("jemalloc", "libjemalloc-dev"), ("lz4_compression", "liblz4-dev"),
        ("zstd_compression", "libzstd-dev"),
    ]
    add("kitchen", FEAT, [("input", "builder")],
        args=[("packages", 'join(" ", [\n'
               + "".join(f"            {feat_has(f)}? {q(p)}: \"\",\n" for f, p in kitchen_pkgs)
               + "        ])")])

    # --- rust toolchain -----------------------------------------------------
    add("rustup", RUSTUP, [("input", "builder")], matrix="rust_sys",
        args=[("rust_target", "rust_target"), ("CARGO_TARGET", "rust_target"),
              ("RUST_HOME", q("/opt/rust"))])
    add("rust", TOOL, [("input", "rustup")], matrix="rust_tool_sys",
        args=[
            ("rust_toolchain", '(\n'
             '            rust_toolchain == "stable"? rust_msrv:\n'
             '            rust_toolchain == "nightly"? rust_nightly:\n'
             '            replace(rust_toolchain, "-", ".")\n'
             '        )'),
            ("rustup_components", 'join(" ", [\n'
             '            join(" ", rustup_components),\n'
             '            rust_toolchain == "nightly"? join(" ", nightly_rustup_components): "",\n'
             '        ])'),
            ("cargo_installs", 'join(" ", cargo_installs)'),
            ("CARGO_TERM_VERBOSE", "CARGO_TERM_VERBOSE"),
            ("RUSTUP_HOME", tq("/opt/rust/rustup/${sys_name}/${sys_triple(sys_target)}")),
            ("CARGO_HOME", tq("/opt/rust/cargo/${sys_name}/${sys_triple(sys_target)}")),
        ])
    add("fmt", TOOL, [("input", "rust"), ("source", "source-rust")], kind="none",
        args=[("fmt_args", q("--check --all"))])
    add("audit", TOOL, [("input", "rust"), ("source", "source")], kind="none")

    # --- sources and dependencies ---------------------------------------------
    add("ingredients", RFEAT,
        [("input", "kitchen"), ("rust", "rust"), ("source", "source")],
        inherits=["source", "kitchen", "rust"], matrix="rust_feat_sys",
        args=[
            ("cargo_features", 'join(",", [cargo_feat_sets[feat_set], cargo_features_always])'),
            ("cargo_spec_features", '(feat_set == "all"? "--all-features": "--no-default-features")'),
            ("RUST_BACKTRACE", q("full")),
            ("ROCKSDB_LIB_DIR", tq("/usr/lib/${sys_triple(sys_target)}")),
            ("JEMALLOC_OVERRIDE", tq("/usr/lib/${sys_triple(sys_target)}/libjemalloc.a")),
            ("ZSTD_SYS_USE_PKG_CONFIG", f"({feat_has('zstd_compression')}? 1: 0)"),
        ])
    add("preparing", RFEAT, [("input", "ingredients")], matrix="rust_feat_sys")
    add("recipe", RFEAT, [("input", "preparing"), ("preparing", "preparing")],
        matrix="rust_feat_sys")
    add("rocksdb-fetch", RFEAT, [("input", "kitchen"), ("recipe", "recipe")],
        inherits=["kitchen", "recipe"])
    add("rocksdb-build", RFEAT, [("input", "rocksdb-fetch")], matrix="rust_feat_sys",
        args=[
            ("CC", "llvm_cc"), ("CXX", "llvm_cxx"),
            ("rocksdb_zstd", f"{feat_has('zstd_compression')}? 1: 0"),
            ("rocksdb_lz4", f"{feat_has('lz4_compression')}? 1: 0"),
            ("rocksdb_jemalloc", f"{feat_has('jemalloc')}? 1: 0"),
            ("rocksdb_iouring", f"{feat_has('io_uring')}? 1: 0"),
            ("rocksdb_opt_level", "rocksdb_opt_level"),
            ("rocksdb_portable", '(\n'
             '            cpu_arch(sys_target) == "x86_64"? sys_isa(sys_target): rocksdb_portable\n'
             '        )'),
        ])
    add("rocksdb", RFEAT, [("input", "rocksdb-build")])

    # --- cargo profile stages --------------------------------------------------
    def cargo_args(cmd):
        return [
            ("cargo_cmd", q(cmd)),
            ("cargo_profile", "cargo_profile"),
            ("cargo_target_dir", tq("/usr/src/target/${elem_cache_key([cargo_profile, rust_toolchain, rust_target, feat_set])}")),
            ("RUSTFLAGS", 'join(" ", concat(rustflags,\n'
             '            cargo_profile == "release"? static_rustflags: dynamic_rustflags,\n'
             '            rust_toolchain == "nightly"? nightly_rustflags: []\n'
             '        ))'),
            ("CARGO_PROFILE_TEST_DEBUG", '(cargo_profile == "test"? "1": "0")'),
        ]

    add("deps-base", ALL, [("input", "rocksdb"), ("recipe", "recipe")],
        inherits=["recipe", "rocksdb"], matrix="cargo_rust_feat_sys",
        args=cargo_args("chef cook"))
    add("deps-build", ALL, [("input", "deps-base")],
        args=cargo_args("build"))
    add("deps-clippy", ALL, [("input", "deps-base")], matrix="cargo_rust_feat_sys", args=cargo_args("clippy"))
    add("check", ALL, [("input", "deps-base")], kind="none", args=cargo_args("check"))
    add("clippy", ALL, [("input", "deps-clippy")], kind="none", matrix="cargo_rust_feat_sys", args=cargo_args("clippy"))
    add("build", ALL, [("input", "deps-build")], args=cargo_args("build"))
    add("doc", ALL, [("input", "deps-build")], kind="none", args=cargo_args("doc") + [("rustdoc_base_path", "rustdoc_base_path")])
    add("unit", ALL, [("input", "deps-build")], kind="none", matrix="cargo_rust_feat_sys", args=cargo_args("test") + [("cargo_test_args", q("--lib --bins"))])
    add("integration", ALL, [("input", "deps-build")], kind="none", args=cargo_args("test") + [("cargo_test_args", q("--test '*'"))])
    add("install", ALL, [("input", "runtime"), ("build", "build")],
        inherits=["build", "runtime"], kind="image", matrix="cargo_rust_feat_sys")
    add("smoke", ALL, [("input", "install")], kind="none", args=[("RUST_BACKTRACE", q("full"))])
    add("docker", ALL, [("input", "install")], kind="image")

    add("complement-config", SYS, [("source", "source")], inherits=["source"], matrix="sys")
    add("complement-base", SYS, [("input", "builder"), ("complement-config", "complement-config")],
        inherits=["complement-config"],
        args=[("complement_count", tq("${complement_count}")),
              ("complement_run", tq("${complement_run}")),
              ("complement_skip", tq("${complement_skip}"))])
    add("complement-tester", SYS, [("input", "complement-base")], kind="image", matrix="sys")
    add("complement-testee", ALL,
        [("input", "install"), ("complement-tester", "complement-tester"),
         ("complement-config", "complement-config")],
        inherits=["install"], kind="image",
        args=[("RUST_BACKTRACE", q("full")),
              ("sched_policy", '(cargo_profile == "test"? "--rr": "--fifo")'),
              ("sched_cpus", '(cargo_profile == "bench"? "pcores": "")')])
    add("github", ALL, [], inherits=["docker"], kind="registry", matrix="cargo_rust_feat_sys",
        labels=[("ci.publish", q("ghcr.io"))])
    add("dockerhub", ALL, [], inherits=["docker"], kind="registry",
        labels=[("ci.publish", q("docker.io"))])

    # --- per-crate lint families -------------------------------------------------
    for c in CRATES[:ncrates]:
        add(f"src-{c}", SYS, [("source", "source")], inherits=["source-rust"], matrix="sys",
            args=[("crate_path", q(f"src/{c}"))])
        add(f"typos-{c}", SYS, [("input", f"src-{c}")], inherits=["typos"], kind="none",
            args=[("typos_path", q(f"src/{c}"))])
        add(f"license-{c}", SYS, [("input", f"src-{c}")], kind="none", matrix="sys")
        add(f"lychee-{c}", SYS, [("input", f"src-{c}")], inherits=["lychee"], kind="none")
        add(f"manifest-{c}", RUSTUP, [("input", "rustup"), ("source", f"src-{c}")],
            matrix="rust_sys",
            args=[("manifest_path", q(f"src/{c}/Cargo.toml")), ("rust_target", "rust_target")])
        add(f"machete-{c}", RUSTUP, [("input", f"manifest-{c}")], kind="none")
        add(f"fmt-{c}", TOOL, [("input", "rust"), ("source", f"src-{c}")], inherits=["fmt"],
            kind="none", matrix="rust_tool_sys",
            args=[("fmt_args", q(f"--check -p {c}"))])
        add(f"deny-{c}", TOOL, [("input", "rust"), ("manifest", f"manifest-{c}")],
            inherits=["rust", f"manifest-{c}"], kind="none", args=[("deny_args", q("check bans licenses sources"))])
        add(f"msrv-{c}", TOOL, [("input", "rust"), ("manifest", f"manifest-{c}")],
            kind="none", matrix="rust_tool_sys",
            args=[("msrv", "rust_msrv"),
                  ("toolchain_is_msrv", '(replace(rust_toolchain, "-", ".") == rust_msrv? "yes": "no")')])

    byname = {s.name: s for s in st}
    assert len(byname) == len(st), "duplicate stage"
    for s in st:
        for _, p in s.parents:
            assert set(byname[p].keys) <= set(s.keys), (s.name, p)
        for p in s.inherits:
            assert set(byname[p].keys) <= set(s.keys), (s.name, p)
    resolve_dockerfiles(st, byname)
    return st, byname


# ---------------------------------------------------------------------------
# Dockerfiles
# ---------------------------------------------------------------------------
#
# The targets build stages of nine Dockerfiles written next to the bake file,
# in `docker/Dockerfile.<family>` (the `docker_dir` variable). As in tuwunel's
# docker/ directory, the Dockerfiles are "template functions": generic,
# multi-stage, parameterised by ARGs, and mostly `FROM input`, where `input`
# is the `target:` context that chains each target onto its parent cell; other
# named contexts come in with `COPY --from=` and `RUN --mount=type=bind,from=`.
# Cache mounts are partitioned by the matrix axes that must never share a
# cache (tuwunel's "On Target Caches"): each cache id spells out every one of
# PARTITION_AXES the targets using it are keyed on, and the few ids meant to be
# shared by everything (SHARED_CACHE_IDS) are constants.

DOCKER_DIR = "docker"  # the `docker_dir` variable: Dockerfiles, relative to the context
PARTITION_AXES = ["sys_name", "sys_version", "rust_target", "rust_toolchain", "cargo_profile"]
SHARED_CACHE_IDS = {"cargo-registry"}

# bake stage -> (Dockerfile family, stage)
DOCKERFILE_OF = {
    "system": ("system", "system"),
    "base": ("system", "base"),
    "builder": ("system", "builder"),
    "kitchen": ("system", "builder"),
    "runtime": ("system", "runtime"),
    "valgrind": ("system", "runtime"),
    "perf": ("system", "runtime"),
    "source": ("source", "source"),
    "source-rust": ("crate", "crate-source"),
    "typos": ("lint", "typos"),
    "lychee": ("lint", "lychee"),
    "fmt": ("lint", "fmt"),
    "audit": ("lint", "audit"),
    "rustup": ("rust", "rustup"),
    "rust": ("rust", "rust"),
    "ingredients": ("chef", "ingredients"),
    "preparing": ("chef", "prepare"),
    "recipe": ("chef", "recipe"),
    "rocksdb-fetch": ("rocksdb", "rocksdb-fetch"),
    "rocksdb-build": ("rocksdb", "rocksdb-build"),
    "rocksdb": ("rocksdb", "rocksdb"),
    "deps-base": ("cargo", "deps"),
    "deps-build": ("cargo", "deps"),
    "deps-clippy": ("cargo", "deps"),
    "check": ("cargo", "cargo"),
    "clippy": ("cargo", "cargo"),
    "doc": ("cargo", "cargo"),
    "unit": ("cargo", "cargo"),
    "integration": ("cargo", "cargo"),
    "build": ("cargo", "build"),
    "install": ("install", "install"),
    "smoke": ("install", "smoke"),
    "docker": ("install", "docker"),
    "github": ("install", "docker"),
    "dockerhub": ("install", "docker"),
    "complement-config": ("complement", "config"),
    "complement-base": ("complement", "tester-base"),
    "complement-tester": ("complement", "tester"),
    "complement-testee": ("complement", "testee"),
}
# per-crate lint family -> (Dockerfile family, stage)
CRATE_DOCKERFILE_OF = {
    "src": ("crate", "crate-source"),
    "typos": ("lint", "typos"),
    "license": ("crate", "license"),
    "lychee": ("lint", "lychee"),
    "manifest": ("crate", "crate-manifest"),
    "machete": ("crate", "machete"),
    "fmt": ("lint", "fmt"),
    "deny": ("crate", "deny"),
    "msrv": ("crate", "msrv"),
}


def dockerfile_of(name):
    if name in DOCKERFILE_OF:
        return DOCKERFILE_OF[name]
    return CRATE_DOCKERFILE_OF[name.split("-", 1)[0]]


def resolve_dockerfiles(stages, byname):
    """Give each stage its Dockerfile, and compute what bake's `inherits`
    hands down (args, contexts, dockerfile, target) to decide which of
    `target`/`dockerfile`/`context` its block must set itself."""
    for s in stages:  # parents come first
        s.family, s.df_stage = dockerfile_of(s.name)
        args, ctxs = [], {}
        for p in s.inherits:
            pa = byname[p]
            args += [a for a in pa.eff_args if a not in args]
            ctxs.update(pa.eff_contexts)
        args += [k for k, _ in s.args if k not in args]
        ctxs.update(dict(s.parents))
        s.eff_args, s.eff_contexts = args, ctxs
        inherited = [(byname[p].family, byname[p].df_stage) for p in s.inherits]
        single = inherited[0] if len(inherited) == 1 else None
        s.emit_target = single is None or single[1] != s.df_stage
        s.emit_dockerfile = single is None or single[0] != s.family
        s.emit_context = not s.inherits and not any(b.startswith("context") for b in s.body)


APT_MOUNTS = [
    "--mount=type=cache,id=apt-${sys_name}-${sys_version},target=/var/cache/apt,sharing=locked",
    "--mount=type=cache,id=apt-lists-${sys_name}-${sys_version},target=/var/lib/apt/lists,sharing=locked",
]
REGISTRY_MOUNT = "--mount=type=cache,id=cargo-registry,target=/usr/local/cargo/registry,sharing=locked"
TARGET_MOUNT = ("--mount=type=cache,"
                "id=cargo-target-${sys_name}-${sys_version}-${rust_target}-${rust_toolchain}-${cargo_profile},"
                "target=/usr/src/app/target,sharing=locked")
CARGO_FLAGS = '--profile "${cargo_profile}" --target "${rust_target}" --features "${cargo_features}"'


def run(mounts, *cmd):
    """A RUN instruction: one mount per line, then the command lines."""
    lines = ["RUN \\"] + [f"    {m} \\" for m in mounts]
    for i, c in enumerate(cmd):
        lines.append(("    " if i == 0 else " && ") + c + (" \\" if i < len(cmd) - 1 else ""))
    return "\n".join(lines)


def apt_install(extra=()):
    return run(APT_MOUNTS, "apt-get update", "apt-get install -y --no-install-recommends ${packages}", *extra)


# family -> (description, global ARG lines, [(stage, FROM, {ARG: default}, body)])
DOCKERFILES = {
    "system": ("Base systems and package layers.", ["ARG sys_name=debian", "ARG sys_version=testing-slim"], [
        ("system", "docker.io/library/${sys_name}:${sys_version}", {}, [
            'ENV sys_name="${sys_name}" sys_version="${sys_version}" sys_target="${sys_target}"',
            run([], 'echo "${sys_triple} ${sys_isa}" > /etc/ci-system',
                "rm -f /etc/apt/apt.conf.d/docker-clean",
                "echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache"),
        ]),
        ("base", "input", {}, [
            'ENV DEBIAN_FRONTEND="${DEBIAN_FRONTEND}"',
            apt_install(['mkdir -p "${var_lib_apt}" "${var_cache}"']),
        ]),
        ("builder", "input", {}, [apt_install()]),
        ("runtime", "input", {}, [
            apt_install(["(id -u server >/dev/null 2>&1 || adduser --system --group --no-create-home server)"]),
        ]),
    ]),
    "source": ("The source tree, with the git ref it was built from.", [], [
        ("source", "input", {}, [
            "WORKDIR /usr/src/app",
            "COPY --link . .",
            'RUN echo "${git_ref_name} ${git_ref_sha}" > .ci-ref',
        ]),
    ]),
    "crate": ("Per-crate views of the source and their lints.", [], [
        ("crate-source", "source", {"crate_path": "."}, [
            "WORKDIR /usr/src/app/${crate_path}",
            "RUN test -f Cargo.toml",
        ]),
        ("license", "input", {}, ["RUN grep -Eq '^license(-file)? *=' Cargo.toml"]),
        ("crate-manifest", "input", {}, [
            "COPY --link --from=source /usr/src/app /usr/src/app",
            run([REGISTRY_MOUNT], 'cargo metadata --format-version 1 --manifest-path "/usr/src/app/${manifest_path}" > /usr/src/app/metadata.json'),
        ]),
        ("machete", "input", {}, [
            run([REGISTRY_MOUNT], 'cargo machete "$(dirname "/usr/src/app/${manifest_path}")"'),
        ]),
        ("deny", "input", {}, [
            "COPY --link --from=manifest /usr/src/app /usr/src/app",
            run([REGISTRY_MOUNT], 'cargo deny --manifest-path "/usr/src/app/${manifest_path}" ${deny_args}'),
        ]),
        ("msrv", "input", {}, [
            "COPY --link --from=manifest /usr/src/app/metadata.json /tmp/metadata.json",
            run([], 'test "${toolchain_is_msrv}" = yes || jq -e --arg msrv "${msrv}" \'[.packages[].rust_version] | all(. == null or . <= $msrv)\' /tmp/metadata.json'),
        ]),
    ]),
    "lint": ("Whole-tree and per-crate lints.", [], [
        ("typos", "input", {"typos_path": "."}, ['RUN typos "${typos_path}"']),
        ("lychee", "input", {}, ["RUN lychee ${lychee_args} ."]),
        ("fmt", "input", {}, [
            "COPY --link --from=source /usr/src/app /usr/src/app",
            "WORKDIR /usr/src/app",
            "RUN cargo fmt ${fmt_args}",
        ]),
        ("audit", "input", {}, [
            run(["--mount=type=bind,from=source,source=/usr/src/app/Cargo.lock,target=/usr/src/app/Cargo.lock",
                 REGISTRY_MOUNT], "cargo audit --file /usr/src/app/Cargo.lock"),
        ]),
    ]),
    "rust": ("Rust toolchains.", [], [
        ("rustup", "input", {}, [
            'ENV RUSTUP_HOME="${RUST_HOME}/rustup" CARGO_HOME="${RUST_HOME}/cargo" PATH="${RUST_HOME}/cargo/bin:${PATH}"',
            run(["--mount=type=cache,id=rustup-${sys_name}-${sys_version}-${rust_target},target=/var/cache/rustup,sharing=locked"],
                "curl -sSf https://sh.rustup.rs -o /var/cache/rustup/rustup-init.sh",
                'sh /var/cache/rustup/rustup-init.sh -y --profile minimal --default-toolchain none --default-host "${CARGO_TARGET}"'),
        ]),
        ("rust", "input", {}, [
            'ENV RUSTUP_HOME="${RUSTUP_HOME}" CARGO_HOME="${CARGO_HOME}" CARGO_TERM_VERBOSE="${CARGO_TERM_VERBOSE}"',
            'ENV PATH="${CARGO_HOME}/bin:${PATH}"',
            run(["--mount=type=cache,id=rustup-${sys_name}-${sys_version}-${rust_target}-${rust_toolchain},target=/var/cache/rustup,sharing=locked",
                 REGISTRY_MOUNT],
                'mkdir -p "${CARGO_HOME}"',
                'ln -sfn /usr/local/cargo/registry "${CARGO_HOME}/registry"',
                'rustup toolchain install "${rust_toolchain}" --profile minimal --target "${rust_target}"',
                'rustup component add --toolchain "${rust_toolchain}" ${rustup_components}',
                'rustup default "${rust_toolchain}"',
                "cargo install --locked ${cargo_installs}"),
        ]),
    ]),
    "chef": ("The workspace's dependency recipe (cargo-chef).", [], [
        ("ingredients", "input", {}, [
            "COPY --link --from=rust /opt/rust /opt/rust",
            "COPY --link --from=source /usr/src/app /usr/src/app",
            'ENV RUSTUP_HOME="${RUSTUP_HOME}" CARGO_HOME="${CARGO_HOME}" PATH="${CARGO_HOME}/bin:${PATH}"',
            'ENV RUST_BACKTRACE="${RUST_BACKTRACE}" ROCKSDB_LIB_DIR="${ROCKSDB_LIB_DIR}" JEMALLOC_OVERRIDE="${JEMALLOC_OVERRIDE}" ZSTD_SYS_USE_PKG_CONFIG="${ZSTD_SYS_USE_PKG_CONFIG}"',
            "WORKDIR /usr/src/app",
        ]),
        ("prepare", "input", {}, [
            run([REGISTRY_MOUNT], "cargo chef prepare --recipe-path recipe.json"),
        ]),
        ("recipe", "input", {}, [
            "COPY --link --from=preparing /usr/src/app/recipe.json /usr/src/app/recipe.json",
        ]),
    ]),
    "rocksdb": ("RocksDB, built for each toolchain and feature set.", [], [
        ("rocksdb-fetch", "input", {}, [
            run(["--mount=type=bind,from=recipe,source=/usr/src/app/recipe.json,target=/tmp/recipe.json"],
                "git clone --depth 1 https://github.com/facebook/rocksdb /usr/src/rocksdb",
                "cp /tmp/recipe.json /usr/src/rocksdb/.recipe.json"),
        ]),
        ("rocksdb-build", "input", {}, [
            'ENV CC="${CC}" CXX="${CXX}"',
            run(["--mount=type=cache,id=rocksdb-${sys_name}-${sys_version}-${rust_target}-${rust_toolchain},target=/usr/src/rocksdb/build,sharing=locked"],
                "cmake -S /usr/src/rocksdb -B /usr/src/rocksdb/build -DWITH_ZSTD=${rocksdb_zstd} -DWITH_LZ4=${rocksdb_lz4} -DWITH_JEMALLOC=${rocksdb_jemalloc} -DWITH_LIBURING=${rocksdb_iouring} -DPORTABLE=${rocksdb_portable} -DCMAKE_CXX_FLAGS=-O${rocksdb_opt_level}",
                "cmake --build /usr/src/rocksdb/build --target rocksdb",
                "cmake --install /usr/src/rocksdb/build --prefix /usr/src/rocksdb/install"),
        ]),
        ("rocksdb", "input", {}, [
            run([], 'cp -a /usr/src/rocksdb/install/lib/. "${ROCKSDB_LIB_DIR}/"', "rm -rf /usr/src/rocksdb"),
        ]),
    ]),
    "cargo": ("cargo, parameterised by `cargo_cmd`: dependencies, checks, tests, docs and the build.", [], [
        ("deps", "input", {}, [
            'ENV RUSTFLAGS="${RUSTFLAGS}" CARGO_PROFILE_TEST_DEBUG="${CARGO_PROFILE_TEST_DEBUG}"',
            "WORKDIR /usr/src/app",
            run([REGISTRY_MOUNT, TARGET_MOUNT,
                 "--mount=type=bind,from=recipe,source=/usr/src/app/recipe.json,target=/usr/src/app/recipe.json"],
                f"cargo ${{cargo_cmd}} --recipe-path recipe.json {CARGO_FLAGS} ${{cargo_spec_features}}"),
        ]),
        ("cargo", "input", {"cargo_test_args": "", "rustdoc_base_path": ""}, [
            'ENV RUSTDOCFLAGS="--extern-html-root-url=${rustdoc_base_path}"',
            run([REGISTRY_MOUNT, TARGET_MOUNT], f"cargo ${{cargo_cmd}} {CARGO_FLAGS} ${{cargo_test_args}}"),
        ]),
        ("build", "input", {}, [
            run([REGISTRY_MOUNT, TARGET_MOUNT],
                f"cargo build {CARGO_FLAGS}",
                "mkdir -p /usr/src/app/bin",
                'find "target/${rust_target}" -maxdepth 2 -type f -name server -exec cp {} /usr/src/app/bin/ \\;'),
        ]),
    ]),
    "install": ("The installed server image, its smoke test, and the published image.", [], [
        ("install", "input", {}, ["COPY --link --from=build /usr/src/app/bin/ /usr/local/bin/"]),
        ("smoke", "input", {}, [
            'ENV RUST_BACKTRACE="${RUST_BACKTRACE}"',
            "RUN /usr/local/bin/server --version",
        ]),
        ("docker", "input", {}, [
            "USER server",
            'ENTRYPOINT ["/usr/local/bin/server"]',
        ]),
    ]),
    "complement": ("Complement (Matrix protocol compliance) tester and testee images.", [], [
        ("config", "input", {}, ["COPY --link --from=source /usr/src/app/tests/complement /complement"]),
        ("tester-base", "input", {}, [
            "COPY --link --from=complement-config /complement /complement",
            'ENV COMPLEMENT_COUNT="${complement_count}" COMPLEMENT_RUN="${complement_run}" COMPLEMENT_SKIP="${complement_skip}"',
            run(["--mount=type=cache,id=go-build-${sys_name}-${sys_version},target=/root/.cache/go-build,sharing=locked"],
                "cd /complement", "go test -c -o /usr/local/bin/complement ./tests"),
        ]),
        ("tester", "input", {}, [
            'CMD ["sh", "-c", "complement -test.count \\"$COMPLEMENT_COUNT\\" -test.run \\"$COMPLEMENT_RUN\\" -test.skip \\"$COMPLEMENT_SKIP\\""]',
        ]),
        ("testee", "input", {}, [
            "COPY --link --from=complement-config /complement/config /etc/server",
            "COPY --link --from=complement-tester /usr/local/bin/complement /usr/local/bin/complement",
            'ENV RUST_BACKTRACE="${RUST_BACKTRACE}" SCHED_POLICY="${sched_policy}" SCHED_CPUS="${sched_cpus}"',
            'ENTRYPOINT ["/usr/local/bin/server"]',
        ]),
    ]),
}

# Names that may appear as ${...} in a stage without an ARG: ENV set above them.
ENV_NAMES = {"PATH", "RUSTUP_HOME", "CARGO_HOME", "COMPLEMENT_COUNT", "COMPLEMENT_RUN", "COMPLEMENT_SKIP"}
REF_RE = re.compile(r"(?:--from=|,from=)([A-Za-z0-9_.-]+)")
VAR_RE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
ID_RE = re.compile(r"type=cache,id=([^,\s]+)")


def crate_glob(names):
    """Block names, with the per-crate ones folded to `<family>-*`."""
    out = []
    for n in names:
        if n not in DOCKERFILE_OF:
            n = n.split("-", 1)[0] + "-*"
        if n not in out:
            out.append(n)
    return out


def render_dockerfiles(stages):
    """{file name: text} for every Dockerfile the targets use, checking that
    every reference resolves and every cache id is partitioned."""
    users = {}
    for s in stages:
        users.setdefault((s.family, s.df_stage), []).append(s)
    files = {}
    for family, (desc, global_args, df_stages) in DOCKERFILES.items():
        names = [n for n, _, _, _ in df_stages]
        out = [f"# Dockerfile.{family} -- generated by scripts/bench-tree-gen.py. Do not edit; regenerate.",
               f"# {desc}", "#"]
        for n in names:
            us = users.get((family, n), [])
            out.append(f"# {n}: {', '.join(crate_glob([u.name for u in us])) or '(unused)'}")
        out.append("")
        out.extend(global_args)
        if global_args:
            out.append("")
        for n, base, defaults, body in df_stages:
            us = users.get((family, n), [])
            args = []
            for u in us:
                args += [a for a in u.eff_args if a not in args]
            args += [a for a in defaults if a not in args]
            out.append(f"FROM {base} AS {n}")
            for a in args:
                passed_by_all = all(a in u.eff_args for u in us)
                out.append(f"ARG {a}" if passed_by_all or a not in defaults else f"ARG {a}={q(defaults[a]) if defaults[a] == '' else defaults[a]}")
            out.extend(body)
            out.append("")
            # --- consistency checks --------------------------------------------
            text = "\n".join(body)
            refs = [base] if "/" not in base and ":" not in base else []
            refs += REF_RE.findall(text)
            for u in us:
                for r in refs:
                    assert r not in names or r not in u.eff_contexts, (family, n, u.name, r, "context shadows a stage")
                    assert r in names[:names.index(n)] or r in u.eff_contexts, (family, n, u.name, r)
                assert not set(names) & set(u.eff_contexts), (family, u.name, "context named like a stage")
            for v in VAR_RE.findall(text):
                assert v in args or v in ENV_NAMES, (family, n, v)
            for cid in ID_RE.findall(text):
                vars_ = VAR_RE.findall(cid)
                if not vars_:
                    assert cid in SHARED_CACHE_IDS, (family, n, cid)
                    continue
                for u in us:
                    for v in vars_:
                        assert v in u.eff_args, (family, n, u.name, cid, v)
                    for axis in PARTITION_AXES:
                        if axis in u.keys:
                            assert "${" + axis + "}" in cid, (family, n, u.name, cid, axis)
        files[f"Dockerfile.{family}"] = "\n".join(out).rstrip("\n") + "\n"
    for (family, n), us in users.items():
        assert f"Dockerfile.{family}" in files and any(x[0] == n for x in DOCKERFILES[family][2]), (family, n)
    return files


GROUP_SPECS = [
    ("default", ["lints", "tests"]),
    ("lints", ["audit", "check", "clippy", "fmt", "lychee", "typos"]),
    ("tests", ["doc", "integration", "smoke", "unit", "complement"]),
    ("complement", ["complement-tester", "complement-testee"]),
    ("publish", ["dockerhub", "github"]),
    ("systems", ["runtime", "valgrind", "perf"]),
    ("sources", ["source", "ingredients", "recipe"]),
]

FAMILIES = ["src", "typos", "license", "lychee", "manifest", "machete", "fmt", "deny", "msrv"]


def render(ncrates):
    stages, byname = build_stages(ncrates)
    crates = CRATES[:ncrates]
    out = []
    w = out.append
    w("# Generated by scripts/bench-tree-gen.py -- a benchmark tree shaped like a")
    w("# Rust CI matrix bake file. Do not edit; regenerate.")
    w("")
    for v in ["GITHUB_ACTOR", "GITHUB_REPOSITORY", "GITHUB_REF", "GITHUB_REF_NAME"]:
        w(f'variable "{v}" {{}}')
    w('variable "GITHUB_REF_SHA" {\n    default = "HEAD"\n}')
    w('variable "acct" {\n    default = "${GITHUB_ACTOR}"\n}')
    w('variable "repo" {\n    default = GITHUB_REPOSITORY != "" ? GITHUB_REPOSITORY : "example/server"\n}')
    w('variable "git_ref" {\n    default = "${GITHUB_REF}"\n}')
    w('variable "git_ref_sha" {\n    default = "${GITHUB_REF_SHA}"\n}')
    w('variable "git_ref_name" {\n    default = GITHUB_REF_NAME != "" ? GITHUB_REF_NAME : "main"\n}')
    w('variable "registry" {\n    default = "ghcr.io"\n}')
    w('variable "cache_registry" {\n    default = "localhost:5000"\n}')
    w("")
    w("#\n# Matrix axes: each a JSON array in a string, overridable from the env.\n#\n")
    for _, var, default in AXES:
        w(f'variable "{var}" {{\n    default = {q(json.dumps(default))}\n}}')
    w("")
    simple_vars = [
        ("cargo_features_always", q("direct_tls")),
        ("rust_msrv", q("1.80.0")),
        ("rust_nightly", q("nightly-2025-06-01")),
        ("llvm_cc", q("/usr/bin/clang")),
        ("llvm_cxx", q("/usr/bin/clang++")),
        ("rocksdb_portable", q("1")),
        ("rocksdb_opt_level", q("3")),
        ("complement_count", "1"),
        ("complement_run", q(".*")),
        ("complement_skip", q("")),
        ("zstd_image_compress_level", "11"),
        ("cache_compress_level", "3"),
        ("CARGO_TERM_VERBOSE", "false"),
        ("docker_dir", q(DOCKER_DIR)),
        ("rustdoc_base_path", q("")),
    ]
    for k, v in simple_vars:
        w(f'variable "{k}" {{\n    default = {v}\n}}')
    w("")
    feats = {
        "none": [],
        "default": ["brotli_compression", "gzip_compression", "io_uring", "jemalloc",
                    "media_thumbnail", "systemd", "url_preview", "zstd_compression"],
        "logging": ["brotli_compression", "bzip2_compression", "console", "gzip_compression",
                    "io_uring", "jemalloc", "jemalloc_stats", "lz4_compression", "sentry_telemetry",
                    "tokio_console", "zstd_compression"],
        "all": ["brotli_compression", "bzip2_compression", "console", "direct_tls",
                "gzip_compression", "io_uring", "jemalloc", "jemalloc_prof", "jemalloc_stats",
                "ldap", "lz4_compression", "media_thumbnail", "perf_measurements",
                "release_max_log_level", "sentry_telemetry", "systemd", "tokio_console",
                "url_preview", "zstd_compression"],
    }
    w("cargo_feat_sets = {")
    for k, v in feats.items():
        w(f"    {k} = {q(','.join(v))}")
    w("}")
    w("")
    lists = [
        ("rustflags", ["-C link-arg=--verbose"]),
        ("static_rustflags", ["-C relocation-model=static", "-C target-feature=+crt-static"]),
        ("dynamic_rustflags", ["-C relocation-model=pic", "-C target-feature=-crt-static"]),
        ("nightly_rustflags", ["--cfg tokio_unstable", "-Z enforce-type-length-limit"]),
        ("rustup_components", ["clippy", "rustfmt"]),
        ("nightly_rustup_components", ["rust-src"]),
        ("cargo_installs", ["cargo-audit", "cargo-chef", "cargo-deny", "cargo-machete", "lychee", "typos-cli"]),
        ("base_pkgs", ["adduser", "ca-certificates", "procps"]),
        ("builder_pkgs", ["clang", "cmake", "curl", "git", "jq", "libclang-dev", "llvm", "make", "pkg-config", "xz-utils"]),
    ]
    for k, v in lists:
        w(f"{k} = [")
        for x in v:
            w(f"    {q(x)},")
        w("]")
    w("")
    w("#\n# Named matrices\n#\n")
    var = {a: v for a, v, _ in AXES}
    for name, keys in NAMED_MATRICES:
        w(f"{name} = {{")
        for k in keys:
            w(f"    {k} = jsondecode({var[k]})")
        w("}")
    w("")
    w("#\n# Groups\n#\n")
    groups = list(GROUP_SPECS)
    for fam in FAMILIES:
        groups.append((f"crates-{fam}", [f"{fam}-{c}" for c in crates]))
    for c in crates:
        groups.append((f"crate-{c}", [f"{fam}-{c}" for fam in FAMILIES]))
    groups.append(("crates", [f"crate-{c}" for c in crates]))
    groups.append(("all", [s.name for s in stages]))
    for g, members in groups:
        w(f'group "{g}" {{')
        w("    targets = [")
        for m in members:
            w(f"        {q(m)},")
        w("    ]")
        w("}")
        w("")
    w("#\n# Targets, leaves first, root (`system`) last\n#\n")
    for s in reversed(stages):
        w(render_stage(s, byname))
        w("")
    w("#\n# Utils\n#\n")
    w('function "cpu_arch" {\n    params = [sys_target]\n    result = split("-", sys_target)[0]\n}')
    w('function "cpu_level" {\n    params = [sys_target]\n    result = split("-", sys_target)[1]\n}')
    w('function "sys_triple" {\n    params = [sys_target]\n    result = join("-", [cpu_arch(sys_target), split("-", sys_target)[2], split("-", sys_target)[3]])\n}')
    w('function "sys_isa" {\n    params = [sys_target]\n    result = (\n'
      '        cpu_level(sys_target) != "v1"?\n'
      '            join("-", [replace(cpu_arch(sys_target), "_", "-"), cpu_level(sys_target)]):\n'
      '            replace(cpu_arch(sys_target), "_", "-")\n    )\n}')
    w('function "elem_cache_key" {\n    params = [axes]\n    result = substr(md5(join("/", axes)), 0, 16)\n}')
    w('function "elem_tag" {\n    params = [prefix, axes, tag]\n    result = join(":", [elem(prefix, axes), tag])\n}')
    w('function "elem" {\n    params = [prefix, axes]\n    result = join("--", [prefix, join("--", axes)])\n}')
    return "\n".join(out) + "\n", stages


def predicted_count(stages, vector):
    sizes = {}
    for axis, var, default in AXES:
        sizes[axis] = len(VECTORS[vector].get(var, default))
    total = 0
    for s in stages:
        n = 1
        for k in s.keys:
            n *= sizes[k]
        total += n
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output",
                    help="write the bake file here, and its Dockerfiles into docker/ next to it "
                         "(default: the bake file alone, to stdout)")
    ap.add_argument("--crates", type=int, default=29,
                    help=f"workspace crates with per-crate lint stages (max {len(CRATES)}, default 29)")
    ap.add_argument("--vector", choices=sorted(VECTORS),
                    help="print the env overrides (NAME=JSON lines) for a vector and exit")
    ap.add_argument("--count", choices=sorted(VECTORS),
                    help="print the predicted number of expanded targets for a vector and exit")
    ap.add_argument("--blocks", action="store_true", help="print the number of target blocks and exit")
    a = ap.parse_args()
    if not 0 <= a.crates <= len(CRATES):
        ap.error(f"--crates must be in 0..{len(CRATES)}")
    if a.vector:
        for k, v in VECTORS[a.vector].items():
            print(f"{k}={json.dumps(v, separators=(',', ':'))}")
        return
    text, stages = render(a.crates)
    if a.count:
        print(predicted_count(stages, a.count))
        return
    if a.blocks:
        print(len(stages))
        return
    dockerfiles = render_dockerfiles(stages)
    if a.output:
        with open(a.output, "w") as f:
            f.write(text)
        ddir = os.path.join(os.path.dirname(os.path.abspath(a.output)), DOCKER_DIR)
        os.makedirs(ddir, exist_ok=True)
        for name, body in dockerfiles.items():
            with open(os.path.join(ddir, name), "w") as f:
                f.write(body)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
