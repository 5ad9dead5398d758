//! SL900 `unused-suppression`: a suppression that suppresses nothing,
//! names no rule, or names a rule that does not exist. The user
//! documentation is the rule's page, `rules/SL900-unused-suppression.md`.
//!
//! Unlike the other rules it does not read the analysis: the suppression
//! stage runs it over each file's suppressions and which of them were used.

use super::Check;
use crate::diagnostic::{
    stable_hash, Applicability, Confidence, Diagnostic, Edit, Fix, FixStrategy, Label, Severity,
};
use crate::rule::{Registry, RuleId};
use crate::source::{FileId, Span, Text};
use crate::suppress::{Scope, Suppression};

crate::declare_rule! {
    code: "SL900",
    slug: "unused-suppression",
    summary: "a `spawnlint: allow(..)` suppression suppresses nothing, names no rule, or names an unknown one",
    severity: Warning,
    scope: Suppressions,
    check: Check::Suppressions,
}

/// The file the findings are about: its id and display path (part of the
/// fingerprint).
#[derive(Clone, Copy)]
pub struct File<'a> {
    /// Its id.
    pub id: FileId,
    /// Its display path.
    pub display: &'a str,
    /// Its stable path, for fingerprints.
    pub stable: &'a str,
    /// Its text, for the fix that deletes a suppression.
    pub text: Option<Text<'a>>,
}

/// The SL900 findings of one file. `used[i]` lists the rules suppression
/// `i` silenced a finding of; `ran(rule)` says whether a rule ran for this
/// file (a suppression of a rule that was not run is not reported).
pub fn check(
    file: File,
    sups: &[Suppression],
    used: &[Vec<RuleId>],
    ran: &dyn Fn(RuleId) -> bool,
    registry: &Registry,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, s) in sups.iter().enumerate() {
        if let Some(problem) = &s.problem {
            out.push(finding(
                file,
                s,
                problem.clone(),
                "this suppression has no effect",
            ));
            continue;
        }
        let unknown: Vec<&String> = s
            .names
            .iter()
            .filter(|n| registry.find(n).is_none())
            .collect();
        if !unknown.is_empty() {
            out.push(finding(
                file,
                s,
                format!("the suppression names unknown rule {}", quoted(&unknown)),
                "unknown rule",
            ));
        }
        let silenced = used.get(i).map(Vec::as_slice).unwrap_or_default();
        let idle: Vec<&String> = s
            .names
            .iter()
            .filter(|n| {
                registry
                    .find(n)
                    .is_some_and(|r| r != RULE.id() && ran(r) && !silenced.contains(&r))
            })
            .collect();
        if !idle.is_empty() {
            let place = match s.scope {
                Scope::Line => "on this line",
                Scope::Item => "in this item",
                Scope::File => "in this file",
            };
            let mut d = finding(
                file,
                s,
                format!("unused suppression: no {} finding {place}", quoted(&idle)),
                "suppresses nothing",
            );
            if idle.len() == s.names.len() {
                d.fixes.extend(removal(file, s));
            }
            out.push(d);
        }
    }
    out
}

/// Delete a suppression that suppresses nothing: its whole line when the
/// comment stands alone, else the comment and the blanks before it. Safe:
/// every rule it names ran and found nothing there.
fn removal(file: File, s: &Suppression) -> Option<Fix> {
    let text = file.text?;
    let (a, b) = (text.offset(s.span.start), text.offset(s.span.end));
    let src = text.as_str();
    let line = src[..a].rfind('\n').map_or(0, |i| i + 1);
    let line_end = src[b..].find('\n').map_or(src.len(), |i| b + i + 1);
    if !src[b..line_end].trim().is_empty() {
        return None;
    }
    let (start, end) = if src[line..a].trim().is_empty() {
        (line, line_end)
    } else {
        (a - (src[..a].len() - src[..a].trim_end().len()), b)
    };
    let fix = Fix {
        strategy: FixStrategy::RemoveSuppression,
        title: "remove the suppression".to_string(),
        code: String::new(),
        ..Fix::default()
    };
    let edit = Edit {
        file: file.id,
        span: Span {
            start: text.pos_at(start),
            end: text.pos_at(end),
        },
        text: String::new(),
    };
    Some(fix.with_edits(vec![edit], Applicability::Safe))
}

fn quoted(names: &[&String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn finding(file: File, s: &Suppression, message: String, label: &str) -> Diagnostic {
    let code = RULE.meta.code;
    Diagnostic {
        rule: RULE.id(),
        severity: Severity::Warning,
        confidence: Confidence::High,
        fingerprint: stable_hash(&[code, file.stable, &message]),
        message,
        file: file.id,
        span: s.span,
        labels: vec![Label {
            file: file.id,
            span: s.span,
            message: label.to_string(),
            primary: true,
        }],
        notes: vec![
            "remove the suppression, or name the rule it is meant for (`cargo spawnlint --list-rules`)"
                .to_string(),
        ],
        fixes: Vec::new(),
    }
}
