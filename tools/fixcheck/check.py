#!/usr/bin/env python3
"""Verify `cargo spawnlint --fix --fix-check` on real crates (crates.toml).

For each crate: export the pinned commit from its mirror into a scratch
directory, commit it to a fresh git repository (so `--fix` runs without
`--allow-dirty`), check that it builds, record its findings, run
`--fix --fix-check` (with `--unsafe-fixes` where the table says), then
record the findings again, build again independently, and keep the diff.
Writes a Markdown table (--markdown) and exits 1 if a fixed crate does not
build or a fix left its finding.

Python 3.11, standard library only. Builds need the crates' dependencies
(a crates.io registry); `RUSTFLAGS=--cap-lints warn` keeps old crates'
`#![deny(warnings)]` from failing on today's lints.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def run(cmd, cwd, env=None, check=False, timeout=3600):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed in {cwd}:\n{p.stderr[-2000:]}")
    return p


def export(mirror: Path, commit: str, dest: Path):
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    archive = subprocess.Popen(["git", "--git-dir", str(mirror), "archive", commit], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(dest)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise RuntimeError(f"git archive {commit} failed in {mirror}")


def findings(binary, pkg: Path, env):
    p = run([binary, ".", "--format", "json", "--color", "never"], pkg, env)
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"no JSON from the analyzer in {pkg}: {p.stderr[-1000:]}")
    return [(d["code"], d["file"], d["span"]["line"]) for d in doc["diagnostics"]]


def one(entry, args, env):
    name = entry["repo"].replace("/", "+")
    mirror = Path(args.mirrors) / name / "repo"
    if not mirror.exists():
        return {"repo": entry["repo"], "status": "no mirror"}
    tree = Path(args.scratch) / name
    export(mirror, entry["commit"], tree)
    pkg = tree / entry.get("dir", ".")
    for f in entry.get("remove", []):
        (tree / f).unlink(missing_ok=True)
    for spec in entry.get("update", []):
        run(["cargo", "update", "-p", spec], pkg, env, check=True)
    git = ["git", "-c", "user.name=fixcheck", "-c", "user.email=fixcheck@localhost", "-c", "commit.gpgsign=false"]
    run(git + ["init", "-q"], tree, check=True)
    run(git + ["add", "-A"], tree, check=True)
    run(git + ["commit", "-q", "-m", "export"], tree, check=True)
    before_build = run(["cargo", "check", "--all-targets", "--quiet"], pkg, env)
    if before_build.returncode != 0:
        return {"repo": entry["repo"], "status": "does not build before fixing", "detail": before_build.stderr[-1500:]}
    before = findings(args.bin, pkg, env)
    cmd = [args.bin, "--fix", "--fix-check", ".", "--color", "never"]
    if entry.get("unsafe"):
        cmd.insert(2, "--unsafe-fixes")
    fixed = run(cmd, pkg, env)
    after = findings(args.bin, pkg, env)
    after_build = run(["cargo", "check", "--all-targets", "--quiet"], pkg, env)
    diff = run(["git", "diff", "--stat"], tree).stdout.strip().splitlines()
    summary = [l for l in fixed.stderr.splitlines() if l.startswith(("fixed ", "spawnlint:", "error:"))]
    ok = after_build.returncode == 0 and len(after) < len(before) and fixed.returncode in (0, 1)
    return {
        "repo": entry["repo"],
        "commit": entry["commit"],
        "status": "ok" if ok else "FAILED",
        "before": before,
        "after": after,
        "fix_exit": fixed.returncode,
        "builds_after": after_build.returncode == 0,
        "diff": diff[-1] if diff else "no change",
        "applied": [l for l in summary if l.startswith("fixed ")],
        "summary": summary,
        "upstream": entry.get("upstream", ""),
        "command": " ".join(["cargo-spawnlint"] + cmd[1:]),
    }


def markdown(results):
    out = [
        "| repository | commit | findings before → after | fixes applied | `cargo check` after | diff | the maintainers' fix |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "before" not in r:
            out.append(f"| {r['repo']} | | {r['status']} | | | | |")
            continue
        applied = "<br>".join(a.removeprefix("fixed ") for a in r["applied"]) or "none"
        out.append(
            f"| {r['repo']} | `{r['commit'][:10]}` | {len(r['before'])} → {len(r['after'])} | {applied} | "
            f"{'passes' if r['builds_after'] else 'FAILS'} | {r['diff']} | {r['upstream']} |"
        )
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=str(ROOT / "target/release/cargo-spawnlint"))
    ap.add_argument("--mirrors", default=os.environ.get("SPAWNLINT_MIRRORS", "/work/.mirror"))
    ap.add_argument("--scratch", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "spawnlint-fixcheck"))
    ap.add_argument("--only", help="one repository (owner/name)")
    ap.add_argument("--markdown", help="write the results table here")
    args = ap.parse_args()
    env = dict(os.environ)
    env["RUSTFLAGS"] = (env.get("RUSTFLAGS", "") + " --cap-lints warn").strip()
    env.pop("CARGO_TARGET_DIR", None)
    table = tomllib.loads((HERE / "crates.toml").read_text())
    results = []
    for entry in table["crate"]:
        if args.only and entry["repo"] != args.only:
            continue
        try:
            r = one(entry, args, env)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            r = {"repo": entry["repo"], "status": f"error: {e}"}
        results.append(r)
        print(json.dumps(r, indent=1))
    text = markdown(results)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)
    # A crate that does not build before fixing (no registry, a toolchain
    # change) says nothing about the fixes: reported, not a failure.
    failed = [r for r in results if r["status"] == "FAILED" or r["status"].startswith("error")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
