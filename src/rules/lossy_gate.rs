//! SL007 `lossy-gate`.
//!
//! ### What it does
//! Finds ready gates that can miss their own signal, in any spawned task:
//! - a task creates `notify.notified()` inside its body (or re-creates it
//!   each time round a loop or `select!`) while the signal is
//!   `notify_waiters()`, which wakes only futures that already exist;
//! - a thread calls `Condvar::wait` without re-checking its condition under
//!   the lock (not in a `while` loop, not `wait_while`);
//! - a task subscribes to a `watch` channel itself and then waits for
//!   `changed()` without looking at the current value.
//!
//! ### Why is this bad
//! If the signal fires before the task starts waiting, it is lost: the task
//! waits for a second signal that never comes. Unbounded, it hangs forever.
//!
//! ### Example
//! ```ignore
//! tokio::spawn(async move { ready.notified().await; serve().await });
//! // in `load`: self.ready.notify_waiters();
//! ```
//!
//! ### Use instead
//! `notify_one` (stores a permit), a `Notified` created (or enabled) before
//! the spawn, `Condvar::wait_while`, or `watch::Receiver::wait_for`.

use super::explain::{self, Finding};
use super::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::{Callee, Expr, Stmt};
use crate::fixes;
use crate::model::flow::{self, ListenKind, WaitCheck};
use crate::source::{FileId, Loc};
use std::collections::HashMap;

/// Run the rule.
pub fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut waiters_signals: Option<HashMap<(FileId, String), Vec<Loc>>> = None;
    for (func, sites) in cx.tasks {
        for site in sites {
            for listen in &site.listens {
                let fn_name = cx.fn_name(*func);
                let name = listen.name.clone();
                let call_text = cx
                    .source(listen.loc.file)
                    .and_then(|s| fixes::slice(&s, listen.loc.span));
                let (severity, message, text, signal, notes, fixes_out) = match &listen.kind {
                    ListenKind::Notified => {
                        let signals =
                            waiters_signals.get_or_insert_with(|| notify_waiters_calls(cx));
                        let spawning_fn = cx.model.func(*func).item_span;
                        let Some(signal) = signals
                            .get(&(listen.loc.file, name.clone()))
                            .into_iter()
                            .flatten()
                            .find(|loc| {
                                // A local `Notify` is signalled by the function
                                // that made it; a field's anywhere in its file.
                                !listen.on_local
                                    || (loc.file == func.file && spawning_fn.contains(loc.span))
                            })
                        else {
                            continue;
                        };
                        let severity = if listen.bounded {
                            Severity::Warning
                        } else {
                            Severity::Error
                        };
                        // The fix goes where the signal is sent, in its words.
                        let notify = cx
                            .source(signal.file)
                            .and_then(|s| fixes::slice(&s, signal.span))
                            .and_then(|t| {
                                t.rsplit_once(".notify_waiters")
                                    .map(|(a, _)| a.trim().to_string())
                            })
                            .unwrap_or_else(|| name.clone());
                        let mut notes = vec![
                            "`notify_waiters` wakes only the `Notified` futures that exist when it is called; it stores no permit".to_string(),
                        ];
                        if listen.in_loop {
                            notes.push("the future is created anew each time round the loop, so a signal between two waits is lost too".to_string());
                        }
                        if severity == Severity::Error {
                            notes.push("nothing bounds the wait: if the signal came first, the task waits forever".to_string());
                        }
                        let mut f: Vec<_> = fixes::notify_one(&notify).into_iter().collect();
                        f.extend(fixes::notified_before_spawn(&notify));
                        (
                            severity,
                            format!("task spawned in `{fn_name}` waits on `{name}` with a `Notified` it creates itself, but the signal is `notify_waiters`: a signal sent before the task runs is lost"),
                            "the `Notified` future is created here, only once the task runs".to_string(),
                            Some((*signal, "`notify_waiters` wakes only futures that already exist".to_string())),
                            notes,
                            f,
                        )
                    }
                    ListenKind::CondvarWait { check } => {
                        let is_timed = call_text
                            .as_deref()
                            .is_some_and(|t| t.contains("wait_timeout"));
                        let (severity, how) = match check {
                            WaitCheck::Loop => continue,
                            WaitCheck::Once => (Severity::Warning, "checks the condition once, under `if`: a spurious wakeup passes before the state is ready"),
                            WaitCheck::Never if is_timed => (Severity::Warning, "waits without checking the condition: a notification sent before the wait is lost"),
                            WaitCheck::Never => (Severity::Error, "waits without checking the condition: a notification sent before the wait is lost, and the thread blocks forever"),
                        };
                        let fix = call_text.as_deref().and_then(|t| {
                            let call: syn::ExprMethodCall = syn::parse_str(t).ok()?;
                            let recv = &call.receiver;
                            let cvar = quote::quote!(#recv).to_string();
                            let guard = match call.args.first()? {
                                syn::Expr::Path(p) => p.path.get_ident()?.to_string(),
                                _ => return None,
                            };
                            fixes::condvar_wait_while(&cvar, &guard)
                        });
                        (
                            severity,
                            format!("thread spawned in `{fn_name}` {how}"),
                            "`Condvar::wait` here does not re-check the condition under the lock".to_string(),
                            None,
                            vec!["a `Condvar` does not remember notifications: the waiter must check the condition under the lock before and after every wait (`while !ready { .. }` or `wait_while`)".to_string()],
                            fix.into_iter().collect(),
                        )
                    }
                    ListenKind::WatchChangedUnchecked { subscribed } => {
                        let severity = if listen.bounded {
                            Severity::Warning
                        } else {
                            Severity::Error
                        };
                        (
                            severity,
                            format!("task spawned in `{fn_name}` subscribes to a `watch` itself and waits for `changed()`: a value sent before it subscribed is never seen as a change"),
                            "waits for the next change; the value already sent counts as seen".to_string(),
                            Some((*subscribed, "a new receiver marks the current value as seen".to_string())),
                            vec!["`changed()` waits for a value newer than the receiver has seen; a receiver created after the ready value was sent waits for another one".to_string()],
                            fixes::watch_wait_for(&name).into_iter().collect(),
                        )
                    }
                    ListenKind::Subscribe { .. } => continue,
                };
                let mut labels = Vec::new();
                if let Some(first) = listen.via.first() {
                    labels.push((
                        first.loc,
                        format!("the task waits inside `{}`", first.callee),
                    ));
                }
                labels.push((listen.loc, text));
                if let Some(s) = signal {
                    labels.push(s);
                }
                out.push(explain::finding(
                    cx,
                    Finding {
                        code: "SL007",
                        rule: "lossy-gate",
                        severity,
                        message,
                        primary: site.loc,
                        primary_text: "the signal may fire before the task starts waiting".into(),
                        labels,
                        notes,
                        fixes: fixes_out,
                        identity: vec![fn_name, site.spawner.clone(), name],
                    },
                ));
                break;
            }
        }
    }
    out
}

/// Every `x.notify_waiters()` in the analyzed files that is a one-time
/// signal (not repeated in a loop, where a missed wakeup is retried), by
/// file and the receiver's last name (`ready` for
/// `self.ready.notify_waiters()`). A `Notify` and its waiters live with
/// their type, in one file: matching names across files would pair
/// unrelated `Notify`s.
fn notify_waiters_calls(cx: &Context) -> HashMap<(FileId, String), Vec<Loc>> {
    fn walk(e: &Expr, file: u32, out: &mut Vec<(String, Loc)>) {
        match e {
            Expr::MethodCall {
                recv, method, span, ..
            } if method == "notify_waiters" => {
                if let Some(n) = flow::last_name(recv) {
                    out.push((n, Loc { file, span: *span }));
                }
            }
            Expr::Loop { .. } | Expr::While { .. } | Expr::For { .. } => return,
            _ => {}
        }
        e.for_each_child(|c| walk(c, file, out));
    }
    let mut found = HashMap::new();
    for f in cx.model.all_fns() {
        let func = cx.model.func(f);
        if !func
            .callees
            .iter()
            .any(|c| matches!(c, Callee::Method(m) if m == "notify_waiters"))
        {
            continue;
        }
        let mut calls = Vec::new();
        for s in &func.body.stmts {
            match s {
                Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => walk(e, f.file, &mut calls),
                Stmt::Let { .. } => {}
            }
        }
        for (n, loc) in calls {
            found.entry((f.file, n)).or_insert_with(Vec::new).push(loc);
        }
    }
    found
}
