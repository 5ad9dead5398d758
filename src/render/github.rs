//! `--format github`: GitHub Actions workflow commands, which the runner
//! turns into annotations on the pull request:
//! `::error file=…,line=…,endLine=…,col=…,endColumn=…,title=SLnnn slug::message`.
//!
//! Values are escaped exactly as `@actions/core` does: the message escapes
//! `%`, CR and LF; properties additionally `:` and `,`.

use crate::diagnostic::{Confidence, Diagnostic, Severity};
use crate::report::Report;
use std::fmt::Write;

/// Escape a command's data (the message), as `escapeData` in `@actions/core`.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a command property value, as `escapeProperty` in `@actions/core`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command: `::name k=v,k=v::data`.
pub fn command(name: &str, properties: &[(&str, String)], data: &str) -> String {
    let props: Vec<String> = properties
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    if props.is_empty() {
        format!("::{name}::{}", escape_data(data))
    } else {
        format!("::{name} {}::{}", props.join(","), escape_data(data))
    }
}

/// The annotation text: the message, then where the window closes (the
/// secondary labels with their lines), the notes and the explain hint.
fn message(report: &Report, d: &Diagnostic) -> String {
    let mut m = d.headline();
    for l in d.labels.iter().filter(|l| !l.primary) {
        let _ = write!(
            m,
            "\n{}:{}: {}",
            report.display(l.file),
            l.span.start.line,
            l.message
        );
    }
    for n in &d.notes {
        let _ = write!(m, "\nnote: {n}");
    }
    for f in &d.fixes {
        let _ = write!(m, "\nhelp: {}", f.title);
    }
    let _ = write!(m, "\nhelp: run `cargo spawnlint --explain {}`", d.code());
    m
}

/// Render: one command per finding and per file that did not parse.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for n in report.notices() {
        let mut props = Vec::new();
        if !n.path.is_empty() {
            props.push(("file", n.path.clone()));
            props.push(("line", n.line.max(1).to_string()));
        }
        if n.column > 0 {
            props.push(("col", n.column.to_string()));
        }
        props.push(("title", format!("spawnlint: {}", n.kind.title())));
        let _ = writeln!(out, "{}", command("error", &props, &n.message));
    }
    for d in &report.diagnostics {
        // Low confidence: a notice, shown but not a failing annotation.
        let name = match (d.severity, d.confidence) {
            (_, Confidence::Low) => "notice",
            (Severity::Error, _) => "error",
            (Severity::Warning, _) => "warning",
        };
        let props = [
            ("file", report.display(d.file).to_string()),
            ("line", d.span.start.line.to_string()),
            ("endLine", d.span.end.line.to_string()),
            ("col", (d.span.start.column + 1).to_string()),
            ("endColumn", (d.span.end.column + 1).to_string()),
            ("title", format!("{} {}", d.code(), d.rule.slug())),
        ];
        let _ = writeln!(out, "{}", command(name, &props, &message(report, d)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_actions_core() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("C:\\a,b%\n"), "C%3A\\a%2Cb%25%0A");
        assert_eq!(
            command(
                "warning",
                &[("file", "a:b.rs".into()), ("title", "x, y".into())],
                "m: 1%"
            ),
            "::warning file=a%3Ab.rs,title=x%2C y::m: 1%25"
        );
    }
}
