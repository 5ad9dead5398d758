//! `--fix`, `--unsafe-fixes`, `--diff`, `--allow-dirty` and `--fix-check`
//! from the command line, on copies of fixtures: what is written, what is
//! refused, what is restored.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("cargo-spawnlint").unwrap()
}

fn fixture(rel: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join("fixtures").join(rel)).unwrap()
}

/// A directory with a safe-fixable fixture (`route.rs`, SL001 reorder
/// crossing nothing) and an unsafe-fixable one (`wal.rs`, a reorder past a
/// `?`).
fn two_files(tag: &str) -> (PathBuf, String, String) {
    let dir = common::tempdir(tag);
    let route = fixture("spawn-before-init/route_health_thread.rs");
    let wal = fixture("spawn-before-init/wal_segment_renamed_spawn.rs");
    std::fs::write(dir.join("route.rs"), &route).unwrap();
    std::fs::write(dir.join("wal.rs"), &wal).unwrap();
    (dir, route, wal)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn diff_prints_the_safe_fixes_and_writes_nothing() {
    let (dir, route, wal) = two_files("fix-diff");
    let out = bin().arg("--diff").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a non-empty diff exits 1");
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("+++ b/") && diff.contains("route.rs"),
        "{diff}"
    );
    assert!(
        !diff.contains("wal.rs"),
        "the unsafe fix is not in a safe diff:\n{diff}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`--unsafe-fixes`"), "{err}");
    assert_eq!(read(&dir, "route.rs"), route);
    assert_eq!(read(&dir, "wal.rs"), wal);
    let out = bin()
        .args(["--diff", "--unsafe-fixes"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("wal.rs"));
}

#[test]
fn fix_outside_version_control_is_refused_without_allow_dirty() {
    let (dir, route, _) = two_files("fix-novcs");
    let out = bin().arg("--fix").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("route.rs is not in a git work tree"), "{err}");
    assert!(err.contains("--allow-dirty"), "{err}");
    assert_eq!(read(&dir, "route.rs"), route, "nothing written");
}

#[test]
fn fix_writes_safe_fixes_only_and_a_second_run_changes_nothing() {
    let (dir, route, wal) = two_files("fix-apply");
    let out = bin()
        .args(["--fix", "--allow-dirty", "--color", "never"])
        .arg(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fixed 1 finding in 1 file (1 safe, 0 unsafe); 1 remains"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(1), "the unsafe one remains");
    let fixed = read(&dir, "route.rs");
    assert_ne!(fixed, route);
    assert!(
        fixed.find("routes.write().unwrap().extend(seed)") < fixed.find("thread::spawn"),
        "the spawn now follows the initialization:\n{fixed}"
    );
    assert_eq!(
        read(&dir, "wal.rs"),
        wal,
        "unsafe fixes need --unsafe-fixes"
    );
    let again = bin()
        .args(["--fix", "--allow-dirty"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stderr).contains("fixed 0 findings in 0 files"));
    assert_eq!(read(&dir, "route.rs"), fixed, "idempotent");
    let all = bin()
        .args(["--fix", "--unsafe-fixes", "--allow-dirty"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        all.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&all.stderr)
    );
    assert_ne!(read(&dir, "wal.rs"), wal);
}

#[test]
fn fix_in_a_git_tree_writes_committed_files_and_refuses_dirty_ones() {
    let (dir, route, _) = two_files("fix-git");
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "fixtures"]);
    let out = bin()
        .arg("--fix")
        .arg(dir.join("route.rs"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(read(&dir, "route.rs"), route);
    // Now route.rs has uncommitted changes (the fix) and wal.rs gets some.
    std::fs::write(dir.join("wal.rs"), format!("{}\n", read(&dir, "wal.rs"))).unwrap();
    let out = bin()
        .args(["--fix", "--unsafe-fixes"])
        .arg(dir.join("wal.rs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wal.rs has uncommitted changes"));
    // An ignored file has no copy in git either: refused too.
    std::fs::create_dir_all(dir.join("gen")).unwrap();
    std::fs::write(dir.join(".gitignore"), "gen/\n").unwrap();
    std::fs::write(dir.join("gen/route.rs"), &route).unwrap();
    let out = bin()
        .arg("--fix")
        .arg(dir.join("gen/route.rs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("route.rs is not tracked by git"));
    assert_eq!(read(&dir, "gen/route.rs"), route);
}

#[test]
fn fix_flags_that_do_not_fit_are_refused() {
    let (dir, _, _) = two_files("fix-flags");
    for args in [
        &["--fix", "--diff"][..],
        &["--unsafe-fixes"][..],
        &["--fix", "--write-baseline", "b.json"][..],
    ] {
        let out = bin().args(args).arg(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("error:"));
    }
}

/// A package of its own (no dependencies) holding the safe-fixable file.
fn package(tag: &str, lib: &str) -> (PathBuf, String) {
    let dir = common::tempdir(tag);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"fixcheck\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    let route = fixture("spawn-before-init/route_health_thread.rs");
    std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
    std::fs::write(dir.join("src/route.rs"), &route).unwrap();
    (dir, route)
}

#[test]
fn fix_check_keeps_a_fix_that_builds_and_restores_one_that_does_not() {
    if !common::heavy("fix_check_keeps_a_fix_that_builds_and_restores_one_that_does_not") {
        return;
    }
    let (dir, route) = package("fix-check-ok", "#![allow(dead_code)]\nmod route;\n");
    let out = bin()
        .args(["--fix", "--fix-check", "--allow-dirty"])
        .arg(dir.join("src"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("`cargo check` passes"), "{err}");
    assert_ne!(read(&dir, "src/route.rs"), route);

    // A package that does not build: the fix cannot be verified, so it is
    // taken back.
    let (dir, route) = package("fix-check-broken", "mod route;\nconst X: u32 = \"no\";\n");
    let out = bin()
        .args(["--fix", "--fix-check", "--allow-dirty"])
        .arg(dir.join("src"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("every fixed file was restored"), "{err}");
    assert_eq!(read(&dir, "src/route.rs"), route);
}
