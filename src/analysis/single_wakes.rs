//! One `notify_one` for a change several waiters wait on (SL007): a tokio
//! `Notify` that the code itself treats as having several waiters — it
//! wakes them all with `notify_waiters()` on some path — and that a
//! waiting function waits on in a retry loop (check, else wait, check
//! again), while another function signals a change with `notify_one()`.
//! `notify_one` wakes a single waiter: when the change can let several
//! through (credit for many streams, a batch of slots), the others keep
//! sleeping although their condition now holds, until some unrelated
//! signal comes — or forever.
//!
//! A `notify_one` that hands over one unit is the correct pool hand-off,
//! and stays quiet: one pushed item, one inserted entry, one sent value,
//! one added permit or a counter stepped in the same block just before
//! it. So does a waiter that passes the signal on (`notify_one` itself,
//! after it got through): the chain wakes every waiter in turn.
//!
//! A `Notify` and its waiters live with their type, in one file: matching
//! names across files would pair unrelated `Notify`s.

use super::classify::last_name;
use crate::facts::{Block, Callee, Expr, Stmt};
use crate::model::{FnRef, Model};
use crate::source::{Loc, Span};

/// A retrying waiter on a `Notify` whose change is signalled to one
/// waiter only.
#[derive(Debug, Clone)]
pub struct SingleWake {
    /// The waiting function.
    pub function: FnRef,
    /// Its `notified()` call, in the retry loop.
    pub wait: Loc,
    /// The `Notify`'s last name (`stream_opening`).
    pub name: String,
    /// The `notify_one()` that signals the change.
    pub signal: Loc,
    /// The function making that call.
    pub signaller: FnRef,
    /// A `notify_waiters()` on the same `Notify`: the code's own word that
    /// it has several waiters.
    pub broadcast: Loc,
}

/// Calls that hand over exactly one unit: the `notify_one` after one of
/// them wakes the one waiter that unit is for.
const ONE_UNIT: &[&str] = &[
    "push",
    "push_back",
    "push_front",
    "insert",
    "send",
    "try_send",
    "add_permits",
    "fetch_add",
    "fetch_sub",
];

fn calls(model: &Model, f: FnRef, method: &str) -> bool {
    model
        .func(f)
        .callees
        .iter()
        .any(|c| matches!(c, Callee::Method(m) if m == method))
}

/// The prefilter: `f` creates `Notified` futures, and its file both
/// signals one waiter and wakes all of them somewhere.
pub fn may_apply(model: &Model, f: FnRef) -> bool {
    let in_file = |method: &str| {
        model
            .all_fns()
            .any(|g| g.file == f.file && calls(model, g, method))
    };
    calls(model, f, "notified") && in_file("notify_one") && in_file("notify_waiters")
}

/// The retrying waits of `f` whose `Notify` is signalled with a bare
/// `notify_one` elsewhere in the file and woken with `notify_waiters` too.
pub fn find(model: &Model, f: FnRef) -> Vec<SingleWake> {
    let body = &model.func(f).body();
    let mut waits = Vec::new();
    for s in &body.stmts {
        if let Some(e) = stmt_expr(s) {
            retry_waits(e, &mut waits);
        }
    }
    let file_fns: Vec<FnRef> = model.all_fns().filter(|g| g.file == f.file).collect();
    let mut out = Vec::new();
    for (recv, span) in waits {
        let Some(name) = notify_name(body, recv) else {
            continue;
        };
        // A waiter that passes the signal on wakes the next one itself.
        if !signals(body, "notify_one", &name).is_empty() {
            continue;
        }
        let Some((_, broadcast, _)) = in_file(model, &file_fns, "notify_waiters", &name)
            .into_iter()
            .next()
        else {
            continue;
        };
        let bare = in_file(model, &file_fns, "notify_one", &name)
            .into_iter()
            .find(|(g, _, one_unit)| *g != f && !one_unit);
        if let Some((signaller, signal, _)) = bare {
            let loc = |span: Span| Loc { file: f.file, span };
            out.push(SingleWake {
                function: f,
                wait: loc(span),
                name: name.clone(),
                signal: loc(signal),
                signaller,
                broadcast: loc(broadcast),
            });
        }
    }
    out
}

/// Every `name.method()` in the file's functions, with the function and
/// whether it follows a one-unit hand-off.
fn in_file(model: &Model, fns: &[FnRef], method: &str, name: &str) -> Vec<(FnRef, Span, bool)> {
    fns.iter()
        .flat_map(|g| {
            signals(model.func(*g).body(), method, name)
                .into_iter()
                .map(move |(s, one_unit)| (*g, s, one_unit))
        })
        .collect()
}

fn stmt_expr(s: &Stmt) -> Option<&Expr> {
    match s {
        Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => Some(e),
        Stmt::Let { .. } => None,
    }
}

/// Every `x.notified()` inside a loop of `e` that the loop retries: the
/// loop can leave (a `return` or `break` in its body, or a `while`
/// condition), so it checks its condition again after each wake. Closures
/// are callbacks, not the function's own flow.
fn retry_waits<'e>(e: &'e Expr, out: &mut Vec<(&'e Expr, Span)>) {
    match e {
        Expr::Closure { .. } => {}
        Expr::Loop { body } | Expr::For { body, .. } | Expr::While { body, .. } => {
            let leaves = matches!(e, Expr::While { .. }) || body.stmts.iter().any(exits);
            if leaves {
                body.stmts
                    .iter()
                    .filter_map(stmt_expr)
                    .for_each(|s| notified_calls(s, out));
            } else {
                e.for_each_child(|c| retry_waits(c, out));
            }
        }
        _ => e.for_each_child(|c| retry_waits(c, out)),
    }
}

/// The statement contains a `return` or `break` outside any closure.
fn exits(s: &Stmt) -> bool {
    fn expr(e: &Expr) -> bool {
        match e {
            Expr::Jump { .. } => true,
            Expr::Closure { .. } => false,
            _ => {
                let mut found = false;
                e.for_each_child(|c| found = found || expr(c));
                found
            }
        }
    }
    match s {
        Stmt::Let {
            diverge: Some(_), ..
        } => true,
        _ => stmt_expr(s).is_some_and(expr),
    }
}

fn notified_calls<'e>(e: &'e Expr, out: &mut Vec<(&'e Expr, Span)>) {
    match e {
        Expr::Closure { .. } => {}
        Expr::MethodCall {
            recv, method, span, ..
        } if method == "notified" && recv_is_place(recv) => out.push((recv, *span)),
        _ => e.for_each_child(|c| notified_calls(c, out)),
    }
}

fn recv_is_place(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Path { .. } | Expr::Field { .. } | Expr::Index { .. } | Expr::Deref { .. }
    )
}

/// The last name of a `Notify` place, through indexing
/// (`self.opening[dir]` is `opening`) and clones.
fn place_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Index { base, .. } => place_name(base),
        Expr::MethodCall { recv, method, .. } if method == "clone" => place_name(recv),
        Expr::Call { func, args, .. } if matches!(&**func, Expr::Path { segs, .. } if segs.ends_with(&["clone".to_string()])) => {
            args.first().and_then(place_name)
        }
        Expr::Ref { base } => place_name(base),
        _ => last_name(e),
    }
}

/// The `Notify` a waiter's receiver names: a local bound to (or assigned)
/// a clone of a field is that field (`let opening = conn.opening[d].clone()`).
fn notify_name(body: &Block, recv: &Expr) -> Option<String> {
    if let Expr::Path { segs, .. } = recv {
        if segs.len() == 1 {
            if let Some(init) = local_init(body, &segs[0]) {
                return place_name(init);
            }
        }
    }
    place_name(recv)
}

/// What a local is bound or assigned to, the first time, anywhere in the
/// body.
fn local_init<'b>(body: &'b Block, name: &str) -> Option<&'b Expr> {
    fn in_block<'b>(b: &'b Block, name: &str) -> Option<&'b Expr> {
        b.stmts.iter().find_map(|s| match s {
            Stmt::Let {
                pat: crate::facts::Pat::Ident { name: n, .. },
                init: Some(e),
                ..
            } if n == name => Some(e),
            _ => stmt_expr(s).and_then(|e| in_expr(e, name)),
        })
    }
    fn in_expr<'b>(e: &'b Expr, name: &str) -> Option<&'b Expr> {
        match e {
            Expr::Assign {
                lhs,
                rhs,
                compound: false,
                ..
            } if matches!(&**lhs, Expr::Path { segs, .. } if segs.len() == 1 && segs[0] == name) => {
                Some(rhs)
            }
            Expr::Closure { .. } => None,
            Expr::Block(b) | Expr::Loop { body: b } | Expr::While { body: b, .. } => {
                in_block(b, name)
            }
            _ => {
                let mut found = None;
                e.for_each_child(|c| {
                    if found.is_none() {
                        found = in_expr(c, name);
                    }
                });
                found
            }
        }
    }
    in_block(body, name)
}

/// Every `name.method()` in `body` (by the receiver's last name), with
/// whether it follows a one-unit hand-off in its own block.
fn signals(body: &Block, method: &str, name: &str) -> Vec<(Span, bool)> {
    let mut out = Vec::new();
    block_signals(body, method, name, &mut out);
    out
}

fn block_signals(b: &Block, method: &str, name: &str, out: &mut Vec<(Span, bool)>) {
    let mut handed_over = false;
    for s in &b.stmts {
        let Some(e) = stmt_expr(s) else { continue };
        match e {
            Expr::MethodCall {
                recv,
                method: m,
                span,
                ..
            } if m == method && place_name(recv).as_deref() == Some(name) => {
                out.push((*span, handed_over))
            }
            _ => expr_signals(e, method, name, out),
        }
        handed_over |= hands_over_one(e);
    }
}

fn expr_signals(e: &Expr, method: &str, name: &str, out: &mut Vec<(Span, bool)>) {
    match e {
        Expr::Block(b)
        | Expr::Async { body: b, .. }
        | Expr::Loop { body: b }
        | Expr::While { body: b, .. }
        | Expr::For { body: b, .. } => block_signals(b, method, name, out),
        Expr::If { then, els, .. } => {
            block_signals(then, method, name, out);
            if let Some(e) = els {
                expr_signals(e, method, name, out);
            }
        }
        Expr::Match { arms, .. } => {
            for a in arms {
                match &a.body {
                    Expr::Block(b) => block_signals(b, method, name, out),
                    body => expr_signals(body, method, name, out),
                }
            }
        }
        Expr::MethodCall {
            recv,
            method: m,
            span,
            ..
        } if m == method && place_name(recv).as_deref() == Some(name) => out.push((*span, false)),
        _ => e.for_each_child(|c| expr_signals(c, method, name, out)),
    }
}

/// The statement hands over one unit: it pushes, inserts or sends one
/// value, adds permits, or steps a counter (`n += 1`).
fn hands_over_one(e: &Expr) -> bool {
    e.any(&|x| match x {
        Expr::MethodCall { method, .. } => ONE_UNIT.contains(&method.as_str()),
        Expr::Assign { compound, .. } => *compound,
        _ => false,
    })
}
