//! The result of a run: findings with the file table they point into,
//! and everything that went wrong on the way. Renderers read only this.

use crate::baseline;
use crate::diagnostic::Diagnostic;
use crate::discover::Problem;
use crate::parse::ParseFailure;
use crate::rule::Registry;
use crate::source::{FileId, SourceDb};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

/// The cargo package a file belongs to, for formats that name it
/// (rustc-json).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// The package's directory (its `Cargo.toml`'s).
    pub dir: PathBuf,
    /// `name` from `[package]`.
    pub name: String,
    /// `version`, `0.0.0` when not set.
    pub version: String,
    /// `edition`, `2021` when not set or not a plain edition.
    pub edition: String,
    /// Whether its target is a library (`src/lib.rs`, or no `src/main.rs`).
    pub is_lib: bool,
    /// The target's root file.
    pub src_path: PathBuf,
}

impl Package {
    /// The package around `dir`: the nearest `Cargo.toml` with a
    /// `[package]` table at or above it; else one named after `dir`.
    pub fn find(dir: &std::path::Path) -> Package {
        for d in dir.ancestors() {
            let manifest = d.join("Cargo.toml");
            let Ok(text) =
                crate::files::read_regular_text(&manifest, crate::files::MAX_CONFIG_BYTES)
            else {
                continue;
            };
            let Ok(table) = text.parse::<toml::Table>() else {
                continue;
            };
            let Some(pkg) = table.get("package").and_then(|p| p.as_table()) else {
                continue;
            };
            let field = |k: &str| pkg.get(k).and_then(|v| v.as_str());
            // `edition.workspace = true` and unknown editions: cargo_metadata
            // only parses the editions it knows.
            let edition = field("edition")
                .filter(|e| ["2015", "2018", "2021", "2024"].contains(e))
                .unwrap_or("2021");
            return Package::at(
                d,
                field("name").unwrap_or("unknown"),
                field("version").unwrap_or("0.0.0"),
                edition,
            );
        }
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "unknown".into());
        Package::at(dir, &name, "0.0.0", "2021")
    }

    fn at(dir: &std::path::Path, name: &str, version: &str, edition: &str) -> Package {
        let lib = dir.join("src/lib.rs");
        let (is_lib, src_path) = if lib.exists() || !dir.join("src/main.rs").exists() {
            (true, lib)
        } else {
            (false, dir.join("src/main.rs"))
        };
        Package {
            dir: dir.to_path_buf(),
            name: name.to_string(),
            version: version.to_string(),
            edition: edition.to_string(),
            is_lib,
            src_path,
        }
    }
}

/// Part of a run's analysis that did not finish, so findings may be
/// missing: a function whose analysis ran out of steps or hit a bug of
/// ours, or a rule that did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Incident {
    /// The file of the function to blame, if one is.
    pub file: Option<FileId>,
    /// 1-based line of the function's name (0 without a file).
    pub line: u32,
    /// 1-based column of the function's name (0 without a file).
    pub column: u32,
    /// What happened and what may be missing.
    pub message: String,
}

/// What kind of input was not analyzed in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// A file that is not valid Rust: counted as a finding.
    Syntax,
    /// A file skipped whole (too deeply nested, too large).
    Skipped,
    /// A file that could not be read as UTF-8 text.
    Unreadable,
    /// A path that could not be walked or read.
    Path,
    /// An analysis cut short (step budget) or an internal error.
    Incomplete,
}

impl NoticeKind {
    /// The words that open its message: `cannot parse src/x.rs: …`.
    pub fn title(self) -> &'static str {
        match self {
            NoticeKind::Syntax => "cannot parse",
            NoticeKind::Skipped => "cannot analyze",
            NoticeKind::Unreadable | NoticeKind::Path => "cannot read",
            NoticeKind::Incomplete => "incomplete analysis of",
        }
    }

    /// Stable name, for JSON and for checks that group notices.
    pub fn name(self) -> &'static str {
        match self {
            NoticeKind::Syntax => "syntax-error",
            NoticeKind::Skipped => "skipped",
            NoticeKind::Unreadable => "unreadable",
            NoticeKind::Path => "unreadable-path",
            NoticeKind::Incomplete => "incomplete-analysis",
        }
    }
}

/// Input that was not analyzed in full, in one shape for every renderer:
/// parse failures, unreadable paths and cut-short analyses.
#[derive(Debug, Clone)]
pub struct Notice {
    /// The file, when it is one of the run's (for spans and packages).
    pub file: Option<FileId>,
    /// The path as shown.
    pub path: String,
    /// 1-based line (0: no position).
    pub line: u32,
    /// 1-based column (0: no position).
    pub column: u32,
    /// What kind.
    pub kind: NoticeKind,
    /// What went wrong.
    pub message: String,
}

impl Notice {
    /// `cannot parse src/x.rs:3:7: expected `;``.
    pub fn text(&self) -> String {
        if self.path.is_empty() {
            return format!(
                "{}: {}",
                self.kind.title().trim_end_matches(" of"),
                self.message
            );
        }
        let mut at = self.path.clone();
        if self.line > 0 {
            at.push_str(&format!(":{}:{}", self.line, self.column.max(1)));
        }
        format!("{} {at}: {}", self.kind.title(), self.message)
    }
}

/// The result of a run.
#[derive(Debug)]
pub struct Report {
    /// Files analyzed (parsed or not).
    pub files: usize,
    /// Every file of the run: ids, display paths, text.
    pub sources: SourceDb,
    /// Findings, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that did not parse.
    pub parse_failures: Vec<ParseFailure>,
    /// Paths that could not be read or walked.
    pub problems: Vec<Problem>,
    /// Analyses that did not finish.
    pub incidents: Vec<Incident>,
    /// Findings silenced by suppressions.
    pub suppressed: usize,
    /// Why the cache could not be written, when it could not.
    pub cache_warning: Option<String>,
    /// Findings whose confidence reaches the minimum that fails a run
    /// (`min-confidence`, default medium): the exit status counts these.
    pub failing: usize,
    /// What `--baseline` / `--write-baseline` did, when given.
    pub baseline: Option<baseline::Outcome>,
    /// Spawn sites reached from constructors that the rules examined.
    pub constructor_spawns: usize,
    /// The cargo package of each file with a finding or a parse failure.
    pub packages: HashMap<FileId, Package>,
    /// The rules (for formats that list them).
    pub rules: &'static Registry,
    /// With `--explain-site`: why each spawn on that line was or was not
    /// reported.
    pub site_explanations: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
}

impl Report {
    /// An empty report over the given rules.
    pub fn new(rules: &'static Registry) -> Report {
        Report {
            files: 0,
            sources: SourceDb::default(),
            diagnostics: Vec::new(),
            parse_failures: Vec::new(),
            problems: Vec::new(),
            incidents: Vec::new(),
            suppressed: 0,
            cache_warning: None,
            failing: 0,
            baseline: None,
            constructor_spawns: 0,
            packages: HashMap::new(),
            rules,
            site_explanations: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }

    /// Whether the run must fail with status 2 although it produced a
    /// report: input that could not be read or was skipped whole (not a
    /// plain syntax error, which counts as a finding), a path not walked,
    /// an analysis cut short.
    pub fn unreliable(&self) -> bool {
        self.parse_failures
            .iter()
            .any(|f| f.unreadable || f.skipped)
            || !self.problems.is_empty()
            || !self.incidents.is_empty()
    }

    /// Everything not analyzed in full, in a stable order: files of the
    /// run by id, then unwalkable paths, then cut-short analyses.
    pub fn notices(&self) -> Vec<Notice> {
        let failures = self.parse_failures.iter().map(|f| Notice {
            file: Some(f.file),
            path: self.display(f.file).to_string(),
            line: f.line,
            column: f.column,
            kind: if f.unreadable {
                NoticeKind::Unreadable
            } else if f.skipped {
                NoticeKind::Skipped
            } else {
                NoticeKind::Syntax
            },
            message: f.message.clone(),
        });
        let problems = self.problems.iter().map(|p| Notice {
            file: None,
            path: p.display.clone(),
            line: 0,
            column: 0,
            kind: NoticeKind::Path,
            message: p.message.clone(),
        });
        let incidents = self.incidents.iter().map(|i| Notice {
            file: i.file,
            path: i
                .file
                .map_or_else(String::new, |f| self.display(f).to_string()),
            line: i.line,
            column: i.column,
            kind: NoticeKind::Incomplete,
            message: i.message.clone(),
        });
        failures.chain(problems).chain(incidents).collect()
    }

    /// Display path of a file.
    pub fn display(&self, file: FileId) -> &str {
        self.sources.display(file)
    }
}
