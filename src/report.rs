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
            let Ok(text) = std::fs::read_to_string(d.join("Cargo.toml")) else {
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
    /// Findings silenced by suppressions.
    pub suppressed: usize,
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
            suppressed: 0,
            failing: 0,
            baseline: None,
            constructor_spawns: 0,
            packages: HashMap::new(),
            rules,
            site_explanations: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }

    /// Display path of a file.
    pub fn display(&self, file: FileId) -> &str {
        self.sources.display(file)
    }
}
