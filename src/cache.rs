//! Re-runs that cost nothing: each crate's findings, kept under the target
//! directory (`target/spawnlint/`, or `$CARGO_TARGET_DIR/spawnlint/`) and
//! keyed on the analyzer's build, the crate's effective configuration, the
//! rules selected, and every file's path and content. A crate whose key
//! matches is neither parsed nor analyzed again.
//!
//! Reuse is exact, not approximate: the model links files per crate and
//! every analysis pass keys its lookups by crate, so a crate's findings
//! depend on its own files only — an edit re-analyzes the crate that holds
//! it and nothing else. An entry is trusted only when it parses, was written
//! by this format and this build, and its key and file list match; a
//! corrupt, truncated, foreign or stale entry is ignored and rewritten.
//! Entries are written to a temporary file and renamed into place, so a
//! reader never sees half of one. One entry per crate (named after the
//! crate's directory), overwritten each run: the cache does not grow.

use crate::diagnostic::{Confidence, Diagnostic, Fix, Label, Severity};
use crate::parse::ParseFailure;
use crate::report::Incident;
use crate::source::{FileId, Span};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// Where the cache lives and which build reads and writes it.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The cache directory (`target/spawnlint`).
    pub dir: PathBuf,
    /// The running analyzer's identity (version and executable): a rebuilt
    /// analyzer never reuses what another build found.
    pub build: String,
}

impl Settings {
    /// The cache of a run in `cwd`: `$CARGO_TARGET_DIR/spawnlint` when
    /// `target_dir` is given, else `target/spawnlint` at the nearest
    /// directory holding a `Cargo.lock` (a workspace's root), else a
    /// `Cargo.toml`, searched up from the manifest given or from `cwd`.
    /// None outside a Cargo project. The build is the version and the
    /// executable's path, size and modification time: a rebuilt analyzer
    /// starts a fresh cache.
    pub fn locate(
        cwd: &Path,
        manifest: Option<&Path>,
        target_dir: Option<&Path>,
    ) -> Option<Settings> {
        let start = match manifest {
            Some(m) => cwd.join(m).parent()?.to_path_buf(),
            None => cwd.to_path_buf(),
        };
        let target = match target_dir {
            Some(dir) => cwd.join(dir),
            None => start
                .ancestors()
                .find(|d| d.join("Cargo.lock").is_file())
                .or_else(|| start.ancestors().find(|d| d.join("Cargo.toml").is_file()))?
                .join("target"),
        };
        let exe = std::env::current_exe().ok()?;
        let meta = std::fs::metadata(&exe).ok()?;
        let built = meta.modified().ok()?;
        let built = built.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
        let version = env!("CARGO_PKG_VERSION");
        Some(Settings {
            dir: target.join("spawnlint"),
            build: format!("{version} {} {} {built}", exe.display(), meta.len()),
        })
    }
}

/// Bumped whenever an entry's layout changes.
const FORMAT: u32 = 1;

/// One file of the run, as the cache sees it.
pub struct FileInput<'a> {
    /// Its id in the run.
    pub id: FileId,
    /// Its crate's directory.
    pub crate_root: &'a Path,
    /// Its path.
    pub path: &'a Path,
    /// Its text (`None`: unreadable, so its crate is never cached).
    pub text: Option<&'a str>,
    /// Everything besides the files that decides its crate's findings: the
    /// effective configuration and the rule selection, as text.
    pub settings: &'a str,
}

/// One crate: its files, in the run's order.
struct CrateInput<'a> {
    root: &'a Path,
    files: Vec<FileInput<'a>>,
}

/// What one run reuses and what it must analyze.
pub struct Plan {
    crates: Vec<Planned>,
    /// Per file id: its crate's findings come from the cache, so the file
    /// is not parsed.
    pub reused: Vec<bool>,
}

struct Planned {
    root: PathBuf,
    files: Vec<FileId>,
    paths: Vec<String>,
    /// `None`: the crate cannot be cached (an unreadable file).
    key: Option<String>,
    /// The stored findings, in the run's file ids.
    hit: Option<Reused>,
}

/// A crate's findings as stored: file ids are positions in `files`.
#[derive(Serialize, Deserialize)]
struct Entry {
    format: u32,
    key: String,
    files: Vec<String>,
    diagnostics: Vec<Stored>,
    incidents: Vec<Incident>,
    failures: Vec<ParseFailure>,
    suppressed: usize,
    constructor_spawns: usize,
}

/// A [`Diagnostic`] as stored, with the item path its baseline key names.
#[derive(Serialize, Deserialize)]
struct Stored {
    rule: String,
    severity: Severity,
    confidence: Confidence,
    message: String,
    file: FileId,
    span: Span,
    labels: Vec<Label>,
    notes: Vec<String>,
    fixes: Vec<Fix>,
    fingerprint: String,
    item: String,
}

/// What the run computed itself, for the crates it analyzed.
pub struct Fresh<'a> {
    /// Findings after suppression.
    pub diagnostics: &'a [Diagnostic],
    /// Analyses cut short.
    pub incidents: &'a [Incident],
    /// Files that did not parse.
    pub failures: &'a [ParseFailure],
    /// Suppressed findings per file.
    pub suppressed_in: &'a HashMap<FileId, usize>,
    /// Constructor spawns per file of the constructor.
    pub spawns_in: &'a HashMap<FileId, usize>,
    /// The baseline item path (`Type::method`) around a line.
    pub item_of: &'a dyn Fn(FileId, u32) -> String,
    /// False when part of the run failed without a file to blame (a rule
    /// panicked): nothing is stored then.
    pub complete: bool,
}

/// What the cache gave back, in the run's file ids.
#[derive(Default)]
pub struct Reused {
    /// Findings after suppression.
    pub diagnostics: Vec<Diagnostic>,
    /// The baseline item path of each reused finding, by file and line.
    pub items: HashMap<(FileId, u32), String>,
    /// Analyses cut short.
    pub incidents: Vec<Incident>,
    /// Files that did not parse.
    pub failures: Vec<ParseFailure>,
    /// Suppressed findings.
    pub suppressed: usize,
    /// Constructor spawns.
    pub constructor_spawns: usize,
    /// An entry that could not be written, said once.
    pub warning: Option<String>,
}

impl Plan {
    /// Look every crate of the run's files up.
    pub fn new(settings: &Settings, files: Vec<FileInput>) -> Plan {
        let count = files.len();
        let mut crates: Vec<CrateInput> = Vec::new();
        let mut index: HashMap<&Path, usize> = HashMap::new();
        for f in files {
            let c = *index.entry(f.crate_root).or_insert_with(|| {
                crates.push(CrateInput {
                    root: f.crate_root,
                    files: Vec::new(),
                });
                crates.len() - 1
            });
            crates[c].files.push(f);
        }
        let planned: Vec<Planned> = crates
            .into_par_iter()
            .map(|c| {
                let key = crate_key(settings, &c);
                let files: Vec<FileId> = c.files.iter().map(|f| f.id).collect();
                let hit = key
                    .as_ref()
                    .and_then(|k| load(settings, c.root, k, &c))
                    .and_then(|entry| restore(entry, &files));
                Planned {
                    root: c.root.to_path_buf(),
                    paths: c.files.iter().map(|f| path_text(f.path)).collect(),
                    files,
                    key,
                    hit,
                }
            })
            .collect();
        let mut reused = vec![false; count];
        for p in planned.iter().filter(|p| p.hit.is_some()) {
            for &f in &p.files {
                reused[f as usize] = true;
            }
        }
        Plan {
            crates: planned,
            reused,
        }
    }

    /// Store what the run analyzed and give back what it reused.
    pub fn finish(self, settings: &Settings, fresh: &Fresh) -> Reused {
        let mut out = Reused::default();
        for p in self.crates {
            match p.hit {
                Some(hit) => out.merge(hit),
                None => {
                    let Some(key) = p.key.filter(|_| fresh.complete) else {
                        continue;
                    };
                    let Some(entry) = capture(key, &p.files, p.paths, fresh) else {
                        continue;
                    };
                    if let Err(e) = save(settings, &p.root, &entry) {
                        out.warning.get_or_insert(e);
                    }
                }
            }
        }
        out
    }
}

/// The crate's key; `None` when a file is unreadable.
fn crate_key(settings: &Settings, c: &CrateInput) -> Option<String> {
    let digests: Vec<u64> = c
        .files
        .par_iter()
        .map(|f| f.text.map(|t| digest(&(t.len(), t))))
        .collect::<Option<Vec<u64>>>()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let described = c.files.first().map_or("", |f| f.settings);
    (FORMAT, &settings.build, described, c.root).hash(&mut h);
    let a = h.finish();
    for (f, d) in c.files.iter().zip(&digests) {
        (f.path, f.settings, d).hash(&mut h);
    }
    let b = h.finish();
    Some(format!("{a:016x}{b:016x}"))
}

fn digest<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

/// The entry's file: one per crate directory.
fn entry_path(settings: &Settings, root: &Path) -> PathBuf {
    settings
        .dir
        .join(format!("v{FORMAT}"))
        .join(format!("{:016x}.json", digest(root)))
}

/// The stored entry, when it is this crate's, whole and current.
fn load(settings: &Settings, root: &Path, key: &str, c: &CrateInput) -> Option<Entry> {
    let bytes = std::fs::read(entry_path(settings, root)).ok()?;
    let entry: Entry = serde_json::from_slice(&bytes).ok()?;
    let same_files = entry.files.len() == c.files.len()
        && entry
            .files
            .iter()
            .zip(&c.files)
            .all(|(a, b)| *a == path_text(b.path));
    (entry.format == FORMAT && entry.key == key && same_files).then_some(entry)
}

/// Write `entry` atomically: a temporary file renamed over the old one.
fn save(settings: &Settings, root: &Path, entry: &Entry) -> Result<(), String> {
    let path = entry_path(settings, root);
    let fail = |e: std::io::Error| format!("cannot write the cache {}: {e}", path.display());
    let dir = path.parent().unwrap_or(&settings.dir);
    std::fs::create_dir_all(dir).map_err(fail)?;
    let bytes = serde_json::to_vec(entry).map_err(|e| fail(std::io::Error::other(e)))?;
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}

/// The crate's part of what the run computed, in the entry's file ids;
/// `None` when something of it points outside the crate.
fn capture(key: String, files: &[FileId], paths: Vec<String>, fresh: &Fresh) -> Option<Entry> {
    let local: HashMap<FileId, FileId> = files
        .iter()
        .enumerate()
        .map(|(i, &f)| (f, i as FileId))
        .collect();
    let to_local = |f: FileId| local.get(&f).copied();
    let mut diagnostics = Vec::new();
    for d in fresh
        .diagnostics
        .iter()
        .filter(|d| local.contains_key(&d.file))
    {
        let item = (fresh.item_of)(d.file, d.span.start.line);
        let mut d = d.clone();
        if !d.map_files(&to_local) {
            return None;
        }
        diagnostics.push(stored(d, item));
    }
    let mut incidents = Vec::new();
    for i in fresh
        .incidents
        .iter()
        .filter(|i| i.file.is_some_and(|f| local.contains_key(&f)))
    {
        let mut i = i.clone();
        i.file = i.file.and_then(to_local);
        incidents.push(i);
    }
    let failures = fresh
        .failures
        .iter()
        .filter_map(|f| {
            let mut f = f.clone();
            f.file = to_local(f.file)?;
            Some(f)
        })
        .collect();
    let count = |m: &HashMap<FileId, usize>| files.iter().filter_map(|f| m.get(f)).sum();
    Some(Entry {
        format: FORMAT,
        key,
        files: paths,
        diagnostics,
        incidents,
        failures,
        suppressed: count(fresh.suppressed_in),
        constructor_spawns: count(fresh.spawns_in),
    })
}

/// A path as an entry records it (lossy only for paths that are not
/// UTF-8, which then simply never match).
fn path_text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn stored(d: Diagnostic, item: String) -> Stored {
    Stored {
        rule: d.code().to_string(),
        severity: d.severity,
        confidence: d.confidence,
        message: d.message,
        file: d.file,
        span: d.span,
        labels: d.labels,
        notes: d.notes,
        fixes: d.fixes,
        fingerprint: d.fingerprint,
        item,
    }
}

/// A stored entry in the run's file ids; `None` (the entry is not used)
/// when anything in it does not fit: a rule this build does not have, a
/// file outside the crate.
fn restore(entry: Entry, files: &[FileId]) -> Option<Reused> {
    let to_run = |f: FileId| files.get(f as usize).copied();
    let registry = crate::rules::registry();
    let mut out = Reused::default();
    for s in entry.diagnostics {
        let mut d = Diagnostic {
            rule: registry.find(&s.rule)?,
            severity: s.severity,
            confidence: s.confidence,
            message: s.message,
            file: s.file,
            span: s.span,
            labels: s.labels,
            notes: s.notes,
            fixes: s.fixes,
            fingerprint: s.fingerprint,
        };
        if !d.map_files(&to_run) {
            return None;
        }
        out.items.insert((d.file, d.span.start.line), s.item);
        out.diagnostics.push(d);
    }
    for mut i in entry.incidents {
        i.file = match i.file {
            Some(f) => Some(to_run(f)?),
            None => None,
        };
        out.incidents.push(i);
    }
    for mut f in entry.failures {
        f.file = to_run(f.file)?;
        out.failures.push(f);
    }
    out.suppressed = entry.suppressed;
    out.constructor_spawns = entry.constructor_spawns;
    Some(out)
}

impl Reused {
    fn merge(&mut self, other: Reused) {
        self.diagnostics.extend(other.diagnostics);
        self.items.extend(other.items);
        self.incidents.extend(other.incidents);
        self.failures.extend(other.failures);
        self.suppressed += other.suppressed;
        self.constructor_spawns += other.constructor_spawns;
    }
}
