//! SL004 `spawn-in-new-cyclic`: a task spawned inside `Arc::new_cyclic` upgrades the `Weak` before construction has finished. The user documentation is the rule's
//! page, `rules/SL004-spawn-in-new-cyclic.md`.

use super::explain::{self, Finding};
use super::{Check, Context};
use crate::analysis::trace::{AccessKind, Root};
use crate::diagnostic::{Confidence, Diagnostic, Severity};
use crate::fixes;

crate::declare_rule! {
    code: "SL004",
    slug: "spawn-in-new-cyclic",
    summary: "a task spawned inside `Arc::new_cyclic` upgrades the `Weak` before construction has finished",
    severity: Error,
    scope: Constructors,
    check: Check::Analysis(check),
}

/// Run the rule.
pub fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ca in cx.ctors() {
        for site in &ca.spawns {
            let Some(n) = site.in_cyclic else { continue };
            let Some(access) = site
                .accesses
                .iter()
                .find(|a| a.key.root == Root::Cyclic(n) && !a.gated && !a.delayed)
            else {
                continue;
            };
            let (severity, confidence) = match access.kind {
                AccessKind::Panicky(_) => (Severity::Error, Confidence::High),
                // Tolerated, the task ends without its work: real, but no crash.
                _ => (Severity::Warning, Confidence::Medium),
            };
            let ctor = cx.fn_name(ca.ctor);
            let weak = site
                .captures
                .iter()
                .find(|c| c.key.as_ref().is_some_and(|k| k.root == Root::Cyclic(n)))
                .map(|c| c.name.clone())
                .unwrap_or_else(|| "weak".to_string());
            let mut labels = Vec::new();
            if let Some(call) = ca.cyclics.get(n as usize) {
                labels.push((
                    *call,
                    "the value exists only once `new_cyclic` returns".to_string(),
                ));
            }
            if let Some(first) = access.via.first() {
                labels.push((
                    first.loc,
                    format!("the task upgrades `{weak}` through `{}`", first.callee),
                ));
            }
            let access_text = match &access.kind {
                AccessKind::Panicky(how) => {
                    format!("panics ({how}): `upgrade` returns `None` until `new_cyclic` returns")
                }
                _ => "`upgrade` returns `None` here until `new_cyclic` returns, so the task skips its work".to_string(),
            };
            labels.push((access.loc, access_text));
            let mut notes = vec![
                "a `Weak` handed out by `new_cyclic` cannot be upgraded until the closure has returned the value".to_string(),
            ];
            if matches!(access.kind, AccessKind::Tolerant { .. }) {
                notes.push(
                    "the task tolerates the `None`, so when it runs first it ends without doing anything".to_string(),
                );
            }
            let fix = cx
                .slice(site.call)
                .and_then(|call| fixes::spawn_after_cyclic(&ca.ty.name, &call, &weak));
            let captures: Vec<String> = site.captures.iter().map(|c| c.name.clone()).collect();
            let edits = ca
                .cyclics
                .get(n as usize)
                .filter(|c| c.file == site.call.file)
                .and_then(|c| {
                    let source = cx.source(c.file)?;
                    fixes::spawn_after_cyclic_edits(
                        source,
                        c.file,
                        c.span,
                        site.call.span,
                        &weak,
                        &captures,
                    )
                });
            let fix = fix.map(|f| match edits {
                Some((edits, applicability)) => f.with_edits(edits, applicability),
                None => f,
            });
            out.push(explain::finding(
                cx,
                Finding {
                    rule: RULE.id(),
                    severity,
                    confidence,
                    message: format!(
                        "task spawned inside `new_cyclic` in `{ctor}` upgrades `{weak}` before the value exists"
                    ),
                    primary: site.loc,
                    primary_text: "the task may run from here on, before `new_cyclic` returns".into(),
                    labels,
                    notes,
                    fixes: fix.into_iter().collect(),
                    identity: vec![ctor, site.spawner.clone(), weak],
                },
            ));
        }
    }
    out
}
