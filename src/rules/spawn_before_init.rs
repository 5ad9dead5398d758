//! SL001 `spawn-before-init`.
//!
//! ### What it does
//! Finds constructors that spawn a task and only afterwards, later in the
//! same constructor or in a helper it calls, initialize state the task reads.
//!
//! ### Why is this bad
//! The task may run as soon as it is spawned. Until the constructor reaches
//! the initialization, the task sees the placeholder: it panics on a `None`
//! or an empty map, or silently works with defaults.
//!
//! ### Example
//! ```ignore
//! let routes = Arc::new(RwLock::new(HashMap::new()));
//! let r = routes.clone();
//! thread::spawn(move || r.read().unwrap()["/"].serve());
//! routes.write().unwrap().insert("/".into(), Route::root());
//! ```
//!
//! ### Use instead
//! Initialize first, then spawn; or gate the task on a ready signal.

use super::explain::{self, Window};
use super::{access_severity, exposed, Context};
use crate::diagnostic::Diagnostic;
use crate::model::flow::CtorEvent;

/// Run the rule.
pub fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ca in cx.ctors {
        for (i, site) in ca.spawns.iter().enumerate() {
            if site.joined {
                continue;
            }
            let Some(pos) = ca
                .timeline
                .iter()
                .position(|e| matches!(e, CtorEvent::Spawn(n) if *n == i))
            else {
                continue;
            };
            let writes: Vec<_> = ca.timeline[pos + 1..]
                .iter()
                .filter_map(|e| match e {
                    // A replaced handle the task holds is SL003, not a late
                    // initialization.
                    CtorEvent::Write(w)
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
                let severity = access_severity(access);
                out.push(explain::diagnostic(
                    cx,
                    Window {
                        code: "SL001",
                        rule: "spawn-before-init",
                        severity,
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
