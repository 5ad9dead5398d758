//! Configuration as users write it: discovery order and precedence, every
//! key, and the exact text of configuration errors.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("cargo-spawnlint").unwrap()
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

const SERVICE: &str = "fixtures/spawn-before-load/motivating_service.rs";
const ROUTES: &str = "fixtures/spawn-before-init/route_health_thread.rs";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Run on `paths` from `cwd` with JSON output: (exit code, document).
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

/// The codes found, in output order.
fn codes(cwd: &Path, args: &[&str]) -> Vec<String> {
    run(cwd, args).1["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// A workspace `ws/` with one member `ws/app` holding an SL001 file
/// (`routes.rs`) and an SL002 file (`service.rs`).
fn workspace(ws_meta: &str, pkg_meta: &str) -> PathBuf {
    let ws = common::tempdir("config");
    write(
        &ws.join("Cargo.toml"),
        &format!("[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n{ws_meta}"),
    );
    write(
        &ws.join("app/Cargo.toml"),
        &format!("[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{pkg_meta}"),
    );
    std::fs::create_dir_all(ws.join("app/src")).unwrap();
    std::fs::copy(repo(ROUTES), ws.join("app/src/routes.rs")).unwrap();
    std::fs::copy(repo(SERVICE), ws.join("app/src/service.rs")).unwrap();
    ws
}

#[test]
fn discovery_order_and_precedence() {
    let both = ["SL001", "SL002"];
    // No configuration anywhere: both rules.
    let ws = workspace("", "");
    assert_eq!(codes(&ws, &["app"]), both);

    // [workspace.metadata.spawnlint] applies to members.
    let ws = workspace("[workspace.metadata.spawnlint]\nignore = [\"SL001\"]\n", "");
    assert_eq!(codes(&ws, &["app"]), ["SL002"]);

    // [package.metadata.spawnlint] is nearer than the workspace's.
    let ws = workspace(
        "[workspace.metadata.spawnlint]\nignore = [\"SL001\"]\n",
        "[package.metadata.spawnlint]\nignore = [\"SL002\"]\n",
    );
    assert_eq!(codes(&ws, &["app"]), ["SL001"]);

    // In the same directory `.spawnlint.toml` beats Cargo.toml metadata, and
    // configurations are not merged: an empty one means all defaults.
    write(&ws.join("app/.spawnlint.toml"), "");
    assert_eq!(codes(&ws, &["app"]), both);

    // `spawnlint.toml` beats `.spawnlint.toml`.
    write(
        &ws.join("app/spawnlint.toml"),
        "ignore = [\"spawn-before-load\"]\n",
    );
    assert_eq!(codes(&ws, &["app"]), ["SL001"]);

    // The nearest directory wins: the crate's files beat the workspace
    // root's spawnlint.toml.
    write(
        &ws.join("spawnlint.toml"),
        "ignore = [\"SL001\", \"SL002\"]\n",
    );
    assert_eq!(codes(&ws, &["app"]), ["SL001"]);
    std::fs::remove_file(ws.join("app/spawnlint.toml")).unwrap();
    std::fs::remove_file(ws.join("app/.spawnlint.toml")).unwrap();
    // ... and the package metadata beats a spawnlint.toml further up.
    assert_eq!(codes(&ws, &["app"]), ["SL001"]);

    // --config replaces discovery.
    write(&ws.join("other.toml"), "select = [\"SL002\"]\n");
    assert_eq!(codes(&ws, &["app", "--config", "other.toml"]), ["SL002"]);

    // Command line on top: --select replaces the configuration's
    // select/ignore, --ignore adds to them.
    assert_eq!(codes(&ws, &["app", "--select", "SL002"]), ["SL002"]);
    assert_eq!(
        codes(&ws, &["app", "--ignore", "SL001"]),
        Vec::<String>::new()
    );

    // Crates with different configurations in one run each get their own.
    let other = ws.join("lib2");
    write(
        &other.join("Cargo.toml"),
        "[package]\nname = \"lib2\"\nversion = \"0.1.0\"\n[package.metadata.spawnlint]\nselect = [\"SL002\"]\n",
    );
    std::fs::copy(repo(ROUTES), other.join("routes.rs")).unwrap();
    std::fs::copy(repo(SERVICE), other.join("service.rs")).unwrap();
    assert_eq!(codes(&ws, &["app", "lib2"]), ["SL001", "SL002"]);
    let doc = run(&ws, &["app", "lib2"]).1;
    let files: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["app/src/routes.rs", "lib2/service.rs"]);
}

#[test]
fn select_ignore_and_severity_keys() {
    let dir = common::tempdir("config");
    std::fs::copy(repo(ROUTES), dir.join("routes.rs")).unwrap();
    std::fs::copy(repo(SERVICE), dir.join("service.rs")).unwrap();
    let cfg = dir.join("spawnlint.toml");
    write(&cfg, "select = [\"spawn-before-init\"]\n");
    assert_eq!(codes(&dir, &["."]), ["SL001"]);
    write(&cfg, "ignore = [\"SL001\"]\n");
    assert_eq!(codes(&dir, &["."]), ["SL002"]);
    write(&cfg, "[severity]\nSL001 = \"off\"\n");
    assert_eq!(codes(&dir, &["."]), ["SL002"]);
    // Both findings are errors by escalation; `warning` pins them.
    write(
        &cfg,
        "severity = { spawn-before-init = \"warning\", SL002 = \"error\" }\n",
    );
    let (code, doc) = run(&dir, &["."]);
    assert_eq!(code, 1);
    let sev: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["severity"].as_str().unwrap())
        .collect();
    assert_eq!(sev, ["warning", "error"]);
    assert_eq!(doc["summary"]["warnings"], 1);
}

/// A file that is quiet without `key` and flagged with it (or the other
/// way round for gates).
fn with_and_without(data: &str, config: &str, flagged_with: bool) {
    let dir = common::tempdir("config");
    std::fs::copy(repo(&format!("tests/data/{data}")), dir.join(data)).unwrap();
    let without = codes(&dir, &[data]);
    write(&dir.join("spawnlint.toml"), config);
    let with = codes(&dir, &[data]);
    let (flagged, quiet) = if flagged_with {
        (with, without)
    } else {
        (without, with)
    };
    assert_eq!(flagged, ["SL002"], "{data} with flagged config");
    assert!(quiet.is_empty(), "{data}: {quiet:?}");
}

#[test]
fn extend_spawners_function_path() {
    with_and_without(
        "custom_fn_spawner.rs",
        "extend-spawners = [\"my_rt::launch\"]\n",
        true,
    );
    with_and_without(
        "custom_fn_spawner.rs",
        "extend-spawners = [{ path = \"my_rt::launch\", runtime = \"tokio\" }]\n",
        true,
    );
}

#[test]
fn extend_spawners_task_argument() {
    with_and_without(
        "custom_named_spawner.rs",
        "extend-spawners = [{ path = \"my_rt::spawn_named\", task-arg = 2 }]\n",
        true,
    );
    // Taken as the first argument, the "task" is the name: nothing runs.
    let dir = common::tempdir("config");
    let data = "custom_named_spawner.rs";
    std::fs::copy(repo(&format!("tests/data/{data}")), dir.join(data)).unwrap();
    write(
        &dir.join("spawnlint.toml"),
        "extend-spawners = [\"my_rt::spawn_named\"]\n",
    );
    assert!(codes(&dir, &[data]).is_empty());
    write(
        &dir.join("spawnlint.toml"),
        "extend-spawners = [{ method = \"launch\", args = 1, task-arg = 2 }]\n",
    );
    let out = bin().arg(dir.join(data)).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("`task-arg` 2 in `extend-spawners` is past the method's 1 argument(s)"));
}

#[test]
fn extend_spawners_method_name() {
    with_and_without(
        "custom_method_spawner.rs",
        "extend-spawners = [\".launch\"]\n",
        true,
    );
    with_and_without(
        "custom_method_spawner.rs",
        "extend-spawners = [{ method = \"launch\", args = 1 }]\n",
        true,
    );
}

#[test]
fn extend_load_methods() {
    with_and_without(
        "custom_load_method.rs",
        "extend-load-methods = [\"hydrate_*\"]\n",
        true,
    );
    with_and_without(
        "custom_load_method.rs",
        "extend-load-methods = [\"hydrate_limits\"]\n",
        true,
    );
}

#[test]
fn extend_gates() {
    with_and_without("custom_gate.rs", "extend-gates = [\"wait_ready\"]\n", false);
}

#[test]
fn exclude_globs() {
    let dir = common::tempdir("config");
    std::fs::create_dir_all(dir.join("src/generated")).unwrap();
    std::fs::copy(repo(ROUTES), dir.join("src/generated/routes.rs")).unwrap();
    std::fs::copy(repo(SERVICE), dir.join("src/service.rs")).unwrap();
    assert_eq!(codes(&dir, &["."]), ["SL001", "SL002"]);
    write(
        &dir.join("spawnlint.toml"),
        "exclude = [\"src/generated/**\"]\n",
    );
    let (_, doc) = run(&dir, &["."]);
    assert_eq!(doc["summary"]["files"], 1);
    assert_eq!(codes(&dir, &["."]), ["SL002"]);
    // A pattern without `/` matches file names anywhere; files given
    // explicitly are excluded too (pre-commit passes file names).
    write(&dir.join("spawnlint.toml"), "exclude = [\"service.rs\"]\n");
    assert_eq!(codes(&dir, &["src/service.rs", "src/generated"]), ["SL001"]);
    // Globs are relative to the configuration's directory, not the cwd.
    write(&dir.join("spawnlint.toml"), "exclude = [\"src/*.rs\"]\n");
    assert_eq!(codes(&dir.join("src"), &["."]), ["SL001"]);
}

#[test]
fn include_tests() {
    let dir = common::tempdir("config");
    write(
        &dir.join("Cargo.toml"),
        "[package]\nname = \"t\"\nversion = \"0.1.0\"\n",
    );
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::copy(repo(ROUTES), dir.join("tests/routes.rs")).unwrap();
    std::fs::copy(repo(ROUTES), dir.join("src/routes_test.rs")).unwrap();
    let service = std::fs::read_to_string(repo(SERVICE)).unwrap();
    write(
        &dir.join("src/lib.rs"),
        &format!("pub fn f() {{}}\n\n#[cfg(test)]\nmod tests {{\n{service}\n}}\n"),
    );
    // Default: tests are analyzed.
    assert_eq!(codes(&dir, &["."]), ["SL002", "SL001", "SL001"]);
    write(&dir.join("spawnlint.toml"), "include-tests = true\n");
    assert_eq!(codes(&dir, &["."]).len(), 3);
    write(&dir.join("spawnlint.toml"), "include-tests = false\n");
    let (code, doc) = run(&dir, &["."]);
    assert_eq!(doc["summary"]["files"], 1, "tests/ and *_test.rs skipped");
    assert_eq!(
        doc["diagnostics"],
        serde_json::json!([]),
        "#[cfg(test)] mod"
    );
    assert_eq!(code, 0);
}

/// stderr and exit code for a run with a bad configuration.
fn config_error(text: &str) -> String {
    let dir = common::tempdir("config");
    std::fs::copy(repo(SERVICE), dir.join("service.rs")).unwrap();
    write(&dir.join("spawnlint.toml"), text);
    let out = bin().current_dir(&dir).arg(".").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "config errors are usage errors");
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn unknown_key_error_text() {
    insta::assert_snapshot!(
        config_error("select = [\"SL002\"]\nselcet = [\"SL001\"]\n"),
        @"error: spawnlint.toml:2:1: unknown key `selcet`, expected one of `select`, `ignore`, `severity`, `extend-spawners`, `extend-load-methods`, `extend-gates`, `extend-semantics`, `exclude`, `include-tests`, `min-confidence`, `extend` (did you mean `select`?)"
    );
}

#[test]
fn bad_severity_error_text() {
    insta::assert_snapshot!(
        config_error("[severity]\nspawn-before-load = \"fatal\"\n"),
        @"error: spawnlint.toml:2:21: invalid severity `fatal` for `severity.spawn-before-load`, expected one of `error` (`deny`), `warning` (`warn`), `off` (`allow`)"
    );
}

#[test]
fn other_config_errors_name_file_key_and_allowed_values() {
    let e = config_error("include-tests = \"no\"\n");
    assert!(
        e.contains("spawnlint.toml:1:17: invalid value for `include-tests`"),
        "{e}"
    );
    let e = config_error("select = [\"SL999\"]\n");
    assert!(e.contains("unknown rule `SL999` in `select`"), "{e}");
    assert!(e.contains("SL002 (spawn-before-load)"), "{e}");
    let e = config_error("exclude = [\"[\"]\n");
    assert!(e.contains("invalid glob `[` in `exclude`"), "{e}");
    // In Cargo.toml the table is named by its position.
    let dir = common::tempdir("config");
    write(
        &dir.join("Cargo.toml"),
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[package.metadata.spawnlint]\nignor = []\n",
    );
    std::fs::copy(repo(SERVICE), dir.join("service.rs")).unwrap();
    let out = bin().current_dir(&dir).arg("service.rs").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("Cargo.toml:6:1: unknown key `ignor`"), "{e}");
    // --config naming a missing file.
    let out = bin()
        .current_dir(&dir)
        .args(["service.rs", "--config", "nope.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.toml: cannot read"));
}

#[test]
fn extend_semantics() {
    // `must()` panics on absence only once the configuration says so.
    with_and_without(
        "custom_semantics.rs",
        "extend-semantics = { panicking = [\"must\"] }\n",
        true,
    );
    let e = config_error("extend-semantics = { lockz = [\"lock_shared\"] }\n");
    assert!(
        e.contains("spawnlint.toml:1:")
            && e.contains("unknown table `lockz` in `extend-semantics`"),
        "{e}"
    );
    assert!(
        e.contains("`locks`") && e.contains("`absence-handlers`"),
        "{e}"
    );
    let e = config_error("extend-semantics = { locks = [\"lock shared\"] }\n");
    assert!(
        e.contains("invalid entry `lock shared` in `extend-semantics.locks`"),
        "{e}"
    );
}

#[test]
fn min_confidence_decides_what_fails_the_run() {
    // A late subscription to a shutdown broadcast is low confidence: shown,
    // not failing, unless the minimum is lowered.
    let dir = common::tempdir("confidence");
    let fixture = "fixtures/subscribe-in-task/batcher_worker_shutdown_in_task.rs";
    std::fs::copy(repo(fixture), dir.join("worker.rs")).unwrap();
    let (code, doc) = run(&dir, &["worker.rs"]);
    assert_eq!(code, 0, "a low-confidence finding alone does not fail");
    assert_eq!(doc["diagnostics"][0]["confidence"], "low");
    assert_eq!(doc["summary"]["failing"], 0);
    let (code, _) = run(&dir, &["worker.rs", "--min-confidence", "low"]);
    assert_eq!(code, 1, "--min-confidence low fails on it");
    write(&dir.join("spawnlint.toml"), "min-confidence = \"low\"\n");
    let (code, doc) = run(&dir, &["worker.rs"]);
    assert_eq!((code, doc["summary"]["failing"].as_u64()), (1, Some(1)));
    let (code, _) = run(&dir, &["worker.rs", "--min-confidence", "high"]);
    assert_eq!(code, 0, "the command line wins over the configuration");
    let e = config_error("min-confidence = \"sure\"\n");
    assert!(
        e.contains("spawnlint.toml:1:18: invalid `min-confidence` `sure`, expected one of `high`, `medium`, `low`"),
        "{e}"
    );
}

#[test]
fn fail_on_error_lets_warnings_through() {
    // One error (SL001, route table) and one warning (SL006, medium).
    let dir = common::tempdir("fail-on");
    std::fs::copy(
        repo("fixtures/spawn-before-init/route_health_thread.rs"),
        dir.join("route.rs"),
    )
    .unwrap();
    std::fs::copy(
        repo("fixtures/subscribe-in-task/chat_room_join_handler.rs"),
        dir.join("chat.rs"),
    )
    .unwrap();
    let (code, doc) = run(&dir, &["chat.rs"]);
    assert_eq!(
        (code, doc["summary"]["warnings"].as_u64()),
        (1, Some(1)),
        "a warning fails by default"
    );
    let (code, doc) = run(&dir, &["chat.rs", "--fail-on", "error"]);
    assert_eq!(
        code, 0,
        "--fail-on error: the warning is shown, not failing"
    );
    assert_eq!(doc["summary"]["failing"], 0);
    let (code, doc) = run(&dir, &["chat.rs", "route.rs", "--fail-on", "error"]);
    assert_eq!(
        (code, doc["summary"]["failing"].as_u64()),
        (1, Some(1)),
        "the error still fails"
    );
}

#[test]
fn extend_inherits_a_parent_configuration_and_overrides_what_it_sets() {
    // ws/spawnlint.toml ignores SL002 and excludes generated code; the
    // crate's own file extends it and adds a severity, so SL002 stays
    // ignored, the exclusion (relative to ws/) still holds, and SL001 is
    // a warning.
    let ws = common::tempdir("extend");
    write(
        &ws.join("spawnlint.toml"),
        "ignore = [\"SL002\"]\nexclude = [\"app/gen/**\"]\n",
    );
    write(
        &ws.join("app/spawnlint.toml"),
        "extend = \"../spawnlint.toml\"\n\n[severity]\nSL001 = \"warning\"\n",
    );
    std::fs::create_dir_all(ws.join("app/gen")).unwrap();
    std::fs::copy(repo(SERVICE), ws.join("app/service.rs")).unwrap();
    std::fs::copy(
        repo("fixtures/spawn-before-init/route_health_thread.rs"),
        ws.join("app/routes.rs"),
    )
    .unwrap();
    std::fs::copy(
        repo("fixtures/spawn-before-init/route_health_thread.rs"),
        ws.join("app/gen/routes.rs"),
    )
    .unwrap();
    let (_, doc) = run(&ws, &["app"]);
    let found: Vec<(String, String, String)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "SL001".to_string(),
            "warning".to_string(),
            "app/routes.rs".to_string()
        )],
        "SL002 ignored and app/gen excluded by the parent, SL001 a warning by the child"
    );
    // --show-settings says what the crate gets, and from which file.
    let shown = bin()
        .current_dir(&ws)
        .args(["--show-settings", "app"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    for line in [
        "# from app/spawnlint.toml",
        "ignore = [\"SL002\"]",
        "severity = { SL001 = \"warning\" }",
        "exclude = [\"app/gen/**\"]  # relative to .",
    ] {
        assert!(shown.lines().any(|l| l == line), "no `{line}` in:\n{shown}");
    }
    // Overriding: the child's own `ignore` replaces the parent's.
    write(
        &ws.join("app/spawnlint.toml"),
        "extend = \"../spawnlint.toml\"\nignore = [\"SL001\"]\n",
    );
    assert_eq!(codes(&ws, &["app"]), ["SL002"]);
    // A cycle, and a missing file, are errors naming the file and the key.
    write(
        &ws.join("spawnlint.toml"),
        "extend = \"app/spawnlint.toml\"\n",
    );
    let out = bin().current_dir(&ws).arg("app").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`extend` makes a cycle"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    write(
        &ws.join("app/spawnlint.toml"),
        "extend = \"../nowhere.toml\"\n",
    );
    let out = bin().current_dir(&ws).arg("app").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("app/spawnlint.toml:1:10: cannot read `extend` file `../nowhere.toml`"),
        "{err}"
    );
}
