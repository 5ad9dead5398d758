//! SL002 `spawn-before-load`.
//!
//! ### What it does
//! Finds constructors that spawn a task reading state that a load-like
//! method of the same type (`load`, `init`, `configure`, … or any method
//! filling a field the constructor left as `None`/empty) initializes only
//! after construction.
//!
//! ### Why is this bad
//! Between `new` returning and `load` finishing, the task runs against the
//! placeholder: it panics, or does its first pass on empty state. It works
//! most of the time, which is what makes it expensive.
//!
//! ### Example
//! ```ignore
//! pub fn new() -> Arc<Self> {
//!     let hub = Arc::new(Self { gauges: Mutex::new(None) });
//!     let me = hub.clone();
//!     tokio::spawn(async move { me.collect_loop().await });
//!     hub
//! }
//! ```
//!
//! ### Use instead
//! Gate the task on a ready signal `load` fires, or start it from a
//! `start(self: &Arc<Self>)` method called after `load`.

use super::explain::{self, Window};
use super::{access_severity, exposed, Context};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::flow::{AccessKind, Placeholder};

/// Run the rule.
pub fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ca in cx.ctors {
        let candidates = cx.later_methods(ca);
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
                candidates
                    .iter()
                    .filter(|m| !site.task_calls.contains(m))
                    .filter(|m| would_fail || cx.catalog.is_load_like(&cx.model.func(**m).name))
                    .find_map(|m| {
                        let writes = cx.method_writes(&ca.ty, *m);
                        writes
                            .iter()
                            .find(|w| {
                                w.key.overlaps(&a.key)
                                    && super::stale_capture::replaced_capture(ca, site, w).is_none()
                            })
                            .map(|w| (a, w.clone(), *m))
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
                        code: "SL002",
                        rule: "spawn-before-load",
                        severity,
                        ctor: ca,
                        site,
                        access,
                        write: &write,
                        load: Some(method),
                    },
                ));
            }
        }
    }
    out
}
