//! The one neutral diagnostic type every renderer reads.

use crate::rule::RuleId;
pub use crate::rule::Severity;
use crate::source::{FileId, SourceDb, Span};
use serde::{Deserialize, Serialize};

/// How sure the analysis is that a finding is a window that can bite, from
/// the evidence it has (SpotBugs' priorities, Rudra's tiers): a panic on
/// the placeholder or an access before the task's first await is high; a
/// window the task tolerates, or whose worst case is a missed shutdown
/// signal, is low. Ordered `High` first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// The evidence shows the window is hit and does damage.
    High,
    /// A real window; how often or how badly it bites is not shown.
    Medium,
    /// Probably harmless, or the window is narrow.
    Low,
}

impl Confidence {
    /// `high` / `medium` / `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }

    /// The level a name means (`high`, `medium`, `low`).
    pub fn from_name(name: &str) -> Option<Confidence> {
        Some(match name {
            "high" => Confidence::High,
            "medium" => Confidence::Medium,
            "low" => Confidence::Low,
            _ => return None,
        })
    }

    /// Whether a finding of this confidence reaches `min` (fails CI when
    /// `min` is the configured minimum).
    pub fn reaches(self, min: Confidence) -> bool {
        self <= min
    }
}

/// A labelled source range.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Label {
    /// The file.
    pub file: FileId,
    /// The range.
    pub span: Span,
    /// What the range shows.
    pub message: String,
    /// Whether this is the primary label (the spawn call).
    pub primary: bool,
}

/// How a fix repairs the window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixStrategy {
    /// A ready signal the task waits on first.
    #[default]
    Gate,
    /// Move the spawn into a start method called after loading.
    StartMethod,
    /// Make loading return a different type that alone can start.
    Typestate,
    /// Move the spawn after the last initialization.
    Reorder,
    /// Change the shared value through the handle instead of replacing it.
    MutateInPlace,
    /// Publish new values on a `watch` channel the task reads.
    WatchChannel,
    /// Spawn once the constructor has returned the finished value.
    SpawnAfterConstruction,
    /// Subscribe before spawning and move the receiver into the task.
    SubscribeFirst,
    /// Use a signal that is stored until somebody waits for it.
    StoredSignal,
    /// Register interest before the spawn, so no signal can slip past.
    RegisterFirst,
    /// Wait on the condition itself, not on a change of it.
    WaitForCondition,
    /// Delete a suppression comment that suppresses nothing.
    RemoveSuppression,
}

impl FixStrategy {
    /// Its name, as JSON spells it (`start-method`): serde's, so the two
    /// cannot drift apart.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// Whether a fix may be applied mechanically, and how far it can be
/// trusted (rustc's and ruff's applicability).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Behaviour is otherwise unchanged: `--fix` applies it.
    Safe,
    /// It changes an API or semantics: only `--unsafe-fixes` applies it.
    Unsafe,
    /// Text to read and adapt; never applied.
    #[default]
    DisplayOnly,
}

impl Applicability {
    /// Its name, as JSON spells it (`display-only`).
    pub fn name(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

/// One textual replacement: the text of `span` in `file` becomes `text`
/// (an empty span inserts, an empty `text` deletes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// The file.
    pub file: FileId,
    /// The range replaced.
    pub span: Span,
    /// The new text.
    pub text: String,
}

/// A concrete fix, with code written in the user's names.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Fix {
    /// The strategy.
    pub strategy: FixStrategy,
    /// One line saying what to do.
    pub title: String,
    /// The code to paste.
    pub code: String,
    /// Whether `--fix` may apply `edits`: [`Applicability::DisplayOnly`]
    /// exactly when there are none ([`Fix::with_edits`] keeps the two in
    /// step).
    pub applicability: Applicability,
    /// When the fix can be applied mechanically: the edits that apply it
    /// (all of them, in one go). Empty when the code must be pasted by hand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<Edit>,
}

impl Fix {
    /// The fix made applicable by `edits` with `applicability`; no edits
    /// leave it display-only, whatever was asked.
    pub fn with_edits(mut self, edits: Vec<Edit>, applicability: Applicability) -> Fix {
        self.applicability = if edits.is_empty() {
            Applicability::DisplayOnly
        } else {
            applicability
        };
        self.edits = edits;
        self
    }
}

/// One finding.
#[derive(Clone, Debug, Serialize)]
pub struct Diagnostic {
    /// The rule that found it.
    pub rule: RuleId,
    /// Severity.
    pub severity: Severity,
    /// How sure the analysis is.
    pub confidence: Confidence,
    /// One-sentence message.
    pub message: String,
    /// The primary file.
    pub file: FileId,
    /// The primary span (the spawn call).
    pub span: Span,
    /// Every label, primary first.
    pub labels: Vec<Label>,
    /// Notes explaining the window.
    pub notes: Vec<String>,
    /// Fixes.
    pub fixes: Vec<Fix>,
    /// Stable identity that survives unrelated edits (no line numbers).
    pub fingerprint: String,
}

/// A 64-bit FNV-1a hash in hex: stable across runs and platforms.
pub fn stable_hash(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

impl Diagnostic {
    /// Every file the finding points into (primary, labels, fix edits)
    /// renamed by `f`; false, and the finding unusable, if `f` has no new
    /// id for one of them.
    pub fn map_files(&mut self, f: &dyn Fn(FileId) -> Option<FileId>) -> bool {
        let mut ok = true;
        let mut map = |id: &mut FileId| match f(*id) {
            Some(new) => *id = new,
            None => ok = false,
        };
        map(&mut self.file);
        self.labels.iter_mut().for_each(|l| map(&mut l.file));
        for fix in &mut self.fixes {
            fix.edits.iter_mut().for_each(|e| map(&mut e.file));
        }
        ok
    }

    /// `SL001`.
    pub fn code(&self) -> &'static str {
        self.rule.code()
    }

    /// The message as text formats show it: with the confidence when it is
    /// not high.
    pub fn headline(&self) -> String {
        match self.confidence {
            Confidence::High => self.message.clone(),
            c => format!("{} ({} confidence)", self.message, c.as_str()),
        }
    }
}

/// Sort diagnostics by displayed file, line, column, code: output is
/// identical whatever the thread count.
pub fn sort(diags: &mut [Diagnostic], files: &SourceDb) {
    diags.sort_by(|a, b| {
        (files.display(a.file), a.span.start, a.rule, &a.message).cmp(&(
            files.display(b.file),
            b.span.start,
            b.rule,
            &b.message,
        ))
    });
}

/// Merge sorted findings of one rule on one spawn call into the first,
/// with a note saying how many other functions reach it.
pub fn merge_same_spawn(diags: &mut Vec<Diagnostic>) {
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    let mut repeats = 0usize;
    for d in diags.drain(..) {
        if let Some(last) = out.last_mut() {
            if last.rule == d.rule && last.file == d.file && last.span == d.span {
                repeats += 1;
                continue;
            }
            add_repeat_note(last, repeats);
        }
        repeats = 0;
        out.push(d);
    }
    if let Some(last) = out.last_mut() {
        add_repeat_note(last, repeats);
    }
    *diags = out;
}

fn add_repeat_note(d: &mut Diagnostic, repeats: usize) {
    let others = match repeats {
        0 => return,
        1 => "1 other function".to_string(),
        n => format!("{n} other functions"),
    };
    d.notes.push(format!(
        "the same spawn is reached from {others} the same way; fixing it here fixes those too"
    ));
}
