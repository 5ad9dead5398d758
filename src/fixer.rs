//! `--fix`: apply the findings' applicable fixes in rounds, in memory.
//!
//! Each round analyzes the current texts (the originals, then the
//! [`Options::overlay`] of what earlier rounds changed), picks for every
//! finding its first fix that the policy allows, applies the picks that do
//! not overlap, and goes again, until a round applies nothing or
//! [`MAX_ROUNDS`] is reached. A file whose edited text would not parse
//! keeps its text for that round. Nothing is written here: the caller gets
//! the original and the new text of each changed file and decides (write,
//! diff, check, restore).

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::report::Report;
use crate::rule::RuleId;
use crate::source::{FileId, SourceDb};
use crate::{Error, Options};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// Rounds of analyze-and-apply before giving up on reaching a fixed point.
pub const MAX_ROUNDS: usize = 8;

/// Which fixes may be applied.
#[derive(Clone, Copy, Debug, Default)]
pub struct Policy {
    /// Also apply [`Applicability::Unsafe`] fixes (`--unsafe-fixes`).
    pub unsafe_fixes: bool,
}

impl Policy {
    fn allows(self, a: Applicability) -> bool {
        match a {
            Applicability::Safe => true,
            Applicability::Unsafe => self.unsafe_fixes,
            Applicability::DisplayOnly => false,
        }
    }
}

/// One fix that was applied.
#[derive(Clone, Debug)]
pub struct Applied {
    /// The finding's rule.
    pub rule: RuleId,
    /// The file of the finding, as displayed.
    pub display: String,
    /// The finding's line (1-based), in the text the round analyzed.
    pub line: u32,
    /// The fix's title.
    pub title: String,
    /// Safe or unsafe.
    pub applicability: Applicability,
}

/// A changed file: the text it had and the text it has now.
#[derive(Clone, Debug)]
pub struct Changed {
    /// As displayed.
    pub display: String,
    /// The text before the first round.
    pub original: Arc<str>,
    /// The text after the last.
    pub fixed: Arc<str>,
}

/// What the rounds did.
#[derive(Debug)]
pub struct Outcome {
    /// The analysis of the fixed texts: what remains.
    pub report: Report,
    /// Changed files by the path they were read from.
    pub changed: BTreeMap<PathBuf, Changed>,
    /// Every applied fix, in order.
    pub applied: Vec<Applied>,
    /// Rounds that applied something.
    pub rounds: usize,
    /// Allowed fixes the last round could not apply: they overlapped
    /// another fix, or their file would no longer parse.
    pub rejected: usize,
}

impl Outcome {
    /// Remaining findings with a fix that only `--unsafe-fixes` applies.
    pub fn unsafe_available(&self) -> usize {
        self.report
            .diagnostics
            .iter()
            .filter(|d| {
                d.fixes
                    .iter()
                    .any(|f| f.applicability == Applicability::Unsafe)
            })
            .count()
    }
}

/// Run the rounds.
pub fn fix(opts: &Options, policy: Policy) -> Result<Outcome, Error> {
    let mut opts = opts.clone();
    let mut changed: BTreeMap<PathBuf, Changed> = BTreeMap::new();
    let mut applied = Vec::new();
    let mut rejected = 0;
    let mut rounds = 0;
    loop {
        let report = crate::pipeline::analyze(&opts)?;
        if rounds == MAX_ROUNDS {
            return Ok(finish(report, changed, applied, rounds, rejected));
        }
        let round = apply_round(&report, policy);
        rejected = round.rejected;
        if round.texts.is_empty() {
            return Ok(finish(report, changed, applied, rounds, rejected));
        }
        rounds += 1;
        applied.extend(round.applied);
        for (file, fixed) in round.texts {
            let entry = report.sources.entry(file);
            let Some(before) = entry.text.clone() else {
                continue;
            };
            let fixed: Arc<str> = Arc::from(fixed);
            opts.overlay.insert(entry.path.clone(), fixed.clone());
            changed
                .entry(entry.path.clone())
                .and_modify(|c| c.fixed = fixed.clone())
                .or_insert_with(|| Changed {
                    display: entry.display.clone(),
                    original: before,
                    fixed,
                });
        }
    }
}

fn finish(
    report: Report,
    mut changed: BTreeMap<PathBuf, Changed>,
    applied: Vec<Applied>,
    rounds: usize,
    rejected: usize,
) -> Outcome {
    // A later round may have undone an earlier one's change.
    changed.retain(|_, c| c.original != c.fixed);
    Outcome {
        report,
        changed,
        applied,
        rounds,
        rejected,
    }
}

/// One round's result: the new text of each file it changed.
struct Round {
    texts: HashMap<FileId, String>,
    applied: Vec<Applied>,
    rejected: usize,
}

/// Pick, for every finding, its first allowed fix; keep the picks whose
/// edits overlap no earlier pick; apply them file by file, dropping a
/// file's picks when the result would not parse.
fn apply_round(report: &Report, policy: Policy) -> Round {
    let sources = &report.sources;
    let mut taken: HashMap<FileId, Vec<(usize, usize)>> = HashMap::new();
    let mut picks: Vec<(&Diagnostic, &Fix)> = Vec::new();
    let mut rejected = 0;
    for d in &report.diagnostics {
        // A safe fix wins over an unsafe one, whatever their order.
        let safe = d
            .fixes
            .iter()
            .find(|f| f.applicability == Applicability::Safe);
        let Some(fix) = safe.or_else(|| d.fixes.iter().find(|f| policy.allows(f.applicability)))
        else {
            continue;
        };
        let Some(ranges) = byte_ranges(sources, fix) else {
            rejected += 1;
            continue;
        };
        let overlaps = ranges.iter().any(|(file, a, b)| {
            taken
                .get(file)
                .is_some_and(|t| t.iter().any(|&(x, y)| overlap((*a, *b), (x, y))))
        });
        if overlaps {
            rejected += 1;
            continue;
        }
        for (file, a, b) in ranges {
            taken.entry(file).or_default().push((a, b));
        }
        picks.push((d, fix));
    }
    // Drop the picks of any file whose fixed text would not parse, and
    // apply again: a pick never half-applies, even across files.
    let texts = loop {
        match apply_picks(sources, &picks) {
            Ok(texts) => break texts,
            Err(broken) => picks.retain(|(_, f)| {
                let keep = !f.edits.iter().any(|e| broken.contains(&e.file));
                rejected += usize::from(!keep);
                keep
            }),
        }
    };
    let applied = picks
        .iter()
        .map(|(d, f)| Applied {
            rule: d.rule,
            display: sources.display(d.file).to_string(),
            line: d.span.start.line,
            title: f.title.strip_prefix("or ").unwrap_or(&f.title).to_string(),
            applicability: f.applicability,
        })
        .collect();
    Round {
        texts,
        applied,
        rejected,
    }
}

/// The new text of every file the picks change, or the files whose new
/// text would not parse.
fn apply_picks(
    sources: &SourceDb,
    picks: &[(&Diagnostic, &Fix)],
) -> Result<HashMap<FileId, String>, Vec<FileId>> {
    let mut files: Vec<FileId> = picks
        .iter()
        .flat_map(|(_, f)| f.edits.iter().map(|e| e.file))
        .collect();
    files.sort_unstable();
    files.dedup();
    let edits: Vec<_> = picks
        .iter()
        .flat_map(|(_, f)| f.edits.iter().cloned())
        .collect();
    let mut texts = HashMap::new();
    let mut broken = Vec::new();
    for file in files {
        let Some(text) = sources.text(file) else {
            broken.push(file);
            continue;
        };
        match crate::fixes::apply_edits(text, file, &edits) {
            Some(new) if syn::parse_file(&new).is_ok() => {
                if new != text {
                    texts.insert(file, new);
                }
            }
            _ => broken.push(file),
        }
    }
    if broken.is_empty() {
        Ok(texts)
    } else {
        Err(broken)
    }
}

/// Two byte ranges share a byte, or are the same insertion point.
fn overlap(a: (usize, usize), b: (usize, usize)) -> bool {
    (a.0 < b.1 && b.0 < a.1)
        || a == b
        || (a.0 == a.1 && b.0 < a.0 && a.0 < b.1)
        || (b.0 == b.1 && a.0 < b.0 && b.0 < a.1)
}

/// The fix's edits as byte ranges, or `None` if a file has no text or a
/// range is backwards.
fn byte_ranges(sources: &SourceDb, fix: &Fix) -> Option<Vec<(FileId, usize, usize)>> {
    fix.edits
        .iter()
        .map(|e| {
            let text = sources.indexed(e.file)?;
            let (a, b) = (text.offset(e.span.start), text.offset(e.span.end));
            (a <= b).then_some((e.file, a, b))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::overlap;

    #[test]
    fn overlapping_ranges() {
        assert!(overlap((0, 5), (4, 8)));
        assert!(!overlap((0, 4), (4, 8)), "touching ranges do not overlap");
        assert!(overlap((3, 3), (3, 3)), "two insertions at one point");
        assert!(overlap((3, 3), (1, 5)), "an insertion inside a replacement");
        assert!(
            !overlap((1, 1), (1, 5)),
            "an insertion at a replacement's start"
        );
    }
}
