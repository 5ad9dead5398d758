//! The registry is built from the rules' declarations, and a registered
//! rule is complete: a doc page (embedded at compile time by its
//! declaration, so a missing page does not build), fixtures that it flags
//! and fixtures it must leave quiet, and a fixed example — a file under
//! `fixtures/fixed/` whose header names one of the rule's fixtures.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_rule_module_is_registered() {
    let registry = spawnlint::rules::registry();
    for entry in std::fs::read_dir(root().join("src/rules"))
        .unwrap()
        .flatten()
    {
        if entry.file_name() == "mod.rs" {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let Some(at) = text.find("crate::declare_rule!") else {
            continue;
        };
        let code = text[at..]
            .split("code: \"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap();
        assert!(
            registry.find(code).is_some(),
            "{} declares {code}, which `rules::ALL` does not list",
            entry.path().display()
        );
    }
}

#[test]
fn every_registered_rule_is_complete() {
    let mut failures = Vec::new();
    let fixed_headers: Vec<String> = std::fs::read_dir(root().join("fixtures/fixed"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).unwrap();
            text.lines().take(3).collect::<Vec<_>>().join(" ")
        })
        .collect();
    for rule in spawnlint::rules::registry().iter() {
        let (code, slug) = (rule.code(), rule.slug());
        let meta = rule.meta();
        let title = meta.doc.lines().next().unwrap_or("");
        if !title.starts_with(&format!("# {code} ")) || !title.contains(slug) {
            failures.push(format!(
                "{code}: its page's title is not `# {code} {slug}`: {title}"
            ));
        }
        let dir = root().join("fixtures").join(slug);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            failures.push(format!("{code}: no fixtures/{slug}/"));
            continue;
        };
        let (mut flagged, mut quiet) = (0, 0);
        for e in entries
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        {
            let text = std::fs::read_to_string(e.path()).unwrap();
            if text.contains(&format!(" {code}")) && text.contains("//~") {
                flagged += 1;
            } else if !text.contains("//~") {
                quiet += 1;
            }
        }
        if flagged == 0 || quiet == 0 {
            failures.push(format!(
                "{code}: fixtures/{slug}/ needs flagged and quiet fixtures ({flagged} flagged, {quiet} quiet)"
            ));
        }
        if !fixed_headers
            .iter()
            .any(|h| h.contains(&format!("`{slug}/")))
        {
            failures.push(format!(
                "{code}: no fixtures/fixed/ file whose header names a `{slug}/…` fixture it fixes"
            ));
        }
        // `Severity` orders `Error` first: the default may not be more
        // severe than the maximum.
        if meta.default_severity < meta.max_severity {
            failures.push(format!("{code}: default severity is above its maximum"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
