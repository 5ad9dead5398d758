//! SL900 `unused-suppression`: a suppression that suppresses nothing,
//! names no rule, or names a rule that does not exist.
//!
//! Unlike the other rules it does not look at constructors: it runs after
//! them, over each file's suppressions and which of them were used
//! (see [`crate::suppress::apply`]).

use crate::config;
use crate::diagnostic::{stable_hash, Diagnostic, Label, Severity};
use crate::suppress::{Scope, Suppression};

/// The rule's code.
pub const CODE: &str = "SL900";
/// The rule's slug.
pub const SLUG: &str = "unused-suppression";

/// The SL900 findings of one file. `used[i]` lists the rules suppression
/// `i` silenced a finding of; `ran(code)` says whether a rule ran for this
/// file (a suppression of a rule that was not run is not reported).
pub fn check(
    file: &str,
    sups: &[Suppression],
    used: &[Vec<&str>],
    ran: &dyn Fn(&str) -> bool,
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
            .filter(|n| config::rule_code(n).is_none())
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
                config::rule_code(n)
                    .is_some_and(|code| code != CODE && ran(code) && !silenced.contains(&code))
            })
            .collect();
        if !idle.is_empty() {
            let place = match s.scope {
                Scope::Line => "on this line",
                Scope::Item => "in this item",
                Scope::File => "in this file",
            };
            out.push(finding(
                file,
                s,
                format!("unused suppression: no {} finding {place}", quoted(&idle)),
                "suppresses nothing",
            ));
        }
    }
    out
}

fn quoted(names: &[&String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn finding(file: &str, s: &Suppression, message: String, label: &str) -> Diagnostic {
    Diagnostic {
        code: CODE,
        rule: SLUG,
        severity: Severity::Warning,
        fingerprint: stable_hash(&[CODE, file, &message]),
        message,
        file: file.to_string(),
        span: s.span,
        labels: vec![Label {
            file: file.to_string(),
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
