//! SL003 `stale-capture`.
//!
//! ### What it does
//! Finds tasks that hold a handle (an `Arc`, a channel end, a cloned value)
//! which a later constructor step or a method of the same type *replaces*
//! (`self.settings = Arc::new(..)`, `cfg = Arc::new(real)`) instead of
//! mutating the value behind it.
//!
//! ### Why is this bad
//! The task keeps the old handle for its whole life: the reload "works",
//! the struct shows the new value, and the task keeps using the old one.
//!
//! ### Example
//! ```ignore
//! let settings = Arc::new(Settings::default());
//! let s = settings.clone();
//! tokio::spawn(async move { loop { flush(&s).await } });
//! // later, in `reload(&mut self, new)`:
//! self.settings = Arc::new(new);
//! ```
//!
//! ### Use instead
//! Write through the handle (`*self.settings.write().unwrap() = new`), or
//! send new values over a `watch` channel the task reads.

use super::explain::{self, Finding};
use super::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fixes;
use crate::model::flow::{Capture, CtorAnalysis, CtorEvent, Key, Root, SpawnSite, Write};
use crate::model::FnRef;

/// The capture a replacing write leaves stale: the task holds exactly the
/// replaced handle, as a handle of its own (not through `Arc<Self>`).
pub fn replaced_capture<'s>(
    ca: &CtorAnalysis,
    site: &'s SpawnSite,
    w: &Write,
) -> Option<&'s Capture> {
    if !w.replaces {
        return None;
    }
    site.captures.iter().find(|c| {
        let Some(k) = &c.key else { return false };
        let own_type = matches!(&k.root, Root::Type(t) if *t == ca.ty) && k.path.is_empty();
        *k == w.key && !own_type && !matches!(k.root, Root::Cyclic(_))
    })
}

/// Whether the task holds `c` as a handle (a clone of a shared value, a
/// new `Arc`/`Rc`, a channel end) rather than a plain copy: a task handed
/// `let start_id = self.next_id;` works on a snapshot by design, and a
/// later `self.next_id += n` is no news to it.
fn is_handle(cx: &Context, site: &SpawnSite, c: &Capture) -> bool {
    const HANDLE_MAKERS: &[&str] = &[
        "clone(",
        "Arc::new",
        "Rc::new",
        "Arc::from",
        "Arc::default",
        "channel(",
        "unbounded(",
        "bounded(",
    ];
    let makes_handle = |text: &str| HANDLE_MAKERS.iter().any(|m| text.contains(m));
    let decl = c.decl.and_then(|d| {
        cx.source(d.file)
            .and_then(|s| crate::fixes::statement_at(&s, d.span))
    });
    if decl.as_deref().is_some_and(makes_handle) {
        return true;
    }
    // `spawn(run(Arc::clone(&keys)))`: the clone is in the task expression.
    let task = cx
        .source(site.task.file)
        .and_then(|s| crate::fixes::slice(&s, site.task.span))
        .unwrap_or_default();
    task.contains(&format!("clone(&{})", c.name)) || task.contains(&format!("{}.clone()", c.name))
}

/// Run the rule.
pub fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ca in cx.ctors {
        let methods = cx.later_methods(ca);
        for (i, site) in ca.spawns.iter().enumerate() {
            let Some(pos) = ca
                .timeline
                .iter()
                .position(|e| matches!(e, CtorEvent::Spawn(n) if *n == i))
            else {
                continue;
            };
            let in_ctor = ca.timeline[pos + 1..].iter().find_map(|e| match e {
                CtorEvent::Write(w) => replaced_capture(ca, site, w)
                    .filter(|c| is_handle(cx, site, c))
                    .map(|c| (c, w.clone(), None)),
                _ => None,
            });
            let hit = in_ctor.or_else(|| {
                methods.iter().find_map(|m| {
                    // A method that replaces the handle and then spawns the
                    // task again restarts it with the new one.
                    if cx.method_spawns(&ca.ty, *m).contains(&site.loc) {
                        return None;
                    }
                    let writes = cx.method_writes(&ca.ty, *m);
                    writes.iter().find_map(|w| {
                        replaced_capture(ca, site, w)
                            .filter(|c| is_handle(cx, site, c))
                            .map(|c| (c, w.clone(), Some(*m)))
                    })
                })
            });
            if let Some((capture, write, method)) = hit {
                out.push(diagnostic(cx, ca, site, capture, &write, method));
            }
        }
    }
    out
}

fn diagnostic(
    cx: &Context,
    ca: &CtorAnalysis,
    site: &SpawnSite,
    capture: &Capture,
    write: &Write,
    method: Option<FnRef>,
) -> Diagnostic {
    let ctor = cx.fn_name(ca.ctor);
    let stmt = cx
        .source(write.loc.file)
        .and_then(|s| fixes::statement_at(&s, write.loc.span));
    // Name the state as the replacing statement does (`settings` in
    // `self.settings = ..`): the key may only know its type.
    let field = stmt
        .as_deref()
        .and_then(fixes::assigned_place_name)
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
    let mut fixes_out = Vec::new();
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
        fixes_out.extend(fixes::mutate_in_place(&field, stmt, value_type.as_deref()));
        fixes_out.extend(fixes::watch_channel(&field, stmt));
    }
    explain::finding(
        cx,
        Finding {
            code: "SL003",
            rule: "stale-capture",
            severity: Severity::Error,
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
