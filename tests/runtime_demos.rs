//! The rules' claims, demonstrated (issue 3): runs the fixtures crate's
//! `tests/runtime_demos.rs`, where a flagged fixture really loses events
//! (SL006) or really hangs (SL007) on a current-thread runtime and its fixed
//! version in `fixtures/fixed/` does not; then checks that the analyzer
//! flags exactly those flagged files and leaves the fixed ones quiet.

mod common;

use spawnlint::diagnostic::Severity;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The demonstration tests in `fixtures/tests/runtime_demos.rs`.
const DEMOS: &[&str] = &[
    "sl006_subscribe_in_task_loses_events",
    "sl007_notify_waiters_before_first_poll_hangs",
];

/// (flagged fixture, its fixed version, rule code, severity of the finding)
const PAIRS: &[(&str, &str, &str, Severity)] = &[
    (
        "subscribe-in-task/event_hub_listener_ctor.rs",
        "fixed/event_hub_subscribe_first.rs",
        "SL006",
        Severity::Warning,
    ),
    (
        "lossy-gate/snapshot_exporter_notify_waiters.rs",
        "fixed/snapshot_exporter_notify_one.rs",
        "SL007",
        Severity::Error,
    ),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// The 1-based lines holding a `//~` marker.
fn marker_lines(path: &Path) -> Vec<u32> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("//~"))
        .map(|(i, _)| i as u32 + 1)
        .collect()
}

fn findings(path: &Path) -> Vec<(String, Severity, u32)> {
    let report = spawnlint::analyze(&spawnlint::Options {
        paths: vec![path.to_path_buf()],
        ..Default::default()
    })
    .expect("analyze");
    assert!(
        report.parse_failures.is_empty(),
        "{:?}",
        report.parse_failures
    );
    report
        .diagnostics
        .iter()
        .map(|d| (d.code().to_string(), d.severity, d.span.start.line))
        .collect()
}

#[test]
fn runtime_demonstrations_pass() {
    if !common::heavy("runtime_demonstrations_pass") {
        return;
    }
    let root = root();
    let out = Command::new(env!("CARGO"))
        .arg("test")
        .arg("--manifest-path")
        .arg(root.join("fixtures").join("Cargo.toml"))
        .args(["--test", "runtime_demos"])
        .env(
            "CARGO_TARGET_DIR",
            root.join("target").join("fixtures-demo"),
        )
        .output()
        .expect("run cargo test on the fixtures crate");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the runtime demonstrations failed:\n{stdout}\n{stderr}"
    );
    for name in DEMOS {
        let line = format!("test {name} ... ok");
        assert!(
            stdout.lines().any(|l| l.trim() == line),
            "`{line}` missing from the demonstrations' output:\n{stdout}"
        );
    }
}

#[test]
fn analyzer_flags_the_demonstrated_shapes_and_not_their_fixes() {
    let mut failures = Vec::new();
    for (flagged, fixed, code, severity) in PAIRS {
        let path = fixture(flagged);
        let want: Vec<(String, Severity, u32)> = marker_lines(&path)
            .into_iter()
            .map(|line| (code.to_string(), *severity, line))
            .collect();
        assert_eq!(want.len(), 1, "{flagged}: expected one marker");
        let got = findings(&path);
        if got != want {
            failures.push(format!("{flagged}: want {want:?}, got {got:?}"));
        }
        let got = findings(&fixture(fixed));
        if !got.is_empty() {
            failures.push(format!("{fixed}: want no findings, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
