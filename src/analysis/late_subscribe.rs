//! Late subscribers (the spawner's form of SL006): a function starts a
//! task that produces events, then acts on a handle of it (`h.add_peer(..)`,
//! a request the running task answers with events), and only afterwards
//! subscribes to that handle's events (`h.event_listener()`) and waits on
//! them. Whatever the action made the task emit before the subscription
//! existed is lost: the wait hangs or misses what it waits for. Subscribing
//! before the action closes the window.
//!
//! This pass reads a function's statements in order; it needs no abstract
//! values, only which calls start tasks, which methods subscribe, and which
//! names the statements use.

use super::classify::root_ident;
use crate::catalog::Catalog;
use crate::facts::{Callee, Expr, Receiver, Stmt};
use crate::model::reach::Reach;
use crate::model::{FnRef, Model};
use crate::source::{Loc, Span};
use std::collections::HashSet;

/// One late subscription.
#[derive(Debug, Clone)]
pub struct LateSubscribe {
    /// The function that does all of it.
    pub function: FnRef,
    /// The call that starts the producing task.
    pub spawn: Loc,
    /// The action on the handle, before the subscription.
    pub trigger: Loc,
    /// Its method (`add_peer`).
    pub trigger_method: String,
    /// The subscribing call (`handle.event_listener()`).
    pub subscribe: Loc,
    /// The whole statement that binds the subscription.
    pub subscribe_stmt: Loc,
    /// The first statement of the action, which the subscription should
    /// come before.
    pub trigger_stmt: Loc,
    /// The handle (`handle0`).
    pub handle: String,
    /// The subscribing method (`event_listener`).
    pub method: String,
    /// Where the subscription is waited on.
    pub wait: Loc,
}

/// Methods of the crates that make a subscription: they take `&self` and
/// are declared to return a receiver (`*Receiver`, `*ReceiverStream`,
/// `BroadcastStream`), plus the catalog's subscribe methods.
pub struct Subscribers {
    by_crate: HashSet<(u32, String)>,
    catalog: HashSet<String>,
}

impl Subscribers {
    /// Index the crate methods of `model`; `catalogs` give the known
    /// subscribe methods (`subscribe`).
    pub fn new(model: &Model, catalogs: &[Catalog]) -> Subscribers {
        let mut by_crate = HashSet::new();
        for f in model.all_fns() {
            let func = model.func(f);
            // Every receiver type's name holds one of these words.
            let may_return_receiver = matches!(func.receiver, Receiver::Ref)
                && func.sig_text_may(|t| t.contains("Receiver") || t.contains("BroadcastStream"));
            let returns_receiver = may_return_receiver
                && func
                    .ret()
                    .and_then(|r| r.path.last())
                    .is_some_and(|t| is_receiver_type(t));
            if returns_receiver {
                by_crate.insert((model.crate_of(f.file), func.name.clone()));
            }
        }
        let catalog = catalogs
            .iter()
            .flat_map(|c| c.subscribe_methods.iter().cloned())
            .collect();
        Subscribers { by_crate, catalog }
    }

    pub(super) fn subscribes(&self, krate: u32, method: &str) -> bool {
        self.catalog.contains(method) || self.by_crate.contains(&(krate, method.to_string()))
    }

    /// Whether `f` calls a subscribing method at all (a cheap prefilter).
    pub fn may_subscribe(&self, model: &Model, f: FnRef) -> bool {
        let krate = model.crate_of(f.file);
        model
            .func(f)
            .callees
            .iter()
            .any(|c| matches!(c, Callee::Method(m) if self.subscribes(krate, m)))
    }
}

fn is_receiver_type(name: &str) -> bool {
    name.ends_with("Receiver") || name.ends_with("ReceiverStream") || name == "BroadcastStream"
}

/// The late subscriptions of `f`'s body, in order.
pub fn find(model: &Model, reach: &Reach, subs: &Subscribers, f: FnRef) -> Vec<LateSubscribe> {
    let krate = model.crate_of(f.file);
    let stmts = &model.func(f).body().stmts;
    let loc = |span: Span| Loc { file: f.file, span };
    let Some(start) = stmts
        .iter()
        .position(|s| stmt_exprs(s).any(|e| starts_task(model, reach, krate, e).is_some()))
    else {
        return Vec::new();
    };
    let spawn = stmt_exprs(&stmts[start])
        .find_map(|e| starts_task(model, reach, krate, e))
        .map(loc);
    let Some(spawn) = spawn else {
        return Vec::new();
    };
    let mut found = Vec::new();
    // The first action on each handle after the spawn, and its statement.
    let mut triggers: Vec<(String, String, Span, Span)> = Vec::new();
    for (i, s) in stmts.iter().enumerate().skip(start + 1) {
        if let Some((handle, method, span)) = action(s, subs, krate) {
            if !triggers.iter().any(|t| t.0 == handle) {
                triggers.push((handle, method, span, stmt_span(s).unwrap_or(span)));
            }
            continue;
        }
        let Some((listener, handle, method, sub_span)) = subscription(s, subs, krate) else {
            continue;
        };
        let Some(t) = triggers.iter().find(|t| t.0 == handle) else {
            continue;
        };
        let Some(wait) = stmts[i + 1..].iter().find_map(|s| awaits_on(s, &listener)) else {
            continue;
        };
        found.push(LateSubscribe {
            function: f,
            spawn,
            trigger: loc(t.2),
            trigger_method: t.1.clone(),
            subscribe: loc(sub_span),
            subscribe_stmt: loc(stmt_span(s).unwrap_or(sub_span)),
            trigger_stmt: loc(t.3),
            handle,
            method,
            wait: loc(wait),
        });
    }
    found
}

/// The expressions of a statement.
pub(super) fn stmt_exprs(s: &Stmt) -> impl Iterator<Item = &Expr> {
    match s {
        Stmt::Let { init, .. } => init.iter().collect::<Vec<_>>().into_iter(),
        Stmt::Expr(e) => vec![e].into_iter(),
    }
}

/// A statement's span.
pub(super) fn stmt_span(s: &Stmt) -> Option<Span> {
    match s {
        Stmt::Let { span, .. } => Some(*span),
        Stmt::Expr(e) => e.span(),
    }
}

/// The span of a call in `e` (outside closures and async blocks, which
/// run later) that starts a task: named like a spawner, or a crate
/// function that reaches one.
fn starts_task(model: &Model, reach: &Reach, krate: u32, e: &Expr) -> Option<Span> {
    spawn_call(model, reach, krate, e).map(|(span, _)| span)
}

/// [`starts_task`], with the call itself (whose arguments hold the task).
pub(super) fn spawn_call<'e>(
    model: &Model,
    reach: &Reach,
    krate: u32,
    e: &'e Expr,
) -> Option<(Span, &'e Expr)> {
    let here = match e {
        // The span of the spawner's name, as other findings point at it.
        Expr::MethodCall {
            method,
            method_span,
            ..
        } => {
            let c = Callee::Method(method.clone());
            reach
                .calls_spawner(model, krate, &c)
                .then_some((*method_span, e))
        }
        Expr::Call { func, .. } => match &**func {
            Expr::Path { segs, span } => {
                let name = segs.last()?.clone();
                let c = Callee::Free(name);
                reach.calls_spawner(model, krate, &c).then_some((*span, e))
            }
            _ => None,
        },
        Expr::Closure { .. } | Expr::Async { .. } => return None,
        _ => None,
    };
    if here.is_some() {
        return here;
    }
    let mut found = None;
    e.for_each_child(|c| {
        if found.is_none() {
            found = spawn_call(model, reach, krate, c);
        }
    });
    found
}

/// `handle.method(..);` whose result is dropped: an action on a local
/// handle, done for its effect (a getter's result would be used).
fn action(s: &Stmt, subs: &Subscribers, krate: u32) -> Option<(String, String, Span)> {
    let Stmt::Expr(Expr::MethodCall {
        recv, method, span, ..
    }) = s
    else {
        return None;
    };
    let Expr::Path { segs, .. } = &**recv else {
        return None;
    };
    let [handle] = segs.as_slice() else {
        return None;
    };
    if subs.subscribes(krate, method) || !starts_lowercase(handle) {
        return None;
    }
    Some((handle.clone(), method.clone(), *span))
}

fn starts_lowercase(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_lowercase() || c == '_')
}

/// `let listener = … handle.method() …;` with a subscribing method:
/// the listener's name, the handle, the method and the call's span.
fn subscription(
    s: &Stmt,
    subs: &Subscribers,
    krate: u32,
) -> Option<(String, String, String, Span)> {
    let Stmt::Let {
        pat: crate::facts::Pat::Ident { name, .. },
        init: Some(init),
        ..
    } = s
    else {
        return None;
    };
    let mut found = None;
    find_subscribe(init, subs, krate, &mut found);
    found.map(|(h, m, span)| (name.clone(), h, m, span))
}

pub(super) fn find_subscribe(
    e: &Expr,
    subs: &Subscribers,
    krate: u32,
    out: &mut Option<(String, String, Span)>,
) {
    if out.is_some() {
        return;
    }
    if let Expr::MethodCall {
        recv, method, span, ..
    } = e
    {
        if let Expr::Path { segs, .. } = &**recv {
            if let [handle] = segs.as_slice() {
                if subs.subscribes(krate, method) {
                    *out = Some((handle.clone(), method.clone(), *span));
                    return;
                }
            }
        }
    }
    e.for_each_child(|c| find_subscribe(c, subs, krate, out));
}

/// The span of an `.await` in `s` on a method of `listener`
/// (`listener.next().await`, `while let Some(e) = listener.recv().await`).
fn awaits_on(s: &Stmt, listener: &str) -> Option<Span> {
    fn walk(e: &Expr, listener: &str, out: &mut Option<Span>) {
        if out.is_some() {
            return;
        }
        if let Expr::Await { base, span } = e {
            if let Expr::MethodCall { recv, .. } = &**base {
                if root_ident(recv) == Some(listener) {
                    *out = Some(*span);
                    return;
                }
            }
        }
        e.for_each_child(|c| walk(c, listener, out));
    }
    let mut found = None;
    for e in stmt_exprs(s) {
        walk(e, listener, &mut found);
    }
    found
}
