//! Renderers: one module per output format, each reading only the neutral
//! [`Diagnostic`](crate::diagnostic::Diagnostic) and the [`Report`].

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod rustc_json;
pub mod sarif;
pub mod short;

use crate::diagnostic::{stable_hash, Diagnostic};
use crate::report::Report;
use std::collections::HashMap;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics with source excerpts.
    Human,
    /// One `file:line:col: severity[CODE] message` line per finding.
    Short,
    /// The versioned JSON document (version 1; see the README).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…`): annotations.
    Github,
    /// GitLab Code Quality report (a JSON array).
    Gitlab,
    /// One cargo `compiler-message` JSON line per finding, as
    /// `cargo check --message-format=json` prints (rust-analyzer, editors).
    RustcJson,
}

/// Render a report in a format. `color` applies to human output only;
/// `quiet` drops human output's summary line.
pub fn render(report: &Report, format: Format, color: bool, quiet: bool) -> String {
    render_with(
        report,
        format,
        &Style {
            color,
            quiet,
            show_fixes: false,
        },
    )
}

/// `--statistics`: findings per rule, most first (then by code), with a
/// total; as a JSON object with `json`.
pub fn statistics(report: &Report, json: bool) -> String {
    let mut counts: Vec<(crate::rule::RuleId, usize)> = Vec::new();
    for d in &report.diagnostics {
        match counts.iter_mut().find(|(r, _)| *r == d.rule) {
            Some((_, n)) => *n += 1,
            None => counts.push((d.rule, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.code().cmp(b.0.code())));
    if json {
        let rules: Vec<serde_json::Value> = counts
            .iter()
            .map(|(r, n)| serde_json::json!({"code": r.code(), "slug": r.slug(), "count": n}))
            .collect();
        let doc = serde_json::json!({
            "rules": rules,
            "total": report.diagnostics.len(),
            "not_analyzed": report.notices().len(),
        });
        return format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        );
    }
    let mut out = String::new();
    for (r, n) in &counts {
        out.push_str(&format!("{n:6}  {}  {}\n", r.code(), r.slug()));
    }
    out.push_str(&format!("{:6}  total\n", report.diagnostics.len()));
    let notices = report.notices().len();
    if notices > 0 {
        out.push_str(&format!("{notices:6}  not analyzed in full\n"));
    }
    out
}

/// How human output looks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// ANSI colors (human output only).
    pub color: bool,
    /// No summary line (human output only).
    pub quiet: bool,
    /// Every fix's code, not only the preferred fix's (human output, and
    /// the `rendered` text of rustc-json).
    pub show_fixes: bool,
}

/// Render a report in a format, in a style.
pub fn render_with(report: &Report, format: Format, style: &Style) -> String {
    let (color, quiet) = (style.color, style.quiet);
    match format {
        Format::Human => human::render(report, color, quiet, style.show_fixes),
        Format::Short => short::render(report),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
        Format::Gitlab => gitlab::render(report),
        Format::RustcJson => rustc_json::render(report),
    }
}

/// One fingerprint per diagnostic, unique within the report: the
/// diagnostic's own (line-free) fingerprint, and for the second and later
/// diagnostics sharing it, that fingerprint hashed with its occurrence
/// number. Stable when unrelated lines move, since diagnostics are sorted.
pub fn unique_fingerprints(diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let n = seen.entry(d.fingerprint.as_str()).or_insert(0);
            *n += 1;
            if *n == 1 {
                d.fingerprint.clone()
            } else {
                stable_hash(&[&d.fingerprint, &n.to_string()])
            }
        })
        .collect()
}

/// A URI reference for a displayed path: relative paths stay relative
/// (to the directory the tool ran in, the repository root in CI), absolute
/// ones become `file://` URIs. Characters outside RFC 3986's unreserved and
/// path sets are percent-encoded.
pub fn file_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    if path.starts_with('/') {
        out.push_str("file://");
    } else if path.as_bytes().get(1) == Some(&b':') {
        // A Windows drive path.
        out.push_str("file:///");
    }
    for b in path.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b'@' => out.push(b as char),
            b':' if out.starts_with("file:///") && out.len() == 9 => out.push(':'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_or_file_uris() {
        assert_eq!(file_uri("src/a b.rs"), "src/a%20b.rs");
        assert_eq!(file_uri("/tmp/x#1.rs"), "file:///tmp/x%231.rs");
        assert_eq!(file_uri("C:\\src\\ä.rs"), "file:///C:/src/%C3%A4.rs");
    }
}
