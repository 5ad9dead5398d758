//! SL002 `spawn-before-load`: a constructor spawns a task that reads state
//! a load-like method initializes after construction. The user
//! documentation is the rule's page, `rules/SL002-spawn-before-load.md`.

use super::explain::{self, Window};
use super::{access_severity, exposed, Check, Context};
use crate::analysis::trace::{AccessKind, Placeholder};
use crate::diagnostic::{Diagnostic, Severity};

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
    out
}
