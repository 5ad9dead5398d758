//! The README's "Adopting on an existing codebase" walk-through is real
//! output: each step is run here, as the README says, on a copy of the
//! fixtures crate, and every summary line the README quotes must be what
//! the tool printed (times aside). A change in what the tool finds fails
//! this test until the README is updated with the lines it prints.

mod common;

use assert_cmd::Command;
use std::path::Path;

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// `cargo spawnlint ARGS` in `dir`: (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("cargo-spawnlint")
        .unwrap()
        .current_dir(dir)
        .arg("spawnlint")
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The line without its elapsed time (`in 0.25s`).
fn timeless(line: &str) -> String {
    match (line.find(" in "), line.find("s: ")) {
        (Some(a), Some(b)) if line.starts_with("spawnlint: checked") && a < b => {
            format!("{}{}", &line[..a], &line[b + 1..])
        }
        _ => line.to_string(),
    }
}

fn summary(stdout: &str) -> String {
    stdout.lines().last().unwrap_or("").to_string()
}

#[test]
fn the_adopting_walk_through_is_what_the_tool_prints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let readme_lines: Vec<String> = readme.lines().map(timeless).collect();
    let demo = common::tempdir("adopting");
    copy_tree(&root.join("fixtures"), &demo);
    let mut missing = Vec::new();
    let mut expect = |line: &str, what: &str| {
        if !readme_lines.contains(&timeless(line)) {
            missing.push(format!("{what}:\n{line}"));
        }
    };

    // 1. Where you start.
    let (_, out, _) = run(&demo, &[]);
    expect(&summary(&out), "1. the first run");

    // 2. Configure.
    std::fs::write(
        demo.join("spawnlint.toml"),
        "# Fixed copies of fixtures are generated code: not ours to lint.\nexclude = [\"fixed/**\", \"**/*.fixed\"]\n# Skip tests/, benches/, *_test.rs and #[cfg(test)] modules.\ninclude-tests = false\n# Our builders' SL001 findings are reviewed case by case: warnings for now.\nseverity = { spawn-before-init = \"warning\" }\n# Our own ready latch is a gate, like a oneshot receiver.\nextend-gates = [\"wait_ready\"]\n",
    )
    .unwrap();
    let (_, out, _) = run(&demo, &[]);
    expect(&summary(&out), "2. configured");

    // 3. Record a baseline.
    let (code, out, err) = run(&demo, &["--write-baseline", "spawnlint-baseline.json"]);
    assert_eq!(code, 0, "{err}");
    expect(&summary(&out), "3. the baseline's summary");
    expect(err.trim_end(), "3. the baseline's note");

    // 4. In CI, only new findings.
    let (code, out, _) = run(&demo, &["--baseline", "spawnlint-baseline.json"]);
    assert_eq!(code, 0);
    expect(&summary(&out), "4. nothing new");
    let service = demo.join("spawn-before-load/motivating_service.rs");
    let text = std::fs::read_to_string(&service).unwrap();
    let header: String = (1..=20)
        .map(|i| format!("// License header, line {i}\n"))
        .collect();
    std::fs::write(&service, format!("{header}{text}")).unwrap();
    std::fs::copy(
        root.join("tests/data/inventory.rs"),
        demo.join("spawn-before-load/inventory.rs"),
    )
    .unwrap();
    let lib = std::fs::read_to_string(demo.join("lib.rs")).unwrap();
    std::fs::write(
        demo.join("lib.rs"),
        format!("{lib}#[path = \"spawn-before-load/inventory.rs\"] mod inventory;\n"),
    )
    .unwrap();
    let (code, out, _) = run(&demo, &["--baseline", "spawnlint-baseline.json"]);
    assert_eq!(code, 1, "the new finding fails the run");
    assert!(out.contains("spawn-before-load/inventory.rs:14:9"), "{out}");
    expect(&summary(&out), "4. one new finding");

    // 5. Suppress what was judged — and one suppression on the wrong item.
    let inventory = demo.join("spawn-before-load/inventory.rs");
    let text = std::fs::read_to_string(&inventory).unwrap();
    let text = text
        .replace(
            "        thread::spawn(move || loop {",
            "        // spawnlint: allow(spawn-before-load) -- only built by Inventory::open, which loads under the same lock first\n        thread::spawn(move || loop {",
        )
        .replace(
            "    pub fn load(",
            "    // spawnlint: allow(spawn-before-init)\n    pub fn load(",
        );
    std::fs::write(&inventory, &text).unwrap();
    let (code, out, _) = run(&demo, &["--baseline", "spawnlint-baseline.json"]);
    assert_eq!(code, 1, "the stale suppression is itself a finding");
    assert!(out.contains("spawn-before-load/inventory.rs:25:5"), "{out}");
    expect(&summary(&out), "5. a suppression on the wrong item");

    // 6. Burn the baseline down: the stale suppression goes, and an old
    // finding is fixed (the service gets its start method).
    std::fs::write(
        &inventory,
        text.replace("    // spawnlint: allow(spawn-before-init)\n", ""),
    )
    .unwrap();
    std::fs::copy(
        root.join("fixtures/fixed/motivating_service_start.rs"),
        &service,
    )
    .unwrap();
    let (code, out, _) = run(&demo, &["--baseline", "spawnlint-baseline.json"]);
    assert_eq!(code, 0);
    expect(&summary(&out), "6. one fixed since the baseline");
    let (_, json, _) = run(
        &demo,
        &["--baseline", "spawnlint-baseline.json", "--format", "json"],
    );
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    for key in ["baseline_fixed", "baselined", "files", "suppressed"] {
        expect(
            &format!("  \"{key}\": {},", doc["summary"][key]),
            "6. the JSON summary",
        );
    }
    let (code, out, err) = run(&demo, &["--write-baseline", "spawnlint-baseline.json"]);
    assert_eq!(code, 0);
    expect(&summary(&out), "6. the baseline written again");
    expect(err.trim_end(), "6. its note");
    assert!(
        missing.is_empty(),
        "README.md is out of date; paste:\n{}",
        missing.join("\n\n")
    );
}
