//! Baselines: write, reuse after edits, count fixed entries, multiplicity,
//! atomic writes, bad files.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("cargo-spawnlint").unwrap()
}

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(rel),
    )
    .unwrap()
}

const SPAWN: &str = "        tokio::spawn(async move { me.collect_loop().await }); //~ ERROR SL002";

/// A project directory with `src/hub.rs` holding the motivating service.
fn project() -> (PathBuf, PathBuf) {
    let dir = common::tempdir("baseline");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let hub = dir.join("src/hub.rs");
    std::fs::write(&hub, fixture("spawn-before-load/motivating_service.rs")).unwrap();
    (dir, hub)
}

/// Run from `cwd`: (exit code, JSON document).
fn run(cwd: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = bin()
        .current_dir(cwd)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("no JSON; stderr: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), doc)
}

fn found(doc: &serde_json::Value) -> Vec<(String, u64)> {
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["span"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn round_trip_moved_finding_stays_baselined_and_new_one_is_reported() {
    let (dir, hub) = project();
    let (code, doc) = run(
        &dir,
        &["src", "--write-baseline", "spawnlint-baseline.json"],
    );
    assert_eq!(code, 0, "writing a baseline records the findings");
    assert_eq!(doc["summary"]["baselined"], 1);
    let base: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("spawnlint-baseline.json")).unwrap(),
    )
    .unwrap();
    let entry = &base["entries"][0];
    assert_eq!(entry["rule"], "SL002");
    assert_eq!(entry["file"], "src/hub.rs");
    assert_eq!(entry["item"], "MetricsHub::new");
    assert_eq!(entry["count"], 1);
    assert!(!base.to_string().contains("\"line\""), "no line numbers");

    // Same tree: nothing new.
    let (code, doc) = run(&dir, &["src", "--baseline", "spawnlint-baseline.json"]);
    assert_eq!((code, found(&doc)), (0, vec![]));

    // Move the finding down by 20 lines (a new doc block and a reformatted
    // spawn line) and add a new finding in the same file.
    let text = std::fs::read_to_string(&hub).unwrap();
    let header: String = (0..20).map(|i| format!("// note {i}\n")).collect();
    let routes: String = fixture("spawn-before-init/route_health_thread.rs")
        .lines()
        .filter(|l| !l.starts_with("use ") && !l.starts_with("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    let moved = text.replace(
        SPAWN,
        "        tokio::spawn( async move {  me.collect_loop().await } );",
    );
    std::fs::write(
        &hub,
        format!("{header}{moved}\nuse std::sync::RwLock;\nuse std::thread;\n{routes}\n"),
    )
    .unwrap();
    let (_, all) = run(&dir, &["src"]);
    assert_eq!(found(&all)[0], ("SL002".to_string(), 41), "moved by 20");
    let (code, doc) = run(&dir, &["src", "--baseline", "spawnlint-baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(found(&doc), [("SL001".to_string(), found(&all)[1].1)]);
    assert_eq!(doc["summary"]["baselined"], 1);
    assert_eq!(doc["summary"]["baseline_fixed"], 0);

    // Human summary says the same.
    let out = bin()
        .current_dir(&dir)
        .args([
            "src",
            "--baseline",
            "spawnlint-baseline.json",
            "--color",
            "never",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("error[SL001]") && !text.contains("error[SL002]"),
        "{text}"
    );
    assert!(
        text.contains("1 baselined, 0 fixed since the baseline"),
        "{text}"
    );

    // Changing the spawn statement itself makes it a new finding.
    let edited = std::fs::read_to_string(&hub)
        .unwrap()
        .replace("me.collect_loop().await", "me.collect_loop_fast().await");
    std::fs::write(&hub, edited).unwrap();
    let (_, doc) = run(&dir, &["src", "--baseline", "spawnlint-baseline.json"]);
    assert_eq!(doc["summary"]["baselined"], 0);
    assert_eq!(doc["summary"]["baseline_fixed"], 1);
}

#[test]
fn fixed_entries_are_counted_only_for_what_was_analyzed() {
    let (dir, hub) = project();
    std::fs::write(
        dir.join("src/routes.rs"),
        fixture("spawn-before-init/route_health_thread.rs"),
    )
    .unwrap();
    run(&dir, &["src", "--write-baseline", "base.json"]);
    // Fix the SL002 finding (load before spawn is not expressible simply:
    // drop the spawn).
    let text = std::fs::read_to_string(&hub).unwrap().replace(SPAWN, "");
    std::fs::write(&hub, text).unwrap();
    let (code, doc) = run(&dir, &["src", "--baseline", "base.json"]);
    assert_eq!(code, 0);
    assert_eq!(doc["summary"]["baselined"], 1);
    assert_eq!(doc["summary"]["baseline_fixed"], 1);
    // routes.rs not analyzed / SL001 not run: its entry is not "fixed".
    let (_, doc) = run(&dir, &["src/hub.rs", "--baseline", "base.json"]);
    assert_eq!(doc["summary"]["baseline_fixed"], 1);
    let (_, doc) = run(
        &dir,
        &["src", "--baseline", "base.json", "--select", "SL002"],
    );
    assert_eq!(doc["summary"]["baseline_fixed"], 1);
    assert_eq!(doc["summary"]["baselined"], 0);
}

#[test]
fn identical_findings_in_one_item_are_counted() {
    let (dir, hub) = project();
    let text = std::fs::read_to_string(&hub).unwrap();
    let twice = text.replace(
        SPAWN,
        &format!("{SPAWN}\n        let me = Arc::clone(&hub);\n{SPAWN}"),
    );
    std::fs::write(&hub, &twice).unwrap();
    let (_, doc) = run(&dir, &["src"]);
    assert_eq!(found(&doc).len(), 2);
    run(&dir, &["src", "--write-baseline", "base.json"]);
    let base = std::fs::read_to_string(dir.join("base.json")).unwrap();
    assert!(base.contains("\"count\": 2"), "{base}");
    // A third copy is new.
    let thrice = twice.replace(
        "        hub\n    }",
        &format!("        let me = Arc::clone(&hub);\n{SPAWN}\n        hub\n    }}"),
    );
    std::fs::write(&hub, thrice).unwrap();
    let (code, doc) = run(&dir, &["src", "--baseline", "base.json"]);
    assert_eq!(code, 1);
    assert_eq!(found(&doc).len(), 1);
    assert_eq!(doc["summary"]["baselined"], 2);
}

#[test]
fn baseline_paths_do_not_depend_on_the_current_directory() {
    let (dir, _) = project();
    run(&dir, &["src", "--write-baseline", "base.json"]);
    // From inside src/, the same baseline (given by its path) still matches.
    let (code, doc) = run(&dir.join("src"), &[".", "--baseline", "../base.json"]);
    assert_eq!(code, 0);
    assert_eq!(doc["summary"]["baselined"], 1);
}

#[test]
fn writes_atomically_and_leaves_no_temporary_files() {
    let (dir, _) = project();
    let out_dir = dir.join("ci");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("base.json"), "old contents").unwrap();
    let out = bin()
        .current_dir(&dir)
        .args(["src", "--write-baseline", "ci/base.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("wrote ci/base.json with 1 finding"), "{err}");
    let names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["base.json"]);
    let text = std::fs::read_to_string(out_dir.join("base.json")).unwrap();
    assert!(
        text.starts_with('{') && text.contains("\"version\": 1"),
        "{text}"
    );
    // A directory that does not exist: a clear error, nothing written.
    let out = bin()
        .current_dir(&dir)
        .args(["src", "--write-baseline", "missing/base.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot write baseline missing/base.json")
    );
    assert!(!dir.join("missing").exists());
}

#[test]
fn bad_baseline_files_are_usage_errors_naming_the_file() {
    let (dir, _) = project();
    for (content, want) in [
        ("not json", "bad.json is not a spawnlint baseline"),
        (
            "{\"version\": 1, \"entries\": []}",
            "bad.json is not a spawnlint baseline",
        ),
        (
            "{\"version\": 7, \"tool\": \"cargo-spawnlint\", \"entries\": []}",
            "bad.json: baseline version 7 is not supported",
        ),
    ] {
        std::fs::write(dir.join("bad.json"), content).unwrap();
        let out = bin()
            .current_dir(&dir)
            .args(["src", "--baseline", "bad.json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{content}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{content}: {err}");
    }
    let out = bin()
        .current_dir(&dir)
        .args(["src", "--baseline", "absent.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read baseline absent.json"));
}
