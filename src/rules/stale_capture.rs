//! SL003 `stale-capture`: a task keeps a handle that a later step or
//! method replaces with a new value the task never sees. The user
//! documentation is the rule's page, `rules/SL003-stale-capture.md`.

use super::crossing::{self, CrossingFacts};
use super::explain::{self, Finding};
use super::{Check, Context};
use crate::analysis::trace::{Capture, CtorTrace, Key, Root, SpawnSite, Write};
use crate::diagnostic::{Applicability, Confidence, Diagnostic, Fix, FixStrategy, Severity};
use crate::fixes;
use crate::model::FnRef;

crate::declare_rule! {
    code: "SL003",
    slug: "stale-capture",
    summary: "a task keeps a handle that a later step or method replaces with a new value the task never sees",
    severity: Error,
    scope: Constructors,
    check: Check::Analysis(check),
}

/// The capture a replacing write leaves stale: the task holds exactly the
/// replaced handle, as a handle of its own (not through `Arc<Self>`).
pub fn replaced_capture<'s>(ca: &CtorTrace, site: &'s SpawnSite, w: &Write) -> Option<&'s Capture> {
    if !w.replaces {
        return None;
    }
    site.captures.iter().find(|c| {
        let Some(k) = &c.key else { return false };
        let own_type = matches!(&k.root, Root::Type(t) if *t == ca.ty) && k.path.is_empty();
        *k == w.key && !own_type && !matches!(k.root, Root::Cyclic(_)) && !super::redeclares(c, w)
    })
}

/// Run the rule.
pub fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ca in cx.ctors() {
        for (i, site) in ca.spawns.iter().enumerate() {
            if ca.spawn_position(i).is_none() {
                continue;
            }
            let in_ctor = ca.writes_after(i).find_map(|w| {
                replaced_capture(ca, site, w)
                    .filter(|c| c.is_handle)
                    .map(|c| (c, w, None))
            });
            let hit = in_ctor.or_else(|| {
                ca.later_methods.iter().find_map(|m| {
                    let effects = cx.method_effects(&ca.ty, *m);
                    // A method that replaces the handle and then spawns the
                    // task again restarts it with the new one.
                    if effects.spawns.contains(&site.loc) {
                        return None;
                    }
                    effects.writes.iter().find_map(|w| {
                        // The method sends the new value on to whoever
                        // listens: the task is told, not left stale.
                        if w.place
                            .as_ref()
                            .is_some_and(|p| effects.forwarded.contains(p))
                        {
                            return None;
                        }
                        replaced_capture(ca, site, w)
                            .filter(|c| c.is_handle)
                            .map(|c| (c, w, Some(*m)))
                    })
                })
            });
            if let Some((capture, write, method)) = hit {
                out.push(diagnostic(cx, ca, site, capture, write, method));
            }
        }
    }
    out
}

fn diagnostic(
    cx: &Context,
    ca: &CtorTrace,
    site: &SpawnSite,
    capture: &Capture,
    write: &Write,
    method: Option<FnRef>,
) -> Diagnostic {
    let ctor = cx.fn_name(ca.ctor);
    let stmt = cx
        .source(write.loc.file)
        .and_then(|s| fixes::statement_at(s, write.loc.span));
    // Name the state as the replacing statement does (`settings` in
    // `self.settings = ..`): the key may only know its type.
    let field = write
        .place
        .clone()
        .or_else(|| capture.key.as_ref().map(|k| ca.key_name(k)))
        .unwrap_or_else(|| capture.name.clone());
    let (message, where_) = match method {
        Some(m) => {
            let name = cx.fn_name(m);
            (
                format!("task spawned in `{ctor}` keeps the old `{field}`: `{name}` replaces it with a value the task never sees"),
                format!("in `{}`", cx.model.func(m).name),
            )
        }
        None => (
            format!(
                "task spawned in `{ctor}` keeps the old `{field}`: it is replaced after the spawn"
            ),
            "after the spawn".to_string(),
        ),
    };
    let mut labels = Vec::new();
    if let Some(decl) = capture.decl {
        labels.push((
            decl,
            format!("`{}` is the task's own handle to `{field}`", capture.name),
        ));
    }
    let first_use = site.accesses.iter().find(|a| {
        capture
            .key
            .as_ref()
            .is_some_and(|k| a.key.overlaps(k) || k.overlaps(&a.key))
    });
    if let Some(a) = first_use {
        labels.push((a.loc, format!("the task reads the old `{field}` here")));
    }
    labels.push((
        write.loc,
        format!("`{field}` replaced here, {where_}: only the struct sees the new value"),
    ));
    let mut fixes_out: Vec<Fix> = Vec::new();
    if method.is_none() {
        fixes_out.extend(spawn_after_replacement(
            cx, ca, site, capture, write, &field,
        ));
    }
    if let Some(stmt) = &stmt {
        let value_type = match &capture.key {
            Some(Key {
                root: Root::Type(t),
                path,
            }) if path.is_empty() => Some(t.name.clone()),
            _ => cx
                .model
                .field_type(&ca.ty, &field)
                .and_then(|t| t.core.clone()),
        };
        fixes_out.extend(in_place_through_lock(cx, ca, write, &field, stmt));
        if fixes_out
            .iter()
            .all(|f| f.strategy != FixStrategy::MutateInPlace)
        {
            fixes_out.extend(fixes::mutate_in_place(&field, stmt, value_type.as_deref()));
        }
        fixes_out.extend(fixes::watch_channel(&field, stmt));
    }
    explain::finding(
        cx,
        Finding {
            rule: RULE.id(),
            severity: Severity::Error,
            confidence: replaced_confidence(cx, ca, capture, &field),
            message,
            primary: site.loc,
            primary_text: format!("the task takes `{}` here and keeps it for its whole life", capture.name),
            labels,
            notes: vec![format!(
                "assigning a new value to `{field}` does not reach the handle the task already holds; the task goes on with the old value until it ends"
            )],
            fixes: fixes_out,
            identity: vec![ctor, site.spawner.clone(), field, method.map(|m| cx.fn_name(m)).unwrap_or_default()],
        },
    )
}

/// When the value is replaced later in the same function: make the task's
/// handle and spawn only after the replacement, so the task takes the
/// final value — the `let` that makes the handle and the spawn move
/// together, as written ([`fixes::reorder_edits`] decides if it is safe).
fn spawn_after_replacement(
    cx: &Context,
    ca: &CtorTrace,
    site: &SpawnSite,
    capture: &Capture,
    write: &Write,
    field: &str,
) -> Option<Fix> {
    let file = site.call.file;
    // The `let` that makes the handle, when the task takes a name bound
    // for it; not the replaced variable's own `let` (a handle made inline,
    // `spawn(check(Arc::clone(&pool)))`, moves with the spawn).
    let own = write.place.as_deref() == Some(capture.name.as_str());
    let decl = capture.decl.filter(|_| !own);
    if write.loc.file != file || decl.is_some_and(|d| d.file != file) {
        return None;
    }
    let captures: Vec<String> = site.captures.iter().map(|c| c.name.clone()).collect();
    let ctor = ca.ctor;
    let facts = CrossingFacts::of(cx, Some(ctor));
    let ran = crossing::ran(ca);
    let waits = |call: fixes::Call| crossing::callee_waits(cx, ctor, &ran, call);
    let (edits, applicability) = fixes::reorder_edits(
        cx.source(file)?,
        file,
        site.call.span,
        write.loc.span,
        facts.crossing(&captures, &waits),
        decl.map(|d| d.span),
    )?;
    let fix = Fix {
        strategy: FixStrategy::Reorder,
        title: match decl {
            Some(_) => format!(
                "make `{}` and spawn only after `{field}` is replaced, so the task takes the final value",
                capture.name
            ),
            None => format!("spawn only after `{field}` is replaced, so the task takes the final value"),
        },
        ..Fix::default()
    };
    Some(fix.with_edits(edits, applicability))
}

/// When the field is already an `Arc` of a `std::sync` lock and the
/// statement replaces it with a new lock: write the value through the lock
/// instead, an edit of that one statement. Unsafe: every holder of the old
/// `Arc`, not only the task, now sees the new value.
fn in_place_through_lock(
    cx: &Context,
    ca: &CtorTrace,
    write: &Write,
    field: &str,
    stmt: &str,
) -> Option<Fix> {
    let info = cx.model.field_type(&ca.ty, field)?;
    let lock = match info.wrappers.as_slice() {
        [arc, lock, ..] if arc == "Arc" && (lock == "RwLock" || lock == "Mutex") => lock.as_str(),
        _ => return None,
    };
    let source = cx.source(write.loc.file)?;
    // Only `std::sync`'s locks return a `Result` to unwrap.
    let std_lock = source.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("use std::sync") && fixes::mentions(l, lock)
    });
    if !std_lock {
        return None;
    }
    let code = fixes::lock_in_place(stmt, lock)?;
    let edit = fixes::replace_statement_edit(source, write.loc.file, write.loc.span, &code)?;
    let fix = Fix {
        strategy: FixStrategy::MutateInPlace,
        title: format!(
            "write the new `{field}` through the lock the task already holds instead of replacing the `Arc`"
        ),
        code,
        ..Fix::default()
    };
    Some(fix.with_edits(vec![edit], Applicability::Unsafe))
}

/// High when the replaced state is a shared handle by its declared type (an
/// `Arc`, an `Rc`, a channel end) or a local made as one; a replaced plain
/// value the task copied may be refreshed by means the analysis does not
/// see: medium.
fn replaced_confidence(cx: &Context, ca: &CtorTrace, capture: &Capture, field: &str) -> Confidence {
    if matches!(capture.key.as_ref().map(|k| &k.root), Some(Root::Local(_))) {
        return Confidence::High;
    }
    let shared = cx.model.field_type(&ca.ty, field).is_some_and(|t| {
        t.is_shared()
            || t.core
                .as_ref()
                .is_some_and(|c| cx.catalog.sem.channel_ends.contains(c))
    });
    if shared {
        Confidence::High
    } else {
        Confidence::Medium
    }
}
