//! A snapshot handed back while its updates are already delivered (SL002,
//! the caller loads): a function takes a snapshot and a stream of the
//! updates after it in one go (`let (items, stream) = timeline.subscribe()`),
//! starts a task that forwards the stream to a callback its caller passed
//! in (`listener.on_update(diff)`), and *returns* the snapshot for the
//! caller to apply. The task can deliver the first update before the
//! caller has applied the snapshot it applies to: the caller's view is
//! built on a base it does not have yet.
//!
//! Quiet when the task delivers the snapshot through the same callback
//! first (it then owns the order), and when the snapshot is not returned.

use super::late_subscribe::spawn_call;
use crate::facts::{Expr, FnFacts, Pat, Stmt};
use crate::model::reach::Reach;
use crate::model::{FnRef, Model};
use crate::source::{Loc, Span};

/// One snapshot returned while its updates are forwarded.
#[derive(Debug, Clone)]
pub struct ReturnedSnapshot {
    /// The function.
    pub function: FnRef,
    /// The spawn call.
    pub spawn: Loc,
    /// The snapshot's name (`timeline_items`).
    pub snapshot: String,
    /// The stream's name (`timeline_stream`).
    pub stream: String,
    /// The callback parameter (`listener`), the method the task calls on
    /// it (`on_update`) and that call.
    pub callback: (String, String, Loc),
    /// The function's value, which hands the snapshot back.
    pub returned: Loc,
}

/// The prefilter: a function with parameters that spawns itself, whose
/// text may hold the `let (snapshot, stream) = ..` the shape starts with.
pub fn may_apply(model: &Model, reach: &Reach, f: FnRef) -> bool {
    let func = model.func(f);
    reach.spawns_itself(f) && super::classify::may_let_tuple(func) && !func.params().is_empty()
}

/// The returned snapshots of `f`.
pub fn find(model: &Model, reach: &Reach, f: FnRef) -> Vec<ReturnedSnapshot> {
    let func = model.func(f);
    let krate = model.crate_of(f.file);
    let loc = |span: Span| Loc { file: f.file, span };
    let stmts = &func.body().stmts;
    let Some(Stmt::Expr(tail)) = stmts.last() else {
        return Vec::new();
    };
    let Some(returned) = tail.span() else {
        return Vec::new();
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    for s in stmts {
        if let Stmt::Let {
            pat: Pat::Tuple(elems),
            init: Some(init),
            ..
        } = s
        {
            if let ([Pat::Ident { name: a, .. }, Pat::Ident { name: b, .. }], true) =
                (elems.as_slice(), subscribes(init))
            {
                pairs.push((a.clone(), b.clone()));
            }
        }
        let e = match s {
            Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => e,
            Stmt::Let { .. } => continue,
        };
        // `spawn_call` looks through wrappers (`TaskHandle::new(..)`, a struct
        // literal's field), never into a closure or async block.
        let Some((span, task)) = spawn_call(model, reach, krate, e) else {
            continue;
        };
        for (snapshot, stream) in &pairs {
            if !task.mentions(stream) || task.mentions(snapshot) || !tail.mentions(snapshot) {
                continue;
            }
            if let Some(callback) = task_arg(task).and_then(|body| callback_call(func, body)) {
                out.push(ReturnedSnapshot {
                    function: f,
                    spawn: loc(span),
                    snapshot: snapshot.clone(),
                    stream: stream.clone(),
                    callback: (callback.0, callback.1, loc(callback.2)),
                    returned: loc(returned),
                });
            }
        }
    }
    out
}

/// Words of a method that hands back the current state with the stream of
/// changes after it (`subscribe_batched`, `watch`, `snapshot_and_updates`);
/// a channel constructor or a `split` makes a pair of handles instead.
const SUBSCRIBING: &[&str] = &["subscribe", "watch", "observe", "snapshot", "updates"];

/// Whether `init` (through `.await`, `?`, `unwrap`) is a call of a
/// subscribing method.
fn subscribes(init: &Expr) -> bool {
    match init {
        Expr::Await { base, .. } | Expr::Try { base } => subscribes(base),
        Expr::MethodCall { recv, method, .. } if matches!(method.as_str(), "unwrap" | "expect") => {
            subscribes(recv)
        }
        Expr::MethodCall { method, .. } => {
            let m = method.to_ascii_lowercase();
            SUBSCRIBING.iter().any(|w| m.contains(w))
        }
        _ => false,
    }
}

/// The task a spawn call starts: its closure or async block argument (not
/// the spawner's receiver, `pool.spawn_ok(..)`).
pub(super) fn task_arg(call: &Expr) -> Option<&Expr> {
    let args = match call {
        Expr::Call { args, .. } | Expr::MethodCall { args, .. } => args,
        _ => return None,
    };
    args.iter()
        .find(|a| matches!(a, Expr::Closure { .. } | Expr::Async { .. }))
        .or(args.first())
}

/// A method call on a parameter of `func` (not `self`) inside the task:
/// the parameter's name, the method and the call.
fn callback_call(func: &FnFacts, task: &Expr) -> Option<(String, String, Span)> {
    let params: Vec<String> = func
        .params()
        .iter()
        .filter_map(|p| match &p.pat {
            Pat::Ident { name, .. } if name != "self" => Some(name.clone()),
            _ => None,
        })
        .collect();
    let found = std::cell::RefCell::new(None);
    task.any(&|x| match x {
        Expr::MethodCall {
            recv, method, span, ..
        } => match &**recv {
            Expr::Path { segs, .. } if segs.len() == 1 && params.contains(&segs[0]) => {
                *found.borrow_mut() = Some((segs[0].clone(), method.clone(), *span));
                true
            }
            _ => false,
        },
        _ => false,
    });
    found.into_inner()
}
