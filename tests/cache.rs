//! The cache under the target directory: a re-run of unchanged crates is
//! answered from it, an edit re-analyzes its crate, a bad entry is never
//! trusted, and cached and uncached runs agree.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

mod common;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The motivating shape: a constructor spawns a task that reads a map a
/// later `load` fills.
const SPAWNS_EARLY: &str = r#"
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct Hub {
    routes: Arc<Mutex<HashMap<String, u32>>>,
}

impl Hub {
    pub fn new() -> Self {
        let routes = Arc::new(Mutex::new(HashMap::new()));
        let seen = Arc::clone(&routes);
        std::thread::spawn(move || {
            let port = *seen.lock().unwrap().get("main").unwrap();
            println!("{port}");
        });
        let hub = Hub { routes };
        hub.load();
        hub
    }

    fn load(&self) {
        self.routes.lock().unwrap().insert("main".to_string(), 80);
    }
}
"#;

/// Two packages under one `Cargo.lock`: `a` with a finding, `b` clean.
fn workspace(tag: &str) -> PathBuf {
    let dir = common::tempdir(tag);
    std::fs::write(dir.join("Cargo.lock"), "version = 3\n").unwrap();
    for (name, src) in [("a", SPAWNS_EARLY), ("b", "pub fn quiet() {}\n")] {
        std::fs::create_dir_all(dir.join(name).join("src")).unwrap();
        std::fs::write(
            dir.join(name).join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        )
        .unwrap();
        std::fs::write(dir.join(name).join("src/lib.rs"), src).unwrap();
    }
    dir
}

/// `cargo spawnlint a b --format json` in `dir`; the JSON and stderr.
fn run(dir: &Path, extra: &[&str]) -> (String, String) {
    let out = Command::cargo_bin("cargo-spawnlint")
        .unwrap()
        .current_dir(dir)
        .env_remove("CARGO_TARGET_DIR")
        .args(["a", "b", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir.join("target/spawnlint/v1"))
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    found.sort();
    found
}

/// The entry holding `needle`.
fn entry_with(dir: &Path, needle: &str) -> PathBuf {
    entries(dir)
        .into_iter()
        .find(|p| std::fs::read_to_string(p).unwrap().contains(needle))
        .unwrap_or_else(|| panic!("no cache entry mentions {needle}"))
}

#[test]
fn an_unchanged_crate_is_answered_from_the_cache() {
    let dir = workspace("cache-reuse");
    let (cold, _) = run(&dir, &[]);
    assert!(cold.contains("SL001"), "{cold}");
    assert_eq!(entries(&dir).len(), 2, "one entry per crate");
    let (warm, _) = run(&dir, &[]);
    assert_eq!(warm, cold);
    // A valid entry is what the run reports: crate `a` was not analyzed
    // again (its entry's message, edited here, comes back).
    let a = entry_with(&dir, "SL001");
    let text = std::fs::read_to_string(&a).unwrap();
    std::fs::write(&a, text.replacen("task spawned", "TASK SPAWNED", 1)).unwrap();
    let (reused, _) = run(&dir, &[]);
    assert!(reused.contains("TASK SPAWNED"), "{reused}");
    // `--no-cache` analyzes again.
    let (fresh, _) = run(&dir, &["--no-cache"]);
    assert_eq!(fresh, cold);
}

#[test]
fn an_edit_reanalyzes_its_crate_only() {
    let dir = workspace("cache-edit");
    let (cold, _) = run(&dir, &[]);
    assert_eq!(cold.matches("\"code\": \"SL001\"").count(), 1, "{cold}");
    let a = entry_with(&dir, "SL001");
    let a_text = std::fs::read_to_string(&a).unwrap();
    std::fs::write(dir.join("b/src/lib.rs"), SPAWNS_EARLY).unwrap();
    let (edited, _) = run(&dir, &[]);
    assert_eq!(edited.matches("\"code\": \"SL001\"").count(), 2, "{edited}");
    assert_eq!(
        std::fs::read_to_string(&a).unwrap(),
        a_text,
        "crate a's entry is untouched"
    );
    let (fresh, _) = run(&dir, &["--no-cache"]);
    assert_eq!(edited, fresh);
}

#[test]
fn a_corrupt_or_foreign_entry_is_ignored_and_rewritten() {
    let dir = workspace("cache-corrupt");
    let (cold, _) = run(&dir, &[]);
    let a = entry_with(&dir, "SL001");
    let whole = std::fs::read_to_string(&a).unwrap();
    let broken = [
        whole[..whole.len() / 2].to_string(),               // truncated
        "not json at all".to_string(),                      // corrupt
        whole.replacen("\"key\":\"", "\"key\":\"0", 1),     // another key
        whole.replacen("\"format\":1", "\"format\":99", 1), // another format
        whole.replacen("\"rule\":\"SL001\"", "\"rule\":\"SL999\"", 1), // unknown rule
    ];
    for bad in broken {
        assert_ne!(bad, whole, "the entry was not changed");
        std::fs::write(&a, &bad).unwrap();
        let (again, _) = run(&dir, &[]);
        assert_eq!(again, cold, "an entry was trusted: {bad:.80}");
        assert_eq!(
            std::fs::read_to_string(&a).unwrap(),
            whole,
            "rewritten whole"
        );
    }
}

#[test]
fn the_cache_honours_cargo_target_dir_and_never_breaks_a_run() {
    let dir = workspace("cache-target");
    let target = common::tempdir("cache-target-dir");
    let out = Command::cargo_bin("cargo-spawnlint")
        .unwrap()
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target)
        .args(["a", "b", "--format", "short"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(target.join("spawnlint/v1").is_dir());
    assert!(
        !dir.join("target").exists(),
        "nothing written beside the sources"
    );
    // A cache that cannot be written is said once, and the run goes on.
    let blocked = workspace("cache-blocked");
    std::fs::create_dir_all(blocked.join("target")).unwrap();
    std::fs::write(blocked.join("target/spawnlint"), "a file, not a directory").unwrap();
    let (json, stderr) = run(&blocked, &[]);
    assert!(json.contains("SL001"), "{json}");
    assert_eq!(
        stderr.matches("warning: cannot write the cache").count(),
        1,
        "{stderr}"
    );
    // `--no-cache` writes nothing.
    let none = workspace("cache-none");
    run(&none, &["--no-cache"]);
    assert!(!none.join("target").exists());
}

/// Copy `from` into `to`, recursively.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            if e.file_name() != "target" {
                copy_tree(&e.path(), &dest);
            }
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// All the fixtures, `--format json`, from `dir` on `target`.
fn fixtures_json(dir: &Path, target: &Path, extra: &[&str]) -> String {
    let out = Command::cargo_bin("cargo-spawnlint")
        .unwrap()
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .args([".", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn cached_and_uncached_runs_agree_on_the_fixtures_before_and_after_an_edit() {
    let dir = common::tempdir("cache-fixtures");
    copy_tree(&fixtures(), &dir);
    let target = dir.join("cache-target");
    let uncached = fixtures_json(&dir, &target, &["--no-cache"]);
    assert!(uncached.contains("SL007"), "the fixtures have findings");
    assert_eq!(fixtures_json(&dir, &target, &[]), uncached, "cold");
    assert_eq!(fixtures_json(&dir, &target, &[]), uncached, "warm");
    // An edit: one more window in a fixture file.
    let file = dir.join("spawn-before-load/barrier_gate.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\nmod edited {{{SPAWNS_EARLY}}}\n")).unwrap();
    let uncached = fixtures_json(&dir, &target, &["--no-cache"]);
    assert_eq!(
        fixtures_json(&dir, &target, &[]),
        uncached,
        "after the edit"
    );
    assert_eq!(
        fixtures_json(&dir, &target, &[]),
        uncached,
        "warm after the edit"
    );
}

#[test]
fn a_baseline_matches_findings_from_the_cache() {
    let dir = workspace("cache-baseline");
    let (cold, _) = run(&dir, &[]);
    assert!(cold.contains("SL001"), "{cold}");
    run(&dir, &["--write-baseline", "base.json"]);
    let baseline = std::fs::read_to_string(dir.join("base.json")).unwrap();
    assert!(
        baseline.contains("Hub::new"),
        "the key names the item: {baseline}"
    );
    // Warm: the findings come from the cache, their keys still match.
    let (warm, _) = run(&dir, &["--baseline", "base.json"]);
    assert!(!warm.contains("SL001"), "{warm}");
    let (fresh, _) = run(&dir, &["--baseline", "base.json", "--no-cache"]);
    assert_eq!(warm, fresh);
}
