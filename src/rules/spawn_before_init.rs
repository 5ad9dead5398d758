//! SL001 `spawn-before-init`: a constructor spawns a task, then initializes
//! the state that task uses. The user documentation is the rule's page,
//! `rules/SL001-spawn-before-init.md`.

use super::explain::{self, Window};
use super::{access_severity, exposed, Check, Context};
use crate::analysis::trace::Event;
use crate::diagnostic::Diagnostic;

crate::declare_rule! {
    code: "SL001",
    slug: "spawn-before-init",
    summary: "a constructor spawns a task, then initializes the state that task uses",
    severity: Warning up to Error,
    scope: Constructors,
    check: Check::Analysis(check),
}

/// Run the rule.
pub fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ca in cx.ctors() {
        for (i, site) in ca.spawns.iter().enumerate() {
            if site.joined {
                continue;
            }
            let Some(pos) = ca.spawn_position(i) else {
                continue;
            };
            let writes: Vec<_> = ca.timeline[pos + 1..]
                .iter()
                .filter_map(|e| match e {
                    // A replaced handle the task holds is SL003, not a late
                    // initialization.
                    Event::Write(w)
                        if super::stale_capture::replaced_capture(ca, site, w).is_none() =>
                    {
                        Some(w)
                    }
                    _ => None,
                })
                .collect();
            let hit = site.accesses.iter().filter(|a| exposed(a)).find_map(|a| {
                writes
                    .iter()
                    .find(|w| w.key.overlaps(&a.key))
                    .map(|w| (a, *w))
            });
            if let Some((access, write)) = hit {
                out.push(explain::diagnostic(
                    cx,
                    Window {
                        rule: RULE.id(),
                        severity: access_severity(access),
                        confidence: explain::window_confidence(access),
                        ctor: ca,
                        site,
                        access,
                        write,
                        load: None,
                    },
                ));
            }
        }
    }
    out
}
