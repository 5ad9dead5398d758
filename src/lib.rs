//! cargo-spawnlint: finds premature task spawning in Rust source trees.
//!
//! The pipeline (see ARCHITECTURE.md): [`discover`] → [`parse`] (which runs
//! [`facts`] extraction and drops the AST) → [`model`] → [`rules`] →
//! [`diagnostic`] → [`render`]. [`analyze`] runs it end to end.

pub mod catalog;
pub mod diagnostic;
pub mod discover;
pub mod facts;
pub mod fixes;
pub mod model;
pub mod parse;
pub mod render;
pub mod rules;
pub mod source;

use catalog::Catalog;
use diagnostic::Diagnostic;
use discover::{Input, Problem};
use model::{flow, Model, SourceFile};
use parse::ParseFailure;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Stack size of analysis threads: syn and the interpreter recurse per
/// nesting level, and real code sometimes nests deeply.
const STACK_SIZE: usize = 256 * 1024 * 1024;

/// What to analyze and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Files or directories. Empty: the Cargo workspace (see `workspace`).
    pub paths: Vec<PathBuf>,
    /// Workspace selection used when `paths` is empty.
    pub workspace: discover::WorkspaceOptions,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Only these rules (codes or slugs); empty: all.
    pub select: Vec<String>,
    /// Not these rules (codes or slugs).
    pub ignore: Vec<String>,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// Files analyzed (parsed or not).
    pub files: usize,
    /// Findings, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that did not parse.
    pub parse_failures: Vec<ParseFailure>,
    /// Paths that could not be read or walked.
    pub problems: Vec<Problem>,
    /// Findings silenced by suppressions.
    pub suppressed: usize,
    /// Spawn sites reached from constructors that the rules examined.
    pub constructor_spawns: usize,
    /// Wall time.
    pub elapsed: Duration,
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

/// Whether rule `code` is selected by `--select`/`--ignore` lists.
pub fn rule_selected(code: &str, select: &[String], ignore: &[String]) -> bool {
    let slug = rules::registry()
        .iter()
        .find(|r| r.code == code)
        .map(|r| r.slug.as_str())
        .unwrap_or_default();
    let matches = |s: &String| s.eq_ignore_ascii_case(code) || *s == slug;
    (select.is_empty() || select.iter().any(matches)) && !ignore.iter().any(matches)
}

/// Run the whole pipeline.
pub fn analyze(opts: &Options) -> Result<Report, Error> {
    let start = Instant::now();
    let (inputs, problems) = if opts.paths.is_empty() {
        discover::from_workspace(&opts.workspace).map_err(Error::Usage)?
    } else {
        discover::from_paths(&opts.paths)
    };
    for r in opts.select.iter().chain(&opts.ignore) {
        if !rules::registry()
            .iter()
            .any(|x| x.code.eq_ignore_ascii_case(r) || x.slug == *r)
        {
            return Err(Error::Usage(format!(
                "unknown rule `{r}` (see `cargo spawnlint --list-rules`)"
            )));
        }
    }
    if inputs.is_empty() {
        let what = if problems.is_empty() {
            "no Rust files found".to_string()
        } else {
            problems
                .iter()
                .map(|p| format!("{}: {}", p.path.display(), p.message))
                .collect::<Vec<_>>()
                .join("; ")
        };
        return Err(Error::NothingToAnalyze(what));
    }
    let mut report = analyze_inputs(&inputs, opts)?;
    report.problems = problems;
    report.elapsed = start.elapsed();
    Ok(report)
}

/// Run parse → facts → model → rules over discovered inputs.
pub fn analyze_inputs(inputs: &[Input], opts: &Options) -> Result<Report, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .stack_size(STACK_SIZE)
        .thread_name(|i| format!("spawnlint-{i}"))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
    let catalog = Catalog::builtin();
    pool.install(|| {
        let parsed: Vec<_> = inputs
            .par_iter()
            .map(|input| (input, parse::parse_file(&input.path)))
            .collect();
        let mut crate_ids: HashMap<PathBuf, u32> = HashMap::new();
        let mut files = Vec::new();
        let mut failures = Vec::new();
        for (input, result) in parsed {
            let next = crate_ids.len() as u32;
            let crate_id = *crate_ids.entry(input.crate_root.clone()).or_insert(next);
            match result {
                Ok(facts) => files.push(SourceFile {
                    path: input.path.clone(),
                    crate_id,
                    facts,
                }),
                Err(f) => failures.push(f),
            }
        }
        let model = Model::new(files);
        let ctors: Vec<_> = model
            .all_fns()
            .collect::<Vec<_>>()
            .into_par_iter()
            .filter_map(|f| model.constructed_type(f).map(|t| (f, t)))
            .filter(|(f, _)| model::may_spawn(&model, *f))
            .collect();
        let analyses: Vec<_> = ctors
            .into_iter()
            .map(|(f, t)| flow::analyze_constructor(&model, &catalog, f, t))
            .filter(|a| !a.spawns.is_empty())
            .collect();
        let constructor_spawns = analyses.iter().map(|a| a.spawns.len()).sum();
        if std::env::var_os("SPAWNLINT_TRACE_SPAWNS").is_some() {
            // Triage aid: every constructor spawn the rules examined.
            for a in &analyses {
                for s in &a.spawns {
                    let f = &model.files[s.loc.file as usize];
                    eprintln!(
                        "spawn {}:{} in {} (accesses: {}, joined: {})",
                        discover::display_path(&f.path),
                        s.loc.span.start.line,
                        model.func(a.ctor).name,
                        s.accesses.len(),
                        s.joined
                    );
                }
            }
        }
        // SL006/SL007 look at every spawned task, in any function: run each
        // function that spawns by itself.
        let tasks: Vec<_> = model
            .all_fns()
            .collect::<Vec<_>>()
            .into_par_iter()
            .filter(|f| {
                let krate = model.crate_of(f.file);
                model.func(*f).callees.iter().any(|c| {
                    c.name().contains("spawn")
                        || matches!(c, facts::Callee::Free(n) if model.is_spawn_macro(n, f.file) && krate == model.crate_of(f.file))
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|f| (f, flow::analyze_spawning_fn(&model, &catalog, f)))
            .filter(|(_, s)| s.iter().any(|s| !s.listens.is_empty()))
            .collect();
        let cx = rules::Context::new(&model, &catalog, &analyses, &tasks);
        let mut diagnostics =
            rules::run(&cx, &|code| rule_selected(code, &opts.select, &opts.ignore));
        diagnostic::sort(&mut diagnostics);
        drop(cx);
        drop(analyses);
        // Dropping every file's facts takes as long as a stage of its own:
        // do it on all cores.
        model.into_files().into_par_iter().for_each(drop);
        failures.sort_by(|a, b| a.file.cmp(&b.file));
        Ok(Report {
            files: inputs.len(),
            diagnostics,
            parse_failures: failures,
            constructor_spawns,
            ..Report::default()
        })
    })
}
