//! Inline suppression: line, item and file scope, `cfg_attr`, and SL900
//! for suppressions that do nothing.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("cargo-spawnlint").unwrap()
}

const SPAWN: &str = "        tokio::spawn(async move { me.collect_loop().await }); //~ ERROR SL002";

/// The motivating service (one SL002 on its spawn line) and the route
/// table (one SL001) in one file, edited by `edit`.
fn service(edit: impl Fn(String) -> String) -> (PathBuf, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let text = std::fs::read_to_string(root.join("spawn-before-load/motivating_service.rs"))
        .unwrap()
        + &std::fs::read_to_string(root.join("spawn-before-init/route_health_thread.rs"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("use ") && !l.starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n");
    assert!(text.contains(SPAWN));
    let text = edit(text);
    let dir = common::tempdir("suppress");
    let file = dir.join("service.rs");
    std::fs::write(&file, text).unwrap();
    (dir, file)
}

struct Run {
    code: i32,
    /// (code, line) of each finding.
    found: Vec<(String, u64)>,
    suppressed: u64,
    messages: Vec<String>,
}

fn run(file: &Path, args: &[&str]) -> Run {
    let out = bin()
        .arg(file)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = doc["diagnostics"].as_array().unwrap();
    Run {
        code: out.status.code().unwrap(),
        found: diags
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["span"]["line"].as_u64().unwrap(),
                )
            })
            .collect(),
        suppressed: doc["summary"]["suppressed"].as_u64().unwrap(),
        messages: diags
            .iter()
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect(),
    }
}

fn codes(r: &Run) -> Vec<&str> {
    r.found.iter().map(|(c, _)| c.as_str()).collect()
}

#[test]
fn unsuppressed_baseline() {
    let (_, file) = service(|t| t);
    let r = run(&file, &[]);
    assert_eq!(codes(&r), ["SL002", "SL001"]);
    assert_eq!(r.suppressed, 0);
}

#[test]
fn line_scope_trailing_comment() {
    let (_, file) = service(|t| {
        t.replace(
            SPAWN,
            "        tokio::spawn(async move { me.collect_loop().await }); // spawnlint: allow(spawn-before-load) -- load() runs first in main",
        )
    });
    let r = run(&file, &[]);
    assert_eq!(codes(&r), ["SL001"], "only SL002 on that line is silenced");
    assert_eq!(r.suppressed, 1);
}

#[test]
fn line_scope_comment_above_by_code() {
    let (_, file) = service(|t| {
        t.replace(
            SPAWN,
            "        // spawnlint: allow(SL002) -- load() runs first in main\n        // (a second comment line is fine)\n        tokio::spawn(async move { me.collect_loop().await });",
        )
    });
    let r = run(&file, &[]);
    assert_eq!(codes(&r), ["SL001"]);
    assert_eq!(r.suppressed, 1);
    // The wrong rule suppresses nothing, and says so.
    let (_, file) = service(|t| {
        t.replace(
            SPAWN,
            "        // spawnlint: allow(SL001)\n        tokio::spawn(async move { me.collect_loop().await });",
        )
    });
    let r = run(&file, &[]);
    assert_eq!(codes(&r), ["SL900", "SL002", "SL001"]);
    assert_eq!(r.suppressed, 0);
}

#[test]
fn item_scope_covers_the_fn_or_impl_and_nothing_else() {
    // Above the fn (with a doc comment and attribute in between).
    let (_, file) = service(|t| {
        t.replacen(
            "    pub fn new() -> Arc<Self> {",
            "    // spawnlint: allow(spawn-before-load, spawn-before-init) -- reviewed\n    /// Builds the hub.\n    #[must_use]\n    pub fn new() -> Arc<Self> {",
            1,
        )
    });
    let r = run(&file, &[]);
    // SL001 is in another impl: not covered, so that name is unused.
    assert_eq!(codes(&r), ["SL900", "SL001"]);
    assert!(
        r.messages[0].contains("no `spawn-before-init` finding in this item"),
        "{:?}",
        r.messages
    );
    assert_eq!(r.suppressed, 1);
    // Above the impl.
    let (_, file) = service(|t| {
        t.replacen(
            "impl MetricsHub {",
            "// spawnlint: allow(SL002)\nimpl MetricsHub {",
            1,
        )
    });
    let r = run(&file, &[]);
    assert_eq!(codes(&r), ["SL001"]);
    assert_eq!(r.suppressed, 1);
    // Above a mod.
    let (_, file) =
        service(|t| format!("// spawnlint: allow(SL001, SL002)\nmod inner {{\n{t}\n}}\n"));
    let r = run(&file, &[]);
    assert!(r.found.is_empty(), "{:?}", r.found);
    assert_eq!(r.suppressed, 2);
}

#[test]
fn item_scope_with_cfg_attr() {
    let (_, file) = service(|t| {
        t.replacen(
            "    pub fn new() -> Arc<Self> {",
            "    #[cfg_attr(spawnlint, allow(spawn_before_load))]\n    pub fn new() -> Arc<Self> {",
            1,
        )
    });
    let r = run(&file, &[]);
    assert_eq!(codes(&r), ["SL001"]);
    assert_eq!(r.suppressed, 1);
    let (_, file) =
        service(|t| format!("#![cfg_attr(spawnlint, allow(SL001, spawn_before_load))]\n{t}"));
    let r = run(&file, &[]);
    assert!(r.found.is_empty(), "{:?}", r.found);
    assert_eq!(r.suppressed, 2);
}

#[test]
fn file_scope() {
    let (_, file) = service(|t| {
        format!("// Copyright notice.\n// spawnlint: allow-file(spawn-before-init, SL002) -- legacy module\n{t}")
    });
    let r = run(&file, &[]);
    assert!(r.found.is_empty(), "{:?}", r.found);
    assert_eq!(r.suppressed, 2);
    assert_eq!(r.code, 0);
    // After the first item it covers nothing, and that is reported.
    let (_, file) = service(|t| format!("{t}\n// spawnlint: allow-file(SL001, SL002)\n"));
    let r = run(&file, &[]);
    assert_eq!(codes(&r), ["SL002", "SL001", "SL900"]);
    assert!(
        r.messages[2].contains("before the first item"),
        "{:?}",
        r.messages
    );
}

#[test]
fn unused_nameless_and_unknown_suppressions_are_reported() {
    let (_, file) = service(|t| {
        t.replacen(
            "    pub fn load(",
            "    // spawnlint: allow(spawn-before-load) -- stale\n    pub fn load(",
            1,
        )
        .replacen(
            "    pub fn exported(",
            "    // spawnlint: allow\n    // spawnlint: allow(spawn-before-lunch)\n    pub fn exported(",
            1,
        )
    });
    let r = run(&file, &[]);
    let sl900: Vec<&String> = r
        .found
        .iter()
        .zip(&r.messages)
        .filter(|((c, _), _)| c == "SL900")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(sl900.len(), 3, "{:?}", r.messages);
    assert!(sl900[0].contains("unused suppression: no `spawn-before-load` finding in this item"));
    assert!(sl900[1].contains("names no rule"));
    assert!(sl900[2].contains("unknown rule `spawn-before-lunch`"));
    assert_eq!(r.code, 1);

    // SL900 itself obeys --select/--ignore and severity.
    let r2 = run(&file, &["--ignore", "unused-suppression"]);
    assert!(!codes(&r2).contains(&"SL900"));
    std::fs::write(
        file.parent().unwrap().join("spawnlint.toml"),
        "severity = { unused-suppression = \"error\" }\n",
    )
    .unwrap();
    let out = bin()
        .arg(&file)
        .args(["--format", "short"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("error[SL900]"), "{text}");
}

#[test]
fn suppressions_of_rules_that_did_not_run_are_not_unused() {
    let (_, file) = service(|t| {
        t.replace(
            SPAWN,
            "        tokio::spawn(async move { me.collect_loop().await }); // spawnlint: allow(SL002)",
        )
        .replacen(
            "    pub fn load(",
            "    // spawnlint: allow(spawn-before-load)\n    pub fn load(",
            1,
        )
    });
    // SL002 ran: the first is used, the second is not.
    let r = run(&file, &[]);
    assert_eq!(codes(&r), ["SL900", "SL001"]);
    // SL002 deselected: neither can be judged.
    for args in [&["--select", "SL001,SL900"][..], &["--ignore", "SL002"][..]] {
        let r = run(&file, args);
        assert_eq!(codes(&r), ["SL001"], "{args:?}");
    }
}

#[test]
fn human_summary_counts_suppressed() {
    let (_, file) = service(|t| {
        t.replace(
            SPAWN,
            "        tokio::spawn(async move { me.collect_loop().await }); // spawnlint: allow(SL002)",
        )
    });
    let out = bin()
        .arg(&file)
        .args(["--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 error, 0 warnings, 1 suppressed"), "{text}");
}
