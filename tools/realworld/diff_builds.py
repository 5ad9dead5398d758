#!/usr/bin/env python3
"""What a new build reports differently from an old one, on every real tree.

    python3 tools/realworld/diff_builds.py --old OLD_BIN [--new NEW_BIN] --exports DIR

Runs both analyzer builds (`--no-cache --format short`) on every
`<owner+repo>/<commit>/` below DIR (the real-code evaluation's exports,
which cover the precision corpus and both commits of every tabled bug) and
prints each finding one build reports and the other does not: `+` new,
`-` gone. Every `+` line is a finding a human must read and label before
the change lands (docs/real-world.md, "Audit of new shapes"). Exits 1 when
anything differs. Python 3.11, standard library only.

To build the old analyzer: `git worktree add /tmp/old REV && cd /tmp/old &&
CARGO_TARGET_DIR=/tmp/old-target cargo build --release`.
"""
import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
FINDING = re.compile(r"^(.*?):(\d+):(\d+): (warning|error)\[(SL\d+)\]: (.*)$")


def findings(binary: str, tree: Path) -> set[str]:
    p = subprocess.run([binary, ".", "--no-cache", "--format", "short"], cwd=tree,
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if p.returncode not in (0, 1, 2):
        sys.exit(f"{tree}: {binary} exited {p.returncode}: {p.stderr[-500:]}")
    return {line for line in p.stdout.splitlines() if FINDING.match(line)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", required=True, help="the old analyzer binary")
    ap.add_argument("--new", default=str(ROOT / "target/release/cargo-spawnlint"), help="the new one")
    ap.add_argument("--exports", required=True, type=Path, help="directory of <owner+repo>/<commit>/ trees")
    args = ap.parse_args()
    trees = sorted(p for p in args.exports.glob("*/*") if p.is_dir())
    if not trees:
        sys.exit(f"no <owner+repo>/<commit>/ trees under {args.exports}")
    changed = 0
    for tree in trees:
        old, new = findings(args.old, tree), findings(args.new, tree)
        label = f"{tree.parent.name}@{tree.name[:10]}"
        for line in sorted(new - old):
            print(f"+ {label} {line}")
        for line in sorted(old - new):
            print(f"- {label} {line}")
        changed += len(new ^ old)
    print(f"{len(trees)} trees, {changed} finding(s) differ", file=sys.stderr)
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
