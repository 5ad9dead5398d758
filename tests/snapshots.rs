//! Rendered output of two fixtures in every format, snapshot-tested.

use spawnlint::render::{render, Format};
use std::path::Path;

fn report(rel: &str) -> spawnlint::Report {
    // Paths are displayed relative to the root: the crate root, so
    // snapshots hold `fixtures/...`.
    let mut r = spawnlint::analyze(&spawnlint::Options {
        root: Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf(),
        paths: vec![Path::new(rel).to_path_buf()],
        threads: 1,
        ..Default::default()
    })
    .unwrap();
    r.elapsed = std::time::Duration::ZERO;
    r
}

/// Rule documentation embedded in SARIF and rustc-json is replaced by a
/// marker: the docs and the rule list are tested in `tests/formats.rs`,
/// and rule pages or new rules must not churn these snapshots.
fn redact_docs(format: Format, text: String) -> String {
    let redact = |v: &mut serde_json::Value| {
        let used: Vec<serde_json::Value> = v["runs"][0]["results"]
            .as_array()
            .map(|rs| rs.iter().map(|r| r["ruleId"].clone()).collect())
            .unwrap_or_default();
        if let Some(rules) = v["runs"][0]["tool"]["driver"]["rules"].as_array_mut() {
            rules.retain(|r| used.contains(&r["id"]));
            for r in rules {
                r["help"] = format!("[doc page of {}]", r["id"].as_str().unwrap()).into();
                r["fullDescription"]["text"] = "[from the doc page]".into();
            }
        }
    };
    match format {
        Format::Sarif => {
            let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
            redact(&mut v);
            serde_json::to_string_pretty(&v).unwrap() + "\n"
        }
        Format::RustcJson => text
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["message"]["code"]["explanation"] = "[doc page]".into();
                v.to_string() + "\n"
            })
            .collect(),
        _ => text,
    }
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
    .map(|(name, f)| {
        let text = redact_docs(f, render(r, f, false, false));
        (name, text.replace(root, "[ROOT]"))
    })
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
