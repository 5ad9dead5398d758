//! Crate batches: the stages from parse to suppress run on a few crates at
//! a time, and each batch's facts are released before the next batch is
//! parsed, so a run holds the facts of one batch, not of the whole tree.
//!
//! Exact, not approximate: the model links files per crate and every
//! analysis pass looks up per crate, so a crate's findings depend on its
//! own files only (the cache relies on the same). A batch is whole crates,
//! in discovery order, gathered until it holds [`BATCH_BYTES`] of source —
//! enough to keep every core busy on small crates.

use super::*;

/// Source bytes a batch gathers before it is analyzed.
const BATCH_BYTES: usize = 4 << 20;

/// Per batch, the files it skips: those of other batches, and those whose
/// crate the cache answers for (`reused`). With `whole`, one batch.
pub(super) fn masks(
    configured: &Configured,
    sources: &SourceDb,
    reused: Option<&[bool]>,
    whole: bool,
) -> Vec<Vec<bool>> {
    let n = configured.files.len();
    let mut crates: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<&Path, usize> = HashMap::new();
    for (i, (input, _)) in configured.files.iter().enumerate() {
        let c = *index.entry(&input.crate_root).or_insert_with(|| {
            crates.push(Vec::new());
            crates.len() - 1
        });
        crates[c].push(i);
    }
    let size = |files: &[usize]| -> usize {
        files
            .iter()
            .map(|&i| sources.text(i as FileId).map_or(0, str::len))
            .sum()
    };
    let mut batches: Vec<Vec<usize>> = vec![Vec::new()];
    for files in crates {
        let last = batches.last_mut().expect("one batch at least");
        if !whole && !last.is_empty() && size(last) >= BATCH_BYTES {
            batches.push(files);
        } else {
            last.extend(files);
        }
    }
    batches
        .into_iter()
        .map(|files| {
            let mut skip = vec![true; n];
            for i in files {
                skip[i] = reused.is_some_and(|r| r[i]);
            }
            skip
        })
        .filter(|skip| skip.iter().any(|s| !s))
        .collect()
}

/// What a batch found, or all batches merged; with `--explain-site`, the one batch's
/// model and analysis, and its findings before suppression.
#[derive(Default)]
pub(super) struct Swept {
    pub diagnostics: Vec<Diagnostic>,
    pub incidents: Vec<Incident>,
    pub failures: Vec<ParseFailure>,
    pub suppressed: usize,
    pub suppressed_in: HashMap<FileId, usize>,
    pub spawns_in: HashMap<FileId, usize>,
    pub constructor_spawns: usize,
    /// The baseline item path of each finding, by file and line.
    pub items: HashMap<(FileId, u32), String>,
    pub kept: Option<(Linked, Analysis, Vec<Diagnostic>)>,
}

/// Run parse, link, analyze, check and suppress per batch, as many
/// batches at a time as there are worker threads (one batch alone leaves
/// cores idle between its stages), in order.
pub(super) fn sweep(
    configured: &Configured,
    sources: &Arc<SourceDb>,
    unread: &[Option<ParseFailure>],
    masks: Vec<Vec<bool>>,
    (selection, registry): (&Selection, &Registry),
    keep: bool,
) -> Swept {
    let mut out = Swept::default();
    let at_once = rayon::current_num_threads().max(1);
    for chunk in masks.chunks(at_once) {
        let done: Vec<Swept> = chunk
            .par_iter()
            .map(|skip| {
                batch(
                    configured,
                    sources,
                    unread,
                    skip,
                    (selection, registry),
                    keep,
                )
            })
            .collect();
        done.into_iter().for_each(|b| out.merge(b));
    }
    out
}

impl Swept {
    /// Add what another batch found (batches hold disjoint files).
    fn merge(&mut self, b: Swept) {
        self.diagnostics.extend(b.diagnostics);
        self.incidents.extend(b.incidents);
        self.failures.extend(b.failures);
        self.suppressed += b.suppressed;
        self.suppressed_in.extend(b.suppressed_in);
        self.spawns_in.extend(b.spawns_in);
        self.constructor_spawns += b.constructor_spawns;
        self.items.extend(b.items);
        if b.kept.is_some() {
            self.kept = b.kept;
        }
    }
}

/// One batch, its facts released before it returns.
fn batch(
    configured: &Configured,
    sources: &Arc<SourceDb>,
    unread: &[Option<ParseFailure>],
    skip: &[bool],
    (selection, registry): (&Selection, &Registry),
    keep: bool,
) -> Swept {
    let results = parse(configured, sources, unread, skip);
    let mut linked = link(results, Arc::clone(sources), configured);
    let analysis = analyze_model(&linked, configured);
    let (mut diagnostics, incidents) = check(&linked, configured, &analysis, selection);
    let found = keep.then(|| diagnostics.clone());
    let (suppressed, suppressed_in) =
        suppress(&linked, configured, selection, registry, &mut diagnostics);
    let items = diagnostics
        .iter()
        .map(|d| {
            let line = d.span.start.line;
            (
                (d.file, line),
                baseline::item_path(&linked.model, d.file, line),
            )
        })
        .collect();
    let mut failures = std::mem::take(&mut linked.failures);
    // Each parsed body syn rejects (every body with `--check-syntax`):
    // what the default reports is then a subset of what a full parse does.
    for (file, f) in linked.model.files.iter().enumerate() {
        failures.extend(crate::parse::body_errors(file as FileId, &f.facts));
    }
    let (spawns_in, constructor_spawns) = (
        analysis.constructor_spawns_in(),
        analysis.constructor_spawns,
    );
    let kept = match found {
        Some(found) => Some((linked, analysis, found)),
        None => {
            release(linked, analysis);
            None
        }
    };
    Swept {
        diagnostics,
        incidents,
        failures,
        suppressed,
        suppressed_in,
        spawns_in,
        constructor_spawns,
        items,
        kept,
    }
}

/// Free a batch's facts where they were made: on the worker threads, in
/// parallel, before the next batch is parsed (memory freed by another
/// thread than the one that allocated it is slower to free and to reuse).
fn release(linked: Linked, analysis: Analysis) {
    let Linked {
        model,
        suppressions,
        ..
    } = linked;
    drop((suppressions, analysis));
    model.into_files().into_par_iter().for_each(drop);
}
