//! The pipeline: each stage a function with a typed output, data flowing
//! one way.
//!
//! discover → configure → parse → link (model) → analyze → check (rules)
//! → suppress → baseline → report.

use crate::analysis::guard::CutReason;
use crate::analysis::{self, Analysis};
use crate::baseline::{self, Baseline};
use crate::cache;
use crate::catalog::Catalog;
use crate::config::{self, Config};
use crate::diagnostic::{self, Diagnostic};
use crate::discover::{self, Input, Problem};
use crate::model::reach::Reach;
use crate::model::{self, FnRef, Model};
use crate::parse::{self, ParseFailure, Parsed};
use crate::report::{Incident, Package, Report};
use crate::rule::{Registry, RuleId};
use crate::rules::{self, unused_suppression};
use crate::source::{display_path, FileEntry, FileId, SourceDb};
use crate::suppress::{Filter, Marks, Suppression};
use crate::{Error, Options};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

mod batches;
mod reuse;
mod show;
use reuse::cache_plan;
pub use show::{files, settings, ShownFile};

/// Stack size of analysis threads. syn recurses per nesting level; the
/// pre-scan (`parse::nesting`) bounds the level, and at that bound the
/// deepest construct needs 14.6 MiB in a release build and 89 MiB in a
/// debug one (`cargo run --release --example stack_probe`, BENCHMARKS.md):
/// about four times that, reserved, not committed.
const STACK_SIZE: usize = if cfg!(debug_assertions) { 384 } else { 64 } * 1024 * 1024;

/// Most worker threads a run starts, whatever `-j` says: beyond the cores
/// they only add memory (each reserves `STACK_SIZE`) and contention.
pub const MAX_THREADS: usize = 64;

/// Run the whole pipeline.
pub fn analyze(opts: &Options) -> Result<Report, Error> {
    let start = Instant::now();
    let registry = rules::registry();
    let selection = Selection::new(opts, registry)?;
    let mut found = discover(opts)?;
    let reported = found.reported.take();
    let pool = worker_pool(opts.threads)?;
    let configured = configure(&found.inputs, opts, registry)?;
    let loaded = match &opts.baseline {
        Some(path) => Some(Baseline::load(path, &opts.root).map_err(Error::Usage)?),
        None => None,
    };
    let mut report = pool.install(|| {
        let (sources, unread) = read(&configured);
        let plan = cache_plan(opts, &configured, &sources);
        let reused_files = plan.as_ref().map(|(_, p)| &p.reused[..]);
        let explaining = opts.explain_site.is_some();
        // `--exhaustive` takes every crate in one batch too.
        let whole = explaining || configured.exhaustive;
        let masks = batches::masks(&configured, &sources, reused_files, whole);
        // Several batches: each reads its own texts and drops them after.
        let held = batches::Held::new(sources, masks.len(), &configured);
        let swept = batches::sweep(
            &configured,
            &held,
            &unread,
            masks,
            (&selection, registry),
            explaining,
        );
        let batches::Swept {
            mut diagnostics,
            mut incidents,
            failures,
            mut suppressed,
            suppressed_in,
            spawns_in,
            mut constructor_spawns,
            mut items,
            kept,
            texts: shown,
        } = swept;
        let reused = plan.map(|(settings, plan)| {
            let item_of = |f: FileId, line: u32| items.get(&(f, line)).cloned().unwrap_or_default();
            let fresh = cache::Fresh {
                diagnostics: &diagnostics,
                incidents: &incidents,
                failures: &failures,
                suppressed_in: &suppressed_in,
                spawns_in: &spawns_in,
                item_of: &item_of,
                complete: incidents.iter().all(|i| i.file.is_some()),
            };
            plan.finish(settings, &fresh)
        });
        let reused = reused.unwrap_or_default();
        let shown_by: Vec<&Diagnostic> = diagnostics.iter().chain(&reused.diagnostics).collect();
        let sources = held.finish(&configured, shown, &shown_by);
        // The later stages need only the files' crates, texts and failures.
        let (mut linked, explained) = match kept {
            Some((linked, analysis, found)) => (linked, Some((analysis, found))),
            None => {
                let results = (0..sources.len()).map(|_| Ok(Parsed::default())).collect();
                (link(results, Arc::clone(&sources), &configured), None)
            }
        };
        linked.failures = failures;
        diagnostics.extend(reused.diagnostics);
        diagnostic::sort(&mut diagnostics, &linked.sources);
        incidents.extend(reused.incidents);
        incidents.sort_by_key(|i| (i.file, i.line, i.column));
        linked.failures.extend(reused.failures);
        suppressed += reused.suppressed;
        constructor_spawns += reused.constructor_spawns;
        items.extend(reused.items);
        if let Some(given) = &reported {
            // `--crate-context`: findings in the given files only.
            diagnostics.retain(|d| given.contains(&linked.sources.entry(d.file).path));
        }
        let item_of = |f: FileId, line: u32| items.get(&(f, line)).cloned().unwrap_or_default();
        let outcome = apply_baseline(
            &linked,
            &configured,
            &selection,
            (opts, &item_of),
            loaded.as_ref(),
            reported.as_deref(),
            &mut diagnostics,
        )?;
        let failing = count_failing(&linked, &configured, opts, &diagnostics);
        let sites = match (&opts.explain_site, &explained) {
            (Some(site), Some((analysis, found))) => explain_site(
                &linked,
                &configured,
                analysis,
                site,
                opts,
                found,
                &diagnostics,
            ),
            _ => Vec::new(),
        };
        drop(explained);
        let mut report = assemble(linked, diagnostics, suppressed, outcome);
        report.constructor_spawns = constructor_spawns;
        report.cache_warning = reused.warning;
        report.failing = failing;
        report.site_explanations = sites;
        report.incidents = incidents;
        Ok::<_, Error>(report)
    })?;
    report.problems = found.problems;
    report.elapsed = start.elapsed();
    Ok(report)
}

/// The worker threads: `threads` of them (0: one per core), at most
/// [`MAX_THREADS`]; when the system refuses that many (an address-space
/// limit), as many as it allows, down to one.
fn worker_pool(threads: usize) -> Result<rayon::ThreadPool, Error> {
    let mut n = threads.min(MAX_THREADS);
    loop {
        let built = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("spawnlint-{i}"))
            .build();
        match built {
            Ok(pool) => return Ok(pool),
            Err(_) if n != 1 => n = if n == 0 { 1 } else { n / 2 },
            Err(e) => return Err(Error::Usage(format!("cannot start a worker thread: {e}"))),
        }
    }
}

/// The rules chosen on the command line.
struct Selection {
    select: Vec<RuleId>,
    ignore: Vec<RuleId>,
}

impl Selection {
    fn new(opts: &Options, registry: &Registry) -> Result<Selection, Error> {
        let resolve = |names: &[String]| -> Result<Vec<RuleId>, Error> {
            let mut ids = Vec::new();
            for name in names {
                let found = registry.select(name).ok_or_else(|| {
                    Error::Usage(format!(
                        "unknown rule `{name}`{} (see `cargo spawnlint --list-rules`)",
                        registry.did_you_mean(name)
                    ))
                })?;
                ids.extend(found);
            }
            Ok(ids)
        };
        Ok(Selection {
            select: resolve(&opts.select)?,
            ignore: resolve(&opts.ignore)?,
        })
    }

    /// Whether `rule` runs under configuration `cfg`.
    fn enabled(&self, cfg: &Config, rule: RuleId) -> bool {
        cfg.rule_enabled(rule, &self.select, &self.ignore)
    }
}

// ----- discover ---------------------------------------------------------

/// What discovery found.
struct Discovered {
    inputs: Vec<Input>,
    problems: Vec<Problem>,
    /// With `--crate-context`: the files findings are reported for (the
    /// others are context).
    reported: Option<Vec<std::path::PathBuf>>,
}

/// Stage 1: the files to analyze, from paths or the Cargo workspace.
fn discover(opts: &Options) -> Result<Discovered, Error> {
    if let Some((path, _)) = &opts.stdin {
        return Ok(Discovered {
            inputs: vec![discover::stdin_input(path, &opts.root)],
            problems: Vec::new(),
            reported: None,
        });
    }
    let mut reported = None;
    let (inputs, problems) = if opts.paths.is_empty() {
        discover::from_workspace(&opts.workspace, &opts.root).map_err(Error::Usage)?
    } else if opts.crate_context {
        let (inputs, problems, given) = discover::with_owning_crates(&opts.paths, &opts.root);
        reported = Some(given);
        (inputs, problems)
    } else {
        discover::from_paths(&opts.paths, &opts.root)
    };
    if inputs.is_empty() {
        let what = if problems.is_empty() {
            "no Rust files found".to_string()
        } else {
            problems
                .iter()
                .map(|p| format!("{}: {}", p.display, p.message))
                .collect::<Vec<_>>()
                .join("; ")
        };
        return Err(Error::NothingToAnalyze(what));
    }
    Ok(Discovered {
        inputs,
        problems,
        reported,
    })
}

// ----- configure --------------------------------------------------------

/// Each kept file with its configuration group, and each group's
/// configuration and catalog.
struct Configured<'a> {
    root: &'a Path,
    /// Largest source file analyzed, in bytes.
    max_file_size: u64,
    /// `--exhaustive`: data tables are parsed too.
    exhaustive: bool,
    /// How files are parsed (`--exhaustive`, `--check-syntax`).
    parse_mode: parse::Mode,
    /// Per file (by id): the tokio version its crate's `Cargo.lock` pins.
    tokio: Vec<Option<(u64, u64)>>,
    /// With `--stdin-filename`, the text of the run's one file.
    stdin: Option<&'a str>,
    /// Texts that replace files on disk ([`Options::overlay`]).
    overlay: &'a HashMap<std::path::PathBuf, Arc<str>>,
    configs: Vec<Arc<Config>>,
    catalogs: Vec<Catalog>,
    files: Vec<(&'a Input, usize)>,
}

/// Stage 2: each input's configuration (discovered per crate root, or
/// `--config`), dropping excluded and skipped test files.
fn configure<'a>(
    inputs: &'a [Input],
    opts: &'a Options,
    registry: &Registry,
) -> Result<Configured<'a>, Error> {
    let cx = config::ParseContext {
        registry,
        root: &opts.root,
    };
    let mut resolver = config::Resolver::new(opts.config.as_deref(), cx).map_err(Error::Usage)?;
    let mut configs: Vec<Arc<Config>> = Vec::new();
    let mut files = Vec::new();
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
        files.push((input, group));
    }
    // Configuration reaches the analysis only through the catalog.
    let catalogs = configs
        .iter()
        .map(|c| {
            let mut catalog = Catalog::builtin();
            catalog.extend(&c.extension);
            catalog
        })
        .collect();
    Ok(Configured {
        root: &opts.root,
        max_file_size: opts
            .max_file_size
            .unwrap_or(crate::files::DEFAULT_MAX_SOURCE_BYTES),
        exhaustive: opts.exhaustive,
        parse_mode: parse::Mode {
            blank_tables: !opts.exhaustive,
            force_bodies: opts.exhaustive || opts.check_syntax,
        },
        tokio: {
            let mut locks = HashMap::new();
            files
                .iter()
                .map(|(input, _)| discover::tokio_version(&input.crate_root, &mut locks))
                .collect()
        },
        stdin: opts.stdin.as_ref().map(|(_, text)| text.as_str()),
        overlay: &opts.overlay,
        configs,
        catalogs,
        files,
    })
}

// ----- parse ------------------------------------------------------------

/// Stage 3a: read every kept file, in parallel, into the run's
/// `SourceDb` (file ids are the files' positions in discovery order), with
/// the reason a file could not be read, by id.
fn read(configured: &Configured) -> (SourceDb, Vec<Option<ParseFailure>>) {
    // Each text becomes its `Arc` on the worker that read it, so the copy
    // runs in parallel instead of on the main thread.
    let texts: Vec<Result<Arc<str>, ParseFailure>> = configured
        .files
        .par_iter()
        .enumerate()
        .map(
            |(i, (input, _))| match (configured.stdin, configured.overlay.get(&input.path)) {
                (Some(text), _) => Ok(Arc::from(text)),
                (None, Some(text)) => Ok(Arc::clone(text)),
                (None, None) => {
                    parse::read_source(&input.path, i as FileId, configured.max_file_size)
                        .map(Arc::from)
                }
            },
        )
        .collect();
    let mut sources = SourceDb::default();
    let mut unread = Vec::with_capacity(texts.len());
    for ((input, _), text) in configured.files.iter().zip(texts) {
        let (text, failure) = match text {
            Ok(t) => (Some(t), None),
            Err(f) => (None, Some(f)),
        };
        sources.add(FileEntry::new(
            input.path.clone(),
            display_path(&input.path, configured.root),
            input.crate_root.clone(),
            text,
        ));
        unread.push(failure);
    }
    (sources, unread)
}

/// Stage 3b: parse the files `skip` does not mark (another batch's, or
/// reused from the cache), in parallel; the others get no facts and no
/// failure here.
fn parse(
    configured: &Configured,
    sources: &SourceDb,
    unread: &[Option<ParseFailure>],
    skip: &[bool],
) -> Vec<Result<Parsed, ParseFailure>> {
    (0..sources.len())
        .into_par_iter()
        .map(|i| {
            let id = i as FileId;
            match (sources.entry(id).text.as_ref(), &unread[i]) {
                _ if skip[i] => Ok(Parsed::default()),
                (Some(t), _) => parse::parse_source_as(id, t, configured.parse_mode),
                (None, Some(f)) => Err(f.clone()),
                (None, None) => Ok(Parsed::default()),
            }
        })
        .collect()
}

// ----- link -------------------------------------------------------------

/// The linked model, with what the later stages need beside it.
struct Linked {
    model: Model,
    sources: Arc<SourceDb>,
    suppressions: Vec<Vec<Suppression>>,
    failures: Vec<ParseFailure>,
    /// Configuration group of each crate.
    crate_group: Vec<usize>,
}

/// Stage 4: link the files of each crate into the model. Files that did
/// not parse keep their id with the facts of the items that parse (none
/// when the text does not even tokenize).
fn link(
    results: Vec<Result<Parsed, ParseFailure>>,
    sources: Arc<SourceDb>,
    configured: &Configured,
) -> Linked {
    let mut crate_ids: HashMap<std::path::PathBuf, u32> = HashMap::new();
    let mut crate_group = Vec::new();
    let mut files = Vec::with_capacity(results.len());
    let mut suppressions = Vec::with_capacity(results.len());
    let mut failures = Vec::new();
    let groups = configured.files.iter().map(|(_, g)| *g);
    for (((_, entry), result), group) in sources.iter().zip(results).zip(groups) {
        let next = crate_ids.len() as u32;
        let crate_id = *crate_ids.entry(entry.crate_root.clone()).or_insert(next);
        if crate_id == next {
            crate_group.push(group);
        }
        let mut p = result.unwrap_or_else(|f| {
            failures.push(f);
            Parsed::default()
        });
        // A file syn rejects is still reported, with the facts of the items
        // that parse.
        failures.extend(p.syntax_error.take());
        files.push(model::SourceFile {
            path: entry.path.clone(),
            crate_id,
            facts: p.facts,
        });
        suppressions.push(p.suppressions);
    }
    Linked {
        model: Model::new(files),
        sources,
        suppressions,
        failures,
        crate_group,
    }
}

impl Linked {
    /// The configuration group of the file `f` belongs to.
    fn group_of_file(&self, file: FileId) -> usize {
        self.crate_group[self.model.crate_of(file) as usize]
    }
}

// ----- analyze ----------------------------------------------------------

/// Stage 5: run the interpreter over the functions worth it.
fn analyze_model(linked: &Linked, configured: &Configured) -> Analysis {
    let spawn_words = configured
        .configs
        .iter()
        .flat_map(|c| c.extension.spawn_words())
        .map(str::to_string)
        .collect();
    let mut listen_words = std::collections::HashSet::new();
    for cat in &configured.catalogs {
        listen_words.extend(cat.subscribe_methods.iter().cloned());
        listen_words.extend(cat.sem.listen_starts.iter().cloned());
    }
    let reach = Reach::compute(
        &linked.model,
        spawn_words,
        &listen_words,
        analysis::CALL_DEPTH,
    );
    let group_of = |f: FnRef| linked.group_of_file(f.file);
    analysis::run(&linked.model, &reach, &configured.catalogs, &group_of)
}

// ----- check ------------------------------------------------------------

/// Stage 6: the rules, once per configuration group, with its catalog,
/// rule selection and severity overrides; sorted, one finding per rule
/// and spawn.
fn check(
    linked: &Linked,
    configured: &Configured,
    analysis: &Analysis,
    selection: &Selection,
) -> (Vec<Diagnostic>, Vec<Incident>) {
    let mut diagnostics = Vec::new();
    let mut incidents = cut_incidents(linked, analysis);
    for (g, cfg) in configured.configs.iter().enumerate() {
        let group = &analysis.groups[g];
        if group.is_empty() {
            continue;
        }
        let cx = rules::Context {
            model: &linked.model,
            catalog: &configured.catalogs[g],
            analysis: group,
            notify_waiters: &analysis.notify_waiters,
            sources: &linked.sources,
            tokio: &configured.tokio,
        };
        let (mut found, panics) = rules::run(&cx, &|rule| selection.enabled(cfg, rule));
        incidents.extend(panics.iter().map(rule_incident));
        for d in &mut found {
            if let Some(sev) = cfg.severity_of(d.rule) {
                d.severity = sev;
            }
        }
        diagnostics.extend(found);
    }
    diagnostic::sort(&mut diagnostics, &linked.sources);
    // A spawn reached from several constructors (through a helper they
    // share) is one finding per rule: the first, which says how many
    // functions reach it.
    diagnostic::merge_same_spawn(&mut diagnostics);
    (diagnostics, incidents)
}

/// The functions whose analysis did not finish, as incidents.
fn cut_incidents(linked: &Linked, analysis: &Analysis) -> Vec<Incident> {
    analysis
        .cuts
        .iter()
        .map(|cut| {
            let func = linked.model.func(cut.function);
            let name = linked.model.fn_name(cut.function);
            let message = match &cut.reason {
                CutReason::Budget => format!(
                    "the analysis of `{name}` stopped at its step budget; findings it would reach may be missing"
                ),
                CutReason::Panic(m) => format!(
                    "internal error while analyzing `{name}` ({m}); its findings are missing"
                ),
            };
            let at = func.name_span.start;
            Incident {
                file: Some(cut.function.file),
                line: at.line,
                column: at.column + 1,
                message,
            }
        })
        .collect()
}

/// A rule that panicked, as an incident.
fn rule_incident(p: &rules::RulePanic) -> Incident {
    let rule = p.rule;
    Incident {
        file: None,
        line: 0,
        column: 0,
        message: format!(
            "internal error in rule {} ({}): {}; its findings are missing",
            rule.code(),
            rule.slug(),
            p.message
        ),
    }
}

// ----- suppress ---------------------------------------------------------

/// Stage 7: drop suppressed findings and findings in excluded test code,
/// and report unused or malformed suppressions (SL900). Returns how many
/// findings were suppressed, in all and per file.
fn suppress(
    linked: &Linked,
    configured: &Configured,
    selection: &Selection,
    registry: &Registry,
    diagnostics: &mut Vec<Diagnostic>,
) -> (usize, HashMap<FileId, usize>) {
    let config_of = |file: FileId| &configured.configs[linked.group_of_file(file)];
    let marks: HashMap<FileId, Marks> = linked
        .sources
        .iter()
        .filter_map(|(id, _)| {
            let sups = &linked.suppressions[id as usize];
            let tests = &linked.model.files[id as usize].facts.items.test_ranges;
            (!sups.is_empty() || !tests.is_empty()).then(|| {
                (
                    id,
                    Marks {
                        suppressions: sups,
                        test_ranges: tests,
                        include_tests: config_of(id).include_tests,
                    },
                )
            })
        })
        .collect();
    if marks.is_empty() {
        return (0, HashMap::new());
    }
    let mut filter = Filter::new(marks, registry);
    filter.apply(diagnostics);
    let sl900 = unused_suppression::RULE.id();
    let mut extra = Vec::new();
    let mut files: Vec<_> = filter.files().collect();
    files.sort_by_key(|(id, _)| *id);
    for (id, marks) in files {
        let cfg = config_of(id);
        if !selection.enabled(cfg, sl900) {
            continue;
        }
        let file = unused_suppression::File {
            id,
            display: linked.sources.display(id),
            stable: linked.sources.stable(id),
            text: linked.sources.indexed(id),
        };
        let used = filter.used(id);
        let ran = |rule: RuleId| selection.enabled(cfg, rule);
        let mut found = unused_suppression::check(file, marks.suppressions, &used, &ran, registry);
        if let Some(sev) = cfg.severity_of(sl900) {
            found.iter_mut().for_each(|d| d.severity = sev);
        }
        extra.extend(found);
    }
    filter.apply(&mut extra);
    diagnostics.extend(extra);
    diagnostic::sort(diagnostics, &linked.sources);
    (filter.suppressed, filter.suppressed_in)
}

// ----- baseline ---------------------------------------------------------

/// Stage 8. `--write-baseline`: record every finding (none is left to
/// report). `--baseline`: drop recorded findings and count fixed entries
/// among the files analyzed and the rules that ran.
fn apply_baseline(
    linked: &Linked,
    configured: &Configured,
    selection: &Selection,
    (opts, item_of): (&Options, &dyn Fn(FileId, u32) -> String),
    loaded: Option<&Baseline>,
    reported: Option<&[std::path::PathBuf]>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Option<baseline::Outcome>, Error> {
    let root = &opts.root;
    if let Some(path) = &opts.write_baseline {
        let keys = baseline::keys(item_of, &linked.sources, diagnostics, path, root);
        let n = baseline::write(path, root, diagnostics, &keys).map_err(Error::Usage)?;
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
    let keys = baseline::keys(item_of, &linked.sources, diagnostics, &b.path, root);
    let base = baseline::base_dir(&b.path, root);
    // A file that did not parse has no findings, but nothing was fixed.
    let unparsed: std::collections::HashSet<FileId> =
        linked.failures.iter().map(|f| f.file).collect();
    // With `--crate-context`, context files report nothing: nothing in
    // them was fixed either.
    let analyzed: HashMap<String, FileId> = linked
        .sources
        .iter()
        .filter(|(id, _)| !unparsed.contains(id))
        .filter(|(_, f)| reported.map_or(true, |r| r.contains(&f.path)))
        .map(|(id, f)| (baseline::relative(&f.path, &base, root), id))
        .collect();
    let registry = rules::registry();
    Ok(Some(b.apply(diagnostics, &keys, &|k| {
        let Some(&id) = analyzed.get(&k.file) else {
            return false;
        };
        let cfg = &configured.configs[linked.group_of_file(id)];
        registry
            .find(&k.rule)
            .is_some_and(|rule| selection.enabled(cfg, rule))
    })))
}

/// `--explain-site`: every spawn the analysis saw on that line, explained.
fn explain_site(
    linked: &Linked,
    configured: &Configured,
    analysis: &Analysis,
    (path, line): &(std::path::PathBuf, u32),
    opts: &Options,
    found: &[Diagnostic],
    reported: &[Diagnostic],
) -> Vec<String> {
    let wanted = crate::source::absolute(path, &opts.root);
    let Some((file, _)) = linked
        .sources
        .iter()
        .find(|(_, f)| crate::source::absolute(&f.path, Path::new("")) == wanted)
    else {
        return Vec::new();
    };
    let g = linked.group_of_file(file);
    let cx = rules::Context {
        model: &linked.model,
        catalog: &configured.catalogs[g],
        analysis: &analysis.groups[g],
        notify_waiters: &analysis.notify_waiters,
        sources: &linked.sources,
        tokio: &configured.tokio,
    };
    let outcome = rules::why::Outcome { reported, found };
    rules::why::explain(&cx, file, *line, &outcome)
}

/// How many findings reach the confidence that fails the run: the
/// command line's minimum, else each file's configuration's.
fn count_failing(
    linked: &Linked,
    configured: &Configured,
    opts: &Options,
    diagnostics: &[Diagnostic],
) -> usize {
    diagnostics
        .iter()
        .filter(|d| {
            let min = opts
                .min_confidence
                .unwrap_or_else(|| configured.configs[linked.group_of_file(d.file)].min_confidence);
            let severe = opts.fail_on.map_or(true, |least| d.severity <= least);
            d.confidence.reaches(min) && severe
        })
        .count()
}

// ----- report -----------------------------------------------------------

/// Stage 9: the report, with the package of every file it names.
fn assemble(
    linked: Linked,
    diagnostics: Vec<Diagnostic>,
    suppressed: usize,
    outcome: Option<baseline::Outcome>,
) -> Report {
    let Linked {
        sources,
        mut failures,
        ..
    } = linked;
    failures.sort_by_key(|f| f.file);
    let mut packages: HashMap<FileId, Package> = HashMap::new();
    let mut by_dir: HashMap<std::path::PathBuf, Package> = HashMap::new();
    let named = diagnostics
        .iter()
        .map(|d| d.file)
        .chain(failures.iter().map(|f| f.file));
    for file in named {
        let abs = crate::source::absolute(&sources.entry(file).path, Path::new(""));
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let p = by_dir
            .entry(dir.clone())
            .or_insert_with(|| Package::find(&dir))
            .clone();
        packages.insert(file, p);
    }
    let mut report = Report::new(rules::registry());
    report.files = sources.len();
    // The batches have let go of theirs: this is the last handle.
    report.sources = Arc::try_unwrap(sources).unwrap_or_else(|shared| (*shared).clone());
    report.diagnostics = diagnostics;
    report.parse_failures = failures;
    report.suppressed = suppressed;
    report.baseline = outcome;
    report.packages = packages;
    report
}
