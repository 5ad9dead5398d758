#!/usr/bin/env python3
"""Real-code evaluation of cargo-spawnlint.

Everything is driven by committed tables next to this script:

* ``corpus.toml``  -- public repositories pinned by commit;
* ``triage.toml``  -- every finding the analyzer reports on the corpus, labelled
  by a human who read the code (``true`` / ``benign`` / ``false``);
* ``bugs.toml``    -- real public bug-fix commits of this bug class (buggy and
  fixed commit, the file and line of the bug).

Nothing is fetched: each repository must already be on this machine as a git
mirror (``<mirrors>/<owner>+<name>/repo``, or plain ``<mirrors>/<owner>+<name>``
holding a ``.git``).  The pinned commit's ``.rs`` files and every
``Cargo.toml`` / ``spawnlint.toml`` are exported into a scratch directory
(cached per commit), the analyzer runs over the export, and its findings are
compared with the tables.

Exit status: 0 when nothing regressed, 1 on a regression (a crash, an
untriaged / vanished / re-ruled finding, precision below ``--min-precision``,
a ``false`` finding at high confidence, a bug no longer found or a fix commit
now flagged where the table expects otherwise), 2 when the run is incomplete
(a corpus mirror or commit is missing) but nothing else regressed.

Run ``python3 tools/realworld/evaluate.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
DEFAULT_BIN = REPO_ROOT / "target" / "release" / "cargo-spawnlint"
DEFAULT_MIRRORS = Path(os.environ.get("SPAWNLINT_MIRRORS", "/work/.mirror"))
DEFAULT_SCRATCH = Path(tempfile.gettempdir()) / "spawnlint-realworld"

# Files exported from each commit: all Rust sources plus the manifests and
# configuration files the analyzer reads.
CONFIG_NAMES = {"Cargo.toml", "spawnlint.toml", ".spawnlint.toml"}
LABELS = ("true", "benign", "false", "untriaged")
BUG_WINDOW = 3  # a bug is found when a finding is within this many lines
EXPORT_FORMAT = 1  # bump when the export layout changes, to invalidate caches


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------


def log(msg: str) -> None:
    """Progress messages go to stderr so stdout stays the report."""
    print(msg, file=sys.stderr, flush=True)


def load_toml(path: Path) -> dict:
    """Read a TOML table; a missing file reads as empty."""
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def toml_str(value: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML escapes)."""
    return json.dumps(value, ensure_ascii=False)


def slug(repo: str) -> str:
    """``owner/name`` -> ``owner+name``, the mirror directory's name."""
    return repo.replace("/", "+")


def find_mirror(mirrors: Path, repo: str) -> Path | None:
    """The git directory of a repository's mirror, or None when absent."""
    base = mirrors / slug(repo)
    for cand in (base / "repo", base / ".git", base):
        if (cand / "HEAD").is_file() or (cand / ".git").exists():
            return cand
    return None


def git(mirror: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run a git command against a mirror, bytes in and out."""
    return subprocess.run(
        ["git", "-C", str(mirror), *args], capture_output=True, check=check
    )


def has_commit(mirror: Path, commit: str) -> bool:
    """True when the mirror holds the commit object."""
    res = git(mirror, "cat-file", "-e", f"{commit}^{{commit}}", check=False)
    return res.returncode == 0


def fmt_pct(num: int, den: int) -> str:
    """``num/den`` as a percentage, or n/a when the denominator is zero."""
    return f"{100.0 * num / den:.1f}%" if den else "n/a"


# --------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------


@dataclass
class Export:
    """One commit's exported tree."""

    dir: Path
    files: int = 0  # files written
    missing_blobs: int = 0  # blobs the mirror lacks (snapshots drop big files)
    skipped: int = 0  # symlinks, submodules, unsafe paths
    cached: bool = False


def wanted(path: str) -> bool:
    """Is this tree path one we export?"""
    name = path.rsplit("/", 1)[-1]
    return name.endswith(".rs") or name in CONFIG_NAMES


def safe_relpath(path: str) -> bool:
    """Reject absolute paths and ``..`` components (defence in depth)."""
    parts = path.split("/")
    return not path.startswith("/") and ".." not in parts and "" not in parts


def export_commit(mirror: Path, repo: str, commit: str, scratch: Path) -> Export:
    """Export ``commit``'s wanted files into ``scratch/<owner+name>/<commit>``.

    Uses ``git ls-tree -r -z`` and ``git cat-file --batch`` rather than
    ``git archive`` so that a blob missing from the mirror is skipped and
    counted instead of aborting the export.  A finished export leaves a
    ``<commit>.json`` marker next to the directory and is reused.
    """
    root = scratch / slug(repo)
    dest = root / commit
    marker = root / f"{commit}.json"
    if marker.exists() and dest.is_dir():
        info = json.loads(marker.read_text())
        if info.get("format") == EXPORT_FORMAT:
            return Export(dest, info["files"], info["missing_blobs"], info["skipped"], True)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)

    listing = git(mirror, "ls-tree", "-r", "-z", "--full-tree", commit).stdout
    entries: list[tuple[str, str]] = []  # (sha, path)
    skipped = 0
    for rec in listing.split(b"\0"):
        if not rec:
            continue
        meta, _, raw_path = rec.partition(b"\t")
        mode, otype, sha = meta.decode().split()
        path = raw_path.decode("utf-8", "surrogateescape")
        if not wanted(path):
            continue
        if otype != "blob" or mode == "120000" or not safe_relpath(path):
            skipped += 1  # submodule, symlink or odd path
            continue
        entries.append((sha, path))

    proc = subprocess.Popen(
        ["git", "-C", str(mirror), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )

    def feed() -> None:
        for sha, _ in entries:
            proc.stdin.write(sha.encode() + b"\n")
        proc.stdin.close()

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    written = missing = 0
    for sha, path in entries:
        header = proc.stdout.readline().split()
        if len(header) < 2 or header[1] == b"missing":
            missing += 1
            continue
        size = int(header[2])
        data = proc.stdout.read(size)
        proc.stdout.read(1)  # the newline after each object
        out = dest / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        written += 1
    writer.join()
    proc.wait()

    info = {
        "format": EXPORT_FORMAT,
        "repo": repo,
        "commit": commit,
        "files": written,
        "missing_blobs": missing,
        "skipped": skipped,
    }
    marker.write_text(json.dumps(info, indent=1) + "\n")
    return Export(dest, written, missing, skipped, False)


# --------------------------------------------------------------------------
# running the analyzer
# --------------------------------------------------------------------------


@dataclass
class Finding:
    """One diagnostic, reduced to what the tables compare."""

    file: str
    line: int
    rule: str
    severity: str
    message: str = ""
    confidence: object = None
    labels: list[tuple[str, int]] = field(default_factory=list)  # secondary (file, line)

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.file, self.line, self.rule)


@dataclass
class Run:
    """The outcome of one analyzer run."""

    status: int
    wall: float
    peak_mib: float
    crash: str | None = None  # why the run counts as a crash
    files: int = 0
    findings: list[Finding] = field(default_factory=list)
    parse_failures: list[dict] = field(default_factory=list)
    has_confidence: bool = False
    stderr_tail: str = ""


def norm_path(path: str) -> str:
    """Reported paths relative to the export root, without ``./``."""
    while path.startswith("./"):
        path = path[2:]
    return path


def run_analyzer(binary: Path, cwd: Path, target: str, jobs: int, timeout: float) -> Run:
    """Run ``binary target --format json`` in ``cwd`` and parse the result.

    Wall time and the child's own peak RSS come from ``os.wait4`` on the
    child's pid (``RUSAGE_CHILDREN`` would mix all children of this script).
    Exit status 0 or 1 with a JSON document is normal, and 2 with one when
    files were skipped or unreadable (listed with the parse failures); an
    analysis cut short, any other status, a timeout, or output that is not
    JSON is a crash.
    """
    # `--no-cache`: every run is a cold analysis, so its time and memory are.
    cmd = [str(binary), target, "--format", "json", "-j", str(jobs), "--color", "never", "--no-cache"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, wstatus, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        wall = time.monotonic() - start
        status = os.waitstatus_to_exitcode(wstatus)
        proc.returncode = status  # we reaped it ourselves
        out.seek(0)
        err.seek(0)
        raw = out.read()
        stderr = err.read().decode("utf-8", "replace")

    run = Run(status, wall, usage.ru_maxrss / 1024.0, stderr_tail=stderr[-2000:])
    if timed_out.is_set():
        run.crash = f"timed out after {timeout:.0f}s"
        return run
    if status not in (0, 1):
        run.crash = f"exit status {status}" + (f": {stderr.strip()[-300:]}" if stderr.strip() else "")
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        run.crash = run.crash or f"output is not JSON ({exc})"
        return run
    if not isinstance(doc, dict) or doc.get("version") != 1:
        run.crash = run.crash or "output is not a version-1 JSON document"
        return run
    run.files = int(doc.get("summary", {}).get("files", 0))
    run.parse_failures = list(doc.get("parse_failures", []))
    # Exit 2 with a document: some input was not analyzed in full. Files
    # skipped or unreadable are listed with the parse failures; an analysis
    # cut short (step budget, internal error) is a regression.
    if status == 2:
        notices = doc.get("not_analyzed", [])
        cut = [n for n in notices if n.get("kind") == "incomplete-analysis"]
        if cut:
            run.crash = "incomplete analysis: " + "; ".join(
                f"{n.get('file')}:{n.get('line')}: {n.get('message')}" for n in cut[:3]
            )
        else:
            run.crash = None
        listed = {(f.get("file"), f.get("line")) for f in run.parse_failures}
        for n in notices:
            if n.get("kind") in ("skipped", "unreadable", "unreadable-path") and (
                n.get("file"), n.get("line")) not in listed:
                run.parse_failures.append(
                    {"file": n.get("file", ""), "line": n.get("line"), "column": n.get("column"),
                     "message": n.get("message", "")})
    for diag in doc.get("diagnostics", []):
        if "confidence" in diag:
            run.has_confidence = True
        run.findings.append(
            Finding(
                file=norm_path(diag.get("file", "")),
                line=int(diag.get("span", {}).get("line", 0)),
                rule=diag.get("code", "?"),
                severity=diag.get("severity", "?"),
                message=diag.get("message", ""),
                confidence=diag.get("confidence"),
                labels=[
                    (norm_path(lab.get("file", "")), int(lab.get("span", {}).get("line", 0)))
                    for lab in diag.get("labels", [])
                    if not lab.get("primary")
                ],
            )
        )
    for pf in run.parse_failures:
        pf["file"] = norm_path(pf.get("file", ""))
    return run


def is_high_confidence(conf: object) -> bool:
    """``confidence`` may be a word (high/medium/low) or a number in 0..1."""
    if isinstance(conf, str):
        return conf.lower() == "high"
    if isinstance(conf, (int, float)):
        return conf >= 0.9
    return False


# --------------------------------------------------------------------------
# corpus evaluation
# --------------------------------------------------------------------------


@dataclass
class RepoResult:
    """The corpus result of one repository."""

    entry: dict
    skipped: str | None = None  # why it was not evaluated
    export: Export | None = None
    run: Run | None = None
    counts: dict = field(default_factory=lambda: {k: 0 for k in LABELS})
    matched: list[tuple[Finding, dict]] = field(default_factory=list)
    new: list[Finding] = field(default_factory=list)
    vanished: list[dict] = field(default_factory=list)
    changed: list[tuple[Finding, dict, str]] = field(default_factory=list)
    retired: list[dict] = field(default_factory=list)  # `reported = false`, still not reported
    reappeared: list[tuple[Finding, dict]] = field(default_factory=list)


def is_retired(ent: dict) -> bool:
    """A triage entry kept as history: an earlier analyzer reported it, it
    was labelled, and it is no longer expected (``reported = false``)."""
    return ent.get("reported", True) is False


def compare(result: RepoResult, triage: list[dict]) -> None:
    """Match this repository's findings with its triage entries.

    Entries match by (file, line, rule), as a multiset.  A finding whose
    place (file, line) is in the table under another rule is *changed* (its
    label no longer applies: it is also counted untriaged, and the old entry
    vanished).  A matched finding whose severity differs is *changed* but
    keeps its label.

    Entries marked ``reported = false`` are history: when still absent they
    are *retired* (neither vanished nor counted); when the finding comes
    back it counts under its old label and is listed as *reappeared*.
    """
    pool: dict[tuple, list[dict]] = {}
    for ent in sorted(triage, key=is_retired):  # current entries match first
        pool.setdefault((ent["file"], int(ent["line"]), ent["rule"]), []).append(ent)
    unmatched: list[Finding] = []
    for f in result.run.findings:
        bucket = pool.get(f.key)
        if bucket:
            ent = bucket.pop(0)
            label = ent.get("label", "untriaged")
            result.counts[label if label in LABELS else "untriaged"] += 1
            result.matched.append((f, ent))
            if is_retired(ent):
                result.reappeared.append((f, ent))
            if ent.get("severity") and ent["severity"] != f.severity:
                result.changed.append((f, ent, f"severity {ent['severity']} -> {f.severity}"))
            if "confidence" in ent and ent["confidence"] != f.confidence:
                result.changed.append((f, ent, f"confidence {ent['confidence']} -> {f.confidence}"))
        else:
            unmatched.append(f)
    leftovers = [e for bucket in pool.values() for e in bucket if not is_retired(e)]
    result.retired = [e for bucket in pool.values() for e in bucket if is_retired(e)]
    for f in unmatched:
        result.counts["untriaged"] += 1
        old = next(
            (e for e in leftovers if e["file"] == f.file and int(e["line"]) == f.line), None
        )
        if old is not None:
            leftovers.remove(old)
            result.changed.append((f, old, f"rule {old['rule']} -> {f.rule}"))
            result.vanished.append(old)
        else:
            result.new.append(f)
    result.vanished.extend(leftovers)


def evaluate_corpus(args, corpus: list[dict], triage: list[dict]) -> list[RepoResult]:
    """Export, analyze and compare every selected corpus repository."""
    results = []
    for entry in corpus:
        repo = entry["repo"]
        if args.only and repo not in args.only:
            continue
        res = RepoResult(entry)
        results.append(res)
        mirror = find_mirror(args.mirrors, repo)
        if mirror is None:
            res.skipped = f"no mirror at {args.mirrors / slug(repo) / 'repo'} (fetch {repo})"
            log(f"[corpus] {repo}: SKIPPED, {res.skipped}")
            continue
        if not has_commit(mirror, entry["commit"]):
            res.skipped = f"mirror {mirror} lacks commit {entry['commit']}"
            log(f"[corpus] {repo}: SKIPPED, {res.skipped}")
            continue
        log(f"[corpus] {repo} @ {entry['commit'][:12]}: exporting")
        res.export = export_commit(mirror, repo, entry["commit"], args.scratch)
        target = entry.get("path", ".")
        log(f"[corpus] {repo}: analyzing {target} ({res.export.files} files)")
        res.run = run_analyzer(args.bin, res.export.dir, target, args.jobs, args.timeout)
        if res.run.crash:
            log(f"[corpus] {repo}: CRASH: {res.run.crash}")
            continue
        compare(res, [t for t in triage if t["repo"] == repo])
        log(
            f"[corpus] {repo}: {len(res.run.findings)} findings, "
            f"{res.run.wall:.1f}s, {res.run.peak_mib:.0f} MiB"
        )
    return results


# --------------------------------------------------------------------------
# bug table evaluation
# --------------------------------------------------------------------------


@dataclass
class BugResult:
    """Found / clean-at-fix for one bug."""

    bug: dict
    skipped: str | None = None
    crash: str | None = None
    found: bool = False
    found_rule: str | None = None  # rule of the matching finding
    found_line: int | None = None
    found_confidence: object = None
    label_hit: Finding | None = None  # not found, but a secondary label is at the bug
    parse_failure: str | None = None  # the bug's file did not parse at the buggy commit
    clean_at_fix: bool = False
    fix_flags: list[Finding] = field(default_factory=list)
    # Findings at the fix commit, in the bug's file, that the table's
    # ``[[latent]]`` rows label as another real window left there.
    latent: list[tuple[Finding, dict]] = field(default_factory=list)
    near: list[Finding] = field(default_factory=list)  # same-file findings at buggy


def at_bug(bug: dict, file: str, line: int) -> bool:
    """Is (file, line) the bug's place: its file, within ±3 lines of ``line``,
    or exactly ``alt_line``?"""
    if file != bug["file"]:
        return False
    if abs(line - int(bug["line"])) <= BUG_WINDOW:
        return True
    return "alt_line" in bug and line == int(bug["alt_line"])


def match_bug(bug: dict, findings: list[Finding]) -> Finding | None:
    """The finding that points at the bug's place: its *primary* location
    (a finding with the bug's rule wins over one with another rule), else a
    finding of the bug's rule one of whose labels is there -- a task's lost
    wakeup is reported on the spawn that starts the task, with a label on
    the wait the table records."""
    hits = [f for f in findings if at_bug(bug, f.file, f.line)]
    same_rule = [f for f in hits if f.rule == bug["rule"]]
    if same_rule or hits:
        return (same_rule or hits)[0]
    return next(
        (
            f
            for f in findings
            if f.rule == bug["rule"] and any(at_bug(bug, *lab) for lab in f.labels)
        ),
        None,
    )


def latent_row(latent: list[dict], repo: str, commit: str, f: Finding) -> dict | None:
    """The ``[[latent]]`` row (read and labelled ``true`` or ``benign``) that a
    finding at a fix commit is: the same repo, commit, file, rule and line."""
    return next(
        (
            row for row in latent
            if row["repo"] == repo and row["commit"] == commit and row["file"] == f.file
            and row["rule"] == f.rule and int(row["line"]) == f.line
            and row["label"] in ("true", "benign")
        ),
        None,
    )


def evaluate_bugs(args, bugs: list[dict], latent: list[dict] | None = None) -> tuple[list[BugResult], list[str]]:
    """Run the analyzer on each bug's buggy and fix commits (cached per commit).

    Returns the results and the list of missing mirrors (skipped, not failed).
    """
    runs: dict[tuple[str, str], Run | str] = {}
    missing_mirrors: list[str] = []

    def analyzed(repo: str, mirror: Path, commit: str) -> Run | str:
        key = (repo, commit)
        if key not in runs:
            if not has_commit(mirror, commit):
                runs[key] = f"mirror lacks commit {commit}"
            else:
                exp = export_commit(mirror, repo, commit, args.scratch)
                log(f"[bugs] {repo} @ {commit[:12]}: analyzing ({exp.files} files)")
                runs[key] = run_analyzer(args.bin, exp.dir, ".", args.jobs, args.timeout)
        return runs[key]

    results = []
    for bug in bugs:
        repo = bug["repo"]
        if args.only and repo not in args.only:
            continue
        res = BugResult(bug)
        results.append(res)
        mirror = find_mirror(args.mirrors, repo)
        if mirror is None:
            res.skipped = f"missing mirror {args.mirrors / slug(repo) / 'repo'}"
            if repo not in missing_mirrors:
                missing_mirrors.append(repo)
                log(f"[bugs] {repo}: no mirror, skipping its bugs (fetch {repo})")
            continue
        before = analyzed(repo, mirror, bug["buggy_commit"])
        after = analyzed(repo, mirror, bug["fix_commit"])
        skips, crashes = [], []
        for what, run in (("buggy", before), ("fix", after)):
            if isinstance(run, str):
                skips.append(f"{what}: {run}")
            elif run.crash:
                crashes.append(f"{what} commit: {run.crash}")
        res.skipped = "; ".join(skips) or None
        res.crash = "; ".join(crashes) or None
        if res.skipped or res.crash:
            continue
        hit = match_bug(bug, before.findings)
        pf = next((p for p in before.parse_failures if p["file"] == bug["file"]), None)
        if pf is not None:
            res.parse_failure = f"{pf.get('line')}:{pf.get('column')}: {pf.get('message')}"
        res.near = [f for f in before.findings if f.file == bug["file"]]
        if hit is not None:
            res.found, res.found_rule, res.found_line = True, hit.rule, hit.line
            res.found_confidence = hit.confidence
        else:
            # Not found by the definition above; note a finding that points a
            # secondary label at the bug (e.g. SL007's primary span is the spawn
            # while the table records the wait) -- reported, never counted.
            res.label_hit = next(
                (f for f in before.findings if any(at_bug(bug, *lab) for lab in f.labels)), None
            )
        rules = {bug["rule"]} | ({hit.rule} if hit else set())
        # A finding at the fix commit that is another tabled bug, still
        # present there (its buggy commit is this fix commit: the same
        # mistake fixed one commit later), is that bug, not a false alarm.
        still_buggy = [
            other for other in bugs
            if other is not bug
            and other["repo"] == repo
            and other["buggy_commit"] == bug["fix_commit"]
        ]
        flagged = [
            f for f in after.findings
            if f.file == bug["file"]
            and f.rule in rules
            and not any(match_bug(other, [f]) is not None for other in still_buggy)
        ]
        # A finding there that was read and labelled a real window of its
        # own (the fix left a twin of the bug) is not a false alarm.
        for f in flagged:
            row = latent_row(latent or [], repo, bug["fix_commit"], f)
            if row is None:
                res.fix_flags.append(f)
            else:
                res.latent.append((f, row))
        res.clean_at_fix = not res.fix_flags
    return results, missing_mirrors


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------


@dataclass
class Summary:
    """Totals and the list of regressions."""

    counts: dict
    precision: float | None
    high_conf_false: list[tuple[str, Finding]]
    regressions: list[str]
    incomplete: list[str]
    has_confidence: bool
    retired: dict = field(default_factory=dict)  # label -> count of `reported = false` entries


def summarize(args, results: list[RepoResult], bugs: list[BugResult] | None) -> Summary:
    """Add up the corpus counts, compute precision, collect regressions."""
    counts = {k: 0 for k in LABELS}
    regressions: list[str] = []
    incomplete: list[str] = []
    high_conf_false = []
    has_conf = False
    for r in results:
        repo = r.entry["repo"]
        if r.skipped:
            incomplete.append(f"{repo}: {r.skipped}")
            continue
        if r.run.crash:
            regressions.append(f"{repo}: analyzer crash: {r.run.crash}")
            continue
        has_conf |= r.run.has_confidence
        for k in LABELS:
            counts[k] += r.counts[k]
        for f in r.new:
            regressions.append(f"{repo}: untriaged finding {f.file}:{f.line} {f.rule}")
        for e in r.vanished:
            regressions.append(
                f"{repo}: vanished finding {e['file']}:{e['line']} {e['rule']} (was {e.get('label')}; "
                f"if that is intended, mark the entry `reported = false`)"
            )
        for f, e in r.reappeared:
            if e.get("label") == "false":
                regressions.append(f"{repo}: false finding reappeared {f.file}:{f.line} {f.rule}")
        for f, e, why in r.changed:
            if why.startswith("rule"):
                regressions.append(f"{repo}: changed finding {f.file}:{f.line} ({why})")
        for f, e in r.matched:
            if e.get("label") == "untriaged":
                regressions.append(f"{repo}: finding {f.file}:{f.line} {f.rule} still untriaged")
            if e.get("label") == "false" and is_high_confidence(f.confidence):
                high_conf_false.append((repo, f))
                regressions.append(f"{repo}: false finding at high confidence {f.file}:{f.line}")
    den = counts["true"] + counts["false"]
    precision = counts["true"] / den if den else None
    if precision is not None and precision < args.min_precision:
        regressions.append(f"precision {precision:.3f} below --min-precision {args.min_precision}")
    for b in bugs or []:
        bid = b.bug["id"]
        if b.crash:
            regressions.append(f"bug {bid}: analyzer crash: {b.crash}")
        if b.skipped or b.crash:
            continue
        if b.bug.get("expected_found") is True and not b.found:
            regressions.append(f"bug {bid}: expected found, no longer found")
        if b.bug.get("expected_clean_at_fix") is True and not b.clean_at_fix:
            regressions.append(f"bug {bid}: expected clean at fix, now flagged")
    retired: dict = {}
    for r in results:
        for e in r.retired:
            retired[e.get("label")] = retired.get(e.get("label"), 0) + 1
    return Summary(counts, precision, high_conf_false, regressions, incomplete, has_conf, retired)


def print_report(args, results, bugs, missing, summary: Summary) -> None:
    """The human report on stdout."""
    print("== corpus ==")
    hdr = f"{'repository':32} {'files':>6} {'find':>5} {'true':>5} {'benign':>6} {'false':>5} {'untr':>5} {'parsef':>6} {'wall s':>7} {'MiB':>6}"
    print(hdr)
    for r in results:
        repo = r.entry["repo"]
        if r.skipped:
            print(f"{repo:32} skipped: {r.skipped}")
            continue
        if r.run.crash:
            print(f"{repo:32} CRASH: {r.run.crash}")
            continue
        c = r.counts
        print(
            f"{repo:32} {r.run.files:6} {len(r.run.findings):5} {c['true']:5} {c['benign']:6} "
            f"{c['false']:5} {c['untriaged']:5} {len(r.run.parse_failures):6} "
            f"{r.run.wall:7.1f} {r.run.peak_mib:6.0f}"
        )
        if r.export.missing_blobs:
            print(f"{'':32} ({r.export.missing_blobs} blobs missing from the mirror, skipped)")
        for pf in r.run.parse_failures:
            print(f"{'':32} parse failure {pf['file']}:{pf.get('line')}:{pf.get('column')}: {pf.get('message')}")
    c = summary.counts
    print(
        f"\ntotal findings {sum(c.values())}: true {c['true']}, benign {c['benign']}, "
        f"false {c['false']}, untriaged {c['untriaged']}"
    )
    prec = "n/a (no true or false findings)" if summary.precision is None else f"{summary.precision:.3f}"
    print(f"precision = true/(true+false) = {prec}")
    if summary.retired:
        print("no longer reported (reported = false): " + ", ".join(f"{k} {v}" for k, v in sorted(summary.retired.items())))
    if summary.has_confidence:
        print(f"false findings at high confidence: {len(summary.high_conf_false)}")
    else:
        print("false findings at high confidence: n/a (the JSON has no `confidence` field)")

    sections = [
        ("new (untriaged) findings", [(r, f"{f.file}:{f.line} {f.rule} {f.severity}: {f.message}") for r in results for f in r.new]),
        ("vanished findings", [(r, f"{e['file']}:{e['line']} {e['rule']} (was {e.get('label')})") for r in results for e in r.vanished]),
        ("changed findings", [(r, f"{f.file}:{f.line} {f.rule}: {why}") for r in results for f, e, why in r.changed]),
        ("reappeared findings (marked reported = false)", [(r, f"{f.file}:{f.line} {f.rule} (label {e.get('label')})") for r in results for f, e in r.reappeared]),
    ]
    for title, rows in sections:
        print(f"\n{title}: {len(rows)}")
        for r, text in rows:
            print(f"  {r.entry['repo']}: {text}")

    if bugs is not None:
        print("\n== bug table ==")
        for b in bugs:
            bid = b.bug["id"]
            if b.skipped:
                print(f"  {bid:40} skipped: {b.skipped}")
            elif b.crash:
                print(f"  {bid:40} CRASH: {b.crash}")
            else:
                print(f"  {bid:40} {b.bug['rule']}  {bug_found_text(b):28} {'clean-at-fix' if b.clean_at_fix else 'FLAGGED at fix'}")
                for f, row in b.latent:
                    print(f"  {'':40}        at fix also {f.rule} line {f.line}: latent, labelled {row['label']}")
        ev = [b for b in bugs if not b.skipped and not b.crash]
        found = sum(b.found for b in ev)
        clean = sum(b.clean_at_fix for b in ev)
        labelled = sum(b.label_hit is not None for b in ev)
        print(f"recall = {found}/{len(ev)} = {fmt_pct(found, len(ev))}; clean-at-fix = {clean}/{len(ev)} = {fmt_pct(clean, len(ev))}")
        if labelled:
            print(f"(not counted: {labelled} more bug(s) where only a secondary label points at the bug line)")
        if missing:
            print("missing mirrors (bugs skipped): " + ", ".join(missing))
        improved = [b.bug["id"] for b in ev if b.found and b.bug.get("expected_found") is False]
        if improved:
            print("now found although the table expects not (update expected_found): " + ", ".join(improved))

    print("\n== result ==")
    for line in summary.incomplete:
        print(f"INCOMPLETE: {line}")
    for line in summary.regressions:
        print(f"REGRESSION: {line}")
    if not summary.regressions and not summary.incomplete:
        print("no regressions")


def bug_found_text(b: BugResult) -> str:
    """``found``, ``found as SL00x``, or ``missed`` with what the analyzer
    did report in that file."""
    if not b.found:
        if b.parse_failure:
            return f"missed (file does not parse: {b.parse_failure})"
        if b.label_hit is not None:
            f = b.label_hit
            return f"missed (a label of {f.file.rsplit('/', 1)[-1]}:{f.line} {f.rule} points here)"
        if b.near:
            return "missed (in this file: " + ", ".join(f"{f.rule} line {f.line}" for f in b.near) + ")"
        return "missed"
    where = f" line {b.found_line}" if b.found_line != int(b.bug["line"]) else ""
    conf = f", {b.found_confidence} confidence" if b.found_confidence is not None else ""
    if b.found_rule != b.bug["rule"]:
        return f"found as {b.found_rule}{where}{conf}"
    return f"found{where}{conf}"


# --------------------------------------------------------------------------
# markdown
# --------------------------------------------------------------------------

BEGIN = "<!-- BEGIN GENERATED by tools/realworld/evaluate.py: do not edit by hand -->"
END = "<!-- END GENERATED -->"


def md_escape(text: str) -> str:
    """Make text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(args, corpus, results, bugs, missing, summary: Summary) -> str:
    """The generated tables, as Markdown."""
    out: list[str] = []
    add = out.append
    st = args.bin.stat()
    built = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(st.st_mtime))
    add(f"Analyzer: `{md_escape(tool_version(args.bin))}`, binary of {built} ({st.st_size} bytes); `-j {args.jobs}`.\n")
    add("### Corpus and results\n")
    add("| repository | commit | kind | runtime | files | findings | true | benign | false | untriaged | parse failures | wall (s) | peak MiB |")
    add("|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in results:
        e = r.entry
        head = f"| {e['repo']}{' (`' + e['path'] + '`)' if e.get('path') else ''} | `{e['commit'][:12]}` | {e.get('kind', '')} | {e.get('runtime', '')} |"
        if r.skipped:
            add(f"{head} skipped: {md_escape(r.skipped)} |||||||||")
        elif r.run.crash:
            add(f"{head} CRASH: {md_escape(r.run.crash)} |||||||||")
        else:
            c = r.counts
            add(
                f"{head} {r.run.files} | {len(r.run.findings)} | {c['true']} | {c['benign']} | {c['false']} | "
                f"{c['untriaged']} | {len(r.run.parse_failures)} | {r.run.wall:.1f} | {r.run.peak_mib:.0f} |"
            )
    done = [r for r in results if not r.skipped and r.run and not r.run.crash]
    add(
        f"\nTotal: {sum(r.run.files for r in done)} files, "
        f"{sum(len(r.run.findings) for r in done)} findings, "
        f"{sum(r.run.wall for r in done):.1f} s wall in all; largest peak RSS "
        f"{max((r.run.peak_mib for r in done), default=0):.0f} MiB.\n"
    )
    c = summary.counts
    prec = "n/a" if summary.precision is None else f"{summary.precision:.3f}"
    add("### Precision\n")
    add(f"true {c['true']}, benign {c['benign']}, false {c['false']}, untriaged {c['untriaged']}: "
        f"**precision = true / (true + false) = {prec}** (benign counted as neither).")
    if summary.retired:
        add("Findings of earlier builds, no longer reported: "
            + ", ".join(f"{k} {v}" for k, v in sorted(summary.retired.items())) + ".")
    if summary.has_confidence:
        add(f"False findings at high confidence: {len(summary.high_conf_false)}.\n")
    else:
        add("The JSON output has no `confidence` field yet, so there is no high-confidence count.\n")

    add("### Every finding\n")
    add("Findings the analyzer reports today:\n")
    rows = [(r, f, e) for r in done for f, e in r.matched] + [(r, f, None) for r in done for f in r.new]
    if rows:
        add("| repository | location | rule | severity | confidence | label | reason |")
        add("|---|---|---|---|---|---|---|")
        for r, f, e in rows:
            label = e.get("label", "untriaged") if e else "untriaged (new)"
            reason = e.get("reason", "") if e else ""
            conf = "" if f.confidence is None else f.confidence
            add(f"| {r.entry['repo']} | `{f.file}:{f.line}` | {f.rule} | {f.severity} | {conf} | **{label}** | {md_escape(reason)} |")
    else:
        add("No findings.")
    retired = [(r, e) for r in done for e in r.retired]
    if retired:
        add("\nReported by earlier builds, labelled, and no longer reported (`reported = false` in `triage.toml`; "
            "if one comes back it counts under its label again):\n")
        add("| repository | location | rule | label | reason | note |")
        add("|---|---|---|---|---|---|")
        for r, e in retired:
            add(f"| {r.entry['repo']} | `{e['file']}:{e['line']}` | {e['rule']} | **{e.get('label')}** | "
                f"{md_escape(e.get('reason', ''))} | {md_escape(e.get('note', ''))} |")
    vanished = [(r, e) for r in done for e in r.vanished]
    if vanished:
        add("\nIn the triage table but no longer reported:\n")
        for r, e in vanished:
            add(f"- {r.entry['repo']} `{e['file']}:{e['line']}` {e['rule']} (was {e.get('label')})")
    add("")

    add("### Parse failures\n")
    add("A file that does not parse is reported and skipped; the run goes on.\n")
    any_pf = False
    for r in done:
        pfs = r.run.parse_failures
        if not pfs:
            continue
        any_pf = True
        rows = [
            f"| `{pf['file']}:{pf.get('line')}:{pf.get('column')}` | {md_escape(pf.get('message', ''))} |"
            for pf in pfs
        ]
        table = ["| location | message |", "|---|---|", *rows]
        if len(pfs) <= 10:
            add(f"**{r.entry['repo']}** ({len(pfs)}):\n")
            out.extend(table)
            add("")
        else:
            dirs: dict[str, int] = {}
            for pf in pfs:
                top = "/".join(pf["file"].split("/")[:3])
                dirs[top] = dirs.get(top, 0) + 1
            where = ", ".join(f"`{d}/` {n}" for d, n in sorted(dirs.items(), key=lambda x: -x[1]))
            add(f"<details><summary><b>{r.entry['repo']}</b> ({len(pfs)}: {md_escape(where)})</summary>\n")
            out.extend(table)
            add("\n</details>\n")
    if not any_pf:
        add("None.")
    add("")

    if bugs is not None:
        add("### Bug table\n")
        add("| id | repository | file:line | rule | buggy | found | fix | clean at fix |")
        add("|---|---|---|---|---|---|---|---|")
        for b in bugs:
            bg = b.bug
            loc = f"`{bg['file']}:{bg['line']}`" + (f" (alt {bg['alt_line']})" if "alt_line" in bg else "")
            head = f"| {bg['id']}{' (test)' if bg.get('in_test') else ''} | {bg['repo']} | {loc} | {bg['rule']} | `{bg['buggy_commit'][:10]}` |"
            if b.skipped:
                add(f"{head} skipped: {md_escape(b.skipped)} | `{bg['fix_commit'][:10]}` | |")
            elif b.crash:
                add(f"{head} CRASH: {md_escape(b.crash)} | `{bg['fix_commit'][:10]}` | |")
            else:
                fix = "yes" if b.clean_at_fix else "no: " + ", ".join(f"{f.rule} line {f.line}" for f in b.fix_flags)
                if b.latent:
                    fix += " (also: " + ", ".join(f"{f.rule} line {f.line}, latent {row['label']}" for f, row in b.latent) + ")"
                add(f"{head} {bug_found_text(b)} | `{bg['fix_commit'][:10]}` | {fix} |")
        ev = [b for b in bugs if not b.skipped and not b.crash]
        found = sum(b.found for b in ev)
        same = sum(b.found and b.found_rule == b.bug["rule"] for b in ev)
        clean = sum(b.clean_at_fix for b in ev)
        labelled = sum(b.label_hit is not None for b in ev)
        add(
            f"\n**Recall = {found}/{len(ev)} = {fmt_pct(found, len(ev))}** "
            f"({same} with the bug's own rule); "
            f"**clean at fix = {clean}/{len(ev)} = {fmt_pct(clean, len(ev))}**."
        )
        if labelled:
            add(
                f"Not counted as found: {labelled} bug(s) where the analyzer reports the "
                f"window elsewhere (its primary span) and only a secondary label points at the bug's line."
            )
        if missing:
            add("\nSkipped, mirror missing: " + ", ".join(missing) + ".")
        add("")
    return "\n".join(out)


def tool_version(binary: Path) -> str:
    """``cargo-spawnlint --version`` (best effort)."""
    try:
        res = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30)
        return res.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def write_markdown(path: Path, text: str) -> None:
    """Write the generated tables.  If ``path`` already holds the BEGIN/END
    markers, only the text between them is replaced, so hand-written prose
    around the tables survives a rerun."""
    block = f"{BEGIN}\n{text}\n{END}\n"
    if path.exists():
        old = path.read_text()
        if BEGIN in old and END in old:
            pre, rest = old.split(BEGIN, 1)
            post = rest.split(END, 1)[1].lstrip("\n")
            path.write_text(pre + block + post)
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block)


# --------------------------------------------------------------------------
# triage table maintenance
# --------------------------------------------------------------------------


def append_untriaged(path: Path, results: list[RepoResult]) -> int:
    """Append every new finding to triage.toml with label "untriaged" and an
    empty reason.  Never labels anything itself."""
    new = [(r, f) for r in results for f in r.new]
    if not new:
        return 0
    chunks = []
    for r, f in new:
        lines = [
            "",
            "[[finding]]",
            f"repo = {toml_str(r.entry['repo'])}",
            f"file = {toml_str(f.file)}",
            f"line = {f.line}",
            f"rule = {toml_str(f.rule)}",
            f"severity = {toml_str(f.severity)}",
        ]
        if f.confidence is not None:
            conf = toml_str(f.confidence) if isinstance(f.confidence, str) else str(f.confidence)
            lines.append(f"confidence = {conf}")
        lines += ['label = "untriaged"', 'reason = ""', f"# message: {f.message}"]
        chunks.append("\n".join(lines) + "\n")
    with path.open("a") as fh:
        fh.write("".join(chunks))
    return len(new)


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def validate_tables(corpus: list[dict], triage: list[dict], bugs: list[dict], latent: list[dict] | None = None) -> None:
    """Fail early, with a clear message, on a malformed table row."""
    problems = []
    for e in corpus:
        for k in ("repo", "commit", "kind", "runtime"):
            if k not in e:
                problems.append(f"corpus.toml: {e.get('repo', '?')} lacks `{k}`")
        if not re.fullmatch(r"[0-9a-f]{40}", e.get("commit", "")):
            problems.append(f"corpus.toml: {e.get('repo')} commit is not 40 hex digits")
    for t in triage:
        for k in ("repo", "file", "line", "rule", "label", "reason"):
            if k not in t:
                problems.append(f"triage.toml: {t.get('repo')}:{t.get('file')}:{t.get('line')} lacks `{k}`")
        if t.get("label") not in LABELS:
            problems.append(f"triage.toml: {t.get('file')}:{t.get('line')} has label {t.get('label')!r}")
    for b in bugs:
        for k in ("id", "repo", "fix_commit", "buggy_commit", "file", "line", "rule"):
            if k not in b:
                problems.append(f"bugs.toml: {b.get('id', '?')} lacks `{k}`")
    for row in latent or []:
        for k in ("repo", "commit", "file", "line", "rule", "label", "reason"):
            if k not in row:
                problems.append(f"bugs.toml [[latent]]: {row.get('file', '?')}:{row.get('line', '?')} lacks `{k}`")
        if row.get("label") not in LABELS:
            problems.append(f"bugs.toml [[latent]]: {row.get('file')}:{row.get('line')} has label {row.get('label')!r}")
    if problems:
        sys.exit("malformed tables:\n  " + "\n  ".join(problems))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(
        description="Evaluate cargo-spawnlint on pinned real repositories and a table of real bugs.",
        epilog="Exit status: 0 no regression, 1 regression, 2 incomplete (corpus mirror or commit missing).",
    )
    p.add_argument("--bin", type=Path, default=DEFAULT_BIN, help=f"analyzer binary (default {DEFAULT_BIN})")
    p.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS,
                   help="directory of mirrors <owner>+<name>/repo (default $SPAWNLINT_MIRRORS or /work/.mirror)")
    p.add_argument("--scratch", type=Path, default=DEFAULT_SCRATCH,
                   help=f"where commits are exported, cached per commit (default {DEFAULT_SCRATCH})")
    p.add_argument("--corpus", type=Path, default=HERE / "corpus.toml", help="corpus table")
    p.add_argument("--triage", type=Path, default=HERE / "triage.toml", help="triage table")
    p.add_argument("--bugs", type=Path, default=HERE / "bugs.toml", help="bug table")
    p.add_argument("--only", action="append", metavar="REPO",
                   help="evaluate only this owner/name (repeatable); applies to corpus and bugs")
    p.add_argument("--no-bugs", action="store_true", help="skip the bug table")
    p.add_argument("--no-corpus", action="store_true", help="skip the corpus (bug table only)")
    p.add_argument("--min-precision", type=float, default=0.95, help="fail below this precision (default 0.95)")
    p.add_argument("-j", "--jobs", type=int, default=2, help="analyzer threads (default 2)")
    p.add_argument("--timeout", type=float, default=1800, help="seconds before a run counts as hung (default 1800)")
    p.add_argument("--markdown", type=Path, metavar="FILE",
                   help="write the tables as Markdown (between the generated-block markers if FILE has them)")
    p.add_argument("--write-triage", action="store_true",
                   help='append untriaged findings to the triage table with label "untriaged" and an empty reason')
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the raw results as JSON")
    args = p.parse_args(argv)
    args.bin = args.bin.resolve()
    args.scratch = args.scratch.resolve()
    return args


def raw_results(results, bugs) -> dict:
    """Everything measured, as plain data (for --json)."""
    def finding(f: Finding) -> dict:
        return {"file": f.file, "line": f.line, "rule": f.rule, "severity": f.severity,
                "message": f.message, "confidence": f.confidence}

    corpus = []
    for r in results:
        row = {"repo": r.entry["repo"], "commit": r.entry["commit"], "skipped": r.skipped}
        if r.run:
            row.update(crash=r.run.crash, status=r.run.status, files=r.run.files,
                       wall_s=round(r.run.wall, 2), peak_mib=round(r.run.peak_mib, 1),
                       missing_blobs=r.export.missing_blobs, counts=r.counts,
                       findings=[finding(f) for f in r.run.findings],
                       parse_failures=r.run.parse_failures)
        corpus.append(row)
    out = {"corpus": corpus}
    if bugs is not None:
        out["bugs"] = [
            {"id": b.bug["id"], "skipped": b.skipped, "crash": b.crash, "found": b.found,
             "found_rule": b.found_rule, "found_line": b.found_line, "clean_at_fix": b.clean_at_fix,
             "label_hit": finding(b.label_hit) if b.label_hit else None,
             "parse_failure": b.parse_failure,
             "fix_flags": [finding(f) for f in b.fix_flags],
             "latent_at_fix": [dict(finding(f), label=row["label"]) for f, row in b.latent],
             "buggy_same_file": [finding(f) for f in b.near]}
            for b in bugs
        ]
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    if not args.bin.is_file():
        sys.exit(f"analyzer binary not found: {args.bin} (build it, or pass --bin)")
    corpus = load_toml(args.corpus).get("repo", [])
    triage = load_toml(args.triage).get("finding", [])
    bug_rows = load_toml(args.bugs).get("bug", [])
    latent = load_toml(args.bugs).get("latent", [])
    validate_tables(corpus, triage, bug_rows, latent)
    args.scratch.mkdir(parents=True, exist_ok=True)

    results = [] if args.no_corpus else evaluate_corpus(args, corpus, triage)
    bugs, missing = (None, []) if args.no_bugs else evaluate_bugs(args, bug_rows, latent)
    summary = summarize(args, results, bugs)
    print_report(args, results, bugs, missing, summary)

    if args.write_triage:
        n = append_untriaged(args.triage, results)
        log(f"appended {n} untriaged finding(s) to {args.triage}")
    if args.markdown:
        write_markdown(args.markdown, render_markdown(args, corpus, results, bugs, missing, summary))
        log(f"wrote {args.markdown}")
    if args.json:
        args.json.write_text(json.dumps(raw_results(results, bugs), indent=1) + "\n")
    if summary.regressions:
        return 1
    return 2 if summary.incomplete else 0


if __name__ == "__main__":
    sys.exit(main())
