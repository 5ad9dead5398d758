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
use super::Sources;
use crate::diagnostic::{Diagnostic, Edit};
use crate::discover::display_path;
use crate::source::{byte_offset, Pos, Span};
use crate::Report;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The cargo package a file belongs to, as cargo names it in messages.
#[derive(Clone)]
struct Package {
    id: String,
    manifest_path: String,
    target: Value,
}

/// Finds the package of each file: the nearest `Cargo.toml` with a
/// `[package]` table above it (cached per directory).
#[derive(Default)]
struct Packages {
    by_dir: HashMap<PathBuf, Package>,
}

impl Packages {
    fn of(&mut self, file: &str) -> Package {
        let abs = std::path::absolute(file).unwrap_or_else(|_| PathBuf::from(file));
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        if let Some(p) = self.by_dir.get(&dir) {
            return p.clone();
        }
        let p = find_package(&dir);
        self.by_dir.insert(dir, p.clone());
        p
    }
}

fn find_package(dir: &Path) -> Package {
    for d in dir.ancestors() {
        let manifest = d.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let Ok(table) = text.parse::<toml::Table>() else {
            continue;
        };
        let Some(pkg) = table.get("package").and_then(|p| p.as_table()) else {
            continue;
        };
        let name = pkg
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or("unknown");
        let version = pkg
            .get("version")
            .and_then(|v| v.as_str())
            .unwrap_or("0.0.0");
        // `edition.workspace = true` and unknown editions: cargo_metadata
        // only parses the editions it knows.
        let edition = pkg
            .get("edition")
            .and_then(|e| e.as_str())
            .filter(|e| ["2015", "2018", "2021", "2024"].contains(e))
            .unwrap_or("2021");
        return package(d, name, version, edition);
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "unknown".into());
    package(dir, &name, "0.0.0", "2021")
}

fn package(dir: &Path, name: &str, version: &str, edition: &str) -> Package {
    let lib = dir.join("src/lib.rs");
    let (kind, src) = if lib.exists() || !dir.join("src/main.rs").exists() {
        ("lib", lib)
    } else {
        ("bin", dir.join("src/main.rs"))
    };
    let dir_text = dir.to_string_lossy().replace('\\', "/");
    let dir_uri = if dir_text.starts_with('/') {
        format!("file://{dir_text}")
    } else {
        format!("file:///{dir_text}")
    };
    Package {
        id: format!("path+{dir_uri}#{name}@{version}"),
        manifest_path: dir.join("Cargo.toml").to_string_lossy().into_owned(),
        target: json!({
            "kind": [kind],
            "crate_types": [kind],
            "name": if kind == "lib" { name.replace('-', "_") } else { name.to_string() },
            "src_path": src.to_string_lossy(),
            "edition": edition,
            "doc": true,
            "doctest": kind == "lib",
            "test": true,
        }),
    }
}

/// One span of cargo's diagnostic format.
fn span(
    sources: &mut Sources,
    file: &str,
    span: Span,
    primary: bool,
    label: Option<&str>,
    replacement: Option<&str>,
) -> Value {
    let end = if span.end < span.start {
        span.start
    } else {
        span.end
    };
    let (byte_start, byte_end, lines) = match sources.get(file) {
        Some(text) => {
            let a = byte_offset(text, span.start);
            let b = byte_offset(text, end).max(a);
            let lines: Vec<Value> = text
                .lines()
                .enumerate()
                .skip(span.start.line.saturating_sub(1) as usize)
                .take((end.line.saturating_sub(span.start.line) + 1) as usize)
                .map(|(i, line)| {
                    let n = i as u32 + 1;
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
        "file_name": file,
        "byte_start": byte_start,
        "byte_end": byte_end,
        "line_start": span.start.line,
        "line_end": end.line,
        "column_start": span.start.column + 1,
        "column_end": end.column + 1,
        "is_primary": primary,
        "text": lines,
        "label": label,
        "suggested_replacement": replacement,
        "suggestion_applicability": replacement.map(|_| "MaybeIncorrect"),
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

fn edit_span(sources: &mut Sources, e: &Edit) -> Value {
    span(sources, &e.file, e.span, true, None, Some(&e.text))
}

/// The `message` object of one finding.
fn diagnostic(sources: &mut Sources, renderer: &mut Renderer, d: &Diagnostic) -> Value {
    let spans: Vec<Value> = d
        .labels
        .iter()
        .map(|l| span(sources, &l.file, l.span, l.primary, Some(&l.message), None))
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
            let spans = f.edits.iter().map(|e| edit_span(sources, e)).collect();
            children.push(child("help", f.title.clone(), spans));
        }
    }
    children.push(child(
        "help",
        format!("run `cargo spawnlint --explain {}`", d.code),
        Vec::new(),
    ));
    json!({
        "$message_type": "diagnostic",
        "message": d.message,
        "code": {"code": d.code, "explanation": crate::rules::explain_text(d.code)},
        "level": d.severity.as_str(),
        "spans": spans,
        "children": children,
        "rendered": renderer.diagnostic(d, false),
    })
}

fn compiler_message(pkg: &Package, message: Value) -> Value {
    json!({
        "reason": "compiler-message",
        "package_id": pkg.id,
        "manifest_path": pkg.manifest_path,
        "target": pkg.target,
        "message": message,
    })
}

/// Every line, in order: files that did not parse, then the findings.
pub fn messages(report: &Report) -> Vec<Value> {
    let mut sources = Sources::default();
    let mut packages = Packages::default();
    let mut renderer = Renderer::default();
    let mut out = Vec::new();
    for f in &report.parse_failures {
        let file = display_path(&f.file);
        let at = Pos {
            line: f.line.max(1),
            column: f.column.saturating_sub(1),
        };
        let text = format!("cannot parse {file}: {}", f.message);
        let message = json!({
            "$message_type": "diagnostic",
            "message": text,
            "code": null,
            "level": "error",
            "spans": [span(&mut sources, &file, Span { start: at, end: at }, true, None, None)],
            "children": [],
            "rendered": format!("error: cannot parse {file}:{}:{}: {}\n", f.line, f.column, f.message),
        });
        out.push(compiler_message(&packages.of(&file), message));
    }
    for d in &report.diagnostics {
        let message = diagnostic(&mut sources, &mut renderer, d);
        out.push(compiler_message(&packages.of(&d.file), message));
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
