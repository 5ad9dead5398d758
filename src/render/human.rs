//! Human output: rustc-style diagnostics rendered by codespan-reporting.

use crate::diagnostic::Applicability;
use crate::diagnostic::{Diagnostic, Severity};
use crate::report::Report;
use crate::source::{FileId, SourceDb};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer};
use std::collections::HashMap;
use std::fmt::Write;

/// Lines of the preferred fix's code shown by default.
const MAX_SNIPPET_LINES: usize = 10;

/// Render the report. `quiet` drops everything but the diagnostics;
/// `show_fixes` prints every fix's code, not only the preferred one's.
pub fn render(report: &Report, color: bool, quiet: bool, show_fixes: bool) -> String {
    let mut out = String::new();
    for n in report.notices() {
        let _ = writeln!(out, "error: {}\n", n.text());
    }
    let mut renderer = Renderer::new(&report.sources);
    renderer.show_fixes = show_fixes;
    for d in &report.diagnostics {
        out.push_str(&renderer.diagnostic(d, color));
    }
    if !quiet {
        let errors = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let warnings = report.diagnostics.len() - errors;
        let _ = writeln!(out, "{}", summary(report, errors, warnings));
    }
    out
}

/// Renders diagnostics one at a time over the run's source database.
pub struct Renderer<'a> {
    sources: &'a SourceDb,
    files: SimpleFiles<&'a str, &'a str>,
    ids: HashMap<FileId, Option<usize>>,
    /// Print every fix's code; by default only the preferred (first)
    /// fix's, and the others' titles, so a finding fits a screen.
    pub show_fixes: bool,
}

impl<'a> Renderer<'a> {
    /// A renderer over a run's sources.
    pub fn new(sources: &'a SourceDb) -> Self {
        Renderer {
            sources,
            files: SimpleFiles::new(),
            ids: HashMap::new(),
            show_fixes: false,
        }
    }

    /// One diagnostic as rustc prints it (ending with a blank line). A
    /// source file without text drops its labels' excerpts; a diagnostic
    /// whose file has none at all becomes one plain line.
    pub fn diagnostic(&mut self, d: &Diagnostic, color: bool) -> String {
        for l in &d.labels {
            let files = &mut self.files;
            let sources = self.sources;
            self.ids.entry(l.file).or_insert_with(|| {
                sources
                    .text(l.file)
                    .map(|text| files.add(sources.display(l.file), text))
            });
        }
        let cs_diag = to_codespan(d, self.sources, &self.ids, self.show_fixes);
        let mut buffer = if color {
            Buffer::ansi()
        } else {
            Buffer::no_color()
        };
        let config = term::Config::default();
        if term::emit_to_write_style(&mut buffer, &config, &self.files, &cs_diag).is_ok() {
            String::from_utf8_lossy(buffer.as_slice()).into_owned()
        } else {
            format!(
                "{}[{}]: {} ({}:{})\n",
                d.severity.as_str(),
                d.code(),
                d.headline(),
                self.sources.display(d.file),
                d.span.start.line
            )
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Findings `--fix` can fix, and those only `--unsafe-fixes` can.
fn fixable(report: &Report) -> (usize, usize) {
    let has = |d: &crate::diagnostic::Diagnostic, a| d.fixes.iter().any(|f| f.applicability == a);
    let safe = report
        .diagnostics
        .iter()
        .filter(|d| has(d, Applicability::Safe))
        .count();
    let unsafe_only = report
        .diagnostics
        .iter()
        .filter(|d| !has(d, Applicability::Safe) && has(d, Applicability::Unsafe))
        .count();
    (safe, unsafe_only)
}

fn summary(report: &Report, errors: usize, warnings: usize) -> String {
    let mut s = format!(
        "spawnlint: checked {} ({}) in {:.2}s: {}, {}",
        plural(report.files, "file"),
        plural(report.constructor_spawns, "constructor spawn"),
        report.elapsed.as_secs_f64(),
        plural(errors, "error"),
        plural(warnings, "warning"),
    );
    if !report.parse_failures.is_empty() {
        s.push_str(&format!(
            ", {}",
            plural(report.parse_failures.len(), "parse failure")
        ));
    }
    let unanalyzed = report.problems.len() + report.incidents.len();
    if unanalyzed > 0 {
        s.push_str(&format!(
            ", {} not analyzed in full",
            plural(unanalyzed, "input")
        ));
    }
    let below = report.diagnostics.len().saturating_sub(report.failing);
    if below > 0 {
        s.push_str(&format!(
            ", {below} not failing the run (below --min-confidence or --fail-on)"
        ));
    }
    if report.suppressed > 0 {
        s.push_str(&format!(", {} suppressed", report.suppressed));
    }
    if let Some(b) = &report.baseline {
        s.push_str(&format!(", {} baselined", b.matched));
        if b.written.is_none() {
            s.push_str(&format!(", {} fixed since the baseline", b.fixed));
        }
    }
    let (safe, unsafe_only) = fixable(report);
    if safe > 0 {
        s.push_str(&format!(", {safe} fixable with `--fix`"));
    }
    if unsafe_only > 0 {
        s.push_str(&format!(", {unsafe_only} more with `--unsafe-fixes`"));
    }
    s
}

fn to_codespan(
    d: &Diagnostic,
    sources: &SourceDb,
    ids: &HashMap<FileId, Option<usize>>,
    show_fixes: bool,
) -> cs::Diagnostic<usize> {
    let base = match d.severity {
        Severity::Error => cs::Diagnostic::error(),
        Severity::Warning => cs::Diagnostic::warning(),
    };
    let mut labels = Vec::new();
    for l in &d.labels {
        let Some(Some(id)) = ids.get(&l.file) else {
            continue;
        };
        // Byte offsets into the same text codespan was given.
        let Some(text) = sources.indexed(l.file) else {
            continue;
        };
        let start = text.offset(l.span.start);
        let end = text.offset(l.span.end).max(start);
        let label = if l.primary {
            cs::Label::primary(*id, start..end)
        } else {
            cs::Label::secondary(*id, start..end)
        };
        labels.push(label.with_message(l.message.clone()));
    }
    let mut notes: Vec<String> = d.notes.iter().map(|n| format!("note: {n}")).collect();
    notes.extend(fix_notes(&d.fixes, show_fixes));
    notes.push(match d.rule.meta().doc_url() {
        Some(url) => format!(
            "help: run `cargo spawnlint --explain {}`, or see {url}",
            d.code()
        ),
        None => format!("help: run `cargo spawnlint --explain {}`", d.code()),
    });
    base.with_message(d.headline())
        .with_code(d.code())
        .with_labels(labels)
        .with_notes(notes)
}

/// The fixes as `help:` notes: by default the preferred (first) fix with
/// about [`MAX_SNIPPET_LINES`] of its code and the other fixes named on one
/// line, so a finding fits a screen; with `show_fixes`, every fix whole.
fn fix_notes(fixes: &[crate::diagnostic::Fix], show_fixes: bool) -> Vec<String> {
    let mut notes = Vec::new();
    for (i, f) in fixes.iter().enumerate() {
        if i > 0 && !show_fixes {
            break;
        }
        // Titles of alternatives may say "or" themselves.
        let title = f.title.strip_prefix("or ").unwrap_or(&f.title);
        let or = if i == 0 { "" } else { "or " };
        let code = snippet(&f.code, show_fixes);
        let applied_by = match f.applicability {
            Applicability::Safe => " (`--fix` applies this)",
            Applicability::Unsafe => " (`--fix --unsafe-fixes` applies this)",
            Applicability::DisplayOnly => "",
        };
        if f.code.is_empty() {
            notes.push(format!("help: {or}{title}{applied_by}"));
        } else {
            notes.push(format!("help: {or}{title}{applied_by}:\n{code}"));
        }
    }
    if !show_fixes && fixes.len() > 1 {
        let others: Vec<String> = fixes[1..].iter().map(|f| f.strategy.name()).collect();
        notes.push(format!(
            "help: other fixes, printed by `--show-fixes`: {}",
            others.join(", ")
        ));
    }
    notes
}

/// A fix's code, indented; past [`MAX_SNIPPET_LINES`] lines (unless every
/// line is asked for) its middle is elided, keeping how it starts and how
/// it ends (a gate's last lines fire the gate).
fn snippet(code: &str, whole: bool) -> String {
    let lines: Vec<&str> = code.lines().collect();
    let indent = |l: &&str| format!("    {l}");
    if whole || lines.len() <= MAX_SNIPPET_LINES {
        return lines.iter().map(indent).collect::<Vec<_>>().join("\n");
    }
    let (head, tail) = (MAX_SNIPPET_LINES / 2, MAX_SNIPPET_LINES / 2 - 1);
    let mut out: Vec<String> = lines[..head].iter().map(indent).collect();
    out.push(format!(
        "    // … {} more lines (`--show-fixes` prints them)",
        lines.len() - head - tail
    ));
    out.extend(lines[lines.len() - tail..].iter().map(indent));
    out.join("\n")
}
