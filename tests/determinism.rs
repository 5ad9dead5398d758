//! The same tree gives byte-identical output however the run is made: any
//! number of worker threads, files given in any order, from another
//! current directory (where only the shown paths' prefix may differ, and
//! fingerprints may not).

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("cargo-spawnlint").unwrap()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every `.rs` file of the fixtures, relative to the repository root.
fn fixture_files() -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(fixtures())
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .filter(|e| !e.path().components().any(|c| c.as_os_str() == "target"))
        .map(|e| {
            e.path()
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    files
}

fn output(cwd: &Path, files: &[String], format: &str, jobs: &str) -> String {
    let out = bin()
        .current_dir(cwd)
        .args(files)
        .args(["--format", format, "-j", jobs, "--color", "never"])
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(1)), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn threads_and_file_order_do_not_change_a_byte() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = fixture_files();
    assert!(files.len() > 50, "{}", files.len());
    let mut reversed = files.clone();
    reversed.reverse();
    for format in ["json", "sarif", "short"] {
        let reference = output(root, &files, format, "1");
        for jobs in ["2", "8"] {
            assert!(
                output(root, &files, format, jobs) == reference,
                "{format} differs with -j {jobs}"
            );
        }
        assert!(
            output(root, &reversed, format, "2") == reference,
            "{format} differs with the files in reverse order"
        );
    }
}

#[test]
fn another_current_directory_changes_only_the_path_prefix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = fixture_files();
    let from_fixtures: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix("fixtures/").unwrap().to_string())
        .collect();
    for format in ["json", "sarif"] {
        let here = output(root, &files, format, "2");
        let there = output(&fixtures(), &from_fixtures, format, "2");
        let normalised = here.replace("fixtures/", "");
        assert!(
            normalised == there,
            "{format}: more than the path prefix differs between the two directories"
        );
    }
}
