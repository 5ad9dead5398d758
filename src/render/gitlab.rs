//! `--format gitlab`: a GitLab Code Quality report, the JSON array GitLab
//! reads from a `codequality` report artifact and shows in merge requests.

use super::unique_fingerprints;
use crate::diagnostic::{stable_hash, Confidence, Severity};
use crate::report::{NoticeKind, Report};
use serde_json::{json, Value};

/// GitLab's severity scale is info, minor, major, critical, blocker. A
/// finding that panics or runs at once (error) is `critical`: it crashes
/// services; a narrower window (warning) is `major`; a low-confidence one
/// `minor`.
pub fn severity(s: Severity, c: Confidence) -> &'static str {
    match (s, c) {
        (_, Confidence::Low) => "minor",
        (Severity::Error, _) => "critical",
        (Severity::Warning, _) => "major",
    }
}

/// Build the report.
pub fn document(report: &Report) -> Value {
    let mut issues: Vec<Value> = Vec::new();
    for n in report.notices() {
        let check = if n.kind == NoticeKind::Syntax {
            "spawnlint/parse-failure".to_string()
        } else {
            format!("spawnlint/{}", n.kind.name())
        };
        issues.push(json!({
            "type": "issue",
            "description": n.text(),
            "check_name": check,
            "fingerprint": if n.kind == NoticeKind::Syntax {
                stable_hash(&["parse-failure", &n.path])
            } else {
                stable_hash(&[&check, &n.path, &n.message])
            },
            "severity": "info",
            "location": {"path": n.path, "lines": {"begin": n.line.max(1)}},
        }));
    }
    let fingerprints = unique_fingerprints(&report.diagnostics);
    for (d, fingerprint) in report.diagnostics.iter().zip(fingerprints) {
        let mut body = d.message.clone();
        for n in &d.notes {
            body.push_str(&format!("\n\nnote: {n}"));
        }
        body.push_str(&format!(
            "\n\nRun `cargo spawnlint --explain {}` for the rule's documentation.",
            d.code()
        ));
        issues.push(json!({
            "type": "issue",
            "description": format!("{}[{}]: {}", d.severity.as_str(), d.code(), d.headline()),
            "check_name": format!("{} {}", d.code(), d.rule.slug()),
            "content": {"body": body},
            "categories": ["Bug Risk"],
            "fingerprint": fingerprint,
            "severity": severity(d.severity, d.confidence),
            "location": {
                "path": report.display(d.file),
                "lines": {"begin": d.span.start.line, "end": d.span.end.line},
            },
        }));
    }
    Value::Array(issues)
}

/// Render as pretty JSON.
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&document(report)).unwrap_or_default();
    s.push('\n');
    s
}
