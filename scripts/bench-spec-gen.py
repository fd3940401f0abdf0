#!/usr/bin/env python3
"""Writes a matrix spec for `scripts/bench generate`: 7 axes (the Rust-CI
shape: profile, toolchain, target, feature set, system name, version and CPU
level), 80 stages in a tree keyed on growing axis sets, cache mounts on the
cargo stages, include/exclude rules, groups. Deterministic.

usage: bench-spec-gen.py [-o FILE] [--stages N]
"""
import argparse
import sys

AXES = [
    ("cargo_profile", ["dev", "test", "release", "bench"], False),
    ("rust_toolchain", ["stable", "nightly", "1.85.0"], True),
    ("rust_target", ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"], False),
    ("feat_set", ["default", "all", "none"], False),
    ("sys_name", ["debian", "ubuntu"], False),
    ("sys_version", ["bookworm", "trixie", "noble"], False),
    ("sys_target", ["x86_64-v1", "x86_64-v3"], False),
]
# Axis sets by depth: the system, the toolchain, the dependencies, everything.
LEVELS = [
    ["sys_name", "sys_version", "sys_target"],
    ["rust_toolchain", "sys_name", "sys_version", "sys_target"],
    ["cargo_profile", "rust_toolchain", "rust_target", "sys_name", "sys_version", "sys_target"],
    [a for a, _, _ in AXES],
]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-o", dest="out")
    p.add_argument("--stages", type=int, default=80)
    args = p.parse_args()
    order = [a for a, _, _ in AXES]
    out = []
    for name, values, sanitize in AXES:
        vals = ", ".join(f'"{v}"' for v in values)
        out.append(f'axis "{name}" {{\n  values  = [{vals}]\n  default = ["{values[0]}"]\n')
        if sanitize:
            out.append("  sanitize = true\n")
        out.append("}\n\n")
    out.append('exclude {\n  rust_toolchain = "1.85.0"\n  sys_version = ["trixie", "noble"]\n}\n\n')
    out.append('exclude {\n  sys_name = "debian"\n  sys_version = "noble"\n}\n\n')
    out.append('cache {\n  partition = ["sys_name", "sys_version", "rust_target", '
               '"rust_toolchain", "cargo_profile", "sys_target"]\n'
               '  apt_partition = ["sys_name", "sys_version", "sys_target"]\n}\n\n')
    stages = []
    for i in range(args.stages):
        level = min(3, i * 4 // args.stages)
        axes = sorted(LEVELS[level], key=order.index)
        # Parent: an earlier stage of the level below (or the same level).
        parent = None
        if i > 0:
            cands = [j for j, (_, lv) in enumerate(stages) if lv <= level]
            parent = cands[(i * 7) % len(cands)]
        stages.append((f"s{i:02d}", level))
        caches = []
        if level >= 2:
            caches = ["cargo-target", "cargo-registry"]
        elif level == 0:
            caches = ["apt"]
        else:
            caches = ["rustup"]
        body = [f'stage "s{i:02d}" {{\n',
                f'  description = "stage {i} (level {level})"\n',
                "  axes = [" + ", ".join(f'"{a}"' for a in axes) + "]\n",
                f'  dockerfile = "docker/Dockerfile.l{level}"\n',
                f'  target = "l{level}"\n']
        if parent is not None:
            body.append(f'  input = "{stages[parent][0]}"\n')
        body.append("  args = {\n    stage_index = \"" + str(i) + "\"\n  }\n")
        body.append("  caches = [" + ", ".join(f'"{c}"' for c in caches) + "]\n")
        if level == 0:
            body.append('  platforms = [sys_target == "x86_64-v1" ? "linux/amd64" : "linux/amd64/v3"]\n')
        body.append("}\n\n")
        out.extend(body)
    out.append('group "default" {\n  targets = [' +
               ", ".join(f'"{n}"' for n, lv in stages if lv == 3) + "]\n}\n\n")
    out.append('group "all" {\n  targets = [' + ", ".join(f'"{n}"' for n, _ in stages) + "]\n}\n")
    text = "".join(out)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
