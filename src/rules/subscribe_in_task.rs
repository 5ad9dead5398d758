//! SL006 `subscribe-in-task`.
//!
//! ### What it does
//! Finds spawned tasks that subscribe to a broadcast-style source
//! (`broadcast::Sender::subscribe`, `Receiver::resubscribe`,
//! `async_broadcast`'s `new_receiver`, …) inside their own body, in any
//! function.
//!
//! ### Why is this bad
//! A broadcast receiver only gets what is sent after it exists. Everything
//! sent between the spawn and the task's first run (which on a busy runtime
//! is often everything the caller sends right after spawning) is lost.
//!
//! ### Example
//! ```ignore
//! let events = self.events.clone();
//! tokio::spawn(async move {
//!     let mut rx = events.subscribe();
//!     while let Ok(e) = rx.recv().await { audit(e) }
//! });
//! ```
//!
//! ### Use instead
//! Subscribe before spawning and move the receiver in.

use super::explain::{self, Finding};
use super::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fixes;
use crate::model::flow::ListenKind;

/// Run the rule.
pub fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (func, sites) in cx.tasks {
        for site in sites {
            let Some(listen) = site.listens.iter().find(|l| match &l.kind {
                ListenKind::Subscribe {
                    ty: Some(ty),
                    method,
                } => cx.catalog.is_broadcast(ty) && cx.catalog.subscribe_methods.contains(method),
                _ => false,
            }) else {
                continue;
            };
            let ListenKind::Subscribe { method, .. } = &listen.kind else {
                continue;
            };
            let fn_name = cx.fn_name(*func);
            let source = listen.name.clone();
            let mut labels = Vec::new();
            if let Some(first) = listen.via.first() {
                labels.push((
                    first.loc,
                    format!("the task subscribes inside `{}`", first.callee),
                ));
            }
            labels.push((
                listen.loc,
                format!("subscribes only when the task first runs: anything sent on `{source}` before then is lost"),
            ));
            let text = cx.source(listen.loc.file);
            let subscribe_text = text.as_ref().and_then(|s| fixes::slice(s, listen.loc.span));
            let call_text = cx
                .source(site.call.file)
                .and_then(|s| fixes::slice(&s, site.call.span));
            let fix = match (&subscribe_text, &call_text) {
                (Some(sub), Some(call)) => {
                    let sender = sub
                        .rsplit_once(&format!(".{method}"))
                        .map(|(s, _)| s.trim().to_string())
                        .unwrap_or_else(|| source.clone());
                    let rx = format!("{}_rx", source.trim_end_matches("_tx"));
                    fixes::subscribe_first(&sender, method, &rx, call, sub)
                }
                _ => None,
            };
            out.push(explain::finding(
                cx,
                Finding {
                    code: "SL006",
                    rule: "subscribe-in-task",
                    severity: Severity::Warning,
                    message: format!(
                        "task spawned in `{fn_name}` subscribes to `{source}` only once it runs, so events sent right after the spawn are lost"
                    ),
                    primary: site.loc,
                    primary_text: "the spawning code goes on at once, before the task has subscribed".into(),
                    labels,
                    notes: vec![format!(
                        "a broadcast receiver only gets values sent after `{method}()` returns; the task may first run long after the spawn"
                    )],
                    fixes: fix.into_iter().collect(),
                    identity: vec![fn_name, site.spawner.clone(), source],
                },
            ));
        }
    }
    out
}
