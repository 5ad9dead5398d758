//! Runs every fixture under `fixtures/` through the library and compares
//! the findings with the `//~` markers exactly (SPEC §7): a missing
//! finding, an extra one, a wrong code or a wrong pinned severity fails.

use spawnlint::diagnostic::Severity;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    code: String,
    severity: Option<Severity>,
}

fn markers(path: &Path) -> BTreeMap<u32, Vec<Expected>> {
    let text = std::fs::read_to_string(path).unwrap();
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
                [] => panic!("{}:{}: empty marker", path.display(), i + 1),
            };
            exp.push(Expected {
                code: code.to_string(),
                severity,
            });
        }
        out.insert(i as u32 + 1, exp);
    }
    out
}

fn fixture_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files: Vec<PathBuf> = walk(&root);
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "target") {
                out.extend(walk(&p));
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

#[test]
fn every_fixture_matches_its_markers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let report = spawnlint::analyze(&spawnlint::Options {
        paths: vec![root.clone()],
        ..Default::default()
    })
    .expect("fixtures analyze");
    assert!(
        report.parse_failures.is_empty(),
        "{:?}",
        report.parse_failures
    );
    let files = fixture_files();
    assert!(
        files.len() >= 40,
        "expected at least 40 fixtures, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    let mut positives = 0;
    for file in &files {
        let expected = markers(file);
        positives += expected.len();
        let mut got: BTreeMap<u32, Vec<(String, Severity)>> = BTreeMap::new();
        for d in &report.diagnostics {
            let dp = Path::new(&d.file);
            let same = dp == file.as_path()
                || file.ends_with(dp)
                || std::fs::canonicalize(dp).ok() == std::fs::canonicalize(file).ok();
            if same {
                got.entry(d.span.start.line)
                    .or_default()
                    .push((d.code.to_string(), d.severity));
            }
        }
        let name = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        for (line, exps) in &expected {
            let found = got.remove(line).unwrap_or_default();
            for e in exps {
                match found.iter().find(|(c, _)| *c == e.code) {
                    None => failures.push(format!("{name}:{line}: missing {}", e.code)),
                    Some((_, sev)) => {
                        if let Some(want) = e.severity {
                            if want != *sev {
                                failures.push(format!(
                                    "{name}:{line}: {} has severity {sev:?}, marker wants {want:?}",
                                    e.code
                                ));
                            }
                        }
                    }
                }
            }
            for (c, _) in &found {
                if !exps.iter().any(|e| e.code == *c) {
                    failures.push(format!("{name}:{line}: unexpected {c}"));
                }
            }
            // Exactly as many findings of a code as markers: a spawn reported
            // twice is a defect too.
            for e in exps {
                let want = exps.iter().filter(|x| x.code == e.code).count();
                let have = found.iter().filter(|(c, _)| *c == e.code).count();
                if have > want {
                    failures.push(format!(
                        "{name}:{line}: {} reported {have} times, {want} marker(s)",
                        e.code
                    ));
                }
            }
        }
        for (line, found) in got {
            for (c, s) in found {
                failures.push(format!("{name}:{line}: unexpected {c} ({s:?})"));
            }
        }
    }
    assert!(positives >= 20, "too few positive markers: {positives}");
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}
