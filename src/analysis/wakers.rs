//! Wakers registered too late: a poll function checks its condition, then
//! registers the task's waker (`waker.register(cx.waker())`) and returns
//! `Poll::Pending` without checking again (SL007's `AtomicWaker` form).
//!
//! An `AtomicWaker` remembers only the waker registered when `wake()` is
//! called; a producer that pushes and wakes between the consumer's check
//! and its `register` wakes nobody, and the consumer sleeps with the item
//! queued. The documented order is register first, then check (or check
//! again after registering).

use super::classify::{dropped_name, is_self, lock_target};
use crate::facts::{Block, Expr, Stmt};
use crate::model::{FnRef, Model};
use crate::source::{Loc, Span};

/// One late registration.
#[derive(Debug, Clone)]
pub struct LateWaker {
    /// The poll function.
    pub function: FnRef,
    /// The `register(..)` call.
    pub register: Loc,
    /// The condition checked before it (the first one, in order).
    pub check: Loc,
    /// The waker's receiver, last name (`read_waker`).
    pub waker: String,
}

/// Whether `f` may register a waker (the prefilter): it calls `register`,
/// and its text names the `Pending` that must follow the registration.
pub fn may_register(model: &Model, f: FnRef) -> bool {
    let func = model.func(f);
    func.callees.iter().any(|c| {
        matches!(c, crate::facts::Callee::Method(m) if m == "register" || m == "register_by_ref")
    }) && func.body_text_may(|t| t.contains("Pending"))
}

/// The late registrations in `f`.
pub fn find(model: &Model, f: FnRef) -> Vec<LateWaker> {
    let mut walk = Walk {
        model,
        function: f,
        check: None,
        guards: Vec::new(),
        out: Vec::new(),
    };
    walk.block(model.func(f).body());
    walk.out
}

struct Walk<'m> {
    model: &'m Model,
    function: FnRef,
    /// The first condition checked so far, on the way to here.
    check: Option<Span>,
    /// Lock guards held here (`let queue = self.queue.lock()`), by name.
    guards: Vec<String>,
    out: Vec<LateWaker>,
}

impl Walk<'_> {
    fn block(&mut self, b: &Block) {
        let held = self.guards.len();
        for (i, s) in b.stmts.iter().enumerate() {
            if let Stmt::Expr(e) = s {
                if let Some((waker, span, recv)) = registration(e) {
                    let pending_next = b.stmts.get(i + 1).is_some_and(is_pending);
                    // Checked and registered under one lock: a producer
                    // that changes the state under it cannot fall between.
                    let racy = self.guards.is_empty() && self.shared(recv);
                    if let (Some(check), true, true) = (self.check, pending_next, racy) {
                        self.out.push(LateWaker {
                            function: self.function,
                            register: self.loc(span),
                            check: self.loc(check),
                            waker,
                        });
                    }
                }
            }
            match s {
                Stmt::Let {
                    pat, init, diverge, ..
                } => {
                    if let Some(e) = init {
                        self.expr(e);
                        if let (crate::facts::Pat::Ident { name, .. }, true) =
                            (pat, lock_target(e).is_some())
                        {
                            self.guards.push(name.clone());
                        }
                    }
                    if let Some(d) = diverge {
                        // `let … else`: a check.
                        self.checked(init.as_ref().and_then(Expr::span));
                        self.branch(|w| w.block(d));
                    }
                }
                Stmt::Expr(e) => {
                    if let Some(dropped) = dropped_name(e) {
                        self.guards.retain(|g| g != dropped);
                    }
                    self.expr(e)
                }
            }
        }
        self.guards.truncate(held.min(self.guards.len()));
    }

    /// Whether another thread can reach the waker `recv` names: a field
    /// path from `self` through an `Arc`, or an `AtomicWaker` a `&self`
    /// method registers. One held in an `Rc` is single-threaded, and a
    /// plain field under `&mut self` is this poller's alone: whoever wakes
    /// it needs the same exclusive access, so nothing falls between.
    fn shared(&self, recv: &Expr) -> bool {
        let func = self.model.func(self.function);
        let Some(path) = self_path(recv) else {
            return false;
        };
        let Some(mut ty) = func
            .owner
            .as_deref()
            .and_then(|o| self.model.resolve_type(o, self.function.file))
        else {
            return false;
        };
        let mut through_arc = false;
        let mut last_core = None;
        for name in path {
            let Some(t) = self.model.field_type(&ty, name) else {
                return false;
            };
            let wraps = |w: &str| t.wrappers.iter().any(|x| x == w);
            if wraps("Rc") || t.core.as_deref() == Some("Rc") {
                return false;
            }
            through_arc |= wraps("Arc") || t.core.as_deref() == Some("Arc");
            last_core = t.core.clone();
            match t
                .core
                .as_deref()
                .and_then(|c| self.model.resolve_type(c, ty.file))
            {
                Some(next) => ty = next,
                None => break,
            }
        }
        let atomic = last_core.as_deref() == Some("AtomicWaker");
        through_arc || (atomic && func.receiver == crate::facts::Receiver::Ref)
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::If { cond, then, els } => {
                self.expr(cond);
                self.checked(condition_span(cond).or(Some(then.span)));
                self.branch(|w| w.block(then));
                if let Some(els) = els {
                    self.branch(|w| w.expr(els));
                }
            }
            Expr::Match { scrutinee, arms } => {
                self.expr(scrutinee);
                self.checked(scrutinee.span());
                for arm in arms {
                    self.branch(|w| w.expr(&arm.body));
                }
            }
            Expr::While { cond, body } => {
                self.expr(cond);
                self.checked(condition_span(cond).or(Some(body.span)));
                self.branch(|w| w.block(body));
            }
            Expr::Try { .. } => {
                e.for_each_child(|c| self.expr(c));
                self.checked(e.span());
            }
            // A closure or async block runs elsewhere, with its own checks.
            Expr::Closure { .. } | Expr::Async { .. } => {}
            Expr::Block(b) => self.block(b),
            _ => e.for_each_child(|c| self.expr(c)),
        }
    }

    /// Run a branch: what it checks stays inside it, what was checked
    /// before stays checked.
    fn branch(&mut self, f: impl FnOnce(&mut Self)) {
        let saved = self.check;
        f(self);
        self.check = saved;
    }

    fn checked(&mut self, span: Option<Span>) {
        if self.check.is_none() {
            self.check = span;
        }
    }

    fn loc(&self, span: Span) -> Loc {
        Loc {
            file: self.function.file,
            span,
        }
    }
}

/// What an `if`/`while` checks: the scrutinee of `if let`.
fn condition_span(cond: &Expr) -> Option<Span> {
    match cond {
        Expr::Let { expr, .. } => expr.span(),
        e => e.span(),
    }
}

/// `x.register(cx.waker())` / `x.register_by_ref(&waker)`: the receiver's
/// last name, the call's span and the receiver.
fn registration(e: &Expr) -> Option<(String, Span, &Expr)> {
    let Expr::MethodCall {
        recv,
        method,
        args,
        span,
        ..
    } = e
    else {
        return None;
    };
    if !matches!(method.as_str(), "register" | "register_by_ref") || args.len() != 1 {
        return None;
    }
    if !mentions_waker(&args[0]) {
        return None;
    }
    Some((super::classify::last_name(recv)?, *span, recv))
}

/// The field names from `self` to the value: `self.inner.waker` →
/// `[inner, waker]`.
fn self_path(e: &Expr) -> Option<Vec<&str>> {
    match e {
        Expr::Field { base, name, .. } => {
            let mut p = self_path(base)?;
            p.push(name);
            Some(p)
        }
        e if is_self(e) => Some(Vec::new()),
        Expr::MethodCall { recv, method, .. } if method == "as_ref" => self_path(recv),
        Expr::Ref { .. } | Expr::Deref { .. } => {
            let mut inner = None;
            e.for_each_child(|c| inner = inner.take().or_else(|| self_path(c)));
            inner
        }
        _ => None,
    }
}

/// The expression is or contains `….waker()` or a name with `waker` in it.
fn mentions_waker(e: &Expr) -> bool {
    e.any(&|x| match x {
        Expr::MethodCall { method, .. } => method == "waker",
        Expr::Path { segs, .. } => segs
            .last()
            .is_some_and(|s| s.to_ascii_lowercase().contains("waker")),
        _ => false,
    })
}

/// `Poll::Pending`, `return Poll::Pending`, as a statement or the tail.
fn is_pending(s: &Stmt) -> bool {
    let Stmt::Expr(e) = s else {
        return false;
    };
    let e = match e {
        Expr::Jump { value: Some(v), .. } => v,
        e => e,
    };
    matches!(e, Expr::Path { segs, .. } if segs.last().is_some_and(|s| s == "Pending"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Model, SourceFile};

    /// The lines of late registrations in `src`.
    fn late(src: &str) -> Vec<u32> {
        let parsed = crate::parse::parse_source(0, src).expect("test source parses");
        let model = Model::new(vec![SourceFile {
            path: "lib.rs".into(),
            crate_id: 0,
            facts: parsed.facts,
        }]);
        model
            .all_fns()
            .filter(|f| may_register(&model, *f))
            .flat_map(|f| find(&model, f))
            .map(|w| w.register.span.start.line)
            .collect()
    }

    /// The struct the tests' methods poll: the waker shared through
    /// `Arc`, one in an `Rc`, one plain.
    const TYPES: &str = "struct Shared { w: AtomicWaker }\n\
                         struct R { q: Vec<u8>, shared: Arc<Shared>, local: Rc<AtomicWaker>, own: Notifier, m: Arc<Mutex<Vec<u8>>> }\n";

    #[test]
    fn check_then_register_then_pending() {
        let src = format!(
            "{TYPES}impl R {{\n\
             fn poll(&mut self, cx: &mut Context<'_>) -> Poll<u8> {{\n\
             if let Some(x) = self.q.pop() {{ return Poll::Ready(x); }}\n\
             self.shared.w.register(cx.waker());\n\
             Poll::Pending\n\
             }}\n}}\n"
        );
        assert_eq!(late(&src), [6]);
    }

    #[test]
    fn a_waker_no_other_thread_reaches_or_one_under_the_lock_is_fine() {
        let src = format!(
            "{TYPES}impl R {{\n\
             fn rc(&mut self, cx: &mut Context<'_>) -> Poll<u8> {{\n\
             if self.q.is_empty() {{ self.local.register(cx.waker()); return Poll::Pending; }}\n\
             Poll::Ready(0)\n\
             }}\n\
             fn own(&mut self, cx: &mut Context<'_>) -> Poll<u8> {{\n\
             if self.q.is_empty() {{ self.own.register(cx.waker()); return Poll::Pending; }}\n\
             Poll::Ready(0)\n\
             }}\n\
             fn locked(&mut self, cx: &mut Context<'_>) -> Poll<u8> {{\n\
             let q = self.m.lock().unwrap();\n\
             if q.is_empty() {{ self.shared.w.register(cx.waker()); return Poll::Pending; }}\n\
             Poll::Ready(0)\n\
             }}\n}}\n"
        );
        assert!(late(&src).is_empty(), "{:?}", late(&src));
    }

    #[test]
    fn register_first_or_check_again_is_fine() {
        let src = format!(
            "{TYPES}impl R {{\n\
             fn first(&mut self, cx: &mut Context<'_>) -> Poll<u8> {{\n\
             self.shared.w.register(cx.waker());\n\
             match self.q.pop() {{ Some(x) => Poll::Ready(x), None => Poll::Pending }}\n\
             }}\n\
             fn again(&mut self, cx: &mut Context<'_>) -> Poll<u8> {{\n\
             if let Some(x) = self.q.pop() {{ return Poll::Ready(x); }}\n\
             self.shared.w.register(cx.waker());\n\
             if let Some(x) = self.q.pop() {{ return Poll::Ready(x); }}\n\
             Poll::Pending\n\
             }}\n}}\n"
        );
        assert!(late(&src).is_empty());
    }
}
