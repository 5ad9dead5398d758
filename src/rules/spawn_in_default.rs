//! SL005 `spawn-in-default`.
//!
//! ### What it does
//! Finds `impl Default` whose `default()` starts a task, directly or
//! through helpers of the crate.
//!
//! ### Why is this bad
//! `Default` is meant to be a cheap, side-effect-free value. Callers write
//! `Config { port: 80, ..Default::default() }`: the default value (and its
//! task) is built first, then the fields it captured are overridden, so
//! the task runs with values the caller never asked for. Every
//! `T::default()` in tests, builders and `mem::take` starts another task.
//!
//! ### Example
//! ```ignore
//! impl Default for Flusher {
//!     fn default() -> Self {
//!         let buf = Arc::new(Mutex::new(Vec::new()));
//!         let b = buf.clone();
//!         std::thread::spawn(move || flush_forever(b));
//!         Self { buf }
//!     }
//! }
//! ```
//!
//! ### Use instead
//! A side-effect-free `Default` and a `start` method.

use super::explain::{self, Finding};
use super::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fixes;
use crate::model::flow::Root;
use crate::source::Loc;

/// Run the rule.
pub fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ca in cx.ctors {
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
        let update_site = struct_update_site(cx, &ca.ty.name, ca.ctor.file);
        for site in &ca.spawns {
            if site.joined || site.in_cyclic.is_some() {
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
                    code: "SL005",
                    rule: "spawn-in-default",
                    severity: Severity::Warning,
                    message: format!("`Default::default` for `{ty}` starts a task"),
                    primary: site.loc,
                    primary_text: "the task starts whenever a default value is built".into(),
                    labels,
                    notes,
                    fixes: cx
                        .source(site.call.file)
                        .and_then(|s| fixes::slice(&s, site.call.span))
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

/// One `T { .., ..Default::default() }` of type `ty` in the crate, if any.
fn struct_update_site(cx: &Context, ty: &str, from: crate::source::FileId) -> Option<Loc> {
    let krate = cx.model.crate_of(from);
    cx.model
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.crate_id == krate)
        .find_map(|(i, f)| {
            f.facts
                .default_updates
                .iter()
                .find(|(name, _)| name == ty)
                .map(|(_, span)| Loc {
                    file: i as crate::source::FileId,
                    span: *span,
                })
        })
}
