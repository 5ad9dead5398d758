//! Inline suppression.
//!
//! syn drops comments, so suppression comments are found in the source
//! text while the file is parsed ([`scan`]); their scopes come from the
//! item ranges of [`facts::items`](crate::facts::items):
//!
//! - `// spawnlint: allow(spawn-before-load, SL001) -- reason` at the end of
//!   a line covers that line; on a line of its own it covers the next line
//!   that is not a comment, or, when that line starts a fn, impl, trait or
//!   mod (its attributes included), the whole item;
//! - `// spawnlint: allow-file(..)` before the first item covers the file;
//! - `#[cfg_attr(spawnlint, allow(spawn_before_load))]` covers the item it
//!   is on (`#![..]` at the top of the file: the file).
//!
//! A finding is suppressed when its primary line is in the scope of a
//! suppression naming its rule (by code or slug). [`Filter::apply`] drops
//! suppressed findings and remembers which suppressions were used, so that
//! the pipeline can report those that suppress nothing, name no rule or
//! name an unknown one (SL900, see `rules::unused_suppression`).

use crate::diagnostic::Diagnostic;
use crate::facts::{ItemRange, Items};
use crate::rule::{Registry, RuleId};
use crate::source::{FileId, Pos, Span};
use std::collections::HashMap;

/// How far a suppression reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One line (or a comment and the line below it).
    Line,
    /// A fn, impl, trait or mod.
    Item,
    /// The whole file.
    File,
}

/// One suppression comment or attribute.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// Where it is written.
    pub span: Span,
    /// The rules it names, as written (codes or slugs).
    pub names: Vec<String>,
    /// First line covered (1-based).
    pub first: u32,
    /// Last line covered, inclusive.
    pub last: u32,
    /// Its reach.
    pub scope: Scope,
    /// What is wrong with it, if it is malformed (reported as SL900).
    pub problem: Option<String>,
}

impl Suppression {
    /// Whether it covers a line.
    pub fn covers(&self, line: u32) -> bool {
        self.problem.is_none() && (self.first..=self.last).contains(&line)
    }

    /// Whether it names `rule` (by code or slug).
    pub fn names_rule(&self, rule: RuleId, registry: &Registry) -> bool {
        self.names.iter().any(|n| registry.find(n) == Some(rule))
    }
}

/// Whether a file may hold suppressions or test modules: only then are its
/// item ranges worth extracting.
pub fn wanted(text: &str) -> bool {
    may_mention(text) || text.contains("cfg(test)")
}

/// The suppressions of a file: its `// spawnlint:` comments and its
/// `cfg_attr(spawnlint, allow(..))` attributes, with their scopes.
pub fn scan(text: &str, items: &Items) -> Vec<Suppression> {
    let mut out = Vec::new();
    if !may_mention(text) {
        return out;
    }
    let lines: Vec<&str> = text.lines().collect();
    for i in 0..lines.len() {
        if let Some(s) = comment_suppression(&lines, i, items) {
            out.push(s);
        }
    }
    out.extend(
        items
            .allows
            .iter()
            .map(|a| attribute_suppression(&lines, a)),
    );
    out
}

/// How a comment is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CommentKind {
    /// `// …`
    Line,
    /// `/* … */` on one line (or to the end of the line).
    Block,
    /// `/// …`, `//! …`, `/** … */`: documentation, which suppresses nothing.
    Doc,
}

/// The comment on `line` that starts with the word `spawnlint` (any case):
/// its byte offset, its text (markers and a block's `*/` included, trailing
/// blanks not), what follows the word, and how it is written.
fn directive_comment(line: &str) -> Option<(usize, &str, &str, CommentKind)> {
    let bytes = line.as_bytes();
    let mut in_str = false;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match bytes[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            // A char literal holding a quote (`'"'`, `'\''`) is no string.
            b'\'' if !in_str => i += char_literal_len(bytes, i).saturating_sub(1),
            b'/' if !in_str && matches!(bytes[i + 1], b'/' | b'*') => {
                let block = bytes[i + 1] == b'*';
                // `///x` and `//!x` are docs; `////` is a plain comment, as
                // are `/***` and `/**/`.
                let third = bytes.get(i + 2).copied();
                let fourth = bytes.get(i + 3).copied();
                let doc = if block {
                    third == Some(b'!')
                        || (third == Some(b'*') && !matches!(fourth, Some(b'*' | b'/')))
                } else {
                    third == Some(b'!') || (third == Some(b'/') && fourth != Some(b'/'))
                };
                let body_start = i + if doc { 3 } else { 2 };
                let end = if block {
                    line[body_start..]
                        .find("*/")
                        .map_or(line.len(), |e| body_start + e + 2)
                } else {
                    line.len()
                };
                let body = &line[body_start..end];
                let body = body.strip_suffix("*/").unwrap_or(body);
                // `//// x` and `/*** x */`: the extra marks are not words.
                let body = body.trim_start_matches(['/', '*']).trim_start();
                let word = body
                    .get(..9)
                    .filter(|w| w.eq_ignore_ascii_case("spawnlint"));
                if word.is_some() {
                    let kind = match (doc, block) {
                        (true, _) => CommentKind::Doc,
                        (false, true) => CommentKind::Block,
                        (false, false) => CommentKind::Line,
                    };
                    return Some((i, line[i..end].trim_end(), &body[9..], kind));
                }
                if !block {
                    return None;
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The `// spawnlint: ..` comment on line `i`, if there is one, with its
/// scope. `/* spawnlint: .. */` and any case of the words are honoured the
/// same way; a doc comment or a directive without its colon is reported
/// (SL900), never ignored.
fn comment_suppression(lines: &[&str], i: usize, items: &Items) -> Option<Suppression> {
    let line = lines[i];
    if !contains_ignore_case(line, "spawnlint") {
        return None;
    }
    let (at, comment, after_word, kind) = directive_comment(line)?;
    let lno = i as u32 + 1;
    let col = line[..at].chars().count() as u32;
    let span = Span {
        start: Pos {
            line: lno,
            column: col,
        },
        end: Pos {
            line: lno,
            column: col + comment.trim_end().chars().count() as u32,
        },
    };
    let mut s = Suppression {
        span,
        names: Vec::new(),
        first: lno,
        last: lno,
        scope: Scope::Line,
        problem: None,
    };
    if kind == CommentKind::Doc {
        s.problem =
            Some("a doc comment suppresses nothing: write `// spawnlint: allow(RULE, …)`".into());
        return Some(s);
    }
    let Some(directive) = after_word.trim_start().strip_prefix(':') else {
        s.problem = Some("expected `spawnlint: allow(RULE, …)`, with a colon".into());
        return Some(s);
    };
    let directive = directive.trim();
    let starts = |w: &str| {
        directive
            .get(..w.len())
            .is_some_and(|d| d.eq_ignore_ascii_case(w))
    };
    let (file_wide, rest) = if starts("allow-file") {
        (true, &directive["allow-file".len()..])
    } else if starts("allow") {
        (false, &directive["allow".len()..])
    } else {
        s.problem =
            Some("expected `spawnlint: allow(RULE, …)` or `spawnlint: allow-file(RULE, …)`".into());
        return Some(s);
    };
    s.names = names_in(rest);
    if file_wide {
        s.scope = Scope::File;
        s.first = 1;
        s.last = u32::MAX;
        if lno >= items.first_item_line {
            s.problem = Some(
                "`allow-file` must come before the first item of the file; here it covers nothing"
                    .into(),
            );
        }
    } else if line[..at].trim().is_empty() {
        own_line_scope(&mut s, lines, i, items);
    }
    // A trailing comment covers its own line.
    if s.names.is_empty() && s.problem.is_none() {
        s.problem = Some("the suppression names no rule".into());
    }
    Some(s)
}

/// A comment on a line of its own covers the next line that is not a
/// comment, or the item starting there.
fn own_line_scope(s: &mut Suppression, lines: &[&str], i: usize, items: &Items) {
    let lno = i as u32 + 1;
    let next = (i + 1..lines.len())
        .find(|&j| !lines[j].trim_start().starts_with("//"))
        .map_or(lno, |j| j as u32 + 1);
    let item = items
        .ranges
        .iter()
        .filter(|r| r.start > lno && r.start <= next)
        .max_by_key(|r| r.end - r.start);
    match item {
        Some(r) => {
            s.scope = Scope::Item;
            s.first = r.start;
            s.last = r.end;
        }
        None => s.last = next,
    }
}

/// A `#[cfg_attr(spawnlint, allow(..))]` attribute.
fn attribute_suppression(lines: &[&str], a: &crate::facts::AllowAttr) -> Suppression {
    let line = lines.get((a.line as usize).saturating_sub(1));
    let col = line
        .and_then(|l| l.find('#').map(|b| l[..b].chars().count() as u32))
        .unwrap_or(0);
    let width = line.map_or(0, |l| l.trim_end().chars().count() as u32);
    let (scope, ItemRange { start, end }) = match a.range {
        Some(r) => (Scope::Item, r),
        None => (
            Scope::File,
            ItemRange {
                start: 1,
                end: u32::MAX,
            },
        ),
    };
    Suppression {
        span: Span {
            start: Pos {
                line: a.line,
                column: col,
            },
            end: Pos {
                line: a.line,
                column: width.max(col),
            },
        },
        names: a.names.clone(),
        first: start,
        last: end,
        scope,
        problem: a
            .names
            .is_empty()
            .then(|| "the suppression names no rule".into()),
    }
}

/// Whether a file's text may hold a suppression: the word `spawnlint` in
/// any case.
pub(crate) fn may_mention(text: &str) -> bool {
    contains_ignore_case(text, "spawnlint")
}

/// The length of the char literal starting at `at` (`'x'`, `'\n'`,
/// `'\''`), or 1 for a lifetime's quote.
fn char_literal_len(b: &[u8], at: usize) -> usize {
    match (b.get(at + 1), b.get(at + 2), b.get(at + 3)) {
        (Some(b'\\'), Some(_), Some(b'\'')) => 4,
        (Some(c), Some(b'\''), _) if *c != b'\'' => 3,
        _ => 1,
    }
}

/// Whether `hay` holds `needle` (ASCII), in any case.
fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = needle.first() else {
        return true;
    };
    // memchr finds the candidates (both cases of the first letter) at
    // vector speed; the rest is compared only there. Every file is asked.
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    memchr::memchr2_iter(lower, upper, hay).any(|i| {
        hay.get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

/// Byte offset of a `//` line comment that is not a doc comment and not
/// inside a string literal on this line.
pub(crate) fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut in_str = false;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match bytes[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'/' if !in_str && bytes[i + 1] == b'/' => {
                let doc = matches!(bytes.get(i + 2), Some(b'/' | b'!'));
                return (!doc).then_some(i);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `(a, b) -- reason` → `[a, b]`; empty when there are no parentheses.
fn names_in(rest: &str) -> Vec<String> {
    let rest = rest.trim_start();
    let Some(inner) = rest.strip_prefix('(') else {
        return Vec::new();
    };
    let Some((list, _)) = inner.split_once(')') else {
        return Vec::new();
    };
    list.split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// What suppression knows about one file.
#[derive(Debug, Clone, Copy)]
pub struct Marks<'a> {
    /// Its suppressions.
    pub suppressions: &'a [Suppression],
    /// Its `#[cfg(test)]` items.
    pub test_ranges: &'a [ItemRange],
    /// Whether its configuration analyzes test code.
    pub include_tests: bool,
}

/// Drops suppressed findings and findings in excluded test code, and
/// remembers which suppressions silenced what.
pub struct Filter<'a> {
    marks: HashMap<FileId, Marks<'a>>,
    registry: &'a Registry,
    /// Per file and suppression: the rules it silenced a finding of.
    used: HashMap<FileId, Vec<Vec<RuleId>>>,
    /// Findings silenced so far.
    pub suppressed: usize,
    /// Findings silenced so far, per file (the cache keeps each crate's).
    pub suppressed_in: HashMap<FileId, usize>,
}

impl<'a> Filter<'a> {
    /// A filter over the files that have suppressions or test items.
    pub fn new(marks: HashMap<FileId, Marks<'a>>, registry: &'a Registry) -> Self {
        Filter {
            marks,
            registry,
            used: HashMap::new(),
            suppressed: 0,
            suppressed_in: HashMap::new(),
        }
    }

    /// The files with suppressions or test items.
    pub fn files(&self) -> impl Iterator<Item = (FileId, Marks<'a>)> + '_ {
        self.marks.iter().map(|(f, m)| (*f, *m))
    }

    /// Which rules each suppression of `file` silenced a finding of.
    pub fn used(&self, file: FileId) -> Vec<Vec<RuleId>> {
        let n = self.marks.get(&file).map_or(0, |m| m.suppressions.len());
        self.used
            .get(&file)
            .cloned()
            .unwrap_or_else(|| vec![Vec::new(); n])
    }

    /// Drop the findings that are suppressed or in excluded test code.
    pub fn apply(&mut self, diagnostics: &mut Vec<Diagnostic>) {
        if self.marks.is_empty() {
            return;
        }
        diagnostics.retain(|d| self.keep(d));
    }

    fn keep(&mut self, d: &Diagnostic) -> bool {
        let Some(marks) = self.marks.get(&d.file) else {
            return true;
        };
        let line = d.span.start.line;
        if !marks.include_tests
            && marks
                .test_ranges
                .iter()
                .any(|r| (r.start..=r.end).contains(&line))
        {
            return false;
        }
        let sups = marks.suppressions;
        let mut hit = false;
        for (i, s) in sups.iter().enumerate() {
            if s.covers(line) && s.names_rule(d.rule, self.registry) {
                self.used
                    .entry(d.file)
                    .or_insert_with(|| vec![Vec::new(); sups.len()])[i]
                    .push(d.rule);
                hit = true;
            }
        }
        if hit {
            self.suppressed += 1;
            *self.suppressed_in.entry(d.file).or_default() += 1;
        }
        !hit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_found_in_any_case_and_at_either_end() {
        for hay in [
            "spawnlint",
            "x // SpawnLint: allow",
            "#[cfg_attr(SPAWNLINT, x)]",
            "ss spawnlinT",
        ] {
            assert!(contains_ignore_case(hay, "spawnlint"), "{hay}");
        }
        for hay in ["", "spawnlin", "s p a w n l i n t", "spawn_lint"] {
            assert!(!contains_ignore_case(hay, "spawnlint"), "{hay}");
        }
    }

    fn sups(text: &str) -> Vec<Suppression> {
        let file = syn::parse_file(text).unwrap();
        scan(text, &crate::facts::items::extract(&file))
    }

    #[test]
    fn scopes() {
        let text = "// spawnlint: allow-file(SL001)\nuse std::sync::Arc;\n\n// spawnlint: allow(spawn-before-load) -- checked\n#[inline]\nfn f() {\n    let x = 1; // spawnlint: allow(SL002)\n    // spawnlint: allow(SL001, SL002)\n    // more words\n    let y = \"// spawnlint: allow(SL001)\";\n}\n";
        let s = sups(text);
        assert_eq!(s.len(), 4, "{s:?}");
        assert_eq!((s[0].scope, s[0].first), (Scope::File, 1));
        assert!(s[0].problem.is_none());
        assert_eq!((s[1].scope, s[1].first, s[1].last), (Scope::Item, 5, 11));
        assert_eq!((s[2].scope, s[2].first, s[2].last), (Scope::Line, 7, 7));
        assert_eq!((s[3].first, s[3].last), (8, 10));
        assert_eq!(s[3].names, ["SL001", "SL002"]);
        assert_eq!(s[2].span.start.column, 15);
    }

    #[test]
    fn malformed_and_misplaced() {
        let s = sups("fn f() {}\n// spawnlint: allow-file(SL001)\n// spawnlint: allow\n// spawnlint: alow(SL001)\nfn g() {}\n");
        assert!(s[0]
            .problem
            .as_deref()
            .unwrap()
            .contains("before the first item"));
        assert!(s[1].problem.as_deref().unwrap().contains("names no rule"));
        assert!(s[2].problem.as_deref().unwrap().contains("expected"));
    }

    #[test]
    fn block_comments_and_other_cases_are_honoured() {
        let s = sups("fn f() {\n    let x = 1; /* spawnlint: allow(SL002) */\n    // SpawnLint: Allow(SL001) -- checked\n    let y = 2;\n    // SPAWNLINT:ALLOW(SL003)\n    let z = 3;\n}\n");
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(s.iter().all(|x| x.problem.is_none()), "{s:?}");
        assert_eq!(
            (s[0].scope, s[0].first, s[0].names.as_slice()),
            (Scope::Line, 2, &["SL002".to_string()][..])
        );
        assert_eq!((s[1].first, s[1].last), (3, 4));
        assert_eq!(s[2].names, ["SL003"]);
        assert_eq!(
            s[0].span.end.column - s[0].span.start.column,
            29,
            "the span ends at `*/`"
        );
    }

    #[test]
    fn quote_chars_four_slashes_and_odd_cases_are_read_right() {
        let s = sups("fn f() {\n    let q = '\"'; // spawnlint: allow(SL001)\n    //// spawnlint: allow(SL002)\n    let x = 1;\n    // sPaWnLiNt: allow(SL003)\n    let y = 2;\n}\n");
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(s.iter().all(|x| x.problem.is_none()), "{s:?}");
        assert_eq!(s[0].names, ["SL001"], "after a '\"' char literal");
        assert_eq!(s[1].names, ["SL002"], "`////` is an ordinary comment");
        assert_eq!(s[2].names, ["SL003"]);
    }

    #[test]
    fn doc_comments_and_missing_colons_are_reported_not_ignored() {
        let s =
            sups("/// spawnlint: allow(SL001)\nfn f() {}\n// spawnlint allow(SL001)\nfn g() {}\n");
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(s[0].problem.as_deref().unwrap().contains("doc comment"));
        assert!(s[1].problem.as_deref().unwrap().contains("with a colon"));
        let quiet = sups("// the spawnlint suppressions are documented elsewhere\nfn f() {}\n");
        assert!(
            quiet.is_empty(),
            "a comment that only mentions the tool is no directive"
        );
    }

    #[test]
    fn cfg_attr_allows() {
        let s = sups("#![cfg_attr(spawnlint, allow(unused_suppression))]\nstruct S;\nimpl S {\n    #[cfg_attr(spawnlint, allow(spawn_before_load, SL001))]\n    fn new() -> Self {\n        S\n    }\n}\n");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].scope, Scope::File);
        assert_eq!(s[0].names, ["unused-suppression"]);
        assert_eq!((s[1].scope, s[1].first, s[1].last), (Scope::Item, 4, 7));
        assert_eq!(s[1].names, ["spawn-before-load", "SL001"]);
    }
}
