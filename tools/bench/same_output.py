#!/usr/bin/env python3
"""What the fast paths skip never changes the output, on real trees.

    python3 tools/bench/same_output.py [--bin target/release/cargo-spawnlint] TREE [TREE ...]

For each TREE (or, with --exports DIR, every `<owner+repo>/<commit>/`
below DIR: the real-code evaluation's exports), `--format json` five
ways: the default (`--no-cache`: bodies parsed when the analysis reads
them), with a fresh cache in a temporary `CARGO_TARGET_DIR`, cold then
warm, `--check-syntax` (every body parsed) and `--exhaustive` (every file
parsed as written, every body at once). The default and both cached runs
must be byte-identical, and so must `--check-syntax` and `--exhaustive`;
between the two pairs the only difference allowed is what parsing every
body adds: syntax errors inside bodies the analysis never reads. Prints
one line per tree and exits 1 if any differs. Python 3.11, standard
library only.
"""
import argparse
import json
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


def without_unread_body_errors(full: bytes, lazy: bytes) -> bytes:
    """`full`'s report less the syntax errors `lazy` does not have (those
    in bodies only a full parse reads), re-serialized like `lazy`'s."""
    f, l = json.loads(full), json.loads(lazy)
    for key in ("not_analyzed", "parse_failures"):
        f[key] = [e for e in f.get(key, []) if e in l.get(key, [])]
        if f[key] == l.get(key):
            f["summary"][key] = l["summary"][key]
    if all(f[k] == l.get(k) for k in ("not_analyzed", "parse_failures")):
        f["summary"]["complete"] = l["summary"]["complete"]
    return json.dumps(f, sort_keys=True).encode()


def check(binary: str, tree: Path) -> bool:
    with tempfile.TemporaryDirectory(prefix="spawnlint-same-") as target:
        env = dict(os.environ, CARGO_TARGET_DIR=target)
        runs = {
            "default": output(binary, tree, ["--no-cache"], env),
            "cold cache": output(binary, tree, [], env),
            "warm cache": output(binary, tree, [], env),
        }
        full = {
            "check-syntax": output(binary, tree, ["--no-cache", "--check-syntax"], env),
            "exhaustive": output(binary, tree, ["--no-cache", "--exhaustive"], env),
        }
    ref = runs["default"]
    differ = [name for name, out in runs.items() if out != ref]
    differ += [name for name, out in full.items() if out != full["check-syntax"]]
    canonical = json.dumps(json.loads(ref), sort_keys=True).encode()
    if without_unread_body_errors(full["check-syntax"], ref) != canonical:
        differ.append("check-syntax beyond syntax errors")
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
    print(f"{sum(ok)}/{len(ok)} trees print the same five ways")
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
