#!/usr/bin/env python3
"""The analyzer against parsing and against ast-grep, on any tree.

    cargo build --release --example parse_all && cargo build --release
    python3 tools/bench/compare.py [--runs 5] [--threads 1,2] [--ast-grep PATH] TREE [TREE ...]

Each TREE is copied to a temporary directory (never written). Per thread
count, RUNS interleaved rounds of:

  parse-all    `examples/parse_all`: read and `syn::parse_file` every file
  exhaustive   `cargo-spawnlint --no-cache --exhaustive` (every file and body parsed as written)
  default      `cargo-spawnlint --no-cache` (data tables blanked, bodies parsed when read)
  warm         the cache written by a cold run just before, nothing changed
  warm+edit    the same after appending a comment to one file (the largest
               crate's largest non-table file)
  ast-grep     `ast-grep scan` with one pattern rule (`tokio::spawn($$$ARGS)`),
               when `--ast-grep` or `ast-grep` on PATH is found

Wall and CPU time and peak RSS of each run come from `wait4`; the table
gives medians, MB/s of Rust source and each mode's wall time as a
multiple of parse-all's. Python 3.11, standard library only.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
RULE = """id: tokio-spawn
language: rust
severity: info
message: a tokio task is spawned here
rule:
  pattern: tokio::spawn($$$ARGS)
"""


def timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(cmd)}: exit {code}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def edit_target(tree: Path) -> Path:
    """The largest non-table `.rs` file of the crate with the most Rust."""
    by_crate: dict[Path, list[Path]] = {}
    for p in tree.rglob("*.rs"):
        if "target" in p.relative_to(tree).parts:
            continue
        crate = next((d for d in p.parents if (d / "Cargo.toml").is_file()), tree)
        by_crate.setdefault(crate, []).append(p)
    files = max(by_crate.values(), key=lambda fs: sum(f.stat().st_size for f in fs))
    sizes = sorted(files, key=lambda f: f.stat().st_size)
    return sizes[len(sizes) // 2] if len(sizes) > 2 else sizes[-1]


def bench(tree: Path, args, ast_grep: str | None) -> list[str]:
    work = Path(tempfile.mkdtemp(prefix="spawnlint-compare-"))
    copy = work / "tree"
    shutil.copytree(tree, copy, ignore=shutil.ignore_patterns("target"))
    rule = work / "rule.yml"
    rule.write_text(RULE)
    target = work / "target"
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    lint = str(ROOT / "target/release/cargo-spawnlint")
    parse_all = str(ROOT / "target/release/examples/parse_all")
    edited = edit_target(copy)
    original = edited.read_bytes()
    mb = sum(p.stat().st_size for p in copy.rglob("*.rs")) / 1e6
    files = sum(1 for _ in copy.rglob("*.rs"))
    name = f"{tree.parent.name}@{tree.name[:10]}" if len(tree.name) == 40 else tree.name
    out = [f"{name}: {files} files, {mb:.1f} MB of Rust; edited `{edited.relative_to(copy)}`; {args.runs} rounds", ""]
    try:
        for threads in [int(t) for t in args.threads.split(",")]:
            j = ["-j", str(threads)]
            lint_cmd = [lint, ".", "--format", "json", *j]
            modes = {
                "parse-all": lambda: timed([parse_all, *j, "."], copy, env),
                "exhaustive": lambda: timed(lint_cmd + ["--no-cache", "--exhaustive"], copy, env),
                "default": lambda: timed(lint_cmd + ["--no-cache"], copy, env),
            }
            if ast_grep:
                modes["ast-grep"] = lambda: timed(
                    [ast_grep, "scan", "--rule", str(rule), "-j", str(threads), "."], copy, env
                )
            times: dict[str, list] = {m: [] for m in [*modes, "warm", "warm+edit"]}
            for r in range(args.runs):
                edited.write_bytes(original)
                for m, run in modes.items():
                    times[m].append(run())
                shutil.rmtree(target, ignore_errors=True)
                timed(lint_cmd, copy, env)  # cold: writes the cache
                times["warm"].append(timed(lint_cmd, copy, env))
                edited.write_bytes(original + f"\n// edited in round {r}\n".encode())
                times["warm+edit"].append(timed(lint_cmd, copy, env))
            base = statistics.median(t[0] for t in times["parse-all"])
            out += [f"{threads} thread{'s' if threads > 1 else ''}:", "",
                    "| run | wall | CPU | MB/s | peak RSS | × parse-all |", "|---|---|---|---|---|---|"]
            for m, ts in times.items():
                wall = statistics.median(t[0] for t in ts)
                cpu = statistics.median(t[1] for t in ts)
                rss = max(t[2] for t in ts) / 1024
                out.append(f"| {m} | {wall:.3f} s | {cpu:.3f} s | {mb / wall:.0f} | {rss:.0f} MiB | {wall / base:.2f} |")
            out.append("")
    finally:
        edited.write_bytes(original)
        shutil.rmtree(work, ignore_errors=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", default=f"1,{os.cpu_count() or 1}")
    ap.add_argument("--ast-grep", help="the ast-grep binary (default: `ast-grep` on PATH, if any)")
    ap.add_argument("trees", nargs="+", type=Path)
    args = ap.parse_args()
    ast_grep = args.ast_grep or shutil.which("ast-grep")
    for tree in args.trees:
        print("\n".join(bench(tree.resolve(), args, ast_grep)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
