//! A snapshot sent before the subscription is registered (SL007's
//! check-then-subscribe, for hand-rolled pub/sub): a function makes a
//! channel, sends the current state through its sender (the subscriber's
//! initial view), and only then registers the sender where broadcasts find
//! it (`index.insert(key, sender.clone())` under a lock of a field of
//! `self`). An event broadcast after the state was read and before the
//! registration reaches neither: the subscriber never sees it.
//!
//! A statement-order pass; closures and async blocks are skipped (a
//! snapshot sent from a spawned task after registering is the fix).

use super::handles::locked_self_field;
use crate::facts::{Callee, Expr, Pat, Stmt};
use crate::model::{FnRef, Model};
use crate::source::{Loc, Span};

/// One sender registered after its snapshot.
#[derive(Debug, Clone)]
pub struct SnapshotFirst {
    /// The function.
    pub function: FnRef,
    /// The first send through the sender (the snapshot).
    pub send: Loc,
    /// The registration.
    pub register: Loc,
    /// The sender's name.
    pub sender: String,
    /// The registry: the field of `self` (`indexes`).
    pub registry: String,
}

/// The prefilter: `f` sends and inserts or pushes, and its text may hold
/// the `let (tx, rx) = ..` that makes a sender.
pub fn may_apply(model: &Model, f: FnRef) -> bool {
    let has = |names: &[&str]| {
        model
            .func(f)
            .callees
            .iter()
            .any(|c| matches!(c, Callee::Method(m) if names.contains(&m.as_str())))
    };
    has(SENDS) && has(REGISTERS) && super::classify::may_let_tuple(model.func(f))
}

const SENDS: &[&str] = &[
    "send",
    "try_send",
    "unbounded_send",
    "blocking_send",
    "send_async",
];
const REGISTERS: &[&str] = &["insert", "push", "push_back"];

/// The senders `f` registers only after sending their snapshot.
pub fn find(model: &Model, f: FnRef) -> Vec<SnapshotFirst> {
    let mut w = Walk::default();
    w.block(&model.func(f).body().stmts);
    let loc = |span: Span| Loc { file: f.file, span };
    let mut out = Vec::new();
    for (sender, register, registry) in w.registered {
        if let Some((_, send)) = w.first_send.iter().find(|(s, _)| *s == sender) {
            let at = |s: &Span| (s.start.line, s.start.column);
            if at(send) < at(&register) {
                out.push(SnapshotFirst {
                    function: f,
                    send: loc(*send),
                    register: loc(register),
                    sender,
                    registry,
                });
            }
        }
    }
    out
}

#[derive(Default)]
struct Walk {
    /// Channel senders made here, by name.
    senders: Vec<String>,
    /// Guards of `self` fields: binding → field.
    guards: Vec<(String, String)>,
    /// The first send through each sender.
    first_send: Vec<(String, Span)>,
    /// Registrations: sender, call, field.
    registered: Vec<(String, Span, String)>,
}

impl Walk {
    fn block(&mut self, stmts: &[Stmt]) {
        let held = self.guards.len();
        for s in stmts {
            match s {
                Stmt::Let { pat, init, .. } => {
                    if let Some(e) = init {
                        self.expr(e);
                        self.bind(pat, e);
                    }
                }
                Stmt::Expr(e) => self.expr(e),
            }
        }
        self.guards.truncate(held);
    }

    fn bind(&mut self, pat: &Pat, init: &Expr) {
        match pat {
            // `let (tx, rx) = mpsc::channel(..)`
            Pat::Tuple(parts) if makes_channel(init) => {
                if let Some(Pat::Ident { name, .. }) = parts.first() {
                    self.senders.push(name.clone());
                }
            }
            Pat::Ident { name, .. } => {
                if let Some(field) = locked_self_field(init) {
                    self.guards.push((name.clone(), field));
                }
            }
            _ => {}
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::MethodCall {
                recv,
                method,
                args,
                span,
                ..
            } => {
                e.for_each_child(|c| self.expr(c));
                let on_sender = matches!(&**recv, Expr::Path { segs, .. }
                    if segs.len() == 1 && self.senders.contains(&segs[0]));
                if on_sender && SENDS.contains(&method.as_str()) {
                    if let Expr::Path { segs, .. } = &**recv {
                        if !self.first_send.iter().any(|(s, _)| *s == segs[0]) {
                            self.first_send.push((segs[0].clone(), *span));
                        }
                    }
                }
                if REGISTERS.contains(&method.as_str()) {
                    let field = match &**recv {
                        Expr::Path { segs, .. } if segs.len() == 1 => self
                            .guards
                            .iter()
                            .rev()
                            .find(|(g, _)| *g == segs[0])
                            .map(|(_, f)| f.clone()),
                        r => locked_self_field(r),
                    };
                    let sender = self
                        .senders
                        .iter()
                        .find(|s| args.iter().any(|a| names_sender(a, s)))
                        .cloned();
                    if let (Some(field), Some(sender)) = (field, sender) {
                        self.registered.push((sender, *span, field));
                    }
                }
            }
            Expr::Block(b) | Expr::Loop { body: b } => self.block(&b.stmts),
            Expr::For { iter, body, .. } => {
                self.expr(iter);
                self.block(&body.stmts);
            }
            Expr::While { cond, body } => {
                self.expr(cond);
                self.block(&body.stmts);
            }
            Expr::If { cond, then, els } => {
                self.expr(cond);
                self.block(&then.stmts);
                if let Some(e) = els {
                    self.expr(e);
                }
            }
            Expr::Closure { .. } | Expr::Async { .. } => {}
            _ => e.for_each_child(|c| self.expr(c)),
        }
    }
}

/// `mpsc::channel(..)`, `unbounded_channel()`, `broadcast::channel(..)`,
/// `flume::unbounded()`.
fn makes_channel(e: &Expr) -> bool {
    let Expr::Call { func, .. } = e else {
        return false;
    };
    matches!(&**func, Expr::Path { segs, .. }
        if segs.last().is_some_and(|l| l.ends_with("channel") || l == "unbounded" || l == "bounded"))
}

/// `sender` or `sender.clone()`.
fn names_sender(e: &Expr, sender: &str) -> bool {
    match e {
        Expr::Path { segs, .. } => segs.len() == 1 && segs[0] == sender,
        Expr::MethodCall { recv, method, .. } if method == "clone" => names_sender(recv, sender),
        _ => false,
    }
}
