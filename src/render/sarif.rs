//! `--format sarif`: a SARIF 2.1.0 log for GitHub code scanning and other
//! SARIF consumers, built with the `serde-sarif` types.
//!
//! One run; `tool.driver.rules` lists every rule of the registry with its
//! doc page as help; each finding is a result whose primary location is the
//! spawn call, whose related locations are the other labels, whose `fixes`
//! hold the fixes that are textual replacements, and whose
//! `partialFingerprints` hold the diagnostic's line-free fingerprint.

use super::{file_uri, unique_fingerprints};
use crate::diagnostic::{Confidence, Diagnostic, Edit, Label, Severity};
use crate::report::Report;
use crate::rule::{Registry, RuleId};
use crate::source::{SourceDb, Span};
use serde_json::json;
use serde_sarif::sarif as s;
use std::collections::BTreeMap;

/// The final OASIS schema of SARIF 2.1.0 (errata 01).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key under which results carry their fingerprint in
/// `partialFingerprints` (versioned, as GitHub recommends).
pub const FINGERPRINT_KEY: &str = "spawnlintFingerprint/v1";

fn text(t: impl Into<String>) -> s::Message {
    s::Message::builder().text(t.into()).build()
}

fn multiformat(t: impl Into<String>) -> s::MultiformatMessageString {
    s::MultiformatMessageString::builder()
        .text(t.into())
        .build()
}

/// 1-based lines and columns, end column exclusive.
fn region(span: Span) -> s::Region {
    s::Region::builder()
        .start_line(i64::from(span.start.line.max(1)))
        .start_column(i64::from(span.start.column) + 1)
        .end_line(i64::from(span.end.line.max(span.start.line).max(1)))
        .end_column(i64::from(span.end.column) + 1)
        .build()
}

fn artifact(file: &str) -> s::ArtifactLocation {
    s::ArtifactLocation::builder().uri(file_uri(file)).build()
}

fn location(file: &str, span: Span) -> s::PhysicalLocation {
    s::PhysicalLocation::builder()
        .artifact_location(artifact(file))
        .region(region(span))
        .build()
}

/// The first paragraph of the doc page's "What it does" section, on one
/// line; the summary when the page has none.
fn full_description(rule: RuleId) -> String {
    let meta = rule.meta();
    let doc = meta.doc;
    let mut lines = doc
        .lines()
        .skip_while(|l| !l.starts_with("## What it does"));
    lines.next();
    let para: Vec<&str> = lines
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect();
    if para.is_empty() {
        meta.summary.to_string()
    } else {
        para.join(" ")
    }
}

/// `tool.driver.rules`: every rule of the registry, so rules added later
/// appear without touching this renderer.
fn rule_descriptors(rules: &Registry) -> Vec<s::ReportingDescriptor> {
    rules
        .iter()
        .map(|r| {
            let meta = r.meta();
            let help = meta.doc.to_string();
            let descriptor = s::ReportingDescriptor::builder()
                .id(meta.code.to_string())
                .name(meta.slug.to_string())
                .short_description(multiformat(meta.summary))
                .full_description(multiformat(full_description(r)))
                .help(
                    s::MultiformatMessageString::builder()
                        .text(help.clone())
                        .markdown(help)
                        .build(),
                )
                .default_configuration(
                    s::ReportingConfiguration::builder()
                        .level(json!(meta.default_severity.as_str()))
                        .build(),
                )
                .build();
            // The page's URL once the package names its repository.
            let mut descriptor = descriptor;
            descriptor.help_uri = meta.doc_url();
            descriptor
        })
        .collect()
}

fn related(files: &SourceDb, index: usize, label: &Label) -> s::Location {
    s::Location::builder()
        .id(index as i64)
        .physical_location(location(files.display(label.file), label.span))
        .message(text(label.message.clone()))
        .build()
}

fn replacement(edit: &Edit) -> s::Replacement {
    s::Replacement::builder()
        .deleted_region(region(edit.span))
        .inserted_content(
            s::ArtifactContent::builder()
                .text(edit.text.clone())
                .build(),
        )
        .build()
}

/// The fixes that are replacements, grouped per file in order of appearance.
fn fixes(files_db: &SourceDb, d: &Diagnostic) -> Vec<s::Fix> {
    d.fixes
        .iter()
        .filter(|f| !f.edits.is_empty())
        .map(|f| {
            let mut files = Vec::new();
            for e in &f.edits {
                if !files.contains(&e.file) {
                    files.push(e.file);
                }
            }
            let changes: Vec<s::ArtifactChange> = files
                .into_iter()
                .map(|file| {
                    s::ArtifactChange::builder()
                        .artifact_location(artifact(files_db.display(file)))
                        .replacements(
                            f.edits
                                .iter()
                                .filter(|e| e.file == file)
                                .map(replacement)
                                .collect::<Vec<_>>(),
                        )
                        .build()
                })
                .collect();
            s::Fix::builder()
                .description(text(format!(
                    "{} ({} fix)",
                    f.title,
                    f.applicability.name()
                )))
                .artifact_changes(changes)
                .build()
        })
        .collect()
}

/// The result message: the diagnostic's message, then its notes and the
/// fixes' titles, each on a line of its own.
fn message(d: &Diagnostic) -> String {
    let mut m = d.message.clone();
    for n in &d.notes {
        m.push_str(&format!("\nnote: {n}"));
    }
    for f in &d.fixes {
        m.push_str(&format!("\nhelp: {}", f.title));
    }
    m.push_str(&format!(
        "\nhelp: run `cargo spawnlint --explain {}`",
        d.code()
    ));
    m
}

fn result(report: &Report, d: &Diagnostic, fingerprint: &str) -> s::Result {
    let index = report.rules.index_of(d.rule);
    let related: Vec<s::Location> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .enumerate()
        .map(|(i, l)| related(&report.sources, i + 1, l))
        .collect();
    let primary_message = d
        .labels
        .iter()
        .find(|l| l.primary)
        .map(|l| l.message.clone());
    let mut primary = s::Location::builder()
        .physical_location(location(report.display(d.file), d.span))
        .build();
    primary.message = primary_message.map(text);
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), fingerprint.to_string());
    // A low-confidence finding is a note: code scanning shows it without
    // failing on it.
    let level = match (d.severity, d.confidence) {
        (_, Confidence::Low) => s::ResultLevel::Note,
        (Severity::Error, _) => s::ResultLevel::Error,
        (Severity::Warning, _) => s::ResultLevel::Warning,
    };
    let mut props = BTreeMap::new();
    props.insert("confidence".to_string(), json!(d.confidence.as_str()));
    let mut r = s::Result::builder()
        .rule_id(d.code().to_string())
        .level(level)
        .message(text(message(d)))
        .locations(vec![primary])
        .partial_fingerprints(fingerprints)
        .build();
    r.rule_index = index.map(|i| i as i64);
    r.rank = Some(match d.confidence {
        Confidence::High => 90.0,
        Confidence::Medium => 60.0,
        Confidence::Low => 30.0,
    });
    r.properties = Some(
        s::PropertyBag::builder()
            .additional_properties(props)
            .build(),
    );
    if !related.is_empty() {
        r.related_locations = Some(related);
    }
    let fixes = fixes(&report.sources, d);
    if !fixes.is_empty() {
        r.fixes = Some(fixes);
    }
    r
}

/// Files that could not be parsed or read, as tool notifications.
fn invocation(report: &Report) -> s::Invocation {
    let notifications: Vec<s::Notification> = report
        .notices()
        .iter()
        .map(|n| {
            let at = crate::source::Pos {
                line: n.line.max(1),
                column: n.column.saturating_sub(1),
            };
            let mut note = s::Notification::builder()
                .level(json!("error"))
                .message(text(n.text()))
                .build();
            if !n.path.is_empty() {
                note.locations = Some(vec![s::Location::builder()
                    .physical_location(location(&n.path, Span { start: at, end: at }))
                    .build()]);
            }
            note
        })
        .collect();
    // A syntax error is reported and counted as a finding; anything else
    // not analyzed means the run did not do its job in full.
    let mut inv = s::Invocation::builder()
        .execution_successful(!report.unreliable())
        .build();
    if !notifications.is_empty() {
        inv.tool_execution_notifications = Some(notifications);
    }
    inv
}

/// Build the SARIF log.
pub fn log(report: &Report) -> s::Sarif {
    let fingerprints = unique_fingerprints(&report.diagnostics);
    let results: Vec<s::Result> = report
        .diagnostics
        .iter()
        .zip(&fingerprints)
        .map(|(d, f)| result(report, d, f))
        .collect();
    let driver = s::ToolComponent::builder()
        .name("cargo-spawnlint".to_string())
        .version(env!("CARGO_PKG_VERSION").to_string())
        .semantic_version(env!("CARGO_PKG_VERSION").to_string())
        .rules(rule_descriptors(report.rules))
        .build();
    let run = s::Run::builder()
        .tool(s::Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation(report)])
        .column_kind(json!("unicodeCodePoints"))
        .build();
    s::Sarif::builder()
        .schema(SCHEMA_URI.to_string())
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// Render as pretty JSON.
pub fn render(report: &Report) -> String {
    let mut out = serde_json::to_string_pretty(&log(report)).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registry_rule_is_described() {
        let registry = crate::rules::registry();
        let rules = rule_descriptors(registry);
        assert_eq!(rules.len(), registry.len());
        for (d, r) in rules.iter().zip(registry.iter()) {
            assert_eq!(d.id, r.code());
            assert_eq!(d.name.as_deref(), Some(r.slug()));
            let full = d.full_description.as_ref().map(|f| f.text.clone());
            assert!(full.is_some_and(|f| !f.is_empty() && !f.contains('\n')));
        }
    }
}
