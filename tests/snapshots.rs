//! Rendered output of two fixtures in every format, snapshot-tested.

use spawnlint::render::{render, Format};
use std::path::Path;

fn report(rel: &str) -> spawnlint::Report {
    // Paths are displayed relative to the current directory: run from the
    // crate root so snapshots hold `fixtures/...`.
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let mut r = spawnlint::analyze(&spawnlint::Options {
        paths: vec![Path::new(rel).to_path_buf()],
        threads: 1,
        ..Default::default()
    })
    .unwrap();
    r.elapsed = std::time::Duration::ZERO;
    r
}

/// Every format of a report, machine-specific paths replaced by `[ROOT]`
/// (rustc-json names the package by its absolute manifest path).
fn all_formats(r: &spawnlint::Report) -> Vec<(&'static str, String)> {
    let root = env!("CARGO_MANIFEST_DIR");
    [
        ("human", Format::Human),
        ("json", Format::Json),
        ("short", Format::Short),
        ("sarif", Format::Sarif),
        ("github", Format::Github),
        ("gitlab", Format::Gitlab),
        ("rustc_json", Format::RustcJson),
    ]
    .into_iter()
    .map(|(name, f)| (name, render(r, f, false, false).replace(root, "[ROOT]")))
    .collect()
}

#[test]
fn motivating_service() {
    let r = report("fixtures/spawn-before-load/motivating_service.rs");
    for (name, text) in all_formats(&r) {
        insta::assert_snapshot!(format!("motivating_{name}"), text);
    }
}

#[test]
fn route_health_thread() {
    let r = report("fixtures/spawn-before-init/route_health_thread.rs");
    for (name, text) in all_formats(&r) {
        insta::assert_snapshot!(format!("route_health_{name}"), text);
    }
}
