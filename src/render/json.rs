//! `--format json`: the versioned document of SPEC §5. External tools read
//! it, so field names and shape are a contract.

use crate::diagnostic::{Edit, Severity};
use crate::report::Report;
use crate::source::Span;
use serde_json::{json, Value};

fn span(s: Span) -> Value {
    json!({
        "line": s.start.line,
        "column": s.start.column + 1,
        "end_line": s.end.line,
        "end_column": s.end.column + 1,
    })
}

/// One edit: its range as positions and as byte offsets into the file as
/// it was read, and the text that replaces it.
fn edit(report: &Report, e: &Edit) -> Value {
    let bytes = report
        .sources
        .indexed(e.file)
        .map(|t| (t.offset(e.span.start), t.offset(e.span.end)));
    json!({
        "file": report.display(e.file),
        "span": span(e.span),
        "byte_start": bytes.map(|b| b.0),
        "byte_end": bytes.map(|b| b.1),
        "text": e.text,
    })
}

/// Build the JSON document.
pub fn document(report: &Report) -> Value {
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = report.diagnostics.len() - errors;
    let diagnostics: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "code": d.code(),
                "rule": d.rule.slug(),
                "severity": d.severity.as_str(),
                "confidence": d.confidence.as_str(),
                "message": d.message,
                "file": report.display(d.file),
                "span": span(d.span),
                "labels": d.labels.iter().map(|l| json!({
                    "file": report.display(l.file),
                    "span": span(l.span),
                    "message": l.message,
                    "primary": l.primary,
                })).collect::<Vec<_>>(),
                "notes": d.notes,
                "fixes": d.fixes.iter().map(|f| json!({
                    "strategy": f.strategy,
                    "title": f.title,
                    "code": f.code,
                    "applicability": f.applicability.name(),
                    "edits": f.edits.iter().map(|e| edit(report, e)).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "fingerprint": d.fingerprint,
            })
        })
        .collect();
    let failures: Vec<Value> = report
        .parse_failures
        .iter()
        .map(|f| {
            json!({
                "file": report.display(f.file),
                "line": f.line,
                "column": f.column,
                "message": f.message,
            })
        })
        .collect();
    let notices = report.notices();
    let not_analyzed: Vec<Value> = notices
        .iter()
        .map(|n| {
            json!({
                "kind": n.kind.name(),
                "file": n.path,
                "line": n.line,
                "column": n.column,
                "message": n.message,
            })
        })
        .collect();
    let mut summary = json!({
        "files": report.files,
        "errors": errors,
        "warnings": warnings,
        "parse_failures": report.parse_failures.len(),
        "not_analyzed": notices.len(),
        "complete": notices.is_empty(),
        "suppressed": report.suppressed,
        "failing": report.failing,
    });
    if let Some(b) = &report.baseline {
        // Only with --baseline / --write-baseline.
        summary["baselined"] = json!(b.matched);
        summary["baseline_fixed"] = json!(b.fixed);
    }
    json!({
        "version": 1,
        "tool": {"name": "cargo-spawnlint", "version": env!("CARGO_PKG_VERSION")},
        "summary": summary,
        "diagnostics": diagnostics,
        "parse_failures": failures,
        "not_analyzed": not_analyzed,
    })
}

/// Render as pretty JSON.
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&document(report)).unwrap_or_default();
    s.push('\n');
    s
}
