//! SL005 `spawn-in-default`: `Default::default` starts a task; struct-update syntax then overrides what the task captured. The user documentation is the rule's
//! page, `rules/SL005-spawn-in-default.md`.

use super::explain::{self, Finding};
use super::{Check, Context};
use crate::analysis::trace::Root;
use crate::diagnostic::{Confidence, Diagnostic, Severity};
use crate::fixes;

crate::declare_rule! {
    code: "SL005",
    slug: "spawn-in-default",
    summary: "`Default::default` starts a task; struct-update syntax then overrides what the task captured",
    severity: Warning,
    scope: Constructors,
    check: Check::Analysis(check),
}

/// Run the rule.
pub fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ca in cx.ctors() {
        let func = cx.model.func(ca.ctor);
        if func.name != "default" || func.trait_name.as_deref() != Some("Default") {
            continue;
        }
        // A type with `Drop` is a guard that owns and stops its task
        // (`let _m = Monitor::default();`): starting it is the point, and
        // struct-update syntax cannot move out of a `Drop` type anyway.
        let is_guard = cx
            .model
            .methods_of(&ca.ty)
            .iter()
            .any(|m| cx.model.func(*m).trait_name.as_deref() == Some("Drop"));
        if is_guard {
            continue;
        }
        let update_site = cx.model.default_update_site(&ca.ty.name, ca.ctor.file);
        for site in &ca.spawns {
            if site.joined || site.in_cyclic.is_some() {
                continue;
            }
            // An actor: the task holds only channel ends, fed by the value
            // (`Self { tx }` keeps the sender); nothing it reaches is left
            // for a struct update to override.
            if !site.captures.is_empty() && site.captures.iter().all(|c| c.channel_end) {
                continue;
            }
            let ty = &ca.ty.name;
            let mut labels = Vec::new();
            for via in &site.via {
                labels.push((
                    via.loc,
                    format!("`default` starts the task through `{}`", via.callee),
                ));
            }
            let mut notes = vec![format!(
                "every `{ty}::default()` starts another task: in tests, in builders, in `std::mem::take`"
            )];
            if let Some(loc) = update_site {
                labels.push((
                    loc,
                    format!("`..Default::default()` builds a `{ty}` (and its task) here, then overrides fields the task may have captured"),
                ));
                notes.push(format!(
                    "with struct-update syntax the task of the temporary default `{ty}` keeps running with the default values, not the ones the caller wrote"
                ));
            }
            out.push(explain::finding(
                cx,
                Finding {
                    rule: RULE.id(),
                    severity: Severity::Warning,
                    confidence: Confidence::Medium,
                    message: format!("`Default::default` for `{ty}` starts a task"),
                    primary: site.loc,
                    primary_text: "the task starts whenever a default value is built".into(),
                    labels,
                    notes,
                    fixes: cx
                        .slice(site.call)
                        .and_then(|call| {
                            let captures: Vec<(String, Option<String>)> = site
                                .captures
                                .iter()
                                .map(|c| {
                                    let field = c.key.as_ref().and_then(|k| match &k.root {
                                        Root::Type(t) if *t == ca.ty && k.path.len() == 1 => {
                                            k.path.first().cloned()
                                        }
                                        _ => None,
                                    });
                                    (c.name.clone(), field)
                                })
                                .collect();
                            fixes::default_without_spawn(ty, site.runtime, &call, &captures)
                        })
                        .into_iter()
                        .collect(),
                    identity: vec![ty.clone(), site.spawner.clone()],
                },
            ));
        }
    }
    out
}
