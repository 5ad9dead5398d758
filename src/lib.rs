//! cargo-spawnlint: finds premature task spawning in Rust source trees.
//!
//! The pipeline (see ARCHITECTURE.md), one stage per function of
//! [`pipeline`]: [`discover`] → [`config`] → [`parse`] (which runs
//! [`facts`] extraction and drops the AST) → [`model`] → [`analysis`] →
//! [`rules`] → [`suppress`] / [`baseline`] → [`report`], rendered by
//! [`render`]. [`analyze`] runs it end to end.

pub mod analysis;
pub mod baseline;
pub mod cache;
pub mod catalog;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod facts;
pub mod files;
pub mod fixer;
pub mod fixes;
pub mod isolate;
pub mod lex;
pub mod model;
pub mod parse;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod rule;
pub mod rules;
pub mod source;
pub mod suppress;

pub use pipeline::analyze;
pub use report::Report;

use std::path::PathBuf;

/// What to analyze and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The directory relative paths are resolved against and displayed
    /// relative to (the binary passes the directory it runs in). Empty:
    /// paths are used as given.
    pub root: PathBuf,
    /// Files or directories. Empty: the Cargo workspace (see `workspace`).
    pub paths: Vec<PathBuf>,
    /// Workspace selection used when `paths` is empty.
    pub workspace: discover::WorkspaceOptions,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// `--max-file-size`: source files larger than this many bytes are
    /// reported and skipped (default [`files::DEFAULT_MAX_SOURCE_BYTES`]).
    pub max_file_size: Option<u64>,
    /// Only these rules (codes or slugs); empty: all.
    pub select: Vec<String>,
    /// Not these rules (codes or slugs).
    pub ignore: Vec<String>,
    /// `--config FILE`: use this configuration for every crate instead of
    /// discovering `spawnlint.toml` / Cargo metadata (see [`config`]).
    pub config: Option<PathBuf>,
    /// `--baseline FILE`: report only findings not recorded in it.
    pub baseline: Option<PathBuf>,
    /// `--write-baseline FILE`: record every finding in it (nothing is
    /// reported as new).
    pub write_baseline: Option<PathBuf>,
    /// `--min-confidence`: the least confidence a finding needs to fail the
    /// run, for every crate (instead of each configuration's).
    pub min_confidence: Option<diagnostic::Confidence>,
    /// `--crate-context`: analyze the given files together with the rest of
    /// the Cargo package each belongs to, and report the given files'
    /// findings only (pre-commit's staged files).
    pub crate_context: bool,
    /// `--fail-on`: the least severity a finding needs to fail the run
    /// (`None`: any, warnings included).
    pub fail_on: Option<diagnostic::Severity>,
    /// `--stdin-filename`: analyze this text as the file at this path (an
    /// editor's unsaved buffer) instead of anything on disk.
    pub stdin: Option<(PathBuf, String)>,
    /// Text to analyze instead of what is on disk, by the path discovery
    /// finds the file under (`--fix` re-analyses its edits in memory
    /// before anything is written).
    pub overlay: std::collections::HashMap<PathBuf, std::sync::Arc<str>>,
    /// `--explain-site FILE:LINE`: explain every spawn on that line
    /// (`Report::site_explanations`).
    pub explain_site: Option<(PathBuf, u32)>,
    /// Reuse each unchanged crate's findings from this cache and store the
    /// others' ([`cache`]); `None` analyzes everything (the library's
    /// default; the binary passes `target/spawnlint` unless `--no-cache`).
    /// Not used with standard input, an overlay or `--explain-site`.
    pub cache: Option<cache::Settings>,
    /// `--exhaustive`: parse every file as written, data tables included
    /// ([`parse::tables`]), and analyze all crates in one batch; the
    /// findings are the same, only slower and larger.
    pub exhaustive: bool,
    /// `--check-syntax`: parse every function body, so that syn's errors
    /// in bodies the analysis does not read are reported too (implied by
    /// `exhaustive`).
    pub check_syntax: bool,
}

/// Errors that stop a run before analysis.
#[derive(Debug)]
pub enum Error {
    /// Bad arguments or configuration.
    Usage(String),
    /// Nothing to analyze.
    NothingToAnalyze(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Usage(m) | Error::NothingToAnalyze(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}
