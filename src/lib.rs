//! cargo-spawnlint: finds premature task spawning in Rust source trees.
//!
//! The pipeline (see ARCHITECTURE.md): [`discover`] → [`parse`] (which runs
//! [`facts`] extraction and drops the AST) → [`model`] → [`rules`] →
//! [`diagnostic`] → [`render`]. [`analyze`] runs it end to end.

pub mod baseline;
pub mod catalog;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod facts;
pub mod fixes;
pub mod model;
pub mod parse;
pub mod render;
pub mod rules;
pub mod source;
pub mod suppress;

use catalog::Catalog;
use diagnostic::Diagnostic;
use discover::{Input, Problem};
use model::{flow, Model, SourceFile};
use parse::ParseFailure;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
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
    /// `--config FILE`: use this configuration for every crate instead of
    /// discovering `spawnlint.toml` / Cargo metadata (see [`config`]).
    pub config: Option<PathBuf>,
    /// `--baseline FILE`: report only findings not recorded in it.
    pub baseline: Option<PathBuf>,
    /// `--write-baseline FILE`: record every finding in it (nothing is
    /// reported as new).
    pub write_baseline: Option<PathBuf>,
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
    /// What `--baseline` / `--write-baseline` did, when given.
    pub baseline: Option<baseline::Outcome>,
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

/// Whether rule `code` is selected by `--select`/`--ignore` lists alone
/// (no configuration; see [`config::Config::rule_enabled`]).
pub fn rule_selected(code: &str, select: &[String], ignore: &[String]) -> bool {
    config::Config::default().rule_enabled(code, select, ignore)
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
        if config::rule_code(r).is_none() {
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
    let (configs, kept) = configure(inputs, opts)?;
    let loaded = match &opts.baseline {
        Some(path) => Some(baseline::Baseline::load(path).map_err(Error::Usage)?),
        None => None,
    };
    let catalogs: Vec<Catalog> = configs
        .iter()
        .map(|c| {
            let mut catalog = Catalog::builtin();
            catalog.extend(&c.extension);
            catalog
        })
        .collect();
    pool.install(|| {
        let parsed: Vec<_> = kept
            .par_iter()
            .map(|(input, group)| (*input, *group, parse::parse_file(&input.path)))
            .collect();
        let mut crate_ids: HashMap<PathBuf, u32> = HashMap::new();
        // Configuration group of each crate.
        let mut crate_group: Vec<usize> = Vec::new();
        let mut files = Vec::new();
        let mut failures = Vec::new();
        for (input, group, result) in parsed {
            let next = crate_ids.len() as u32;
            let crate_id = *crate_ids.entry(input.crate_root.clone()).or_insert(next);
            if crate_id == next {
                crate_group.push(group);
            }
            match result {
                Ok(facts) => files.push(SourceFile {
                    path: input.path.clone(),
                    crate_id,
                    facts,
                }),
                Err(f) => failures.push(f),
            }
        }
        let mut model = Model::new(files);
        model.spawn_words = configs
            .iter()
            .flat_map(|c| c.extension.spawn_words())
            .map(str::to_string)
            .collect();
        let group_of = |f: model::FnRef| crate_group[model.crate_of(f.file) as usize];
        let ctors: Vec<_> = model
            .all_fns()
            .collect::<Vec<_>>()
            .into_par_iter()
            .filter_map(|f| model.constructed_type(f).map(|t| (f, t)))
            .filter(|(f, _)| model::may_spawn(&model, *f))
            .collect();
        let analyses: Vec<_> = ctors
            .into_par_iter()
            .map(|(f, t)| flow::analyze_constructor(&model, &catalogs[group_of(f)], f, t))
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
                model
                    .func(*f)
                    .callees
                    .iter()
                    .any(|c| model::calls_spawner(&model, krate, c))
                    && model::may_listen(&model, *f)
            })
            .map(|f| {
                (
                    f,
                    flow::analyze_spawning_fn(&model, &catalogs[group_of(f)], f),
                )
            })
            .filter(|(_, s)| s.iter().any(|s| !s.listens.is_empty()))
            .collect();
        if std::env::var_os("SPAWNLINT_TRACE_SPAWNS").is_some() {
            // Triage aid: every task SL006/SL007 examined, with how it listens.
            for (f, sites) in &tasks {
                for s in sites.iter().filter(|s| !s.listens.is_empty()) {
                    let file = &model.files[s.loc.file as usize];
                    let kinds: Vec<String> = s
                        .listens
                        .iter()
                        .map(|l| format!("{:?} on `{}`", l.kind, l.name))
                        .collect();
                    eprintln!(
                        "task {}:{} in {} listens: {}",
                        discover::display_path(&file.path),
                        s.loc.span.start.line,
                        model.func(*f).name,
                        kinds.join("; ")
                    );
                }
            }
        }
        // The rules run once per configuration, over that configuration's
        // constructors and spawning functions, with its catalog and rule
        // selection.
        let mut groups: Vec<Vec<flow::CtorAnalysis>> = configs.iter().map(|_| Vec::new()).collect();
        for a in analyses {
            groups[group_of(a.ctor)].push(a);
        }
        let mut task_groups: Vec<Vec<_>> = configs.iter().map(|_| Vec::new()).collect();
        for t in tasks {
            task_groups[group_of(t.0)].push(t);
        }
        let mut diagnostics = Vec::new();
        for (g, cfg) in configs.iter().enumerate() {
            if groups[g].is_empty() && task_groups[g].is_empty() {
                continue;
            }
            let cx = rules::Context::new(&model, &catalogs[g], &groups[g], &task_groups[g]);
            let mut found = rules::run(&cx, &|code| {
                cfg.rule_enabled(code, &opts.select, &opts.ignore)
            });
            for d in &mut found {
                if let Some(sev) = cfg.severity_of(d.code) {
                    d.severity = sev;
                }
            }
            diagnostics.extend(found);
        }
        diagnostic::sort(&mut diagnostics);
        // A spawn reached from several constructors (through a helper they
        // share) is one finding per rule: the first, which says how many
        // functions reach it.
        diagnostic::merge_same_spawn(&mut diagnostics);
        drop(groups);
        let config_of =
            |fid: source::FileId| configs[crate_group[model.crate_of(fid) as usize]].clone();
        let suppressed = suppress::apply(&model, &mut diagnostics, &config_of, &|fid, code| {
            config_of(fid).rule_enabled(code, &opts.select, &opts.ignore)
        });
        let outcome = apply_baseline(
            &model,
            &mut diagnostics,
            opts,
            loaded.as_ref(),
            &|fid, code| config_of(fid).rule_enabled(code, &opts.select, &opts.ignore),
        )?;
        // Dropping every file's facts takes as long as a stage of its own:
        // do it on all cores.
        model.into_files().into_par_iter().for_each(drop);
        failures.sort_by(|a, b| a.file.cmp(&b.file));
        Ok(Report {
            files: kept.len(),
            diagnostics,
            parse_failures: failures,
            constructor_spawns,
            suppressed,
            baseline: outcome,
            ..Report::default()
        })
    })
}

/// The distinct configurations of a run, and the inputs kept with the index
/// of their configuration.
type Configured<'a> = (Vec<Arc<config::Config>>, Vec<(&'a Input, usize)>);

/// Each input's configuration (discovered per crate root, or `--config`),
/// dropping excluded and skipped test files: the distinct configurations,
/// and the kept inputs with the index of theirs.
fn configure<'a>(inputs: &'a [Input], opts: &Options) -> Result<Configured<'a>, Error> {
    let mut resolver = config::Resolver::new(opts.config.as_deref()).map_err(Error::Usage)?;
    let mut configs: Vec<Arc<config::Config>> = Vec::new();
    let mut kept = Vec::new();
    for input in inputs {
        let cfg = resolver
            .for_crate(&input.crate_root)
            .map_err(Error::Usage)?;
        if cfg.excludes(&input.path) || cfg.skips_test_file(&input.path, &input.crate_root) {
            continue;
        }
        let group = match configs.iter().position(|c| Arc::ptr_eq(c, &cfg)) {
            Some(g) => g,
            None => {
                configs.push(cfg);
                configs.len() - 1
            }
        };
        kept.push((input, group));
    }
    Ok((configs, kept))
}

/// `--write-baseline`: record every finding (none is left to report).
/// `--baseline`: drop recorded findings and count fixed entries among the
/// files analyzed and the rules that ran (`rule_ran(file, code)`).
fn apply_baseline(
    model: &Model,
    diagnostics: &mut Vec<Diagnostic>,
    opts: &Options,
    loaded: Option<&baseline::Baseline>,
    rule_ran: &dyn Fn(source::FileId, &str) -> bool,
) -> Result<Option<baseline::Outcome>, Error> {
    if let Some(path) = &opts.write_baseline {
        let keys = baseline::keys(model, diagnostics, path);
        let n = baseline::write(path, diagnostics, &keys).map_err(Error::Usage)?;
        diagnostics.clear();
        return Ok(Some(baseline::Outcome {
            matched: n,
            fixed: 0,
            written: Some((path.clone(), n)),
        }));
    }
    let Some(b) = loaded else {
        return Ok(None);
    };
    let keys = baseline::keys(model, diagnostics, &b.path);
    let base = baseline::base_dir(&b.path);
    let analyzed: HashMap<String, source::FileId> = model
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (baseline::relative(&f.path, &base), i as source::FileId))
        .collect();
    Ok(Some(b.apply(diagnostics, &keys, &|k| {
        analyzed
            .get(&k.file)
            .is_some_and(|fid| rule_ran(*fid, &k.rule))
    })))
}
