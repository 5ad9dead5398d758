#!/usr/bin/env python3
"""Time and memory against the size of the tree: 1x, 2x and 4x copies of a
generated corpus (`gen_corpus.py --copies N`), parse-all and the analyzer
(`--no-cache`), interleaved, medians of RUNS.

    cargo build --release --example parse_all && cargo build --release
    python3 tools/bench/linearity.py [--files 500] [--mb 12.5] [--runs 3] [--threads 2]

Python 3.11, standard library only.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def timed(cmd: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--mb", type=float, default=12.5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="spawnlint-linearity-"))
    scales = (1, 2, 4)
    for n in scales:
        subprocess.run([sys.executable, str(ROOT / "tools/bench/gen_corpus.py"), str(work / f"x{n}"),
                        "--files", str(args.files), "--mb", str(args.mb), "--copies", str(n)], check=True)
    j = ["-j", str(args.threads)]
    res: dict[tuple[int, str], list] = {}
    for _ in range(args.runs):
        for n in scales:
            tree = str(work / f"x{n}")
            res.setdefault((n, "parse"), []).append(timed([str(ROOT / "target/release/examples/parse_all"), *j, tree]))
            res.setdefault((n, "lint"), []).append(timed([str(ROOT / "target/release/cargo-spawnlint"), tree,
                                                          "--no-cache", "--format", "json", *j]))
    print("| copies | parse-all wall | analyzer wall | analyzer wall per copy | analyzer peak RSS | per copy |")
    print("|---|---|---|---|---|---|")
    for n in scales:
        pw = statistics.median(x[0] for x in res[(n, "parse")])
        aw = statistics.median(x[0] for x in res[(n, "lint")])
        rss = max(x[1] for x in res[(n, "lint")])
        print(f"| {n}× | {pw:.2f} s | {aw:.2f} s | {aw / n:.2f} s | {rss:.0f} MiB | {rss / n:.0f} MiB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
