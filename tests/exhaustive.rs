//! What parsing skips never changes what is found: `--exhaustive` (every
//! file parsed as written, every body at once, all crates at once) and the
//! default (data tables blanked first, bodies parsed when the analysis
//! reads them, crates analyzed in batches) print the same, on the
//! fixtures, on a generated crate whose windows sit next to large tables,
//! and on crates enough to fill several batches. Only syntax errors in
//! bodies nothing reads differ, and `--check-syntax` reports those.

use assert_cmd::Command;
use std::path::Path;

mod common;

fn json(dir: &Path, extra: &[&str]) -> String {
    let out = Command::cargo_bin("cargo-spawnlint")
        .unwrap()
        .current_dir(dir)
        .args([".", "--format", "json", "--no-cache"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_fixtures_give_the_same_findings_exhaustive_or_not() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let default = json(&dir, &[]);
    assert!(default.contains("SL001"));
    assert_eq!(default, json(&dir, &["--exhaustive"]));
}

#[test]
fn syntax_errors_in_unread_bodies_are_reported_with_check_syntax() {
    let dir = common::tempdir("check-syntax");
    let src = "use std::sync::Arc;\n\nfn unread() {\n    let = 1;\n}\n\n\
               pub struct Svc { m: Arc<u8> }\n";
    std::fs::write(dir.join("lib.rs"), src).unwrap();
    let run = |extra: &[&str]| {
        let out = Command::cargo_bin("cargo-spawnlint")
            .unwrap()
            .current_dir(&dir)
            .args([".", "--format", "short", "--no-cache"])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (code, out) = run(&[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("lib.rs:4"), "{out}");
    for flag in ["--check-syntax", "--exhaustive"] {
        let (code, out) = run(&[flag]);
        assert_ne!(code, Some(0), "{flag}: {out}");
        assert_eq!(out.matches("lib.rs:4:9").count(), 1, "{flag}: {out}");
    }
}

/// `n` rows of a generated table.
fn rows(n: usize) -> String {
    (0..n)
        .map(|i| format!("    (0x{i:04x}, \"row-{i}\", -{i}.5, b'x', true), // {i}\n"))
        .collect()
}

#[test]
fn windows_next_to_data_tables_are_found_the_same() {
    let dir = common::tempdir("exhaustive");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"tables\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    // A table as a static, then a constructor whose window is after it.
    let table = format!(
        "pub static ROWS: &[(u32, &str, f64, u8, bool)] = &[\n{}];\n",
        rows(2000)
    );
    let ctor = r#"
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct Index {
    names: Arc<Mutex<HashMap<u32, String>>>,
}

impl Index {
    pub fn new() -> Self {
        let names = Arc::new(Mutex::new(HashMap::new()));
        let seen = Arc::clone(&names);
        std::thread::spawn(move || {
            let first = seen.lock().unwrap().get(&0).cloned().unwrap();
            println!("{first}");
        });
        let index = Index { names };
        index.load();
        index
    }

    fn load(&self) {
        let table = [
"#;
    let tail = format!(
        "{}        ];\n        for (k, v) in table {{ self.names.lock().unwrap().insert(k, v.to_string()); }}\n    }}\n}}\n",
        (0..2000).map(|i| format!("            ({i}, \"n{i}\"),\n")).collect::<String>()
    );
    std::fs::write(
        dir.join("src/lib.rs"),
        format!("pub mod data;\n{ctor}{tail}"),
    )
    .unwrap();
    std::fs::write(
        dir.join("src/data.rs"),
        format!("{table}\n// spawnlint: allow(SL001)\npub fn after() {{}}\n"),
    )
    .unwrap();
    for file in ["src/lib.rs", "src/data.rs"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(
            spawnlint::parse::tables::blank(&text).is_some(),
            "{file} has a table to blank"
        );
    }
    let default = json(&dir, &[]);
    assert!(
        default.contains("\"code\": \"SL00"),
        "the window is found: {default}"
    );
    assert!(
        default.contains("SL900"),
        "the suppression after the table is seen: {default}"
    );
    assert_eq!(default, json(&dir, &["--exhaustive"]));
}

#[test]
fn crates_analyzed_in_batches_give_the_same_findings() {
    let dir = common::tempdir("batches");
    // Five crates of about 1.5 MB each (mostly a doc comment, cheap to
    // lex): more than one batch of 4 MiB.
    let filler: String = (0..50_000)
        .map(|i| format!("/// filler line {i:06} of text\n"))
        .collect();
    for c in 0..5 {
        let root = dir.join(format!("c{c}"));
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(
            root.join("Cargo.toml"),
            format!("[package]\nname = \"c{c}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        )
        .unwrap();
        let window = WINDOW.replace("Index", &format!("Index{c}"));
        std::fs::write(
            root.join("src/lib.rs"),
            format!("{filler}pub struct Doc;\n{window}"),
        )
        .unwrap();
    }
    // A workspace, so the cache has a `target/` to live in.
    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\nmembers = [\"c0\", \"c1\", \"c2\", \"c3\", \"c4\"]\nresolver = \"2\"\n",
    )
    .unwrap();
    let default = json(&dir, &[]);
    assert_eq!(
        default.matches("\"code\": \"SL001\"").count(),
        5,
        "{default}"
    );
    assert_eq!(default, json(&dir, &["--exhaustive"]));
    // Each batch reads its own texts and drops them after; the findings
    // still show their source lines, in every batch, and a warm cache
    // (texts of reused findings read again) shows the same.
    let shown = human(&dir, &["--no-cache"]);
    assert_eq!(
        shown.matches("error[SL001]").count() + shown.matches("warning[SL001]").count(),
        5,
        "{shown}"
    );
    // Every finding shows its source line, from its own batch's text.
    assert_eq!(
        shown
            .matches("│         names.lock().unwrap().insert(0, \"zero\".to_string());")
            .count(),
        5,
        "{shown}"
    );
    assert_eq!(shown, human(&dir, &["--no-cache", "--exhaustive"]));
    assert_eq!(shown, human(&dir, &[]), "a cold cache");
    assert_eq!(shown, human(&dir, &[]), "a warm cache");
    assert!(
        dir.join("target/spawnlint").is_dir(),
        "the cache was written"
    );
    // Two crates edited: two batches read their texts, and the findings
    // of the three reused crates have theirs read again.
    for c in 0..2 {
        let lib = dir.join(format!("c{c}/src/lib.rs"));
        let text = std::fs::read_to_string(&lib).unwrap();
        std::fs::write(&lib, format!("{text}// edited\n")).unwrap();
    }
    assert_eq!(shown, human(&dir, &[]), "two crates edited");
}

/// The human report without its timing line.
fn human(dir: &Path, extra: &[&str]) -> String {
    let out = Command::cargo_bin("cargo-spawnlint")
        .unwrap()
        .current_dir(dir)
        .args([".", "--color", "never"])
        .args(extra)
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("spawnlint: checked"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A constructor whose thread reads a map filled after the spawn.
const WINDOW: &str = r#"
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct Index {
    names: Arc<Mutex<HashMap<u32, String>>>,
}

impl Index {
    pub fn new() -> Self {
        let names = Arc::new(Mutex::new(HashMap::new()));
        let seen = Arc::clone(&names);
        std::thread::spawn(move || {
            let first = seen.lock().unwrap().get(&0).cloned().unwrap();
            println!("{first}");
        });
        names.lock().unwrap().insert(0, "zero".to_string());
        Index { names }
    }
}
"#;
