//! A condvar baseline read after the change it waits for may have happened
//! (SL007): a function sets off a change (`self.request_flush()`, a send,
//! a spawn, a notify), then reads the current value of the state the
//! change bumps (`let seen = *self.flushed.lock().unwrap();`), then waits
//! on a `Condvar` until the value differs from that baseline (`while
//! *g == seen { g = cv.wait(g)? }`). When the change lands between the
//! trigger and the read, the baseline already holds the new value and the
//! wait is for a further change that may never come.
//!
//! A statement-order pass over one block: the trigger, then the baseline
//! `let`, then a wait whose condition mentions the baseline. Reading the
//! baseline before the trigger is the fix (and quiet).

use super::late_subscribe::{spawn_call, stmt_span};
use crate::facts::{Block, Expr, Pat, Stmt};
use crate::model::reach::Reach;
use crate::model::{FnRef, Model};
use crate::source::{Loc, Span};

/// One baseline read after its trigger.
#[derive(Debug, Clone)]
pub struct LateBaseline {
    /// The waiting function.
    pub function: FnRef,
    /// The baseline's `let` statement.
    pub baseline: Loc,
    /// Its name (`seen`).
    pub name: String,
    /// The state it reads, as written (`self.flushed`).
    pub state: String,
    /// The statement that sets off the change, before the baseline.
    pub trigger: Loc,
    /// The wait that compares against the baseline.
    pub wait: Loc,
}

/// Methods that make another thread act (and so change the state).
const SIGNALS: &[&str] = &[
    "send",
    "try_send",
    "notify_one",
    "notify_all",
    "unpark",
    "post",
];

/// The prefilter: `f` waits on a condvar.
pub fn may_apply(model: &Model, f: FnRef) -> bool {
    model.func(f).callees.iter().any(|c| {
        matches!(c, crate::facts::Callee::Method(m)
            if matches!(m.as_str(), "wait" | "wait_while" | "wait_timeout" | "wait_timeout_while"))
    })
}

/// The late baselines of `f`.
pub fn find(model: &Model, reach: &Reach, f: FnRef) -> Vec<LateBaseline> {
    let mut out = Vec::new();
    scan(model, reach, f, model.func(f).body(), &mut out);
    out
}

fn scan(model: &Model, reach: &Reach, f: FnRef, block: &Block, out: &mut Vec<LateBaseline>) {
    let loc = |span: Span| Loc { file: f.file, span };
    for (j, s) in block.stmts.iter().enumerate() {
        let Some((name, state, span)) = baseline(s) else {
            continue;
        };
        let Some(wait) = block.stmts[j + 1..]
            .iter()
            .find_map(|w| waits_against(w, &name))
        else {
            continue;
        };
        let root = state.split('.').next().unwrap_or_default().to_string();
        let trigger = block.stmts[..j]
            .iter()
            .rev()
            .find(|t| triggers(model, reach, f, t, &root))
            .and_then(stmt_span);
        if let Some(trigger) = trigger {
            out.push(LateBaseline {
                function: f,
                baseline: loc(span),
                name,
                state,
                trigger: loc(trigger),
                wait: loc(wait),
            });
        }
    }
}

/// `let seen = *state.lock().unwrap();` (a field of the guard, a
/// `.clone()`, an atomic `state.load(..)` too): the name, the state as a
/// dotted place, and the statement's span.
fn baseline(s: &Stmt) -> Option<(String, String, Span)> {
    let Stmt::Let {
        pat: Pat::Ident { name, .. },
        init: Some(init),
        span,
        ..
    } = s
    else {
        return None;
    };
    Some((name.clone(), read_of(init)?, *span))
}

/// The state a baseline copies: `*s.lock().unwrap()`, a field of the
/// guard, a `.clone()` of it, or an atomic `s.load(..)` — never the guard
/// itself (`let g = s.lock().unwrap();` is the lock the wait takes).
fn read_of(e: &Expr) -> Option<String> {
    fn go(e: &Expr, copied: bool) -> Option<String> {
        match e {
            Expr::Deref { base } | Expr::Field { base, .. } => go(base, true),
            Expr::MethodCall {
                recv, method, args, ..
            } => match method.as_str() {
                "clone" => go(recv, true),
                "unwrap" | "expect" => go(recv, copied),
                "lock" | "read" if args.is_empty() && copied => super::classify::place(recv),
                "load" => super::classify::place(recv),
                _ => None,
            },
            _ => None,
        }
    }
    go(e, false)
}

/// A condvar wait in `s` whose condition mentions `name`: `while .. name
/// .. { .. .wait(..) .. }` or `cv.wait_while(g, |v| .. name ..)`.
fn waits_against(s: &Stmt, name: &str) -> Option<Span> {
    let e = match s {
        Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => e,
        Stmt::Let { .. } => return None,
    };
    let found = std::cell::Cell::new(None);
    e.any(&|x| {
        let hit = match x {
            Expr::While { cond, body } => {
                cond.mentions(name)
                    && body.stmts.iter().any(|b| match b {
                        Stmt::Let { init: Some(i), .. } | Stmt::Expr(i) => calls_wait(i),
                        Stmt::Let { .. } => false,
                    })
            }
            Expr::MethodCall { method, args, .. } => {
                matches!(method.as_str(), "wait_while" | "wait_timeout_while")
                    && args.iter().any(|a| a.mentions(name))
            }
            _ => false,
        };
        if hit {
            found.set(wait_span(x).or(x.span()));
        }
        hit
    });
    found.get()
}

/// The span of the first condvar wait call inside `e`.
fn wait_span(e: &Expr) -> Option<Span> {
    let found = std::cell::Cell::new(None);
    e.any(&|x| match x {
        Expr::MethodCall { method, span, .. }
            if matches!(
                method.as_str(),
                "wait" | "wait_timeout" | "wait_while" | "wait_timeout_while"
            ) =>
        {
            found.set(Some(*span));
            true
        }
        _ => false,
    });
    found.get()
}

fn calls_wait(e: &Expr) -> bool {
    e.any(&|x| matches!(x, Expr::MethodCall { method, .. } if matches!(method.as_str(), "wait" | "wait_timeout")))
}

/// Whether `s` sets off a change another thread makes to state under
/// `root`: a spawn whose task mentions `root`, a send / notify / unpark,
/// or a call of a crate method on `root` that itself sends, notifies or
/// spawns.
fn triggers(model: &Model, reach: &Reach, f: FnRef, s: &Stmt, root: &str) -> bool {
    let e = match s {
        Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => e,
        Stmt::Let { .. } => return false,
    };
    let krate = model.crate_of(f.file);
    if let Some((_, call)) = spawn_call(model, reach, krate, e) {
        return call.mentions(root);
    }
    e.any(&|x| match x {
        Expr::MethodCall { recv, method, .. } => {
            SIGNALS.contains(&method.as_str())
                || (super::classify::root_ident(recv) == Some(root)
                    && crate_method_signals(model, reach, f, method))
        }
        _ => false,
    })
}

/// Whether the crate's methods named `method` (of `f`'s type when it has
/// one) send, notify or spawn in their own bodies.
fn crate_method_signals(model: &Model, reach: &Reach, f: FnRef, method: &str) -> bool {
    let Some(owner) = model
        .func(f)
        .owner
        .as_deref()
        .and_then(|o| model.resolve_type(o, f.file))
    else {
        return false;
    };
    let Some(g) = model.method(&owner, method) else {
        return false;
    };
    reach.spawns_itself(g)
        || model
            .func(g)
            .callees
            .iter()
            .any(|c| matches!(c, crate::facts::Callee::Method(m) if SIGNALS.contains(&m.as_str())))
}
