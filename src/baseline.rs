//! Baselines: record today's findings, then report only new ones.
//!
//! A finding is keyed on its rule, its file (relative to the baseline
//! file's directory), the path of the item that encloses its primary span
//! (`MetricsHub::new`, `worker::spawn_all`), and a hash of the primary
//! statement's text with comments and whitespace removed. No line
//! numbers: a finding that moves stays baselined; an edit to the spawn
//! statement itself makes it new. Identical findings in one item are
//! counted, so a second copy of a baselined spawn is still reported.

use crate::diagnostic::{stable_hash, Diagnostic};
use crate::model::Model;
use crate::source::{display_path, FileId, SourceDb};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Format version written to and expected in baseline files.
pub const VERSION: u32 = 1;

/// What identifies a finding across edits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// Rule code.
    pub rule: String,
    /// File, relative to the baseline's directory, `/`-separated.
    pub file: String,
    /// Enclosing item path (empty outside any fn).
    pub item: String,
    /// Hash of the normalized primary statement.
    pub hash: String,
}

/// One baseline entry as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Rule code.
    pub rule: String,
    /// File, relative to the baseline's directory.
    pub file: String,
    /// Enclosing item path.
    pub item: String,
    /// Hash of the normalized primary statement.
    pub hash: String,
    /// How many identical findings there were.
    pub count: usize,
    /// The (first) finding's message, for readers; not part of the key.
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    version: u32,
    tool: String,
    entries: Vec<Entry>,
}

/// A loaded baseline.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The file it was read from.
    pub path: PathBuf,
    /// Remaining count per key.
    pub counts: HashMap<Key, usize>,
}

/// What applying a baseline did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Findings found in the baseline (not reported).
    pub matched: usize,
    /// Baseline entries (counting multiplicity) with no finding any more,
    /// in files analyzed in this run for rules that ran: fixed.
    pub fixed: usize,
    /// With `--write-baseline`: the file written and how many findings it
    /// records.
    pub written: Option<(PathBuf, usize)>,
}

/// The directory relative paths in a baseline are resolved against (the
/// baseline's own directory; relative paths are relative to `root`).
pub fn base_dir(baseline: &Path, root: &Path) -> PathBuf {
    let parent = baseline
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    crate::source::absolute(parent, root)
}

/// A file path as stored in a baseline: relative to `base`, `/`-separated.
pub fn relative(file: &Path, base: &Path, root: &Path) -> String {
    let abs = crate::source::absolute(file, root);
    let rel = abs.strip_prefix(base).unwrap_or(&abs);
    rel.to_string_lossy().replace('\\', "/")
}

impl Baseline {
    /// Read a baseline file (relative to `root`). Errors name the file.
    pub fn load(path: &Path, root: &Path) -> Result<Baseline, String> {
        let shown = display_path(path, root);
        let path = &crate::source::resolve(path, root);
        let text = crate::files::read_regular_text(path, crate::files::MAX_BASELINE_BYTES)
            .map_err(|e| format!("cannot read baseline {shown}: {e}"))?;
        let file: FileFormat = serde_json::from_str(&text).map_err(|e| {
            format!("{shown} is not a spawnlint baseline (written by --write-baseline): {e}")
        })?;
        if file.version != VERSION {
            return Err(format!(
                "{shown}: baseline version {} is not supported (expected {VERSION}); write it again with --write-baseline",
                file.version
            ));
        }
        let mut counts: HashMap<Key, usize> = HashMap::new();
        for e in file.entries {
            // A hostile count must not wrap: saturate.
            let n = counts
                .entry(Key {
                    rule: e.rule,
                    file: e.file,
                    item: e.item,
                    hash: e.hash,
                })
                .or_insert(0);
            *n = n.saturating_add(e.count);
        }
        Ok(Baseline {
            path: path.to_path_buf(),
            counts,
        })
    }

    /// Drop the findings it holds from `diagnostics` (whose keys are
    /// `keys`, relative to this baseline's directory). `counts_as_fixed`
    /// says whether a leftover entry concerns a file and rule this run
    /// looked at.
    pub fn apply(
        &self,
        diagnostics: &mut Vec<Diagnostic>,
        keys: &[Key],
        counts_as_fixed: &dyn Fn(&Key) -> bool,
    ) -> Outcome {
        let mut left = self.counts.clone();
        let mut matched = 0;
        let mut i = 0;
        diagnostics.retain(|_| {
            let key = &keys[i];
            i += 1;
            match left.get_mut(key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    matched += 1;
                    false
                }
                _ => true,
            }
        });
        let fixed = left
            .iter()
            .filter(|(k, _)| counts_as_fixed(k))
            .fold(0usize, |sum, (_, n)| sum.saturating_add(*n));
        Outcome {
            matched,
            fixed,
            written: None,
        }
    }
}

/// Write a baseline of `diagnostics` (keys in `keys`) atomically, over a
/// regular file or at a new path only (see [`crate::files::write_replacing`]).
pub fn write(
    path: &Path,
    root: &Path,
    diagnostics: &[Diagnostic],
    keys: &[Key],
) -> Result<usize, String> {
    let mut grouped: BTreeMap<&Key, (usize, &str)> = BTreeMap::new();
    for (d, k) in diagnostics.iter().zip(keys) {
        grouped.entry(k).or_insert((0, &d.message)).0 += 1;
    }
    let entries = grouped
        .into_iter()
        .map(|(k, (count, message))| Entry {
            rule: k.rule.clone(),
            file: k.file.clone(),
            item: k.item.clone(),
            hash: k.hash.clone(),
            count,
            message: message.to_string(),
        })
        .collect();
    let doc = FileFormat {
        version: VERSION,
        tool: "cargo-spawnlint".into(),
        entries,
    };
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    text.push('\n');
    let shown = display_path(path, root);
    let path = &crate::source::resolve(path, root);
    crate::files::write_replacing(path, &text)
        .map_err(|e| format!("cannot write baseline {shown}: {e}"))?;
    Ok(diagnostics.len())
}

/// The baseline key of each diagnostic, relative to `baseline`'s
/// directory.
pub fn keys(
    item_of: &dyn Fn(FileId, u32) -> String,
    sources: &SourceDb,
    diagnostics: &[Diagnostic],
    baseline: &Path,
    root: &Path,
) -> Vec<Key> {
    let base = base_dir(baseline, root);
    diagnostics
        .iter()
        .map(|d| {
            let line = d.span.start.line;
            let stmt = sources
                .indexed(d.file)
                .map(|t| normalized(t.lines_between(line, d.span.end.line.max(line))))
                .unwrap_or_default();
            Key {
                rule: d.code().to_string(),
                file: relative(&sources.entry(d.file).path, &base, root),
                item: item_of(d.file, line),
                hash: stable_hash(&[&stmt]),
            }
        })
        .collect()
}

/// `Type::method` or `module::function` of the innermost fn around a line.
pub fn item_path(model: &Model, file: FileId, line: u32) -> String {
    let Some(f) = model.files.get(file as usize) else {
        return String::new();
    };
    let fns = &f.facts.fns;
    let Some(f) = fns
        .iter()
        .filter(|f| f.item_span.start.line <= line && line <= f.item_span.end.line)
        .min_by_key(|f| f.item_span.end.line - f.item_span.start.line)
    else {
        return String::new();
    };
    let mut parts = f.module.clone();
    parts.extend(f.owner.clone());
    parts.push(f.name.clone());
    parts.join("::")
}

/// Lines without comments and whitespace.
fn normalized(lines: &str) -> String {
    lines
        .lines()
        .map(|l| match crate::suppress::comment_start(l) {
            Some(at) => &l[..at],
            None => l,
        })
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_ignores_whitespace_and_comments() {
        let a = normalized("    tokio::spawn(async move { run().await }); //~ SL002\n");
        let b = normalized("tokio::spawn( async move {run().await} );\n");
        assert_eq!(a, b);
        assert_eq!(a, "tokio::spawn(asyncmove{run().await});");
    }
}
