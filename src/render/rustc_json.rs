//! `--format rustc-json`: one cargo `compiler-message` JSON line per
//! finding, the shape `cargo check --message-format=json` prints, so tools
//! that read cargo's messages (rust-analyzer's `check.overrideCommand`,
//! `cargo_metadata::Message::parse_stream`, CI problem matchers) show our
//! findings as if rustc had emitted them.
//!
//! Spans carry byte offsets (read from the source file; 0 when the file can
//! no longer be read), 1-based character columns with exclusive ends, the
//! source lines with highlights, and labels. Notes become `note` children,
//! fixes `help` children; a fix that is a textual replacement carries its
//! edits as spans with `suggested_replacement`.

use super::human::Renderer;
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::report::{Package, Report};
use crate::source::{FileId, Pos, SourceDb, Span};
use serde_json::{json, Value};
use std::path::Path;

/// How cargo names a package in messages: id, manifest path and target.
fn package_json(p: Option<&Package>) -> (String, String, Value) {
    let Some(p) = p else {
        return ("unknown".into(), String::new(), Value::Null);
    };
    let dir: &Path = &p.dir;
    let kind = if p.is_lib { "lib" } else { "bin" };
    let dir_text = dir.to_string_lossy().replace('\\', "/");
    let dir_uri = if dir_text.starts_with('/') {
        format!("file://{dir_text}")
    } else {
        format!("file:///{dir_text}")
    };
    let name = &p.name;
    (
        format!("path+{dir_uri}#{name}@{}", p.version),
        dir.join("Cargo.toml").to_string_lossy().into_owned(),
        json!({
            "kind": [kind],
            "crate_types": [kind],
            "name": if p.is_lib { name.replace('-', "_") } else { name.to_string() },
            "src_path": p.src_path.to_string_lossy(),
            "edition": p.edition,
            "doc": true,
            "doctest": p.is_lib,
            "test": true,
        }),
    )
}

/// One span of cargo's diagnostic format.
fn span(
    sources: &SourceDb,
    file: FileId,
    span: Span,
    primary: bool,
    label: Option<&str>,
    replacement: Option<(&str, Applicability)>,
) -> Value {
    let end = if span.end < span.start {
        span.start
    } else {
        span.end
    };
    let (byte_start, byte_end, lines) = match sources.indexed(file) {
        Some(text) => {
            let a = text.offset(span.start);
            let b = text.offset(end).max(a);
            let first = span.start.line.max(1);
            let lines: Vec<Value> = text
                .lines_between(first, end.line.max(first))
                .lines()
                .enumerate()
                .map(|(i, line)| {
                    let n = first + i as u32;
                    let hl_start = if n == span.start.line {
                        span.start.column + 1
                    } else {
                        1
                    };
                    let hl_end = if n == end.line {
                        end.column + 1
                    } else {
                        line.chars().count() as u32 + 1
                    };
                    json!({"text": line, "highlight_start": hl_start, "highlight_end": hl_end})
                })
                .collect();
            (a, b, lines)
        }
        None => (0, 0, Vec::new()),
    };
    json!({
        "file_name": sources.display(file),
        "byte_start": byte_start,
        "byte_end": byte_end,
        "line_start": span.start.line,
        "line_end": end.line,
        "column_start": span.start.column + 1,
        "column_end": end.column + 1,
        "is_primary": primary,
        "text": lines,
        "label": label,
        "suggested_replacement": replacement.map(|(text, _)| text),
        "suggestion_applicability": replacement.map(|(_, a)| rustc_applicability(a)),
        "expansion": null,
    })
}

fn child(level: &str, message: String, spans: Vec<Value>) -> Value {
    json!({
        "$message_type": "diagnostic",
        "message": message,
        "code": null,
        "level": level,
        "spans": spans,
        "children": [],
        "rendered": null,
    })
}

/// rustc's word for how far a suggestion can be trusted: rust-analyzer
/// and `cargo fix` apply `MachineApplicable` ones without asking.
fn rustc_applicability(a: Applicability) -> &'static str {
    match a {
        Applicability::Safe => "MachineApplicable",
        Applicability::Unsafe => "MaybeIncorrect",
        Applicability::DisplayOnly => "HasPlaceholders",
    }
}

fn edit_span(sources: &SourceDb, e: &Edit, a: Applicability) -> Value {
    span(sources, e.file, e.span, true, None, Some((&e.text, a)))
}

/// The `message` object of one finding.
fn diagnostic(sources: &SourceDb, renderer: &mut Renderer, d: &Diagnostic) -> Value {
    let spans: Vec<Value> = d
        .labels
        .iter()
        .map(|l| span(sources, l.file, l.span, l.primary, Some(&l.message), None))
        .collect();
    let mut children: Vec<Value> = d
        .notes
        .iter()
        .map(|n| child("note", n.clone(), Vec::new()))
        .collect();
    for f in &d.fixes {
        if f.edits.is_empty() {
            children.push(child(
                "help",
                format!("{}:\n{}", f.title, f.code),
                Vec::new(),
            ));
        } else {
            let spans = f
                .edits
                .iter()
                .map(|e| edit_span(sources, e, f.applicability))
                .collect();
            children.push(child("help", f.title.clone(), spans));
        }
    }
    children.push(child(
        "help",
        format!("run `cargo spawnlint --explain {}`", d.code()),
        Vec::new(),
    ));
    json!({
        "$message_type": "diagnostic",
        "message": d.headline(),
        "code": {"code": d.code(), "explanation": d.rule.meta().doc},
        "level": d.severity.as_str(),
        "spans": spans,
        "children": children,
        "rendered": renderer.diagnostic(d, false),
    })
}

fn compiler_message(pkg: Option<&Package>, message: Value) -> Value {
    let (id, manifest_path, target) = package_json(pkg);
    json!({
        "reason": "compiler-message",
        "package_id": id,
        "manifest_path": manifest_path,
        "target": target,
        "message": message,
    })
}

/// Every line, in order: files that did not parse, then the findings.
pub fn messages(report: &Report) -> Vec<Value> {
    let sources = &report.sources;
    let mut renderer = Renderer::new(sources);
    let mut out = Vec::new();
    for n in report.notices() {
        let at = Pos {
            line: n.line.max(1),
            column: n.column.saturating_sub(1),
        };
        let spans = match n.file {
            Some(file) => vec![span(
                sources,
                file,
                Span { start: at, end: at },
                true,
                None,
                None,
            )],
            None => Vec::new(),
        };
        let message = json!({
            "$message_type": "diagnostic",
            "message": n.text(),
            "code": null,
            "level": "error",
            "spans": spans,
            "children": [],
            "rendered": format!("error: {}\n", n.text()),
        });
        let package = n.file.and_then(|f| report.packages.get(&f));
        out.push(compiler_message(package, message));
    }
    for d in &report.diagnostics {
        let message = diagnostic(sources, &mut renderer, d);
        out.push(compiler_message(report.packages.get(&d.file), message));
    }
    out
}

/// Render: one JSON object per line.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for m in messages(report) {
        out.push_str(&m.to_string());
        out.push('\n');
    }
    out
}
