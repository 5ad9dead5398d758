//! `--format short`: `path:line:col: severity[CODE] message`, one per line.

use crate::report::Report;
use std::fmt::Write;

/// Render.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for n in report.notices() {
        let at = if n.path.is_empty() {
            "spawnlint".to_string()
        } else if n.line == 0 {
            n.path.clone()
        } else {
            format!("{}:{}:{}", n.path, n.line, n.column)
        };
        let _ = writeln!(out, "{at}: error[{}]: {}", n.kind.name(), n.message);
    }
    for d in &report.diagnostics {
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}]: {}",
            report.display(d.file),
            d.span.start.line,
            d.span.start.column + 1,
            d.severity.as_str(),
            d.code(),
            d.headline()
        );
    }
    out
}
