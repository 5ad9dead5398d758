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

#[test]
fn motivating_service() {
    let r = report("fixtures/spawn-before-load/motivating_service.rs");
    insta::assert_snapshot!("motivating_human", render(&r, Format::Human, false, false));
    insta::assert_snapshot!("motivating_json", render(&r, Format::Json, false, false));
    insta::assert_snapshot!("motivating_short", render(&r, Format::Short, false, false));
}

#[test]
fn route_health_thread() {
    let r = report("fixtures/spawn-before-init/route_health_thread.rs");
    insta::assert_snapshot!(
        "route_health_human",
        render(&r, Format::Human, false, false)
    );
    insta::assert_snapshot!("route_health_json", render(&r, Format::Json, false, false));
    insta::assert_snapshot!(
        "route_health_short",
        render(&r, Format::Short, false, false)
    );
}
