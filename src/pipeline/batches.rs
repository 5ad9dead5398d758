//! Crate batches: the stages from parse to suppress run on a few crates at
//! a time, and each batch's facts are released before the next batch is
//! parsed, so a run holds the facts of one batch, not of the whole tree.
//! With several batches, each reads its own files' texts and drops them
//! after; only the texts its findings show are kept for the renderers.
//!
//! Exact, not approximate: the model links files per crate and every
//! analysis pass looks up per crate, so a crate's findings depend on its
//! own files only (the cache relies on the same). A batch is whole crates,
//! in discovery order, gathered until it holds [`BATCH_BYTES`] of source —
//! enough to keep every core busy on small crates.

use super::*;

/// Source bytes a batch gathers before it is analyzed: small, so a run
/// holds little more than the facts and texts of the few batches in
/// flight (512 KiB: tikv peaks at 68 MiB instead of 106 at 4 MiB, in the
/// same time; BENCHMARKS.md, "Crate batches").
const BATCH_BYTES: usize = 1 << 19;

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
    /// With texts read per batch: the texts of the files the findings
    /// show (see [`Held::PerBatch`]).
    pub texts: Vec<(FileId, Arc<str>)>,
}

/// Run parse, link, analyze, check and suppress per batch, the batches
/// handed to the worker threads one at a time (no barrier between groups
/// of batches: a thread that finishes takes the next), merged in order.
pub(super) fn sweep(
    configured: &Configured,
    sources: &Held,
    unread: &[Option<ParseFailure>],
    masks: Vec<Vec<bool>>,
    (selection, registry): (&Selection, &Registry),
    keep: bool,
) -> Swept {
    let mut out = Swept::default();
    let done: Vec<Swept> = masks
        .par_iter()
        .with_max_len(1)
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
        self.texts.extend(b.texts);
        if b.kept.is_some() {
            self.kept = b.kept;
        }
    }
}

/// One batch, its facts released before it returns.
fn batch(
    configured: &Configured,
    sources: &Held,
    unread: &[Option<ParseFailure>],
    skip: &[bool],
    (selection, registry): (&Selection, &Registry),
    keep: bool,
) -> Swept {
    let per_batch = matches!(sources, Held::PerBatch(..));
    let (sources, mut reread_failures) = batch_sources(configured, sources, skip);
    let results = parse(configured, &sources, unread, skip);
    let mut linked = link(results, Arc::clone(&sources), configured);
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
    failures.append(&mut reread_failures);
    // Each parsed body syn rejects (every body with `--check-syntax`):
    // what the default reports is then a subset of what a full parse does.
    for (file, f) in linked.model.files.iter().enumerate() {
        failures.extend(crate::parse::body_errors(file as FileId, &f.facts));
    }
    let (spawns_in, constructor_spawns) = (
        analysis.constructor_spawns_in(),
        analysis.constructor_spawns,
    );
    let texts = if per_batch {
        shown_texts(&sources, &diagnostics)
    } else {
        Vec::new()
    };
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
        texts,
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

/// The batch's view of the sources, and the files that could not be read
/// again: shared, or the skeleton with this batch's texts read from disk.
fn batch_sources(
    configured: &Configured,
    held: &Held,
    skip: &[bool],
) -> (Arc<SourceDb>, Vec<ParseFailure>) {
    let (skeleton, reread) = match held {
        Held::Shared(db) => return (Arc::clone(db), Vec::new()),
        Held::PerBatch(skeleton, reread) => (skeleton, reread),
    };
    let read: Vec<(usize, Result<String, ParseFailure>)> = (0..skeleton.len())
        .into_par_iter()
        .filter(|&i| !skip[i] && reread[i])
        .map(|i| {
            let path = &configured.files[i].0.path;
            (
                i,
                parse::read_source(path, i as FileId, configured.max_file_size),
            )
        })
        .collect();
    let mut db = SourceDb::clone(skeleton);
    let mut failures = Vec::new();
    for (i, text) in read {
        match text {
            Ok(t) => db.set_text(i as FileId, Arc::from(t)),
            Err(f) => failures.push(f),
        }
    }
    (Arc::new(db), failures)
}

/// The texts of every file a finding shows: its own, its labels', its
/// fixes' edits'.
fn shown_texts(sources: &SourceDb, diagnostics: &[Diagnostic]) -> Vec<(FileId, Arc<str>)> {
    let mut files: Vec<FileId> = shown_files(diagnostics).collect();
    files.sort_unstable();
    files.dedup();
    files
        .into_iter()
        .filter_map(|f| Some((f, sources.entry(f).text.clone()?)))
        .collect()
}

/// The files the findings show, with repeats.
fn shown_files<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic> + 'a,
) -> impl Iterator<Item = FileId> + 'a {
    diagnostics.into_iter().flat_map(|d| {
        std::iter::once(d.file)
            .chain(d.labels.iter().map(|l| l.file))
            .chain(d.fixes.iter().flat_map(|f| f.edits.iter().map(|e| e.file)))
    })
}

/// The run's sources while the batches run.
pub(super) enum Held {
    /// One batch: every text read once and kept for the whole run.
    Shared(Arc<SourceDb>),
    /// Texts read again for each batch and dropped after it, so a run
    /// holds the texts of the batches in flight rather than of the whole
    /// tree: the skeleton keeps only the texts that cannot be read again
    /// (stdin, an overlay), and per file whether it is read from disk.
    PerBatch(SourceDb, Vec<bool>),
}

impl Held {
    /// With several batches, texts read from disk (not stdin, not an
    /// overlay) are dropped now and read again by their batch; else all
    /// are kept.
    pub(super) fn new(sources: SourceDb, batches: usize, configured: &Configured) -> Held {
        if batches <= 1 {
            return Held::Shared(Arc::new(sources));
        }
        // A file that could not be read has no text to read again.
        let reread: Vec<bool> = (configured.files.iter().enumerate())
            .map(|(f, (input, _))| {
                configured.stdin.is_none()
                    && !configured.overlay.contains_key(&input.path)
                    && sources.text(f as FileId).is_some()
            })
            .collect();
        let skeleton = sources.without_texts(|f| !reread[f as usize]);
        Held::PerBatch(skeleton, reread)
    }

    /// The sources the later stages read (baseline, renderers, `--fix`):
    /// all of them, or the skeleton with the texts the batches kept and
    /// those of files the findings show that no batch read (their findings
    /// came from the cache) read again. A file that can no longer be read
    /// keeps no text: its findings are shown without source lines.
    pub(super) fn finish(
        self,
        configured: &Configured,
        kept: Vec<(FileId, Arc<str>)>,
        diagnostics: &[&Diagnostic],
    ) -> Arc<SourceDb> {
        let mut db = match self {
            Held::Shared(db) => return db,
            Held::PerBatch(skeleton, _) => skeleton,
        };
        for (f, text) in kept {
            db.set_text(f, text);
        }
        let mut missing: Vec<FileId> = shown_files(diagnostics.iter().copied())
            .filter(|&f| db.text(f).is_none())
            .collect();
        missing.sort_unstable();
        missing.dedup();
        for f in missing {
            let path = &configured.files[f as usize].0.path;
            if let Ok(t) = parse::read_source(path, f, configured.max_file_size) {
                db.set_text(f, Arc::from(t));
            }
        }
        Arc::new(db)
    }
}
