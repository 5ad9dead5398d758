//! The fixes spawnlint suggests are real Rust: the generated code for the
//! motivating service is pasted into `fixtures/fixed/`, which CI compiles
//! (`cargo check` of the fixtures crate) and which must analyze clean.
//! This test fails if the generator's output drifts from what was proven.
//! Fixes applied as edits are proven by the `.fixed` files instead.

use spawnlint::diagnostic::FixStrategy;
use std::path::Path;

/// Whitespace-insensitive, and without a trailing `//` comment: the
/// generated code keeps the user's comments (a fixture's `//~` marker).
fn normalize(s: &str) -> String {
    let code = match s.find(" //") {
        Some(i) => &s[..i],
        None => s,
    };
    code.split_whitespace().collect::<Vec<_>>().join(" ")
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

fn analyze(rel: &str) -> Vec<spawnlint::diagnostic::Diagnostic> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    spawnlint::analyze(&spawnlint::Options {
        paths: vec![root.join("fixtures").join(rel)],
        ..Default::default()
    })
    .unwrap()
    .diagnostics
}

/// For every rule, one flagged fixture whose generated fix of a strategy
/// is pasted, line by line, into a fixed fixture that compiles (CI checks
/// the fixtures crate) and analyzes clean.
const PASTED: &[(&str, &str, FixStrategy, &str)] = &[
    (
        "SL001",
        "spawn-before-init/route_health_thread.rs",
        FixStrategy::Reorder,
        "route_health_thread_reorder.rs",
    ),
    (
        "SL002",
        "spawn-before-load/motivating_service.rs",
        FixStrategy::Gate,
        "motivating_service_gate.rs",
    ),
    (
        "SL002",
        "spawn-before-load/motivating_service.rs",
        FixStrategy::StartMethod,
        "motivating_service_start.rs",
    ),
    (
        "SL002",
        "spawn-before-load/motivating_service.rs",
        FixStrategy::Typestate,
        "motivating_service_typestate.rs",
    ),
    (
        "SL003",
        "stale-capture/reload_replaces_arc_settings.rs",
        FixStrategy::MutateInPlace,
        "notifier_mutate_in_place.rs",
    ),
    (
        "SL004",
        "spawn-in-new-cyclic/peer_registry_tokio_unwrap.rs",
        FixStrategy::SpawnAfterConstruction,
        "peer_registry_spawn_after_cyclic.rs",
    ),
    (
        "SL005",
        "spawn-in-default/metrics_flusher_thread.rs",
        FixStrategy::StartMethod,
        "metrics_registry_start.rs",
    ),
    (
        "SL006",
        "subscribe-in-task/event_hub_listener_ctor.rs",
        FixStrategy::SubscribeFirst,
        "event_hub_subscribe_first.rs",
    ),
    (
        "SL007",
        "lossy-gate/snapshot_exporter_notify_waiters.rs",
        FixStrategy::StoredSignal,
        "snapshot_exporter_notify_one.rs",
    ),
];

#[test]
fn every_rules_generated_fix_is_pasted_into_a_compiled_fixture() {
    for (code, flagged, strategy, fixed) in PASTED {
        let diags = analyze(flagged);
        let d = diags
            .iter()
            .find(|d| d.code() == *code)
            .unwrap_or_else(|| panic!("{flagged}: no {code} finding"));
        let fix = d
            .fixes
            .iter()
            .find(|f| f.strategy == *strategy)
            .unwrap_or_else(|| panic!("{flagged}: no {strategy:?} fix"));
        if !fix.edits.is_empty() {
            // An applicable fix shows the code as its edits leave it; what
            // they leave is the flagged fixture's blessed `.fixed`, which
            // tests/fixtures.rs checks and the fixtures crate compiles.
            let blessed = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures")
                .join(flagged)
                .with_extension("fixed");
            assert!(
                blessed.exists(),
                "{flagged}: {strategy:?} has edits but no .fixed"
            );
            continue;
        }
        let fixed_text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/fixed")
                .join(fixed),
        )
        .unwrap();
        assert_pasted(&fix.code, &fixed_text, fixed);
        assert!(
            analyze(&format!("fixed/{fixed}")).is_empty(),
            "{fixed} is still flagged"
        );
    }
    for rule in spawnlint::rules::registry().iter() {
        if rule.code() < "SL900" {
            assert!(
                PASTED.iter().any(|(c, ..)| *c == rule.code()),
                "{} has no pasted-fix fixture",
                rule.code()
            );
        }
    }
}

#[test]
fn gate_fix_uses_a_oneshot_and_start_method_takes_arc_self() {
    let d = &analyze("spawn-before-load/motivating_service.rs")[0];
    let code = |s: FixStrategy| {
        d.fixes
            .iter()
            .find(|f| f.strategy == s)
            .unwrap()
            .code
            .clone()
    };
    assert!(code(FixStrategy::Gate).contains("tokio::sync::oneshot::channel"));
    assert!(code(FixStrategy::StartMethod).contains("pub fn start(self: &Arc<Self>)"));
    assert!(code(FixStrategy::Typestate).contains("pub struct UnloadedMetricsHub(MetricsHub);"));
}

#[test]
fn fixed_versions_are_not_flagged() {
    let report = spawnlint::analyze(&spawnlint::Options {
        paths: vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fixed")],
        ..Default::default()
    })
    .unwrap();
    assert!(report.files >= 9);
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
    assert_eq!(d.code(), "SL001");
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

/// rust-analyzer shows a fix's title as its quick fix: one line, always.
#[test]
fn every_fix_title_is_one_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let report = spawnlint::analyze(&spawnlint::Options {
        root: root.to_path_buf(),
        paths: vec![root.join("fixtures")],
        ..Default::default()
    })
    .unwrap();
    let mut titles = 0;
    for d in &report.diagnostics {
        for f in &d.fixes {
            titles += 1;
            assert!(!f.title.contains('\n'), "{}: {:?}", d.message, f.title);
            assert!(!f.title.trim().is_empty(), "{}: an empty title", d.message);
        }
    }
    assert!(titles > 100, "{titles} titles");
}

/// The applicability of the register-first fix of the drain fixture, in a
/// crate whose `Cargo.lock` pins tokio `version`.
fn register_first_with_tokio(version: &str) -> spawnlint::diagnostic::Applicability {
    let dir = std::env::temp_dir().join(format!(
        "spawnlint-owned-notified-{}-{version}",
        std::process::id()
    ));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"drain\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("Cargo.lock"),
        format!("version = 3\n\n[[package]]\nname = \"tokio\"\nversion = \"{version}\"\n"),
    )
    .unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/lossy-gate/drain_select_shutdown_branch.rs");
    std::fs::copy(src, dir.join("src/lib.rs")).unwrap();
    let report = spawnlint::analyze(&spawnlint::Options {
        paths: vec![dir.join("src/lib.rs")],
        ..Default::default()
    })
    .unwrap();
    let fix = report.diagnostics[0]
        .fixes
        .iter()
        .find(|f| f.strategy == FixStrategy::RegisterFirst)
        .expect("a register-first fix")
        .clone();
    let _ = std::fs::remove_dir_all(&dir);
    fix.applicability
}

#[test]
fn the_owned_notified_fix_is_an_edit_only_where_tokio_has_notified_owned() {
    use spawnlint::diagnostic::Applicability;
    assert_eq!(register_first_with_tokio("1.47.0"), Applicability::Safe);
    // `Notify::notified_owned` came in tokio 1.47: before, only to read.
    assert_eq!(
        register_first_with_tokio("1.38.2"),
        Applicability::DisplayOnly
    );
}
