//! SL002 `spawn-before-load`: a constructor spawns a task that reads state
//! a load-like method initializes after construction. The user
//! documentation is the rule's page, `rules/SL002-spawn-before-load.md`.

use super::explain::{self, Window};
use super::{access_severity, exposed, Check, Context};
use crate::analysis::empty_slots::EmptySlot;
use crate::analysis::returned_snapshots::ReturnedSnapshot;
use crate::analysis::trace::{AccessKind, Placeholder};
use crate::diagnostic::{Confidence, Diagnostic, Fix, FixStrategy, Severity};

crate::declare_rule! {
    code: "SL002",
    slug: "spawn-before-load",
    summary: "a constructor spawns a task that reads state a load-like method initializes after construction",
    severity: Warning up to Error,
    scope: Constructors,
    check: Check::Analysis(check),
}

/// Run the rule.
pub fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ca in cx.ctors() {
        for site in &ca.spawns {
            if site.joined {
                continue;
            }
            let hit = site.accesses.iter().filter(|a| exposed(a)).find_map(|a| {
                let placeholder = ca.placeholder(&a.key)?;
                if !placeholder.is_placeholder() {
                    return None;
                }
                let would_fail = matches!(placeholder, Placeholder::Absent | Placeholder::Empty)
                    && (matches!(a.kind, AccessKind::Panicky(_))
                        || matches!(a.kind, AccessKind::Tolerant { lossy: Some(_) }));
                ca.later_methods
                    .iter()
                    .filter(|m| !site.task_calls.contains(m))
                    .filter(|m| would_fail || cx.catalog.is_load_like(&cx.model.func(**m).name))
                    .find_map(|m| {
                        cx.method_effects(&ca.ty, *m)
                            .writes
                            .iter()
                            .find(|w| {
                                w.key.overlaps(&a.key)
                                    && super::stale_capture::replaced_capture(ca, site, w).is_none()
                            })
                            .map(|w| (a, w, *m))
                    })
            });
            if let Some((access, write, method)) = hit {
                let severity = match access.kind {
                    AccessKind::Tolerant { .. } => Severity::Warning,
                    _ => access_severity(access),
                };
                out.push(explain::diagnostic(
                    cx,
                    Window {
                        rule: RULE.id(),
                        severity,
                        confidence: explain::window_confidence(access),
                        ctor: ca,
                        site,
                        access,
                        write,
                        load: Some(method),
                    },
                ));
            }
        }
    }
    out.extend(
        cx.analysis
            .returned_snapshots
            .iter()
            .map(|r| returned_snapshot(cx, r)),
    );
    out.extend(cx.analysis.empty_slots.iter().map(|e| empty_slot(cx, e)));
    out
}

/// A shared empty slot filled only after the task that unwraps it starts.
fn empty_slot(cx: &Context, e: &EmptySlot) -> Diagnostic {
    let fn_name = cx.fn_name(e.function);
    let slot = &e.slot;
    let mut labels: Vec<(crate::source::Loc, String)> = e
        .hops
        .iter()
        .map(|(call, callee)| (*call, format!("the task hands `{slot}` to `{callee}`")))
        .collect();
    labels.push((
        e.unwrap,
        format!("unwraps the content of `{slot}`: panics while it is still `None`"),
    ));
    labels.push((
        e.fill,
        format!("`{slot}` is filled only here, after the task started"),
    ));
    let fix = Fix {
        strategy: FixStrategy::Gate,
        title: format!("handle an empty `{slot}` in the task (wait for it, or queue the work until it is filled) instead of unwrapping it; or fill `{slot}` before the spawn"),
        code: format!("match {slot}.read().unwrap().as_ref() {{\n    Some(value) => {{ /* use it */ }}\n    None => {{ /* not ready yet: keep the request for later */ }}\n}}"),
        ..Fix::default()
    };
    explain::finding(
        cx,
        explain::Finding {
            rule: RULE.id(),
            severity: Severity::Warning,
            confidence: Confidence::Medium,
            message: format!("`{fn_name}` starts a task that unwraps `{slot}` before it fills `{slot}`: a task that reads it first panics on `None`"),
            primary: e.spawn,
            primary_text: format!("the task runs from here, while `{slot}` is still `None`"),
            labels,
            notes: vec![format!("`{slot}` starts empty; nothing orders the task's read after the fill, so whatever makes the task read it early (a first request, a timer) finds `None`")],
            fixes: vec![fix],
            identity: vec![fn_name, "empty-slot".into(), slot.clone()],
        },
    )
}

/// A snapshot handed back to the caller while the task already delivers
/// the updates after it.
fn returned_snapshot(cx: &Context, r: &ReturnedSnapshot) -> Diagnostic {
    let fn_name = cx.fn_name(r.function);
    let (snapshot, stream, (callback, method, call)) = (&r.snapshot, &r.stream, &r.callback);
    let fix = Fix {
        strategy: FixStrategy::Gate,
        title: format!("deliver `{snapshot}` through `{callback}` first, inside the task, before forwarding `{stream}`, instead of returning it"),
        code: format!(
            "/* the spawn, with the task starting: */
{callback}.{method}(/* `{snapshot}`, as the base the updates apply to */);
/* then the loop over `{stream}`, unchanged */"
        ),
        ..Fix::default()
    };
    explain::finding(
        cx,
        explain::Finding {
            rule: RULE.id(),
            severity: Severity::Warning,
            confidence: Confidence::Medium,
            message: format!("`{fn_name}` returns the snapshot `{snapshot}` for its caller to apply, but the task it starts already forwards the updates after it to `{callback}`: an update can arrive before the caller has applied the snapshot"),
            primary: r.spawn,
            primary_text: format!("the task forwards `{stream}` to `{callback}` from here on"),
            labels: vec![
                (*call, format!("updates reach `{callback}` here, maybe before the caller has `{snapshot}`")),
                (r.returned, format!("`{snapshot}` reaches the caller only here, when `{fn_name}` returns")),
            ],
            notes: vec![format!("`{snapshot}` and `{stream}` were taken together, so the updates apply on top of the snapshot; the caller applies the snapshot only after the return, by which time the task may have delivered updates to a view that does not have it")],
            fixes: vec![fix],
            identity: vec![fn_name, "returned-snapshot".into(), snapshot.clone()],
        },
    )
}
