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
/// signal (not repeated in a loop, where a missed wakeup is retried). A
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
        for s in &func.body.stmts {
            match s {
                Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => walk(e, f.file, &mut calls),
                Stmt::Let { .. } => {}
            }
        }
        for (n, loc) in calls {
            found.entry((f.file, n)).or_default().push(loc);
        }
    }
    found
}

fn walk(e: &Expr, file: FileId, out: &mut Vec<(String, Loc)>) {
    match e {
        Expr::MethodCall {
            recv, method, span, ..
        } if method == "notify_waiters" => {
            if let Some(n) = last_name(recv) {
                out.push((n, Loc { file, span: *span }));
            }
        }
        // In a loop, or a closure (a callback may run again), the signal is
        // repeated: a missed one is retried.
        Expr::Loop { .. } | Expr::While { .. } | Expr::For { .. } | Expr::Closure { .. } => return,
        _ => {}
    }
    e.for_each_child(|c| walk(c, file, out));
}
