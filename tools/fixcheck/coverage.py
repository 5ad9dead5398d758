#!/usr/bin/env python3
"""Per rule, how many findings on a tree have a safe fix, only an unsafe
fix, or only fixes to read (display-only): the measure of how much
`--fix` / `--fix --unsafe-fixes` can do.

    python3 tools/fixcheck/coverage.py [--bin target/release/cargo-spawnlint] [PATH]

PATH defaults to the fixtures. Python 3.11, standard library only.
"""
import argparse
import collections
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(ROOT / "target/release/cargo-spawnlint"))
    ap.add_argument("path", nargs="?", default=str(ROOT / "fixtures"))
    args = ap.parse_args()
    p = subprocess.run([args.bin, args.path, "--format", "json"], capture_output=True, text=True)
    doc = json.loads(p.stdout)
    rows = collections.defaultdict(lambda: {"total": 0, "safe": 0, "unsafe": 0, "display": []})
    for d in doc["diagnostics"]:
        r = rows[d["code"]]
        r["total"] += 1
        kinds = {f["applicability"] for f in d["fixes"]}
        if "safe" in kinds:
            r["safe"] += 1
        elif "unsafe" in kinds:
            r["unsafe"] += 1
        else:
            r["display"].append(f"{Path(d['file']).name}:{d['span']['line']}")
    print("| rule | findings | a safe fix (`--fix`) | only an unsafe fix (`--unsafe-fixes`) | only fixes to read |")
    print("|---|---|---|---|---|")
    total = collections.Counter()
    for code in sorted(rows):
        r = rows[code]
        total.update({"total": r["total"], "safe": r["safe"], "unsafe": r["unsafe"], "display": len(r["display"])})
        print(f"| {code} | {r['total']} | {r['safe']} | {r['unsafe']} | {len(r['display'])} |")
    print(f"| all | {total['total']} | {total['safe']} | {total['unsafe']} | {total['display']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
