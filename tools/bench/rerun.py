#!/usr/bin/env python3
"""Re-runs against a cold run, on real trees: the cache's benchmark.

    python3 tools/bench/rerun.py [--bin target/release/cargo-spawnlint]
        [--runs 5] [--threads 2] [--edit REL/PATH.rs] TREE [TREE ...]

Each TREE is copied to a temporary directory (the tree given is never
written). Then, interleaved, RUNS rounds of four runs each:

  uncached  `--no-cache`
  cold      the cache removed first, then written
  warm      nothing changed since `cold`
  edited    one file edited (a comment appended; by default the largest
            `.rs` file, whose crate is usually the largest), nothing else

Each run's wall time, CPU time (user + system) and peak RSS come from
`wait4`. Every round also checks that the cached runs print exactly what
the uncached run prints, and the first round that the edited run prints
what an uncached run on the edited tree prints: a mismatch stops the
benchmark. Prints a Markdown table of medians and the ratios to
`uncached`. Python 3.11, standard library only.
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


def timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float, int, bytes]:
    """Wall seconds, CPU seconds, peak RSS in KiB, and stdout of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1, 2):
        sys.exit(f"{' '.join(cmd)} in {cwd}: exit {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out


def largest_rs(tree: Path) -> Path:
    files = [p for p in tree.rglob("*.rs") if "target" not in p.relative_to(tree).parts]
    return max(files, key=lambda p: p.stat().st_size).relative_to(tree)


def bench(binary: str, tree: Path, runs: int, threads: int, edit: str | None) -> list[str]:
    work = Path(tempfile.mkdtemp(prefix="spawnlint-rerun-"))
    copy = work / "tree"
    shutil.copytree(tree, copy, ignore=shutil.ignore_patterns("target"))
    target = work / "target"
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    edited = copy / (edit or largest_rs(copy))
    base = [binary, ".", "--format", "json", "-j", str(threads)]
    times: dict[str, list[tuple[float, float, int]]] = {m: [] for m in ("uncached", "cold", "warm", "edited")}
    original = edited.read_bytes()
    try:
        for r in range(runs):
            edited.write_bytes(original)
            w, c, m, reference = timed(base + ["--no-cache"], copy, env)
            times["uncached"].append((w, c, m))
            shutil.rmtree(target, ignore_errors=True)
            for mode in ("cold", "warm"):
                w, c, m, out = timed(base, copy, env)
                if out != reference:
                    sys.exit(f"{tree}: the {mode} run differs from the uncached run")
                times[mode].append((w, c, m))
            edited.write_bytes(original + f"\n// edited in round {r}\n".encode())
            w, c, m, out = timed(base, copy, env)
            times["edited"].append((w, c, m))
            if r == 0 and out != timed(base + ["--no-cache"], copy, env)[3]:
                sys.exit(f"{tree}: the edited run differs from an uncached run on the edited tree")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    files = sum(1 for _ in tree.rglob("*.rs"))
    mb = sum(p.stat().st_size for p in tree.rglob("*.rs")) / 1e6
    # An export `owner+repo/<commit>` is named by both.
    name = f"{tree.parent.name}@{tree.name[:10]}" if len(tree.name) == 40 else tree.name
    lines = [
        f"{name}: {files} files, {mb:.1f} MB of Rust; edited file `{edited.relative_to(copy)}`; "
        f"{runs} rounds, {threads} threads",
        "",
        "| run | wall (median) | CPU (median) | peak RSS | wall vs uncached |",
        "|---|---|---|---|---|",
    ]
    ref = statistics.median(t[0] for t in times["uncached"])
    for mode, ts in times.items():
        wall = statistics.median(t[0] for t in ts)
        cpu = statistics.median(t[1] for t in ts)
        rss = max(t[2] for t in ts) / 1024
        lines.append(f"| {mode} | {wall:.3f} s | {cpu:.3f} s | {rss:.0f} MiB | {ref / wall:.1f}× faster |"
                     if mode != "uncached" else f"| {mode} | {wall:.3f} s | {cpu:.3f} s | {rss:.0f} MiB | 1 |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "target/release/cargo-spawnlint"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--edit", help="the file to edit, relative to each tree")
    ap.add_argument("trees", nargs="+", type=Path)
    args = ap.parse_args()
    for tree in args.trees:
        print("\n".join(bench(args.bin, tree.resolve(), args.runs, args.threads, args.edit)))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
