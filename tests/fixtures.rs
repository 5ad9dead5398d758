//! One test per fixture under `fixtures/` (SPEC §7): the file is analyzed
//! alone and
//! - its findings match its `//~` markers exactly (a missing finding, an
//!   extra one, a wrong code or a wrong pinned severity fails);
//! - its human output (no color, no summary) matches the committed
//!   `<fixture>.stdout` next to it, so every message, label, note and fix
//!   is checked; a fixture with no findings has no `.stdout`.
//!
//! - `--fix --unsafe-fixes` on it gives the committed `<fixture>.fixed`
//!   (none when no fix applies), which `fixtures/lib.rs` compiles; each
//!   applied fix removes its own finding and adds none, and what remains
//!   has no fix left to apply (a second `--fix` changes nothing).
//!
//! `SPAWNLINT_BLESS=1 cargo test --test fixtures` rewrites the `.stdout`
//! and `.fixed` files from the current output. One fixture alone:
//! `cargo test --test fixtures -- lossy-gate/job_queue_notify_one`.

use libtest_mimic::{Arguments, Failed, Trial};
use spawnlint::diagnostic::Severity;
use spawnlint::render::{render, Format};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    code: String,
    severity: Option<Severity>,
}

/// The `//~ [ERROR|WARNING] CODE` markers of a fixture, by line.
fn markers(text: &str) -> Result<BTreeMap<u32, Vec<Expected>>, String> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let Some((_, rest)) = line.split_once("//~") else {
            continue;
        };
        let mut exp = Vec::new();
        for part in rest.split("//~") {
            let words: Vec<&str> = part.split_whitespace().collect();
            let (severity, code) = match words.as_slice() {
                ["ERROR", code, ..] => (Some(Severity::Error), *code),
                ["WARNING", code, ..] => (Some(Severity::Warning), *code),
                [code, ..] => (None, *code),
                [] => return Err(format!("line {}: empty marker", i + 1)),
            };
            exp.push(Expected {
                code: code.to_string(),
                severity,
            });
        }
        out.insert(i as u32 + 1, exp);
    }
    Ok(out)
}

/// Every fixture file, relative to `fixtures/`.
fn fixture_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "target") {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "rs")
                && p.file_name() != Some("lib.rs".as_ref())
            {
                out.push(p);
            }
        }
    }
    let base = root().join("fixtures");
    let mut files = Vec::new();
    walk(&base, &mut files);
    let mut rel: Vec<PathBuf> = files
        .into_iter()
        .filter_map(|f| f.strip_prefix(&base).ok().map(Path::to_path_buf))
        .collect();
    rel.sort();
    rel
}

fn analyze(paths: Vec<PathBuf>) -> Result<spawnlint::Report, Failed> {
    let mut r = spawnlint::analyze(&spawnlint::Options {
        root: root().to_path_buf(),
        paths,
        threads: 1,
        ..Default::default()
    })
    .map_err(|e| format!("analysis failed: {e}"))?;
    r.elapsed = std::time::Duration::ZERO;
    Ok(r)
}

/// Compare findings with markers.
fn check_markers(text: &str, report: &spawnlint::Report) -> Vec<String> {
    let expected = match markers(text) {
        Ok(m) => m,
        Err(e) => return vec![e],
    };
    let mut got: BTreeMap<u32, Vec<(String, Severity)>> = BTreeMap::new();
    for d in &report.diagnostics {
        got.entry(d.span.start.line)
            .or_default()
            .push((d.code().to_string(), d.severity));
    }
    let mut failures = Vec::new();
    for (line, exps) in &expected {
        let found = got.remove(line).unwrap_or_default();
        for e in exps {
            match found.iter().find(|(c, _)| *c == e.code) {
                None => failures.push(format!("line {line}: missing {}", e.code)),
                Some((_, sev)) if e.severity.is_some_and(|want| want != *sev) => {
                    failures.push(format!(
                        "line {line}: {} has severity {sev:?}, marker wants {:?}",
                        e.code, e.severity
                    ))
                }
                Some(_) => {}
            }
        }
        for (c, _) in &found {
            let want = exps.iter().filter(|x| x.code == *c).count();
            let have = found.iter().filter(|(x, _)| x == c).count();
            if want == 0 {
                failures.push(format!("line {line}: unexpected {c}"));
            } else if have > want {
                failures.push(format!(
                    "line {line}: {c} reported {have} times, {want} marker(s)"
                ));
            }
        }
    }
    for (line, found) in got {
        for (c, s) in found {
            failures.push(format!("line {line}: unexpected {c} ({s:?})"));
        }
    }
    failures.dedup();
    failures
}

fn check_output(stdout: &Path, output: &str) -> Result<(), Failed> {
    let bless = std::env::var_os("SPAWNLINT_BLESS").is_some();
    let committed = std::fs::read_to_string(stdout).ok();
    if bless {
        match (output.is_empty(), committed.is_some()) {
            (true, true) => std::fs::remove_file(stdout).map_err(|e| e.to_string())?,
            (true, false) => {}
            (false, _) => std::fs::write(stdout, output).map_err(|e| e.to_string())?,
        }
        return Ok(());
    }
    match committed {
        None if output.is_empty() => Ok(()),
        None => Err(format!(
            "no {} (run `SPAWNLINT_BLESS=1 cargo test --test fixtures`); output:\n{output}",
            stdout.display()
        )
        .into()),
        Some(c) if c == output => Ok(()),
        Some(c) => Err(format!(
            "output differs from {} (bless with SPAWNLINT_BLESS=1):\n{}",
            stdout.display(),
            line_diff(&c, output)
        )
        .into()),
    }
}

/// The first differing lines of two texts.
fn line_diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let first = w
        .iter()
        .zip(&g)
        .position(|(a, b)| a != b)
        .unwrap_or(w.len().min(g.len()));
    let mut out = format!("first difference at line {}:\n", first + 1);
    for l in w.iter().skip(first).take(6) {
        out.push_str(&format!("- {l}\n"));
    }
    for l in g.iter().skip(first).take(6) {
        out.push_str(&format!("+ {l}\n"));
    }
    out
}

fn run_fixture(rel: &Path) -> Result<(), Failed> {
    let file = Path::new("fixtures").join(rel);
    let text = std::fs::read_to_string(root().join(&file)).map_err(|e| e.to_string())?;
    let report = analyze(vec![file.clone()])?;
    if !report.parse_failures.is_empty() {
        return Err(format!("does not parse: {:?}", report.parse_failures).into());
    }
    let failures = check_markers(&text, &report);
    let output = if report.diagnostics.is_empty() {
        String::new()
    } else {
        render(&report, Format::Human, false, true)
    };
    let stdout = root().join(&file).with_extension("stdout");
    let shown = check_output(&stdout, &output);
    if !failures.is_empty() {
        return Err(format!("marker mismatches:\n{}", failures.join("\n")).into());
    }
    shown?;
    check_fixed(&file, report.diagnostics.len())
}

/// `--fix --unsafe-fixes` on the fixture: the blessed `.fixed`, a fixed
/// point, listed in the fixtures crate so CI compiles it.
fn check_fixed(file: &Path, found: usize) -> Result<(), Failed> {
    let outcome = spawnlint::fixer::fix(
        &spawnlint::Options {
            root: root().to_path_buf(),
            paths: vec![file.to_path_buf()],
            threads: 1,
            ..Default::default()
        },
        spawnlint::fixer::Policy { unsafe_fixes: true },
    )
    .map_err(|e| format!("fixing failed: {e}"))?;
    let fixed = outcome
        .changed
        .values()
        .next()
        .map(|c| c.fixed.to_string())
        .unwrap_or_default();
    check_output(&root().join(file).with_extension("fixed"), &fixed)?;
    let remaining = &outcome.report.diagnostics;
    if let Some(d) = remaining.iter().find(|d| {
        d.fixes
            .iter()
            .any(|f| f.applicability != spawnlint::diagnostic::Applicability::DisplayOnly)
    }) {
        return Err(format!(
            "after fixing, line {} still has an applicable fix: {}",
            d.span.start.line, d.message
        )
        .into());
    }
    if outcome.applied.len() + remaining.len() != found {
        return Err(format!(
            "{} fixes applied and {} findings remain, but there were {found}: a fix left its finding or made another",
            outcome.applied.len(),
            remaining.len()
        )
        .into());
    }
    if !fixed.is_empty() {
        let rel = file
            .strip_prefix("fixtures")
            .unwrap_or(file)
            .with_extension("fixed");
        let wanted = format!("#[path = \"{}\"]", rel.to_string_lossy().replace('\\', "/"));
        let lib = std::fs::read_to_string(root().join("fixtures/lib.rs")).unwrap_or_default();
        if !lib.contains(&wanted) {
            return Err(format!(
                "fixtures/lib.rs does not compile the fixed file: add `{wanted} mod …;`"
            )
            .into());
        }
    }
    Ok(())
}

/// Analyzing the fixtures as one tree finds exactly what analyzing each
/// file alone finds: no fixture leans on another.
fn whole_tree_matches_files_alone(files: &[PathBuf]) -> Result<(), Failed> {
    let whole = analyze(vec![PathBuf::from("fixtures")])?;
    let mut alone = Vec::new();
    for rel in files {
        let r = analyze(vec![Path::new("fixtures").join(rel)])?;
        alone.push(render(&r, Format::Short, false, true));
    }
    let whole = render(&whole, Format::Short, false, true);
    let alone = alone.concat();
    if whole != alone {
        return Err(line_diff(&alone, &whole).into());
    }
    let positives = whole.lines().count();
    if files.len() < 40 || positives < 20 {
        return Err(format!("too small: {} fixtures, {positives} findings", files.len()).into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let files = fixture_files();
    let mut trials: Vec<Trial> = files
        .iter()
        .map(|rel| {
            let name = rel.with_extension("").to_string_lossy().replace('\\', "/");
            let rel = rel.clone();
            Trial::test(name, move || run_fixture(&rel))
        })
        .collect();
    trials.push(Trial::test("whole_tree_matches_files_alone", move || {
        whole_tree_matches_files_alone(&files)
    }));
    libtest_mimic::run(&args, trials).exit();
}
