//! The listen pass: from the signal calls a task made, in order, how it
//! starts listening or waiting (SL006, SL007 read the result).

use super::trace::{Key, Listen, ListenKind, Root, SignalCall, TaskEvent};
use crate::catalog::Catalog;
use crate::source::Loc;
use std::collections::HashMap;

/// The [`Listen`]s of a task's recorded events.
pub(super) fn derive(events: &[TaskEvent], cat: &Catalog) -> Vec<Listen> {
    // Watch receivers the task subscribed itself and has not read yet.
    // With the run's check count at the subscription.
    let mut unread: HashMap<u32, (Loc, u32)> = HashMap::new();
    let mut catching_up: Vec<CatchUp> = Vec::new();
    let mut out: Vec<Listen> = Vec::new();
    for ev in events {
        match ev {
            TaskEvent::Subscribed {
                local, loc, checks, ..
            } => {
                unread.insert(*local, (*loc, *checks));
            }
            TaskEvent::Call(c) => {
                for done in settle(&mut catching_up, c.checks) {
                    out[done].caught_up = true;
                }
                if let Some(kind) = classify(c, cat, &mut unread) {
                    if let Some(up) = CatchUp::after(c, &kind, out.len()) {
                        catching_up.push(up);
                    }
                    out.push(listen(c, kind));
                }
            }
            TaskEvent::Awaited { checks } => {
                for done in settle(&mut catching_up, *checks) {
                    out[done].caught_up = true;
                }
            }
            TaskEvent::Read { key, checks } => {
                for up in &mut catching_up {
                    up.read(key, *checks);
                }
            }
            TaskEvent::Sent { local } => {
                for l in &mut out {
                    l.then_sends.push(*local);
                }
            }
        }
    }
    out
}

/// A broadcast subscription whose task may still catch up on the state
/// the broadcast announces: a read of a field beside the sender after the
/// subscription, then a condition checked on it, before the task's next
/// signal call (its first wait).
struct CatchUp {
    /// The subscription's index among the listens.
    listen: usize,
    /// The sender's state.
    sender: Key,
    /// The types its sibling fields hold ([`SignalCall::beside`]).
    beside: Vec<Root>,
    /// The run's check count at the subscription.
    subscribed: u32,
    /// The check count at the first read beside the sender, once read.
    read: Option<u32>,
}

impl CatchUp {
    /// For a subscription on a sender that is a field of known state.
    fn after(c: &SignalCall, kind: &ListenKind, listen: usize) -> Option<CatchUp> {
        let sender = c.recv_key.clone()?;
        (matches!(kind, ListenKind::Subscribe { .. }) && !sender.path.is_empty()).then_some(
            CatchUp {
                listen,
                sender,
                beside: c.beside.clone(),
                subscribed: c.checks,
                read: None,
            },
        )
    }

    /// The task read `key` with `checks` conditions checked: state beside
    /// the sender (another field of the value that holds it).
    fn read(&mut self, key: &Key, checks: u32) {
        let owner = &self.sender.path[..self.sender.path.len() - 1];
        let beside = key.root == self.sender.root
            && key.path.len() > owner.len()
            && key.path.starts_with(owner)
            && !key.path.starts_with(&self.sender.path);
        let beside = beside || self.beside.contains(&key.root);
        if beside && checks >= self.subscribed && self.read.is_none() {
            self.read = Some(checks);
        }
    }
}

/// At a signal call made with `checks` conditions checked, the pending
/// catch-ups end: those whose read was checked since are caught up (their
/// listens returned); the others waited without catching up.
fn settle(pending: &mut Vec<CatchUp>, checks: u32) -> Vec<usize> {
    let done = pending
        .iter()
        .filter(|u| u.read.is_some_and(|r| checks > r))
        .map(|u| u.listen)
        .collect();
    pending.clear();
    done
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
        after_check: c.after_check,
        under_lock: c.under_lock,
        awaited: c.awaited,
        guard_param: c.guard_param,
        then_sends: Vec::new(),
        acknowledged: false,
        caught_up: false,
    }
}

/// What a signal call is, if it starts a listen.
fn classify(
    c: &SignalCall,
    cat: &Catalog,
    unread: &mut HashMap<u32, (Loc, u32)>,
) -> Option<ListenKind> {
    match (c.method.as_str(), c.nargs) {
        (m, 0) if cat.subscribe_methods.contains(m) => Some(ListenKind::Subscribe {
            method: c.method.clone(),
            ty: c.recv_type.clone(),
        }),
        // Only tokio's `Notify` loses a `notify_waiters` sent before the
        // `Notified` exists: a type of another name with a `notified()` of
        // its own (a level-triggered flag over a `watch`) may keep it.
        ("notified", 0) => is_notify(c).then_some(ListenKind::Notified),
        // `wait_for(guard, timeout)` is parking_lot's timed wait.
        ("wait", 1) | ("wait_timeout" | "wait_for", 2) => {
            is_condvar(c).then_some(ListenKind::CondvarWait {
                check: c.check,
                timed: c.method != "wait",
                no_spurious: c
                    .recv_type
                    .as_ref()
                    .or(c.condvar_in_scope.as_ref())
                    .is_some_and(|t| {
                        cat.sem
                            .no_spurious_wakeups
                            .iter()
                            .any(|p| crate::catalog::path_matches(p, t))
                    }),
            })
        }
        ("borrow" | "borrow_and_update" | "has_changed" | "mark_changed", 0) | ("wait_for", 1) => {
            if let Some(id) = c.recv_local {
                unread.remove(&id);
            }
            None
        }
        ("changed", 0) => {
            let (subscribed, checks) = *c.recv_local.and_then(|id| unread.get(&id))?;
            // A condition checked after subscribing sees a change sent
            // before it, and one sent after it is a change of the
            // receiver: register first, then check (`enable()` for watch).
            (c.checks == checks).then_some(ListenKind::WatchChangedUnchecked { subscribed })
        }
        _ => None,
    }
}

/// A `notified()` receiver that may be tokio's `Notify`: its type is
/// unknown, named `Notify`, or only the pointer around it (`Arc::new(..)`
/// types a local as `Arc`).
fn is_notify(c: &SignalCall) -> bool {
    c.recv_type.as_ref().map_or(true, |t| {
        t.last()
            .is_some_and(|l| matches!(l.as_str(), "Notify" | "Arc" | "Rc" | "Box"))
    })
}

/// Many types have a one-argument `wait` (latches, custom events with a
/// timeout): without a declared `Condvar`, a receiver named like one
/// counts, or one handed a lock guard in a file that imports `Condvar`
/// (`ready.wait(jobs)` with `jobs` from `.lock()`).
fn is_condvar(c: &SignalCall) -> bool {
    match &c.recv_type {
        Some(t) => t.last().is_some_and(|l| l == "Condvar"),
        None if c.guard_arg && c.condvar_in_scope.is_some() => true,
        None => {
            let n = c.name.to_ascii_lowercase();
            n.contains("cvar") || n.contains("cond") || n == "cv"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::trace::{ListenKind, SignalCall, TaskEvent, WaitCheck};
    use crate::source::{Pos, Span};

    fn loc(line: u32) -> Loc {
        Loc {
            file: 0,
            span: Span {
                start: Pos { line, column: 0 },
                end: Pos { line, column: 1 },
            },
        }
    }

    fn call(method: &str, nargs: usize, name: &str, line: u32) -> SignalCall {
        SignalCall {
            method: method.into(),
            nargs,
            loc: loc(line),
            name: name.into(),
            recv_type: None,
            recv_local: None,
            recv_key: None,
            beside: Vec::new(),
            on_local: false,
            via: Vec::new(),
            delayed: false,
            in_loop: false,
            bounded: false,
            check: WaitCheck::Never,
            after_check: false,
            checks: 0,
            under_lock: false,
            awaited: false,
            guard_param: false,
            guard_arg: false,
            condvar_in_scope: None,
        }
    }

    fn kinds(events: &[TaskEvent]) -> Vec<ListenKind> {
        derive(events, &Catalog::builtin())
            .into_iter()
            .map(|l| l.kind)
            .collect()
    }

    #[test]
    fn condvar_waits_need_a_condvar() {
        let mut typed = call("wait", 1, "signal", 3);
        typed.recv_type = Some(vec!["std".into(), "sync".into(), "Condvar".into()]);
        let named = call("wait_timeout", 2, "cvar", 4);
        let latch = call("wait", 1, "latch", 5);
        let got = kinds(&[
            TaskEvent::Call(typed),
            TaskEvent::Call(named),
            TaskEvent::Call(latch),
        ]);
        assert_eq!(
            got,
            [
                ListenKind::CondvarWait {
                    check: WaitCheck::Never,
                    timed: false,
                    no_spurious: false,
                },
                ListenKind::CondvarWait {
                    check: WaitCheck::Never,
                    timed: true,
                    no_spurious: false,
                },
            ]
        );
    }

    #[test]
    fn a_self_subscribed_watch_read_before_changed_is_fine() {
        let subscribed = |local| TaskEvent::Subscribed {
            local,
            sender: vec![
                "tokio".into(),
                "sync".into(),
                "watch".into(),
                "Sender".into(),
            ],
            loc: loc(2),
            checks: 0,
        };
        let on = |mut c: SignalCall, local| {
            c.recv_local = Some(local);
            TaskEvent::Call(c)
        };
        let unchecked = kinds(&[subscribed(7), on(call("changed", 0, "rx", 3), 7)]);
        assert_eq!(
            unchecked,
            [ListenKind::WatchChangedUnchecked { subscribed: loc(2) }]
        );
        let read_first = kinds(&[
            subscribed(7),
            on(call("borrow", 0, "rx", 3), 7),
            on(call("changed", 0, "rx", 4), 7),
        ]);
        assert!(read_first.is_empty(), "{read_first:?}");
        // Subscribed, then the state checked, then `changed()`: a change
        // before the subscription is seen by the check.
        let mut after_a_check = call("changed", 0, "rx", 5);
        after_a_check.checks = 1;
        let registered_first = kinds(&[subscribed(7), on(after_a_check, 7)]);
        assert!(registered_first.is_empty(), "{registered_first:?}");
    }

    #[test]
    fn a_subscription_caught_up_on_the_state_beside_its_sender_is_fine() {
        use crate::analysis::trace::{Key, Root};
        use crate::model::TypeRef;
        let ty = |name: &str| TypeRef {
            name: name.into(),
            file: 0,
        };
        let key = |t: &str, path: &[&str]| Key {
            root: Root::Type(ty(t)),
            path: path.iter().map(|s| s.to_string()).collect(),
        };
        let mut sub = call("subscribe", 0, "tx", 2);
        sub.recv_key = Some(key("Inner", &["tx"]));
        sub.beside = vec![Root::Type(ty("Link"))];
        let caught_up = |events: &[TaskEvent]| {
            derive(events, &Catalog::builtin())
                .first()
                .map(|l| l.caught_up)
        };
        let read = |k: Key, checks| TaskEvent::Read { key: k, checks };
        let waits = |checks| TaskEvent::Awaited { checks };
        let s = TaskEvent::Call(sub.clone());
        // Another field of the sender's struct, then a check, then a wait.
        assert_eq!(
            caught_up(&[s.clone(), read(key("Inner", &["link"]), 0), waits(1)]),
            Some(true)
        );
        // A type a sibling field holds counts too.
        assert_eq!(
            caught_up(&[s.clone(), read(key("Link", &["up"]), 0), waits(1)]),
            Some(true)
        );
        // Read but never checked before the wait; the sender itself; state
        // elsewhere; a read only after the first wait (the message).
        assert_eq!(
            caught_up(&[s.clone(), read(key("Inner", &["link"]), 0), waits(0)]),
            Some(false)
        );
        assert_eq!(
            caught_up(&[s.clone(), read(key("Inner", &["tx"]), 0), waits(1)]),
            Some(false)
        );
        assert_eq!(
            caught_up(&[s.clone(), read(key("Flags", &["cancel"]), 0), waits(1)]),
            Some(false)
        );
        assert_eq!(
            caught_up(&[s, waits(0), read(key("Link", &["up"]), 0), waits(1)]),
            Some(false)
        );
    }

    #[test]
    fn only_a_notify_loses_its_notify_waiters() {
        let typed = |path: &[&str], line| {
            let mut c = call("notified", 0, "finished", line);
            c.recv_type = Some(path.iter().map(|s| s.to_string()).collect());
            TaskEvent::Call(c)
        };
        // Another crate's level-triggered flag with a `notified()` of its
        // own, then tokio's `Notify`.
        let got = kinds(&[
            typed(&["common_base", "base", "WatchNotify"], 2),
            typed(&["tokio", "sync", "Notify"], 3),
        ]);
        assert_eq!(got, [ListenKind::Notified]);
    }

    #[test]
    fn subscriptions_and_notified() {
        let got = kinds(&[
            TaskEvent::Call(call("subscribe", 0, "events", 2)),
            TaskEvent::Call(call("notified", 0, "ready", 3)),
            TaskEvent::Call(call("subscribe", 1, "events", 4)),
        ]);
        assert_eq!(
            got,
            [
                ListenKind::Subscribe {
                    method: "subscribe".into(),
                    ty: None
                },
                ListenKind::Notified,
            ]
        );
    }
}
