//! The fixes spawnlint suggests are real Rust: the generated code for the
//! motivating service is pasted into `fixtures/fixed/`, which CI compiles
//! (`cargo check` of the fixtures crate) and which must analyze clean.
//! This test fails if the generator's output drifts from what was proven.

use spawnlint::diagnostic::FixStrategy;
use std::path::Path;

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every code line of `fix` occurs in `fixed`, in order.
fn assert_pasted(fix: &str, fixed: &str, what: &str) {
    let fixed_lines: Vec<String> = fixed.lines().map(normalize).collect();
    let mut at = 0;
    for line in fix.lines().map(normalize) {
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        match fixed_lines[at..].iter().position(|l| *l == line) {
            Some(i) => at += i + 1,
            None => panic!(
                "{what}: generated line `{line}` is not in the fixed fixture (after line {at})"
            ),
        }
    }
}

fn motivating() -> spawnlint::diagnostic::Diagnostic {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let report = spawnlint::analyze(&spawnlint::Options {
        paths: vec![root.join("fixtures/spawn-before-load/motivating_service.rs")],
        ..Default::default()
    })
    .unwrap();
    assert_eq!(report.diagnostics.len(), 1);
    report.diagnostics.into_iter().next().unwrap()
}

/// The generated fix of `strategy` is what `fixtures/fixed/<file>` holds.
fn assert_fix_is_fixture(strategy: FixStrategy, file: &str) -> String {
    let d = motivating();
    let fix = d
        .fixes
        .iter()
        .find(|f| f.strategy == strategy)
        .unwrap_or_else(|| panic!("a {strategy:?} fix"));
    let fixed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/fixed")
            .join(file),
    )
    .unwrap();
    assert_pasted(&fix.code, &fixed, file);
    fix.code.clone()
}

#[test]
fn gate_fix_is_the_compiled_fixture() {
    let code = assert_fix_is_fixture(FixStrategy::Gate, "motivating_service_gate.rs");
    assert!(code.contains("tokio::sync::oneshot::channel"), "{code}");
}

#[test]
fn start_method_fix_is_the_compiled_fixture() {
    let code = assert_fix_is_fixture(FixStrategy::StartMethod, "motivating_service_start.rs");
    assert!(code.contains("pub fn start(self: &Arc<Self>)"), "{code}");
}

#[test]
fn fixed_versions_are_not_flagged() {
    let report = spawnlint::analyze(&spawnlint::Options {
        paths: vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fixed")],
        ..Default::default()
    })
    .unwrap();
    assert!(report.files >= 2);
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
}

#[test]
fn sl001_offers_reorder_with_the_real_statements() {
    let report = spawnlint::analyze(&spawnlint::Options {
        paths: vec![Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/spawn-before-init/route_health_thread.rs")],
        ..Default::default()
    })
    .unwrap();
    let d = &report.diagnostics[0];
    assert_eq!(d.code, "SL001");
    let reorder = d
        .fixes
        .iter()
        .find(|f| f.strategy == FixStrategy::Reorder)
        .expect("a reorder fix");
    let spawn_at = reorder.code.find("spawn").expect("spawn in fix");
    let write_at = reorder.code.find("routes").expect("the write in fix");
    assert!(
        write_at < spawn_at,
        "write must come first:\n{}",
        reorder.code
    );
    // Every fix parses as Rust once comments are stripped of field lines.
    for f in &d.fixes {
        assert!(!f.code.trim().is_empty(), "{:?} is empty", f.strategy);
    }
}
