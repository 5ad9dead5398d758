#!/usr/bin/env python3
"""What the fast paths skip never changes the output, on real trees.

    python3 tools/bench/same_output.py [--bin target/release/cargo-spawnlint] TREE [TREE ...]

For each TREE (or, with --exports DIR, every `<owner+repo>/<commit>/`
below DIR: the real-code evaluation's exports), `--format json` four
ways: the default (`--no-cache`), `--exhaustive` (every file parsed as
written), and with a fresh cache in a temporary `CARGO_TARGET_DIR`, cold
then warm. All four must be byte-identical. Prints one line per tree and
exits 1 if any differs. Python 3.11, standard library only.
"""
import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def output(binary: str, tree: Path, extra: list[str], env: dict) -> bytes:
    p = subprocess.run([binary, ".", "--format", "json", *extra], cwd=tree, env=env,
                       capture_output=True, stdin=subprocess.DEVNULL)
    if p.returncode not in (0, 1, 2):
        sys.exit(f"{tree}: exit {p.returncode}: {p.stderr.decode(errors='replace')[-500:]}")
    return p.stdout


def check(binary: str, tree: Path) -> bool:
    with tempfile.TemporaryDirectory(prefix="spawnlint-same-") as target:
        env = dict(os.environ, CARGO_TARGET_DIR=target)
        runs = {
            "default": output(binary, tree, ["--no-cache"], env),
            "exhaustive": output(binary, tree, ["--no-cache", "--exhaustive"], env),
            "cold cache": output(binary, tree, [], env),
            "warm cache": output(binary, tree, [], env),
        }
    ref = runs["default"]
    differ = [name for name, out in runs.items() if out != ref]
    findings = ref.count(b'"code"')
    print(f"{'DIFFERS' if differ else 'same'}  {tree}  ({findings} findings){'  ' + ', '.join(differ) if differ else ''}")
    return not differ


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "target/release/cargo-spawnlint"))
    ap.add_argument("--exports", type=Path, help="check every <owner+repo>/<commit>/ below this directory")
    ap.add_argument("trees", nargs="*", type=Path)
    args = ap.parse_args()
    trees = list(args.trees)
    if args.exports:
        trees += sorted(p for p in args.exports.glob("*/*") if p.is_dir())
    if not trees:
        ap.error("give a TREE or --exports DIR")
    ok = [check(args.bin, t.resolve()) for t in trees]
    print(f"{sum(ok)}/{len(ok)} trees print the same four ways")
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
