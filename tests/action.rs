//! The GitHub Action's run step (`action.yml`, step `run`), executed with
//! bash the way the runner does, against the built binary: annotations on
//! stdout, the SARIF file and the step output written, the exit status per
//! `fail-on-findings`.

mod common;

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `run: |` script of the step with `id: run`, dedented.
fn run_script() -> String {
    step_script("run")
}

/// The `run: |` script of the step with `id: <id>`, dedented.
fn step_script(id: &str) -> String {
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let lines: Vec<&str> = action.lines().collect();
    let step = lines
        .iter()
        .position(|l| l.trim() == format!("id: {id}"))
        .unwrap();
    let start = step
        + lines[step..]
            .iter()
            .position(|l| l.trim() == "run: |")
            .unwrap()
        + 1;
    let indent = lines[start].len() - lines[start].trim_start().len();
    lines[start..]
        .iter()
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() >= indent)
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn action_annotates_writes_sarif_and_fails_per_input() {
    let script = run_script();
    assert!(script.contains("--format github"), "{script}");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_cargo-spawnlint"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |fail: &str, sarif: &Path, output: &Path| {
        Command::new("bash")
            .args(["-e", "-c", &script])
            .current_dir(root())
            .env("PATH", &path)
            .env(
                "SPAWNLINT_ARGS",
                "fixtures/spawn-before-load --select SL002",
            )
            .env("SARIF_FILE", sarif)
            .env("FAIL_ON_FINDINGS", fail)
            .env("GITHUB_OUTPUT", output)
            .output()
            .unwrap()
    };
    let dir = common::tempdir("action");
    let (sarif, output) = (dir.join("out.sarif"), dir.join("github_output"));
    let out = run("true", &sarif, &output);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().all(
            |l| l.starts_with("::error file=fixtures/spawn-before-load/")
                || l.starts_with("::warning file=fixtures/spawn-before-load/")
        ),
        "{stdout}"
    );
    assert!(stdout.lines().count() >= 3, "{stdout}");
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(
        log["runs"][0]["results"].as_array().unwrap().len(),
        stdout.lines().count()
    );
    assert_eq!(
        std::fs::read_to_string(&output).unwrap().trim(),
        format!("sarif-file={}", sarif.display())
    );

    let out = run("false", &sarif, &output);
    assert_eq!(out.status.code(), Some(0), "fail-on-findings: false");
    // A usage error fails whatever fail-on-findings says.
    let out = Command::new("bash")
        .args(["-e", "-c", &script])
        .current_dir(root())
        .env("PATH", &path)
        .env("SPAWNLINT_ARGS", "--select SL999 fixtures")
        .env("SARIF_FILE", "")
        .env("FAIL_ON_FINDINGS", "false")
        .env("GITHUB_OUTPUT", &output)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The cache key names the OS, the version and a hash of the sources, and
/// is the same on every run of the same sources.
#[test]
fn the_binary_cache_key_is_stable_and_names_the_version() {
    let script = step_script("key");
    let key = || {
        let out = common::tempdir("action-key").join("out");
        let status = Command::new("bash")
            .args(["-e", "-c", &script])
            .env("ACTION_PATH", root())
            .env("RUNNER_OS", "Linux")
            .env("GITHUB_OUTPUT", &out)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read_to_string(&out).unwrap()
    };
    let first = key();
    assert!(
        first.starts_with(&format!(
            "key=cargo-spawnlint-Linux-{}-",
            env!("CARGO_PKG_VERSION")
        )),
        "{first}"
    );
    assert_eq!(first, key());
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    assert!(
        action.contains("if: steps.cache.outputs.cache-hit != 'true'"),
        "no build on a cache hit"
    );
    assert_eq!(
        action.matches("cargo-spawnlint spawnlint").count(),
        1,
        "one analysis per run"
    );
}
