//! A task handed back before it has subscribed (SL006): a function returns
//! a task it started (`Arc::new(TaskHandle::new(rt.spawn(async move { .. })))`)
//! or a future it built and did not run (`Ok(Box::pin(run(out, shutdown)))`),
//! and that task's first statements subscribe (`room.subscribe_to_changes()`,
//! `trace::subscribe()`) before the loop that forwards what arrives. The
//! caller holds the task and goes on as if it were listening; it is not
//! until the runtime first polls it, and what is published in between —
//! the early buffer being dropped, the first change — is never delivered.
//!
//! A statement-order pass over the function's returned value and the task's
//! body: the subscription must be on a value the task did not make itself
//! (a captured name, a parameter of the task's `async fn`, or a path), so
//! it could have been made before the return; it must precede a loop.
//! Subscriptions SL006 already reports for a spawned task's broadcast are
//! left to that form.

use super::late_subscribe::spawn_call;
use super::returned_snapshots::task_arg;
use crate::facts::{Block, Expr, Stmt};
use crate::model::reach::Reach;
use crate::model::{FnRef, Model};
use crate::source::{Loc, Span};

/// One task handed back before it subscribes.
#[derive(Debug, Clone)]
pub struct HandedBack {
    /// The function that returns the task.
    pub function: FnRef,
    /// The spawn, or the `Box::pin(..)` of the returned future.
    pub task: Loc,
    /// Whether the task is running (spawned) rather than a future the
    /// caller will run.
    pub spawned: bool,
    /// The subscribing call inside the task.
    pub subscribe: Loc,
    /// When the task is a crate `async fn` (`run(..)`): its name.
    pub via: Option<String>,
    /// What it subscribes to, as written (`room`, `trace`).
    pub source: String,
    /// The subscribing method or function.
    pub method: String,
    /// For a spawned closure or async block: the whole spawn call and the
    /// task expression (what a hoisting fix needs).
    pub spawn_call: Option<(Span, Span)>,
}

/// The prefilter: `f` returns a value, and spawns or pins a future.
pub fn may_apply(model: &Model, reach: &Reach, f: FnRef) -> bool {
    let func = model.func(f);
    (reach.spawns_itself(f)
        || func
            .callees
            .iter()
            .any(|c| matches!(c, crate::facts::Callee::Assoc(t, m) if t == "Box" && m == "pin")))
        && func.ret().is_some()
}

/// The tasks `f` hands back before they subscribe.
pub fn find(model: &Model, reach: &Reach, f: FnRef) -> Vec<HandedBack> {
    let func = model.func(f);
    let krate = model.crate_of(f.file);
    let Some(Stmt::Expr(tail)) = func.body().stmts.last() else {
        return Vec::new();
    };
    let (span, task, spawned, whole) = match spawn_call(model, reach, krate, tail) {
        Some((span, call)) => match task_arg(call) {
            Some(task) => (span, task, true, call.span()),
            None => return Vec::new(),
        },
        None => match pinned(tail) {
            Some((span, fut)) => (span, fut, false, None),
            None => return Vec::new(),
        },
    };
    let spawn_span = match (whole, task) {
        (Some(call), Expr::Async { span, .. } | Expr::Closure { span, .. }) => Some((call, *span)),
        _ => None,
    };
    let Some((body, body_file, via)) = task_body(model, f, task) else {
        return Vec::new();
    };
    let Some((source, method, sub)) = first_subscription(body) else {
        return Vec::new();
    };
    vec![HandedBack {
        function: f,
        task: Loc { file: f.file, span },
        spawned,
        subscribe: Loc {
            file: body_file,
            span: sub,
        },
        via,
        source,
        method,
        spawn_call: spawn_span,
    }]
}

/// `Box::pin(fut)` in a returned value (through `Ok(..)`, `Some(..)` and
/// other wrappers, never into a closure or async block, nor under an
/// `.await`, which runs the future here): its span and `fut`.
fn pinned(e: &Expr) -> Option<(Span, &Expr)> {
    match e {
        Expr::Closure { .. } | Expr::Async { .. } | Expr::Await { .. } => return None,
        Expr::Call { func, args, span } => {
            if let (Expr::Path { segs, .. }, [fut]) = (&**func, args.as_slice()) {
                if segs.ends_with(&["Box".to_string(), "pin".to_string()]) {
                    return Some((*span, fut));
                }
            }
        }
        _ => {}
    }
    let mut found = None;
    e.for_each_child(|c| {
        if found.is_none() {
            found = pinned(c);
        }
    });
    found
}

/// The statements the task runs first: an async block's or closure's
/// body, or the body of the crate `async fn` it calls (`run(..)`), with
/// that body's file and, for a call, the function's name.
fn task_body<'m>(
    model: &'m Model,
    f: FnRef,
    task: &'m Expr,
) -> Option<(&'m Block, crate::source::FileId, Option<String>)> {
    match task {
        Expr::Async { body, .. } => Some((body, f.file, None)),
        Expr::Closure { body, .. } => match &**body {
            Expr::Block(b) | Expr::Async { body: b, .. } => Some((b, f.file, None)),
            _ => None,
        },
        Expr::Call { func, .. } => {
            let Expr::Path { segs, .. } = &**func else {
                return None;
            };
            let owner = model.constructed_type(f);
            let g = model.resolve_fn(f.file, owner.as_ref(), segs)?;
            let callee = model.func(g);
            callee
                .is_async
                .then(|| (callee.body(), g.file, Some(callee.name.clone())))
        }
        _ => None,
    }
}

/// The first subscription of a task's body, before its first loop: a
/// `let` bound to `x.subscribe…(..)` on a name the body did not bind, or
/// to a path call `m::subscribe…(..)`, which a later loop reads as a
/// stream of events (`recv()`, `next()`, `changed()` on it or on a value
/// made from it). A `subscribe` that hands out anything else (a counter,
/// a handle) is not a subscription to events.
fn first_subscription(body: &Block) -> Option<(String, String, Span)> {
    let mut bound: Vec<String> = Vec::new();
    for (i, s) in body.stmts.iter().enumerate() {
        match s {
            Stmt::Let {
                pat,
                init: Some(init),
                ..
            } => {
                if let Some((source, method, span)) = subscribing(init, &bound) {
                    let mut names = Vec::new();
                    pat.bindings(&mut names);
                    return read_in_loop(&body.stmts[i + 1..], names)
                        .then_some((source, method, span));
                }
                pat.bindings(&mut bound);
            }
            Stmt::Let { pat, .. } => pat.bindings(&mut bound),
            Stmt::Expr(Expr::While { .. } | Expr::Loop { .. } | Expr::For { .. }) => return None,
            Stmt::Expr(_) => {}
        }
    }
    None
}

/// Methods that take the next event from a receiver or stream.
const READS: &[&str] = &[
    "recv",
    "next",
    "changed",
    "recv_async",
    "try_next",
    "next_event",
];

/// Whether a loop among `rest` (or in the blocks nested in it: an
/// `if let Ok(rx) = rx { .. }`) reads events from one of `names` or from a
/// value a `let` makes from them.
fn read_in_loop(rest: &[Stmt], mut names: Vec<String>) -> bool {
    for s in rest {
        match s {
            Stmt::Let {
                pat,
                init: Some(init),
                ..
            } if names.iter().any(|n| init.mentions(n)) => pat.bindings(&mut names),
            Stmt::Let { .. } => {}
            Stmt::Expr(e) => {
                if reads_in(e, &names) {
                    return true;
                }
            }
        }
    }
    false
}

fn reads_in(e: &Expr, names: &[String]) -> bool {
    match e {
        Expr::While { .. } | Expr::Loop { .. } | Expr::For { .. } => loop_reads(e, names),
        Expr::If { cond, then, els } => {
            let mut inner = names.to_vec();
            if let Expr::Let { pat, expr } = &**cond {
                if names.iter().any(|n| expr.mentions(n)) {
                    pat.bindings(&mut inner);
                }
            }
            read_in_loop(&then.stmts, inner) || els.as_ref().is_some_and(|e| reads_in(e, names))
        }
        Expr::Block(b) => read_in_loop(&b.stmts, names.to_vec()),
        Expr::Match { scrutinee, arms } => {
            let derived = names.iter().any(|n| scrutinee.mentions(n));
            arms.iter().any(|a| {
                let mut inner = names.to_vec();
                if derived {
                    a.pat.bindings(&mut inner);
                }
                reads_in(&a.body, &inner)
            })
        }
        _ => false,
    }
}

/// Whether a loop reads events from one of `names`: `rx.recv()`,
/// `stream.next()`, `for x in rx`.
fn loop_reads(e: &Expr, names: &[String]) -> bool {
    if let Expr::For { iter, .. } = e {
        if names.iter().any(|n| iter.mentions(n)) {
            return true;
        }
    }
    e.any(&|x| match x {
        Expr::MethodCall { recv, method, .. } => {
            READS.contains(&method.as_str())
                && super::classify::root_ident(recv).is_some_and(|r| names.iter().any(|n| n == r))
        }
        _ => false,
    })
}

/// A subscribing call at the head of `e` (through `.await`, `?`,
/// `unwrap`): the value it subscribes on (or the path it calls) and the
/// method — none when it is on, or passes, a name the task bound itself.
fn subscribing(e: &Expr, bound: &[String]) -> Option<(String, String, Span)> {
    let local = |x: &Expr| bound.iter().any(|b| x.mentions(b));
    match e {
        Expr::Await { base, .. } | Expr::Try { base } => subscribing(base, bound),
        Expr::MethodCall { recv, method, .. } if matches!(method.as_str(), "unwrap" | "expect") => {
            subscribing(recv, bound)
        }
        Expr::MethodCall {
            recv,
            method,
            args,
            span,
            ..
        } if says_subscribe(method) => {
            let source = super::classify::place(recv)?;
            (!local(recv) && !args.iter().any(local)).then(|| (source, method.clone(), *span))
        }
        Expr::Call { func, args, span } => match &**func {
            Expr::Path { segs, .. } if segs.len() >= 2 && says_subscribe(segs.last()?) => {
                (!args.iter().any(local)).then(|| {
                    (
                        segs[..segs.len() - 1].join("::"),
                        segs[segs.len() - 1].clone(),
                        *span,
                    )
                })
            }
            _ => None,
        },
        _ => None,
    }
}

/// A method or function whose name says it subscribes (`subscribe`,
/// `subscribe_to_changes`, `queue_subscribe`) — not one that names
/// subscribers (`subscribers()`, a getter) or undoes a subscription.
fn says_subscribe(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("subscribe") && !n.contains("subscriber") && !n.contains("unsubscribe")
}

#[cfg(test)]
mod tests {
    use super::says_subscribe;

    #[test]
    fn subscribing_names_are_verbs_not_the_subscriber_list() {
        for yes in [
            "subscribe",
            "subscribe_to_identity_status_changes",
            "queue_subscribe",
            "Subscribe",
        ] {
            assert!(says_subscribe(yes), "{yes}");
        }
        for no in [
            "subscribers",
            "subscriber",
            "unsubscribe",
            "subscriber_count",
            "watch",
        ] {
            assert!(!says_subscribe(no), "{no}");
        }
    }
}
