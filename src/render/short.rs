//! `--format short`: `path:line:col: severity[CODE] message`, one per line.

use crate::report::Report;
use std::fmt::Write;

/// Render.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.parse_failures {
        let _ = writeln!(
            out,
            "{}:{}:{}: error[parse] {}",
            report.display(f.file),
            f.line,
            f.column,
            f.message
        );
    }
    for d in &report.diagnostics {
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
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
