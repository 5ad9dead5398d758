//! The listen pass: from the signal calls a task made, in order, how it
//! starts listening or waiting (SL006, SL007 read the result).

use super::trace::{Listen, ListenKind, SignalCall, TaskEvent};
use crate::catalog::Catalog;
use crate::source::Loc;
use std::collections::HashMap;

/// The [`Listen`]s of a task's recorded events.
pub(super) fn derive(events: &[TaskEvent], cat: &Catalog) -> Vec<Listen> {
    // Watch receivers the task subscribed itself and has not read yet.
    let mut unread: HashMap<u32, Loc> = HashMap::new();
    let mut out = Vec::new();
    for ev in events {
        match ev {
            TaskEvent::Subscribed { local, loc, .. } => {
                unread.insert(*local, *loc);
            }
            TaskEvent::Call(c) => {
                if let Some(kind) = classify(c, cat, &mut unread) {
                    out.push(listen(c, kind));
                }
            }
        }
    }
    out
}

fn listen(c: &SignalCall, kind: ListenKind) -> Listen {
    let on_local = matches!(kind, ListenKind::Notified) && c.on_local;
    Listen {
        kind,
        loc: c.loc,
        name: c.name.clone(),
        via: c.via.clone(),
        delayed: c.delayed,
        in_loop: c.in_loop,
        bounded: c.bounded,
        on_local,
    }
}

/// What a signal call is, if it starts a listen.
fn classify(c: &SignalCall, cat: &Catalog, unread: &mut HashMap<u32, Loc>) -> Option<ListenKind> {
    match (c.method.as_str(), c.nargs) {
        (m, 0) if cat.subscribe_methods.contains(m) => Some(ListenKind::Subscribe {
            method: c.method.clone(),
            ty: c.recv_type.clone(),
        }),
        ("notified", 0) => Some(ListenKind::Notified),
        ("wait", 1) | ("wait_timeout", 2) => is_condvar(c).then_some(ListenKind::CondvarWait {
            check: c.check,
            timed: c.method == "wait_timeout",
        }),
        ("borrow" | "borrow_and_update" | "has_changed", 0) | ("wait_for", 1) => {
            if let Some(id) = c.recv_local {
                unread.remove(&id);
            }
            None
        }
        ("changed", 0) => {
            let subscribed = *c.recv_local.and_then(|id| unread.get(&id))?;
            Some(ListenKind::WatchChangedUnchecked { subscribed })
        }
        _ => None,
    }
}

/// Many types have a one-argument `wait` (latches, custom events with a
/// timeout): without a declared `Condvar`, only a receiver named like one
/// counts.
fn is_condvar(c: &SignalCall) -> bool {
    match &c.recv_type {
        Some(t) => t.last().is_some_and(|l| l == "Condvar"),
        None => {
            let n = c.name.to_ascii_lowercase();
            n.contains("cvar") || n.contains("cond") || n == "cv"
        }
    }
}
