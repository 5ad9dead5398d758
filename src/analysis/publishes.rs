//! A stop that can come before the task publishes what it stops (SL001,
//! the owner's side of the window): a method starts a thread or task that
//! fills a field it shares with its owner (`*runloop.write() = Some(..)`,
//! `started.store(true, ..)`), and returns without waiting for it; a
//! `stop`, `shutdown`, `close`, `cancel` or `drop` of the same type reads
//! that field and gives up when it is still empty. A stop called after
//! the start returned but before the task ran finds nothing to stop, and
//! the task, publishing afterwards, runs on with nobody left to stop it.
//!
//! A statement-order pass. Quiet when the starting method waits for the
//! task after the spawn (a `recv`, `wait`, `join` or `.await`: the
//! handshake that closes the window), when the task publishes nothing into
//! a shared field, and when no stop-like method gives up on that field.

use super::classify::{is_self, self_field};
use super::late_subscribe::spawn_call;
use crate::facts::{Expr, FnFacts, Pat, Stmt};
use crate::model::reach::Reach;
use crate::model::{FnRef, Model, TypeRef};
use crate::source::{Loc, Span};

/// One start whose task publishes what a stop needs, with no handshake.
#[derive(Debug, Clone)]
pub struct UnpublishedStop {
    /// The method that starts the task.
    pub function: FnRef,
    /// The spawn call.
    pub spawn: Loc,
    /// The field of `self` the task fills (`runloop`).
    pub field: String,
    /// Where the task fills it.
    pub publish: Loc,
    /// The method that gives up while it is empty.
    pub stop: FnRef,
    /// Where that method reads it.
    pub check: Loc,
}

/// Method names that stop what a start started.
const STOPS: &[&str] = &[
    "stop",
    "shutdown",
    "close",
    "cancel",
    "terminate",
    "abort",
    "kill",
    "halt",
    "drop",
];

/// Calls after the spawn that wait for the task: a handshake.
const WAITS: &[&str] = &[
    "recv",
    "recv_timeout",
    "blocking_recv",
    "wait",
    "wait_while",
    "wait_timeout",
    "join",
];

fn is_stop(name: &str) -> bool {
    STOPS.contains(&name) || STOPS.iter().any(|s| name.starts_with(&format!("{s}_")))
}

/// The prefilter: a method that spawns, of a type with a stop-like method.
pub fn may_apply(model: &Model, reach: &Reach, f: FnRef) -> bool {
    let func = model.func(f);
    func.owner.is_some()
        && !is_stop(&func.name)
        && reach.spawns_itself(f)
        && owner(model, f).is_some_and(|ty| {
            model
                .methods_of(&ty)
                .iter()
                .any(|m| is_stop(&model.func(*m).name))
        })
        // Without a clone of a field (`self.f.clone()`, `Arc::clone(&self.f)`)
        // there is no alias to publish into, and bodies expand no macros.
        && func.body_text_may(|t| t.contains("clone"))
}

fn owner(model: &Model, f: FnRef) -> Option<TypeRef> {
    model.resolve_type(model.func(f).owner.as_deref()?, f.file)
}

/// The unpublished stops of `f`.
pub fn find(model: &Model, reach: &Reach, f: FnRef) -> Vec<UnpublishedStop> {
    let func = model.func(f);
    let Some(ty) = owner(model, f) else {
        return Vec::new();
    };
    let krate = model.crate_of(f.file);
    let loc = |span: Span| Loc { file: f.file, span };
    // Locals that are clones of a field of `self`: `let rl = self.rl.clone();`.
    let mut aliases: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    let stmts = &func.body().stmts;
    for (i, s) in stmts.iter().enumerate() {
        let e = match s {
            Stmt::Let {
                pat: Pat::Ident { name, .. },
                init: Some(init),
                ..
            } => {
                if let Some(field) = cloned_self_field(init) {
                    aliases.push((name.clone(), field.to_string()));
                    continue;
                }
                init
            }
            Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => e,
            Stmt::Let { .. } => continue,
        };
        let Some((span, call)) = spawn_call(model, reach, krate, e) else {
            continue;
        };
        if waits_after(&stmts[i + 1..]) {
            continue;
        }
        for (alias, field) in &aliases {
            let Some(publish) = publish_in(call, alias) else {
                continue;
            };
            let stop = model.methods_of(&ty).into_iter().find_map(|m| {
                let mf = model.func(m);
                (m != f && is_stop(&mf.name))
                    .then(|| gives_up_on(model, &ty, mf, field))
                    .flatten()
                    .map(|check| (m, check))
            });
            if let Some((stop, check)) = stop {
                out.push(UnpublishedStop {
                    function: f,
                    spawn: loc(span),
                    field: field.clone(),
                    publish: loc(publish),
                    stop,
                    check: Loc {
                        file: stop.file,
                        span: check,
                    },
                });
            }
        }
    }
    out
}

/// `self.f.clone()` or `Arc::clone(&self.f)`: `f`.
fn cloned_self_field(e: &Expr) -> Option<&str> {
    match e {
        Expr::MethodCall { recv, method, .. } if method == "clone" => self_field(recv),
        Expr::Call { func, args, .. } => match (&**func, args.as_slice()) {
            (Expr::Path { segs, .. }, [Expr::Ref { base }])
                if segs.last().is_some_and(|s| s == "clone") =>
            {
                self_field(base)
            }
            _ => None,
        },
        _ => None,
    }
}

/// Whether a statement after the spawn waits for the task.
fn waits_after(rest: &[Stmt]) -> bool {
    let waits = |e: &Expr| {
        matches!(e, Expr::Await { .. })
            || matches!(e, Expr::MethodCall { method, .. } if WAITS.contains(&method.as_str()))
    };
    rest.iter().any(|s| match s {
        Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => e.any(&waits),
        Stmt::Let { .. } => false,
    })
}

/// Where the task (inside `call`) fills the shared value `alias`: an
/// assignment of `Some(..)` through it (`*alias.write().unwrap() = Some(x)`,
/// or in a closure of a chain on it: `alias.write().map(|v| *v = Some(x))`),
/// or `alias.store(true, ..)` / `alias.set(..)` / `alias.replace(..)`.
fn publish_in(call: &Expr, alias: &str) -> Option<Span> {
    let found = std::cell::Cell::new(None);
    call.any(&|e| {
        let hit = match e {
            Expr::Assign { lhs, rhs, span, .. } if is_some(rhs) && lhs.mentions(alias) => {
                Some(*span)
            }
            Expr::MethodCall {
                recv,
                method,
                args,
                span,
                ..
            } if rooted_in(recv, alias) => match method.as_str() {
                "store" if args.first().is_some_and(is_nonzero) => Some(*span),
                "set" | "replace" | "get_or_insert" => Some(*span),
                _ => args.iter().find_map(|a| match a {
                    Expr::Closure { body, .. } => assigns_some(body),
                    _ => None,
                }),
            },
            _ => None,
        };
        if hit.is_some() {
            found.set(hit);
        }
        hit.is_some()
    });
    found.get()
}

fn assigns_some(e: &Expr) -> Option<Span> {
    let found = std::cell::Cell::new(None);
    e.any(&|x| match x {
        Expr::Assign { rhs, span, .. } if is_some(rhs) => {
            found.set(Some(*span));
            true
        }
        _ => false,
    });
    found.get()
}

fn is_some(e: &Expr) -> bool {
    matches!(e, Expr::Call { func, .. } if matches!(&**func, Expr::Path { segs, .. } if segs.last().is_some_and(|s| s == "Some")))
}

/// `true` or another non-zero literal (`false` and `0` lower to
/// [`LitKind::Zero`](crate::facts::LitKind::Zero)).
fn is_nonzero(e: &Expr) -> bool {
    matches!(e, Expr::Lit(crate::facts::LitKind::Value))
}

/// A method chain whose receiver at the bottom is the name `alias`.
fn rooted_in(e: &Expr, alias: &str) -> bool {
    match e {
        Expr::Path { segs, .. } => segs.len() == 1 && segs[0] == alias,
        Expr::MethodCall { recv, .. } => rooted_in(recv, alias),
        Expr::Try { base }
        | Expr::Await { base, .. }
        | Expr::Deref { base }
        | Expr::Ref { base } => rooted_in(base, alias),
        _ => false,
    }
}

/// Where `stop` gives up while `field` is empty: an early `return` under a
/// test of the field (directly, or through a `&self` method of the type
/// that reads it, like `is_running()`), or an `if let Some(..) = ` on it
/// with no `else`.
fn gives_up_on(model: &Model, ty: &TypeRef, stop: &FnFacts, field: &str) -> Option<Span> {
    stop.body().stmts.iter().find_map(|s| {
        let Stmt::Expr(Expr::If { cond, then, els }) = s else {
            return None;
        };
        let early_return = matches!(then.stmts.as_slice(), [Stmt::Expr(Expr::Jump { .. })]);
        let if_let = matches!(&**cond, Expr::Let { .. }) && els.is_none();
        if !(early_return || if_let) {
            return None;
        }
        reads_field(cond, field).or_else(|| helper_reading(model, ty, cond, field))
    })
}

/// The span of `self.<field>` inside `e`.
fn reads_field(e: &Expr, field: &str) -> Option<Span> {
    let found = std::cell::Cell::new(None);
    e.any(&|x| match x {
        Expr::Field { base, name, span } if name == field && is_self(base) => {
            found.set(Some(*span));
            true
        }
        _ => false,
    });
    found.get()
}

/// A call `self.helper()` in `cond` to a method of the type whose body
/// reads `self.<field>`: the span of the call.
fn helper_reading(model: &Model, ty: &TypeRef, cond: &Expr, field: &str) -> Option<Span> {
    let found = std::cell::Cell::new(None);
    cond.any(&|x| match x {
        Expr::MethodCall {
            recv, method, span, ..
        } if is_self(recv) => {
            let reads = model.method(ty, method).is_some_and(|m| {
                let body = &model.func(m).body();
                body.stmts.iter().any(|s| match s {
                    Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => {
                        reads_field(e, field).is_some()
                    }
                    Stmt::Let { .. } => false,
                })
            });
            if reads {
                found.set(Some(*span));
            }
            reads
        }
        _ => false,
    });
    found.get()
}
