//! The real `pre-commit` tool runs this repository's hooks
//! (`.pre-commit-hooks.yaml`) in a throw-away git repository: a staged
//! premature spawn makes the commit fail with the finding printed; a clean
//! file commits. pre-commit builds the tool itself (`language: rust`:
//! `cargo install --path` of a git copy of this working tree), once for
//! both cases.
//!
//! A heavy test: it runs with `SPAWNLINT_HEAVY_TESTS=1` (`.ci/run` sets it
//! and installs pre-commit first), and then fails if pre-commit is
//! missing. It never installs anything itself.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    out
}

fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .args([
            "-c",
            "user.name=spawnlint test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ]);
    c
}

/// `PATH` with the test's own `cargo-spawnlint` first, as an installed
/// binary would be (the `language: system` hooks).
fn path_with_the_built_binary() -> String {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_cargo-spawnlint"))
        .parent()
        .unwrap()
        .to_path_buf();
    format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

/// `python3 -m pre_commit`, or why it cannot run.
fn pre_commit() -> Result<Command, String> {
    let works = Command::new(python())
        .args(["-m", "pre_commit", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !works {
        return Err(format!(
            "`{} -m pre_commit` does not run: install pre-commit first (.ci/run does)",
            python()
        ));
    }
    let mut c = Command::new(python());
    c.args(["-m", "pre_commit"]);
    Ok(c)
}

/// A git repository holding the current working tree (tracked and new,
/// non-ignored files), committed, so pre-commit can clone it at a rev.
fn hooks_repo() -> (PathBuf, String) {
    let dir = common::tempdir("hooks-repo");
    let files = ok(git(root()).args(["ls-files", "-co", "--exclude-standard", "-z"]));
    for f in files.split('\0').filter(|f| !f.is_empty()) {
        let from = root().join(f);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let to = dir.join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    ok(git(&dir).args(["init", "-q"]));
    ok(git(&dir).args(["add", "-A"]));
    ok(git(&dir).args(["commit", "-q", "-m", "hooks"]));
    let rev = ok(git(&dir).args(["rev-parse", "HEAD"])).trim().to_string();
    (dir, rev)
}

#[test]
fn pre_commit_refuses_a_premature_spawn_and_accepts_a_clean_file() {
    if !common::heavy("pre_commit_refuses_a_premature_spawn_and_accepts_a_clean_file") {
        return;
    }
    let mut pre_commit = pre_commit().unwrap_or_else(|why| panic!("{why}"));
    let (hooks, rev) = hooks_repo();
    let home = common::tempdir("pre-commit-home");
    // pre-commit's `cargo install` builds here: kept between test runs.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-target");

    let project = common::tempdir("pre-commit-project");
    ok(git(&project).args(["init", "-q"]));
    std::fs::write(
        project.join("Cargo.toml"),
        "[package]\nname = \"svc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: spawnlint\n      - id: spawnlint-workspace\n",
            hooks.display()
        ),
    )
    .unwrap();
    ok(pre_commit
        .current_dir(&project)
        .env("PRE_COMMIT_HOME", &home)
        .env("CARGO_TARGET_DIR", &target)
        .arg("install"));
    let commit = |message: &str| -> Output {
        run(git(&project)
            .env("PRE_COMMIT_HOME", &home)
            .env("CARGO_TARGET_DIR", &target)
            .args(["commit", "-m", message]))
    };

    // A premature spawn: the commit is refused and the finding printed.
    std::fs::copy(
        root().join("fixtures/spawn-before-load/motivating_service.rs"),
        project.join("src/lib.rs"),
    )
    .unwrap();
    ok(git(&project).args(["add", "-A"]));
    let out = commit("premature spawn");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "the commit must be refused:\n{text}");
    assert!(
        text.contains("error[SL002]") && text.contains("src/lib.rs:21:9"),
        "the finding is printed:\n{text}"
    );
    assert!(text.contains("spawnlint (workspace)"), "{text}");
    assert!(
        !run(git(&project).args(["rev-parse", "--verify", "-q", "HEAD"]))
            .status
            .success(),
        "nothing was committed"
    );

    // The same service with the start-method fix: the commit goes through.
    std::fs::copy(
        root().join("fixtures/fixed/motivating_service_start.rs"),
        project.join("src/lib.rs"),
    )
    .unwrap();
    ok(git(&project).args(["add", "-A"]));
    let out = commit("clean");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "a clean file commits:\n{text}");
    assert!(text.contains("Passed"), "the hooks ran:\n{text}");
    ok(git(&project).args(["rev-parse", "--verify", "HEAD"]));
}

/// The `language: system` hook runs the binary found on `PATH`: no build.
#[test]
fn the_system_hook_runs_the_installed_binary() {
    if !common::heavy("the_system_hook_runs_the_installed_binary") {
        return;
    }
    let mut pre_commit = pre_commit().unwrap_or_else(|why| panic!("{why}"));
    let (hooks, rev) = hooks_repo();
    let home = common::tempdir("pre-commit-home");
    let path = path_with_the_built_binary();
    let project = common::tempdir("pre-commit-project");
    ok(git(&project).args(["init", "-q"]));
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: spawnlint-system\n",
            hooks.display()
        ),
    )
    .unwrap();
    ok(pre_commit
        .current_dir(&project)
        .env("PRE_COMMIT_HOME", &home)
        .arg("install"));
    std::fs::copy(
        root().join("fixtures/spawn-before-load/motivating_service.rs"),
        project.join("src/lib.rs"),
    )
    .unwrap();
    ok(git(&project).args(["add", "-A"]));
    let out = run(git(&project)
        .env("PRE_COMMIT_HOME", &home)
        .env("PATH", &path)
        .args(["commit", "-m", "premature spawn"]));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "the commit must be refused:\n{text}");
    assert!(text.contains("error[SL002]"), "{text}");
    assert!(text.contains("spawnlint (installed binary)"), "{text}");
}

/// The staged-file hook analyzes each staged file with the rest of its
/// package (`--crate-context`): a change to the constructor's file alone
/// is refused when the state's load-like method sits in another file that
/// is not staged.
#[test]
fn the_staged_file_hook_sees_a_window_across_files() {
    if !common::heavy("the_staged_file_hook_sees_a_window_across_files") {
        return;
    }
    let mut pre_commit = pre_commit().unwrap_or_else(|why| panic!("{why}"));
    let (hooks, rev) = hooks_repo();
    let home = common::tempdir("pre-commit-home");
    let path = path_with_the_built_binary();
    let project = common::tempdir("pre-commit-split");
    ok(git(&project).args(["init", "-q"]));
    common::split_service_package(&project);
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: spawnlint-system\n",
            hooks.display()
        ),
    )
    .unwrap();
    // The package as it was, committed without the hooks.
    ok(git(&project).args(["add", "-A"]));
    ok(git(&project).args(["commit", "-q", "--no-verify", "-m", "before the hooks"]));
    ok(pre_commit
        .current_dir(&project)
        .env("PRE_COMMIT_HOME", &home)
        .arg("install"));
    // Only hub.rs changes and is staged; load.rs is not given to the hook.
    let hub = std::fs::read_to_string(project.join("src/hub.rs")).unwrap();
    std::fs::write(project.join("src/hub.rs"), format!("// touched\n{hub}")).unwrap();
    ok(git(&project).args(["add", "src/hub.rs"]));
    let out = run(git(&project)
        .env("PRE_COMMIT_HOME", &home)
        .env("PATH", &path)
        .args(["commit", "-m", "touch the constructor's file"]));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "the commit must be refused:\n{text}");
    assert!(
        text.contains("error[SL002]") && text.contains("src/hub.rs"),
        "{text}"
    );
}
