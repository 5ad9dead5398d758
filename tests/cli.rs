//! The binary as users run it: exit codes, formats, bad input.

use assert_cmd::Command;

mod common;
use std::path::Path;

fn bin() -> Command {
    Command::cargo_bin("cargo-spawnlint").unwrap()
}

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

#[test]
fn findings_exit_1_and_clean_exits_0() {
    let out = bin()
        .arg(fixtures().join("spawn-before-load"))
        .args(["--color", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("error[SL002]"), "{text}");
    assert!(text.contains("spawnlint: checked"), "{text}");
    assert!(text.contains("help: run `cargo spawnlint --explain SL002`"));

    let clean = bin().arg(fixtures().join("fixed")).output().unwrap();
    assert_eq!(clean.status.code(), Some(0));
}

#[test]
fn works_as_cargo_subcommand() {
    let out = bin()
        .args(["spawnlint", "--format", "short"])
        .arg(fixtures().join("spawn-before-load/motivating_service.rs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("motivating_service.rs:21:9: error[SL002]"),
        "{text}"
    );
}

#[test]
fn exit_zero_and_select_ignore() {
    let path = fixtures().join("spawn-before-load/motivating_service.rs");
    let cases: &[(&[&str], i32)] = &[
        (&["--exit-zero"], 0),
        (&["--ignore", "spawn-before-load"], 0),
        (&["--select", "SL001"], 0),
        (&["--select", "SL002"], 1),
        (&["--select", "SL999"], 2),
    ];
    for (args, code) in cases {
        bin().arg(&path).args(*args).assert().code(*code);
    }
}

#[test]
fn broken_files_are_reported_and_the_run_goes_on() {
    let dir = common::tempdir("cli");
    std::fs::write(dir.join("broken.rs"), "fn main( {\n").unwrap();
    std::fs::write(dir.join("latin1.rs"), b"// caf\xe9\nfn f() {}\n").unwrap();
    std::fs::copy(
        fixtures().join("spawn-before-load/motivating_service.rs"),
        dir.join("service.rs"),
    )
    .unwrap();
    let out = bin().arg(&dir).args(["--format", "json"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unreadable file fails the run even beside a finding"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["parse_failures"], 2);
    assert_eq!(doc["summary"]["errors"], 1);
    let failures = doc["parse_failures"].as_array().unwrap();
    assert!(failures
        .iter()
        .any(|f| f["file"].as_str().unwrap().ends_with("broken.rs") && f["line"] == 1));
    assert!(failures
        .iter()
        .any(|f| f["message"].as_str().unwrap().contains("UTF-8")));
    let kinds: Vec<&str> = doc["not_analyzed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["syntax-error", "unreadable"]);
    assert_eq!(doc["summary"]["complete"], false);
}

#[test]
fn unreadable_input_exits_2_and_a_syntax_error_counts_as_a_finding() {
    let dir = common::tempdir("cli");
    std::fs::write(dir.join("latin1.rs"), b"// caf\xe9\nfn f() {}\n").unwrap();
    let out = bin().arg(&dir).args(["--color", "never"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("latin1.rs:1:"));

    let dir = common::tempdir("cli");
    std::fs::write(dir.join("broken.rs"), "fn main( {\n").unwrap();
    let out = bin().arg(&dir).args(["--color", "never"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "as ruff counts it");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("cannot parse") && text.contains("broken.rs:1:"),
        "{text}"
    );
}

#[test]
fn the_items_around_a_syntax_error_are_still_analyzed() {
    // A 2015-edition trait object that syn rejects, in the same file as a
    // flagged constructor: the error is reported and the constructor is
    // still checked.
    let dir = common::tempdir("cli");
    let service =
        std::fs::read_to_string(fixtures().join("spawn-before-load/motivating_service.rs"))
            .unwrap();
    let old_item = "struct Job { run: Box<FnBox(&mut u8) + Send> }\n";
    std::fs::write(dir.join("service.rs"), format!("{old_item}{service}")).unwrap();
    let out = bin().arg(&dir).args(["--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["parse_failures"], 1);
    assert_eq!(doc["summary"]["errors"], 1, "{}", doc);
    assert_eq!(doc["parse_failures"][0]["line"], 1);
}

#[test]
fn workspace_mode_analyzes_the_package_around_the_manifest() {
    let out = bin()
        .args(["--manifest-path"])
        .arg(fixtures().join("Cargo.toml"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["summary"]["files"].as_u64().unwrap() >= 50);
    assert!(doc["summary"]["errors"].as_u64().unwrap() >= 10);
    bin()
        .args(["--manifest-path"])
        .arg(fixtures().join("Cargo.toml"))
        .args(["-p", "no-such-package"])
        .assert()
        .code(2);
}

#[test]
fn color_follows_flag_and_environment() {
    let path = fixtures().join("spawn-before-load/motivating_service.rs");
    let run = |args: &[&str], env: &[(&str, &str)]| -> bool {
        let mut cmd = bin();
        cmd.arg(&path)
            .args(args)
            .env_remove("NO_COLOR")
            .env_remove("CARGO_TERM_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        out.stdout.contains(&0x1b)
    };
    assert!(run(&["--color", "always"], &[]));
    assert!(!run(&["--color", "never"], &[]));
    // Not a terminal: auto means no color, unless cargo says always.
    assert!(!run(&[], &[]));
    assert!(run(&[], &[("CARGO_TERM_COLOR", "always")]));
    assert!(!run(
        &[],
        &[("CARGO_TERM_COLOR", "always"), ("NO_COLOR", "1")]
    ));
}

#[test]
fn quiet_drops_the_summary() {
    let path = fixtures().join("spawn-before-load/motivating_service.rs");
    let loud = bin().arg(&path).output().unwrap();
    let quiet = bin().arg(&path).arg("-q").output().unwrap();
    assert!(String::from_utf8_lossy(&loud.stdout).contains("spawnlint: checked"));
    let quiet = String::from_utf8_lossy(&quiet.stdout);
    assert!(!quiet.contains("spawnlint: checked") && quiet.contains("error[SL002]"));
}

#[test]
fn without_paths_it_analyzes_the_current_package_like_cargo() {
    let ws = common::tempdir("cli");
    std::fs::write(
        ws.join("Cargo.toml"),
        "[workspace]\nmembers = [\"hub\", \"router\"]\nresolver = \"2\"\n",
    )
    .unwrap();
    for (member, fixture) in [
        ("hub", "spawn-before-load/motivating_service.rs"),
        ("router", "spawn-before-init/route_health_thread.rs"),
    ] {
        std::fs::create_dir_all(ws.join(member).join("src")).unwrap();
        std::fs::write(
            ws.join(member).join("Cargo.toml"),
            format!("[package]\nname = \"{member}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        )
        .unwrap();
        std::fs::copy(fixtures().join(fixture), ws.join(member).join("src/lib.rs")).unwrap();
    }
    let codes = |dir: &std::path::Path, args: &[&str]| -> Vec<String> {
        let out = bin()
            .current_dir(dir)
            .args(["--format", "json"])
            .args(args)
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes(&ws.join("hub"), &[]), ["SL002"]);
    assert_eq!(codes(&ws.join("hub/src"), &[]), ["SL002"]);
    assert_eq!(codes(&ws, &[]), ["SL002", "SL001"]);
    assert_eq!(
        codes(&ws.join("hub"), &["--workspace", "--exclude", "hub"]),
        ["SL001"]
    );
    assert_eq!(codes(&ws, &["-p", "router"]), ["SL001"]);
}

#[test]
fn missing_path_is_a_usage_error() {
    let out = bin().arg("/definitely/not/here").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/definitely/not/here"));
}

#[test]
fn explain_and_list_rules() {
    let out = bin().args(["--explain", "SL002"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("## What it does"));
    let out = bin()
        .args(["--explain", "spawn-before-init"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("SL001"));
    bin().args(["--explain", "nope"]).assert().code(2);
    let out = bin().arg("--list-rules").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SL001") && text.contains("spawn-before-load"));
}

#[test]
fn output_is_identical_across_thread_counts() {
    let one = bin()
        .arg(fixtures())
        .args(["--format", "json", "-j", "1"])
        .output()
        .unwrap();
    let two = bin()
        .arg(fixtures())
        .args(["--format", "json", "-j", "2"])
        .output()
        .unwrap();
    assert_eq!(one.stdout, two.stdout);
    let doc: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert!(doc["diagnostics"].as_array().unwrap().len() >= 20);
}

#[test]
fn message_format_json_is_rustc_json_and_formats_conflict() {
    let path = fixtures().join("spawn-before-load/motivating_service.rs");
    let ours = bin()
        .arg(&path)
        .args(["--format", "rustc-json"])
        .output()
        .unwrap();
    for flag in [
        "--message-format=json",
        "--message-format=json-diagnostic-rendered-ansi",
        "--message-format=json,json-diagnostic-short",
    ] {
        let out = bin().arg(&path).arg(flag).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{flag}");
        assert_eq!(out.stdout, ours.stdout, "{flag}");
    }
    let short = bin()
        .arg(&path)
        .arg("--message-format=short")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&short.stdout).contains("21:9: error[SL002]"));
    bin()
        .arg(&path)
        .args(["--message-format=json", "--format", "json"])
        .assert()
        .code(2);
    bin()
        .arg(&path)
        .arg("--message-format=xml")
        .assert()
        .code(2);
    // --with-check only makes sense with cargo's JSON stream.
    bin().arg(&path).arg("--with-check").assert().code(2);
}

#[test]
fn with_check_passes_cargo_messages_through_with_ours() {
    let krate = common::tempdir("with-check");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    std::fs::write(
        krate.join("Cargo.toml"),
        "[package]\nname = \"probe\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    // The SL001 fixture (std only), plus something rustc itself warns about.
    let mut lib =
        std::fs::read_to_string(fixtures().join("spawn-before-init/route_health_thread.rs"))
            .unwrap();
    lib.push_str("\npub fn unused() {\n    let x = 1;\n}\n");
    std::fs::write(krate.join("src/lib.rs"), lib).unwrap();
    let out = bin()
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", krate.join("target"))
        .args(["spawnlint", "--message-format=json", "--with-check"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let messages: Vec<cargo_metadata::Message> =
        cargo_metadata::Message::parse_stream(text.as_bytes())
            .map(|m| m.unwrap())
            .collect();
    let codes: Vec<String> = messages
        .iter()
        .filter_map(|m| match m {
            cargo_metadata::Message::CompilerMessage(c) => {
                c.message.code.as_ref().map(|c| c.code.clone())
            }
            _ => None,
        })
        .collect();
    assert!(codes.iter().any(|c| c == "unused_variables"), "{text}");
    assert!(codes.iter().any(|c| c == "SL001"), "{text}");
    assert!(
        messages.iter().any(|m| matches!(
            m,
            cargo_metadata::Message::CompilerArtifact(a) if a.target.name == "probe"
        )),
        "{text}"
    );
    assert!(
        matches!(
            messages.last(),
            Some(cargo_metadata::Message::BuildFinished(f)) if f.success
        ),
        "the stream ends as cargo's does: {text}"
    );
    // Ours name the same package as cargo's.
    let ids: std::collections::HashSet<String> = messages
        .iter()
        .filter_map(|m| match m {
            cargo_metadata::Message::CompilerMessage(c) => Some(c.package_id.repr.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");

    // Arguments after `--` reach cargo: with `--all-targets` the test
    // target is checked too, and its own warning appears.
    std::fs::create_dir_all(krate.join("tests")).unwrap();
    std::fs::write(
        krate.join("tests/t.rs"),
        "#[test]\nfn t() {\n    let only_in_tests = 1;\n}\n",
    )
    .unwrap();
    let with = |extra: &[&str]| {
        let out = bin()
            .current_dir(&krate)
            .env("CARGO_TARGET_DIR", krate.join("target"))
            .args(["spawnlint", "--message-format=json", "--with-check"])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (_, plain, _) = with(&[]);
    assert!(
        !plain.contains("only_in_tests"),
        "no test target without --all-targets"
    );
    let (code, all, err) = with(&["--", "--all-targets"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(all.contains("only_in_tests"), "{all}");

    // A build that fails is cargo's report: exit 2, said on stderr.
    std::fs::write(
        krate.join("tests/t.rs"),
        "#[test]\nfn t() {\n    let x: u32 = \"no\";\n}\n",
    )
    .unwrap();
    let (code, _, err) = with(&["--", "--all-targets"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("`cargo check` failed"), "{err}");
}

#[test]
fn cargo_check_arguments_need_with_check() {
    let out = bin().args(["--", "--all-targets"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("need --with-check"));
}

#[test]
fn version_and_help_in_both_forms() {
    for args in [&["--version"][..], &["spawnlint", "--version"]] {
        let out = bin().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            format!("cargo-spawnlint {}", env!("CARGO_PKG_VERSION"))
        );
    }
    // `cargo help spawnlint` runs `cargo-spawnlint spawnlint --help`.
    let out = bin().args(["spawnlint", "--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "Usage: cargo spawnlint",
        "--manifest-path",
        "--package",
        "--workspace",
        "--exclude",
        "rustc-json",
        "--with-check",
        "Exit status",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
}

#[test]
fn cargo_help_spawnlint_prints_the_help() {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_cargo-spawnlint"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["help", "spawnlint"])
        .env("PATH", path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("Usage: cargo spawnlint") && text.contains("--with-check"),
        "{text}"
    );
}

#[test]
fn color_on_a_terminal_unless_told_otherwise() {
    // `script` gives the binary a pseudo-terminal as stdout.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("SKIPPED color_on_a_terminal_unless_told_otherwise: no `script` command");
        return;
    }
    let path = fixtures().join("spawn-before-load/motivating_service.rs");
    let on_tty = |env: &[(&str, &str)], extra: &str| -> bool {
        let cmdline = format!(
            "'{}' '{}' {extra}",
            env!("CARGO_BIN_EXE_cargo-spawnlint"),
            path.display()
        );
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-qec", &cmdline, "/dev/null"])
            .env_remove("NO_COLOR")
            .env_remove("CARGO_TERM_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("SL002"),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        out.stdout.contains(&0x1b)
    };
    assert!(on_tty(&[], ""), "a terminal gets colors");
    assert!(!on_tty(&[("NO_COLOR", "1")], ""));
    assert!(!on_tty(&[("CARGO_TERM_COLOR", "never")], ""));
    assert!(!on_tty(&[], "--color never"));
}

#[test]
fn explain_site_says_why_a_spawn_is_or_is_not_reported() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let explain = |fixture: &str, line: u32| -> String {
        let out = Command::cargo_bin("cargo-spawnlint")
            .unwrap()
            .current_dir(root)
            .arg(fixture)
            .arg("--explain-site")
            .arg(format!("{fixture}:{line}"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let flagged = explain("fixtures/spawn-before-load/motivating_service.rs", 21);
    assert!(
        flagged.contains("started by the constructor `MetricsHub::new`"),
        "{flagged}"
    );
    assert!(
        flagged.contains("`gauges` (initially absent): panics on absence (unwrap())"),
        "{flagged}"
    );
    assert!(
        flagged.contains("written later in `load` (load-like)"),
        "{flagged}"
    );
    assert!(
        flagged.contains("reported: error[SL002] (high confidence)"),
        "{flagged}"
    );
    let gated = explain("fixtures/spawn-before-load/notify_gate.rs", 25);
    assert!(
        gated.contains(
            "after waiting on the gate at fixtures/spawn-before-load/notify_gate.rs:26: quiet"
        ),
        "{gated}"
    );
    assert!(gated.contains("no finding"), "{gated}");
    assert_eq!(
        gated.matches("starts an async task").count(),
        1,
        "one explanation per spawn: {gated}"
    );
    let nothing = explain("fixtures/spawn-before-load/notify_gate.rs", 3);
    assert!(nothing.contains(":3: no spawn there"), "{nothing}");
    // What SL001 does not count as after the spawn, the explanation does
    // not list either: a write on the other arm, one under an earlier lock.
    for (fixture, line) in [
        (
            "fixtures/spawn-before-init/run_inline_or_on_blocking_pool.rs",
            15,
        ),
        (
            "fixtures/spawn-before-init/drive_monitor_locked_before_spawn.rs",
            18,
        ),
    ] {
        let quiet = explain(fixture, line);
        assert!(quiet.contains("no finding"), "{quiet}");
        assert!(!quiet.contains("written after the spawn"), "{quiet}");
    }
    let late = explain(
        "fixtures/spawn-before-init/drive_monitor_locked_after_spawn.rs",
        16,
    );
    assert!(late.contains("written after the spawn"), "{late}");
}

#[test]
fn a_closed_pipe_or_a_full_device_ends_quietly() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let exe = assert_cmd::cargo::cargo_bin("cargo-spawnlint");
    // The reader goes away at once (`| head`): far more output than a pipe
    // buffer holds, so the writes fail with a broken pipe.
    let mut child = std::process::Command::new(&exe)
        .current_dir(root)
        .args(["fixtures", "--color", "never"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(141), "128 + SIGPIPE: {stderr}");
    if std::path::Path::new("/dev/full").exists() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(&exe)
            .args(["--explain", "SL002"])
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr.contains("cannot write the output"), "{stderr}");
    }
}

#[test]
fn one_fix_by_default_every_fix_with_show_fixes() {
    let path = fixtures().join("spawn-before-load/motivating_service.rs");
    let run = |extra: &[&str]| {
        let out = bin()
            .arg(&path)
            .args(["--color", "never"])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let short = run(&[]);
    assert!(short.contains("help: gate the task on"), "{short}");
    assert!(short.contains("other fixes, printed by `--show-fixes`: start-method, typestate"));
    assert!(!short.contains("pub struct UnloadedMetricsHub"), "{short}");
    let full = run(&["--show-fixes"]);
    assert!(
        full.contains("help: or start the task only after `load`"),
        "{full}"
    );
    assert!(full.contains("pub struct UnloadedMetricsHub"), "{full}");
    assert!(!full.contains("more lines"), "{full}");
    let (n, all) = (short.lines().count(), full.lines().count());
    assert!(
        n <= 35 && all > n + 20,
        "{n} lines by default, {all} with --show-fixes"
    );
}

#[test]
fn short_format_puts_a_colon_after_the_code_and_jobs_has_its_cargo_spelling() {
    let path = fixtures().join("spawn-before-load/motivating_service.rs");
    for jobs in ["--jobs", "--threads", "-j"] {
        let out = bin()
            .arg(&path)
            .args(["--format", "short", jobs, "2"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{jobs}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(":21:9: error[SL002]: task spawned"), "{text}");
    }
}

/// The README's headline example is the real output: it cannot go stale.
#[test]
fn the_readme_headline_is_what_the_tool_prints() {
    let out = bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "fixtures/spawn-before-load/motivating_service.rs",
            "--color",
            "never",
        ])
        .output()
        .unwrap();
    let printed = String::from_utf8(out.stdout).unwrap();
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    // Only the elapsed time may differ.
    let timeless = |s: &str| {
        s.lines()
            .map(|l| match l.find(" in 0.") {
                Some(at) if l.starts_with("spawnlint: checked") => l[..at].to_string(),
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        timeless(&readme).contains(&timeless(printed.trim_end())),
        "README.md's example differs from the output; paste this:\n{printed}"
    );
}

/// The README's `--list-rules` listing is the real one.
#[test]
fn the_readme_rule_list_is_what_the_tool_prints() {
    let out = bin().arg("--list-rules").output().unwrap();
    let printed = String::from_utf8(out.stdout).unwrap();
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("$ cargo spawnlint --list-rules\n{printed}")),
        "README.md's rule list differs; paste this:\n{printed}"
    );
}

#[test]
fn select_takes_all_code_prefixes_and_suggests_near_names() {
    let path = fixtures().join("spawn-before-load/motivating_service.rs");
    for (select, code) in [("ALL", 1), ("SL00", 1), ("sl0", 1), ("SL001", 0)] {
        bin()
            .arg(&path)
            .args(["--select", select])
            .assert()
            .code(code);
    }
    let out = bin()
        .arg(&path)
        .args(["--select", "spawn-before-lod"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `spawn-before-load`?"), "{err}");
    let out = bin().arg(&path).args(["--ignore", "SL9"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "SL9 ignores SL900 only");
}

#[test]
fn severities_accept_clippy_spellings() {
    for (level, code) in [("allow", 0), ("warn", 1), ("deny", 1)] {
        let dir = common::tempdir("cli");
        std::fs::copy(
            fixtures().join("spawn-before-load/motivating_service.rs"),
            dir.join("service.rs"),
        )
        .unwrap();
        std::fs::write(
            dir.join("spawnlint.toml"),
            format!("[severity]\nSL002 = \"{level}\"\n"),
        )
        .unwrap();
        let out = bin()
            .arg(&dir)
            .args(["--format", "short"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{level}");
        let text = String::from_utf8_lossy(&out.stdout);
        match level {
            "warn" => assert!(text.contains("warning[SL002]"), "{text}"),
            "deny" => assert!(text.contains("error[SL002]"), "{text}"),
            _ => assert!(!text.contains("SL002"), "{text}"),
        }
    }
}

#[test]
fn statistics_output_file_and_list_rules() {
    let path = fixtures().join("spawn-before-load/motivating_service.rs");
    let out = bin().arg(&path).arg("--statistics").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, "     1  SL002  spawn-before-load\n     1  total\n");

    let dir = common::tempdir("cli");
    let file = dir.join("report.json");
    let out = bin()
        .arg(&path)
        .args(["--format", "json", "--output-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(doc["diagnostics"][0]["code"], "SL002");

    let out = bin().arg("--list-rules").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("code   slug"), "{text}");
    assert!(
        text.contains("SL001  spawn-before-init    warning..error"),
        "{text}"
    );
    let out = bin()
        .args(["--list-rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules[0]["max_severity"], "error");
}

#[test]
fn exclude_without_workspace_is_refused_as_cargo_does() {
    let out = bin().args(["--exclude", "foo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--exclude can only be used together with --workspace"));
}

/// A package is its directory without the packages nested in it: `-p root`
/// is the root package only, `[workspace] exclude` is honoured, and test
/// data with its own manifest is never parsed.
#[test]
fn nested_packages_belong_to_themselves() {
    let ws = common::tempdir("cli");
    let package = |dir: &Path, name: &str, extra: &str| {
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{extra}"
            ),
        )
        .unwrap();
    };
    package(
        &ws,
        "root",
        "\n[workspace]\nmembers = [\"inner\"]\nexclude = [\"skipped\"]\nresolver = \"2\"\n",
    );
    std::fs::copy(
        fixtures().join("spawn-before-load/motivating_service.rs"),
        ws.join("src/lib.rs"),
    )
    .unwrap();
    package(&ws.join("inner"), "inner", "");
    std::fs::copy(
        fixtures().join("spawn-before-init/route_health_thread.rs"),
        ws.join("inner/src/lib.rs"),
    )
    .unwrap();
    package(&ws.join("skipped"), "skipped", "\n[workspace]\n");
    std::fs::write(ws.join("skipped/src/lib.rs"), "fn broken( {\n").unwrap();
    let files = |args: &[&str]| -> (Option<i32>, u64, u64) {
        let out = bin()
            .current_dir(&ws)
            .args(["--format", "json"])
            .args(args)
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        let n = |k: &str| doc["summary"][k].as_u64().unwrap();
        (out.status.code(), n("files"), n("parse_failures"))
    };
    assert_eq!(files(&["-p", "root"]), (Some(1), 1, 0), "-p root");
    assert_eq!(files(&[]), (Some(1), 1, 0), "the current package");
    assert_eq!(files(&["--workspace"]), (Some(1), 2, 0), "--workspace");
    assert_eq!(
        files(&["--workspace", "--exclude", "inner"]),
        (Some(1), 1, 0),
        "--workspace --exclude inner"
    );
}

#[test]
fn stdin_is_analyzed_as_the_named_file() {
    let text = std::fs::read_to_string(fixtures().join("spawn-before-load/motivating_service.rs"))
        .unwrap();
    let out = bin()
        .current_dir(common::tempdir("cli"))
        .args(["--stdin-filename", "src/unsaved.rs", "--format", "short"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(
        printed.starts_with("src/unsaved.rs:21:9: error[SL002]:"),
        "{printed}"
    );
    let out = bin()
        .args(["--stdin-filename", "x.rs"])
        .write_stdin(&b"// caf\xe9\n"[..])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("x.rs) is not valid UTF-8"));
}

/// In workspace mode a package's files are its module trees: the modules
/// its targets declare (`mod`, `#[path]`, inline blocks, `mod.rs`), never
/// test data under it that no target declares.
#[test]
fn a_package_is_its_module_trees_not_its_directory() {
    let ws = common::tempdir("cli-modtree");
    for dir in ["src/net", "src/gen", "tests", "test_data"] {
        std::fs::create_dir_all(ws.join(dir)).unwrap();
    }
    std::fs::write(
        ws.join("Cargo.toml"),
        "[package]\nname = \"modtree\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    let service =
        std::fs::read_to_string(fixtures().join("spawn-before-load/motivating_service.rs"))
            .unwrap();
    std::fs::write(
        ws.join("src/lib.rs"),
        "pub mod net;\n#[path = \"gen/tables.rs\"]\nmod tables;\n// mod commented_out;\n",
    )
    .unwrap();
    std::fs::write(ws.join("src/net/mod.rs"), "mod service;\nmod inline { }\n").unwrap();
    std::fs::write(ws.join("src/net/service.rs"), &service).unwrap();
    std::fs::write(ws.join("src/gen/tables.rs"), "pub const T: u8 = 1;\n").unwrap();
    std::fs::write(ws.join("tests/it.rs"), "#[test]\nfn t() {}\n").unwrap();
    // Test data: not Rust a compiler would see, and no target declares it.
    std::fs::write(ws.join("test_data/broken.rs"), "fn broken( {\n").unwrap();
    std::fs::write(ws.join("src/stray.rs"), "fn also_broken( {\n").unwrap();
    let out = bin()
        .current_dir(&ws)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(
        doc["summary"]["files"], 5,
        "lib, net/mod, net/service, gen/tables, tests/it"
    );
    assert_eq!(
        doc["summary"]["parse_failures"], 0,
        "undeclared files are not parsed"
    );
    let files: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["src/net/service.rs"]);
    let shown = bin().current_dir(&ws).arg("--show-files").output().unwrap();
    assert_eq!(shown.status.code(), Some(0));
    let shown: Vec<String> = String::from_utf8_lossy(&shown.stdout)
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        shown,
        [
            "src/lib.rs",
            "src/net/mod.rs",
            "src/net/service.rs",
            "src/gen/tables.rs",
            "tests/it.rs"
        ],
        "--show-files: roots first, each module tree in declaration order"
    );
    // Given as a path, a directory is analyzed as given: every file in it.
    let out = bin()
        .current_dir(&ws)
        .args(["--format", "json", "src"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["summary"]["parse_failures"], 1,
        "src/stray.rs, given by path"
    );
}

/// `--crate-context` (the pre-commit hooks' mode): a staged file is
/// analyzed with the rest of its package, so a window whose load-like
/// method sits in a file that is not staged is found; findings are
/// reported for the given files only.
#[test]
fn crate_context_sees_the_window_across_files_and_reports_the_given_ones() {
    let dir = common::tempdir("crate-context");
    common::split_service_package(&dir);
    let codes = |args: &[&str]| -> Vec<String> {
        let out = bin()
            .current_dir(&dir)
            .args(["--format", "json"])
            .args(args)
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                format!(
                    "{} {}",
                    d["code"].as_str().unwrap(),
                    d["file"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert!(
        !codes(&["src/hub.rs"])
            .iter()
            .any(|c| c.starts_with("SL002")),
        "alone, hub.rs cannot show the load in load.rs"
    );
    assert_eq!(
        codes(&["--crate-context", "src/hub.rs"]),
        ["SL002 src/hub.rs"]
    );
    assert!(
        codes(&["--crate-context", "src/load.rs"]).is_empty(),
        "the finding is in hub.rs, which was not given"
    );
    // A baseline of the whole package: hub.rs's finding, only in context
    // here, is not "fixed".
    bin()
        .current_dir(&dir)
        .args(["--write-baseline", "b.json", "src"])
        .assert()
        .code(0);
    let out = bin()
        .current_dir(&dir)
        .args([
            "--format",
            "json",
            "--crate-context",
            "--baseline",
            "b.json",
            "src/load.rs",
        ])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["baseline_fixed"], 0, "{doc}");
}

/// `--also FORMAT=FILE` writes a second format from the same run.
#[test]
fn also_writes_another_format_from_the_same_run() {
    let dir = common::tempdir("also");
    let sarif = dir.join("out.sarif");
    let out = bin()
        .arg(fixtures().join("spawn-before-load/motivating_service.rs"))
        .args(["--format", "short", "--also"])
        .arg(format!("sarif={}", sarif.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("error[SL002]"));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 1);
    let bad = bin().args(["--also", "yaml=x"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown format `yaml`"));
}
