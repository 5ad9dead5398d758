//! The oracles of the `analyze` fuzz target, shared with the deterministic
//! smoke test (`tests/fuzz_smoke.rs` includes this file with `#[path]`), so
//! the fuzzer and `cargo test` check exactly the same properties.
//!
//! For one input (the bytes of a `.rs` file):
//!
//! 1. `analyze` returns a report (an `Err` on an existing file is a bug);
//! 2. no incident and no parse failure says "internal error" (the library
//!    catches its own panics and reports them: under the fuzzer that is
//!    still a crash);
//! 3. every format renders, and the json, sarif, gitlab and rustc-json
//!    renderings parse as JSON (rustc-json: one object per line); the
//!    baseline runs' json rendering too;
//! 4. a baseline written from the findings records all of them, and a run
//!    against it reports none, matches all of them and finds none fixed.

use spawnlint::render::{render, Format};
use spawnlint::{analyze, Options, Report};
use std::path::{Path, PathBuf};

/// Every output format.
pub const FORMATS: [Format; 7] = [
    Format::Human,
    Format::Short,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Gitlab,
    Format::RustcJson,
];

/// Fails to compile when a format is added and `FORMATS` not updated.
#[allow(dead_code)]
fn every_format_listed(f: Format) {
    match f {
        Format::Human
        | Format::Short
        | Format::Json
        | Format::Sarif
        | Format::Github
        | Format::Gitlab
        | Format::RustcJson => {}
    }
}

/// What the first run of an input produced, for callers that want to know
/// what their inputs exercised.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// Findings.
    pub diagnostics: usize,
    /// Files that did not parse (syntax errors, skipped, unreadable).
    pub parse_failures: usize,
    /// Of those, files skipped whole (too deeply nested, too large).
    pub skipped: usize,
    /// Analyses that did not finish (step budget).
    pub incidents: usize,
}

/// Write `input` to `dir/x.rs` (overwriting it), analyze it three times
/// (plain, `write_baseline`, `baseline`) and check every oracle. `Err`
/// says which one failed.
pub fn check(dir: &Path, input: &[u8]) -> Result<Seen, String> {
    let file = dir.join("x.rs");
    std::fs::write(&file, input).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    let baseline = dir.join("baseline.json");
    let options = |write_baseline: Option<PathBuf>, baseline: Option<PathBuf>| Options {
        root: dir.to_path_buf(),
        paths: vec![file.clone()],
        threads: 1,
        write_baseline,
        baseline,
        ..Default::default()
    };

    let first = run(&options(None, None), "plain run", &FORMATS)?;
    let seen = Seen {
        diagnostics: first.diagnostics.len(),
        parse_failures: first.parse_failures.len(),
        skipped: first.parse_failures.iter().filter(|f| f.skipped).count(),
        incidents: first.incidents.len(),
    };

    let written = run(
        &options(Some(baseline.clone()), None),
        "write-baseline run",
        &[Format::Json],
    )?;
    let recorded = written
        .baseline
        .as_ref()
        .and_then(|o| o.written.as_ref())
        .map(|(_, n)| *n);
    if recorded != Some(first.diagnostics.len()) {
        return Err(format!(
            "write-baseline recorded {recorded:?} findings, the plain run had {}:\n{}",
            first.diagnostics.len(),
            list(&first)
        ));
    }
    if !written.diagnostics.is_empty() {
        return Err(format!(
            "write-baseline run still reports findings:\n{}",
            list(&written)
        ));
    }

    let third = run(
        &options(None, Some(baseline)),
        "baseline run",
        &[Format::Json],
    )?;
    if !third.diagnostics.is_empty() {
        return Err(format!(
            "the baseline written from the findings does not cover {} of {}:\n{}",
            third.diagnostics.len(),
            first.diagnostics.len(),
            list(&third)
        ));
    }
    match &third.baseline {
        Some(o) if o.matched == first.diagnostics.len() && o.fixed == 0 => {}
        other => {
            return Err(format!(
                "baseline run: expected {} matched and 0 fixed, got {other:?}",
                first.diagnostics.len()
            ))
        }
    }
    Ok(seen)
}

/// One `analyze` call with the per-report oracles: no internal error, the
/// renderings in `formats` well formed. (The baseline runs render only
/// JSON, which shows the baseline outcome: their other output repeats the
/// plain run's notices, and rendering is most of a debug build's time.)
fn run(options: &Options, what: &str, formats: &[Format]) -> Result<Report, String> {
    let report = analyze(options).map_err(|e| format!("{what}: analyze failed: {e}"))?;
    for i in &report.incidents {
        if i.message.contains("internal error") {
            return Err(format!(
                "{what}: incident {}:{}: {}",
                i.line, i.column, i.message
            ));
        }
    }
    for f in &report.parse_failures {
        if f.message.contains("internal error") {
            return Err(format!(
                "{what}: parse failure {}:{}: {}",
                f.line, f.column, f.message
            ));
        }
    }
    for &format in formats {
        let text = render(&report, format, false, false);
        let parsed = match format {
            Format::Json | Format::Sarif | Format::Gitlab => {
                serde_json::from_str::<serde_json::Value>(&text).map(drop)
            }
            Format::RustcJson => text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .try_for_each(|l| serde_json::from_str::<serde_json::Value>(l).map(drop)),
            Format::Human | Format::Short | Format::Github => Ok(()),
        };
        if let Err(e) = parsed {
            return Err(format!(
                "{what}: {format:?} output is not JSON ({e}):\n{}",
                text.chars().take(2000).collect::<String>()
            ));
        }
    }
    Ok(report)
}

fn list(report: &Report) -> String {
    report
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "  {} {}:{}: {}\n",
                d.code(),
                d.span.start.line,
                d.span.start.column,
                d.message
            )
        })
        .collect()
}
