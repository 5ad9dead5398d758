//! A manual-reset event reset after the drain it signals (SL007): a Win32
//! event (`CreateEvent` with manual reset) stays set until `ResetEvent`,
//! so a consumer that waits on it (`WaitForSingleObject`,
//! `WaitForMultipleObjects`) must reset it *before* draining what it
//! signals. Reset after the drain loop, it erases a signal the producer
//! set while the drain ran — the new work stays unread and the next wait
//! blocks until some other signal comes.
//!
//! A statement-order pass over functions that call `ResetEvent`, in files
//! that wait on events: a block whose loop is followed, later in the same
//! block, by `ResetEvent(h)` — with no `ResetEvent` of the same handle
//! before the loop (resetting first, then draining, is the fix).

use super::classify::last_name;
use crate::facts::{Block, Callee, Expr, Stmt};
use crate::model::{FnRef, Model};
use crate::source::{Loc, Span};

/// One event reset after the loop that drains it.
#[derive(Debug, Clone)]
pub struct LateReset {
    /// The draining function.
    pub function: FnRef,
    /// The `ResetEvent` call.
    pub reset: Loc,
    /// The drain loop's body.
    pub drain: Loc,
    /// The event handle's last name (`signal_event`).
    pub event: String,
}

const WAITS: &[&str] = &[
    "WaitForSingleObject",
    "WaitForSingleObjectEx",
    "WaitForMultipleObjects",
    "WaitForMultipleObjectsEx",
    "MsgWaitForMultipleObjects",
    "MsgWaitForMultipleObjectsEx",
];

fn calls_free(model: &Model, f: FnRef, names: &[&str]) -> bool {
    model
        .func(f)
        .callees
        .iter()
        .any(|c| matches!(c, Callee::Free(n) if names.contains(&n.as_str())))
}

/// The prefilter: `f` resets an event, and its file waits on events.
pub fn may_apply(model: &Model, f: FnRef) -> bool {
    calls_free(model, f, &["ResetEvent"])
        && model
            .all_fns()
            .filter(|g| g.file == f.file)
            .any(|g| calls_free(model, g, WAITS))
}

/// The late resets of `f`.
pub fn find(model: &Model, f: FnRef) -> Vec<LateReset> {
    let mut out = Vec::new();
    block(model.func(f).body(), f, &mut out);
    out.sort_by_key(|r| (r.reset.span.start, r.reset.span.end));
    out.dedup_by_key(|r| r.reset.span);
    out
}

fn block(b: &Block, f: FnRef, out: &mut Vec<LateReset>) {
    let loc = |span: Span| Loc { file: f.file, span };
    let mut drain: Option<Span> = None;
    let mut reset_before: Vec<String> = Vec::new();
    for s in &b.stmts {
        let e = match s {
            Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => e,
            Stmt::Let { .. } => continue,
        };
        let resets = resets_in(e);
        match drain {
            Some(d) => out.extend(
                resets
                    .into_iter()
                    .filter(|(event, _)| !reset_before.contains(event))
                    .map(|(event, span)| LateReset {
                        function: f,
                        reset: loc(span),
                        drain: loc(d),
                        event,
                    }),
            ),
            None => reset_before.extend(resets.into_iter().map(|(event, _)| event)),
        }
        if let Some(body) = loop_body(e) {
            drain.get_or_insert(body.span);
        }
        nested(e, f, out);
    }
}

/// The body of a loop statement.
fn loop_body(e: &Expr) -> Option<&Block> {
    match e {
        Expr::Loop { body } | Expr::While { body, .. } | Expr::For { body, .. } => Some(body),
        _ => None,
    }
}

/// Walk the blocks nested in `e` as blocks of their own.
fn nested(e: &Expr, f: FnRef, out: &mut Vec<LateReset>) {
    match e {
        Expr::Loop { body } | Expr::While { body, .. } | Expr::For { body, .. } => {
            block(body, f, out)
        }
        Expr::Block(b) | Expr::Async { body: b, .. } => block(b, f, out),
        Expr::If { then, els, .. } => {
            block(then, f, out);
            if let Some(e) = els {
                nested(e, f, out);
            }
        }
        Expr::Match { arms, .. } => arms.iter().for_each(|a| nested(&a.body, f, out)),
        _ => {}
    }
}

/// Every `ResetEvent(h)` inside `e`: the handle's last name and the call.
fn resets_in(e: &Expr) -> Vec<(String, Span)> {
    let found = std::cell::RefCell::new(Vec::new());
    e.any(&|x| {
        if let Expr::Call { func, args, span } = x {
            let named = matches!(&**func, Expr::Path { segs, .. } if segs.last().is_some_and(|s| s == "ResetEvent"));
            if let (true, Some(event)) = (named, args.first().and_then(last_name)) {
                found.borrow_mut().push((event, *span));
            }
        }
        false
    });
    found.into_inner()
}
