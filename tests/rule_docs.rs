//! Every rule in the registry has a page `rules/SLnnn-slug.md` with the seven
//! sections ("Fix safety" says which fixes `--fix` applies), and its examples are fixtures: each ```rust block under
//! "Example" must be flagged by that rule, each under "Use instead" must
//! not. (Blocks tagged `rust,ignore` are fragments and are not run.)

mod common;

const SECTIONS: &[&str] = &[
    "What it does",
    "Why is this bad",
    "Example",
    "Use instead",
    "Fix safety",
    "Known limits",
    "Configuration",
];

/// The text of `## name` up to the next `## `.
fn section<'a>(doc: &'a str, name: &str) -> Option<&'a str> {
    let head = format!("\n## {name}\n");
    let start = doc.find(&head)? + head.len();
    let rest = &doc[start..];
    Some(&rest[..rest.find("\n## ").unwrap_or(rest.len())])
}

/// The ```rust blocks of a section (exactly `rust`, not `rust,ignore`).
fn rust_blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```rust") => current = Some(String::new()),
            (Some(block), "```") => {
                out.push(std::mem::take(block));
                current = None;
            }
            (Some(block), l) => {
                block.push_str(l);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    out
}

/// Codes of the findings for one file analyzed alone.
fn codes(rule: &str, name: &str, source: &str) -> Vec<&'static str> {
    let dir = common::tempdir(&format!("doc-{rule}-{name}"));
    let file = dir.join(format!("{name}.rs"));
    std::fs::write(&file, source).unwrap();
    let report = spawnlint::analyze(&spawnlint::Options {
        paths: vec![file],
        ..Default::default()
    })
    .unwrap();
    assert!(
        report.parse_failures.is_empty(),
        "{rule} {name} does not parse: {:?}",
        report.parse_failures
    );
    report.diagnostics.iter().map(|d| d.code()).collect()
}

#[test]
fn every_rule_has_a_page_whose_examples_are_checked() {
    let registry = spawnlint::rules::registry();
    assert!(registry.len() >= 3);
    let mut failures = Vec::new();
    for rule in registry.iter() {
        let page = format!("{}-{}.md", rule.code(), rule.slug());
        let doc = rule.meta().doc;
        assert_eq!(
            spawnlint::rules::explain_text(rule.slug()),
            Some(doc),
            "--explain {} prints the page",
            rule.slug()
        );
        for s in SECTIONS {
            if section(doc, s).is_none() {
                failures.push(format!("{page}: no `## {s}` section"));
            }
        }
        for (s, flagged) in [("Example", true), ("Use instead", false)] {
            let blocks = section(doc, s).map(rust_blocks).unwrap_or_default();
            if blocks.is_empty() {
                failures.push(format!("{page}: `## {s}` has no ```rust block"));
            }
            for (i, block) in blocks.iter().enumerate() {
                let name = format!("{}_{i}", s.replace(' ', "_").to_lowercase());
                let got = codes(rule.code(), &name, block);
                let has = got.contains(&rule.code());
                if has != flagged {
                    failures.push(format!(
                        "{page}: `## {s}` block {}: expected {} {}, got {got:?}",
                        i + 1,
                        if flagged {
                            "a finding of"
                        } else {
                            "no finding of"
                        },
                        rule.code()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_page_without_sections_or_examples_fails_the_checks() {
    // The checks themselves can fail: a page missing a section and a
    // snippet that is flagged are caught.
    let doc = "# X\n\n## What it does\n\n## Example\n\n```rust,ignore\nfn f() {}\n```\n";
    assert!(section(doc, "Known limits").is_none());
    assert!(section(doc, "Example").map(rust_blocks).unwrap().is_empty());
    let flagged = rust_blocks(
        spawnlint::rules::explain_text("SL002")
            .and_then(|d| section(d, "Example"))
            .unwrap(),
    );
    assert!(codes("SL002", "neg", &flagged[0]).contains(&"SL002"));
}
