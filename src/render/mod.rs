//! Renderers: one module per output format, each reading only the neutral
//! [`Diagnostic`](crate::diagnostic::Diagnostic) and the [`Report`].

pub mod human;
pub mod json;
pub mod short;

use crate::Report;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics with source excerpts.
    Human,
    /// One `file:line:col: severity[CODE] message` line per finding.
    Short,
    /// The JSON document of SPEC §5 (version 1).
    Json,
}

/// Render a report in a format. `color` applies to human output only.
pub fn render(report: &Report, format: Format, color: bool, quiet: bool) -> String {
    match format {
        Format::Human => human::render(report, color, quiet),
        Format::Short => short::render(report),
        Format::Json => json::render(report),
    }
}
