//! Crate-wide signal sites that rules pair with what a task waits on.

use super::classify::last_name;
use crate::facts::{Callee, Expr, Stmt};
use crate::model::Model;
use crate::source::{FileId, Loc};
use std::collections::HashMap;

/// Every one-time `x.notify_waiters()`, by file and the receiver's last
/// name (`ready` for `self.ready.notify_waiters()`).
pub type NotifyWaiters = HashMap<(FileId, String), Vec<Loc>>;

/// Every `x.notify_waiters()` in the analyzed files that is a one-time
/// signal (not repeated every time round a loop, where a missed wakeup is
/// retried). A
/// `Notify` and its waiters live with their type, in one file: matching
/// names across files would pair unrelated `Notify`s.
pub fn notify_waiters(model: &Model) -> NotifyWaiters {
    let mut found = NotifyWaiters::new();
    for f in model.all_fns() {
        let func = model.func(f);
        if !func
            .callees
            .iter()
            .any(|c| matches!(c, Callee::Method(m) if m == "notify_waiters"))
        {
            continue;
        }
        let mut calls = Vec::new();
        for s in &func.body().stmts {
            match s {
                Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => {
                    walk(e, f.file, Place::default(), &mut calls)
                }
                Stmt::Let { .. } => {}
            }
        }
        for (n, loc) in calls {
            found.entry((f.file, n)).or_default().push(loc);
        }
    }
    found
}

/// Where a call sits relative to the loops around it.
#[derive(Clone, Copy, Default)]
struct Place {
    /// Inside a loop of the function.
    in_loop: bool,
    /// Under an `if` or `match` arm inside that loop (or outside any).
    gated: bool,
    /// The loop's body also receives (`rx.recv().await`): each round
    /// signals once and then waits for the waiters' replies.
    replies: bool,
}

fn walk(e: &Expr, file: FileId, at: Place, out: &mut Vec<(String, Loc)>) {
    match e {
        Expr::MethodCall {
            recv, method, span, ..
        }
            // A signal every time round a loop is repeated: a waiter that
            // missed one catches the next. One under a condition in the loop
            // (the last connection closed, the load finished) fires once per
            // event, and a waiter that missed it waits for the next event.
            // So does one followed by a wait for the waiters' replies: the
            // loop cannot signal again until every waiter answered, and a
            // waiter that missed it never answers.
            if method == "notify_waiters" && (!at.in_loop || at.gated || at.replies) =>
        {
            if let Some(n) = last_name(recv) {
                out.push((n, Loc { file, span: *span }));
            }
        }
        // A closure is a callback that may run again: its signal repeats.
        Expr::Closure { .. } => return,
        Expr::Loop { body } | Expr::While { body, .. } | Expr::For { body, .. } => {
            let inner = Place {
                in_loop: true,
                gated: false,
                replies: body.stmts.iter().any(receives),
            };
            e.for_each_child(|c| walk(c, file, inner, out));
            return;
        }
        Expr::If { .. } | Expr::Match { .. } => {
            let inner = Place { gated: true, ..at };
            e.for_each_child(|c| walk(c, file, inner, out));
            return;
        }
        _ => {}
    }
    e.for_each_child(|c| walk(c, file, at, out));
}

/// The statement receives from a channel (`rx.recv()`, `recv_timeout`),
/// outside any closure.
fn receives(s: &Stmt) -> bool {
    fn expr(e: &Expr) -> bool {
        match e {
            Expr::MethodCall { method, .. }
                if matches!(
                    method.as_str(),
                    "recv" | "recv_async" | "recv_timeout" | "blocking_recv"
                ) =>
            {
                true
            }
            Expr::Closure { .. } => false,
            _ => {
                let mut found = false;
                e.for_each_child(|c| found |= expr(c));
                found
            }
        }
    }
    match s {
        Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => expr(e),
        Stmt::Let { .. } => false,
    }
}
