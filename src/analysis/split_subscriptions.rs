//! A snapshot and its updates taken from two subscriptions (SL007): a
//! subscribing accessor hands back the current state together with a
//! receiver of the changes after it (`let (items, rx) = cache.subscribe()`),
//! and the one pair is what makes the two line up. Code that takes the
//! snapshot from one call and drops its receiver (`let (items, _rx) = ..`),
//! then calls again for a receiver and drops that snapshot
//! (`let (_items, rx) = ..`), has a gap: a change made between the two
//! calls is in neither the snapshot it kept nor the receiver it kept. The
//! view built from them misses it until something else changes.
//!
//! A statement-order pass: in one function, a stream-only subscription on
//! `x.m(..)` after a snapshot-only subscription on the same `x` with the
//! same method, either in the function itself or in a crate function it
//! calls first with `x` as an argument (`controller.init_focus(&cache)`).
//! Quiet when one call keeps both halves.

use super::classify::place;
use super::late_subscribe::stmt_exprs;
use crate::facts::{Block, Expr, FnFacts, Pat, Stmt};
use crate::model::{FnRef, Model};
use crate::source::{Loc, Span};

/// One snapshot and receiver taken from two subscriptions.
#[derive(Debug, Clone)]
pub struct SplitSubscription {
    /// The function that keeps the receiver.
    pub function: FnRef,
    /// The subscription whose receiver is kept (and snapshot dropped).
    pub stream_sub: Loc,
    /// The receiver's name (`pinned_events_recv`).
    pub stream: String,
    /// The earlier subscription whose snapshot is kept (and receiver
    /// dropped).
    pub snapshot_sub: Loc,
    /// When that earlier subscription is in a callee: the call in
    /// `function` and the callee's name (`init_focus`).
    pub via: Option<(Loc, String)>,
    /// The subscribed value as `function` names it (`room_event_cache`).
    pub source: String,
    /// The subscribing method (`subscribe_to_pinned_events`).
    pub method: String,
}

/// Words of a method that hands back the current state together with the
/// changes after it.
const SUBSCRIBING: &[&str] = &["subscribe", "watch", "observe"];

/// Which half of a `(snapshot, receiver)` pair a `let` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kept {
    Snapshot,
    Stream,
}

/// A `let (a, b) = x.m(..)` with one half dropped.
#[derive(Debug, Clone)]
struct HalfSub {
    kept: Kept,
    /// The kept half's name.
    name: String,
    source: String,
    method: String,
    span: Span,
}

/// The prefilter: `f` calls a subscribing method, and its text may hold
/// the `let (..)` a half subscription needs.
pub fn may_apply(model: &Model, f: FnRef) -> bool {
    let func = model.func(f);
    func.callees
        .iter()
        .any(|c| matches!(c, crate::facts::Callee::Method(m) if is_subscribing(m)))
        && super::classify::may_let_tuple(func)
}

fn is_subscribing(method: &str) -> bool {
    let m = method.to_ascii_lowercase();
    SUBSCRIBING.iter().any(|w| m.contains(w))
}

/// The split subscriptions of `f`.
pub fn find(model: &Model, f: FnRef) -> Vec<SplitSubscription> {
    let func = model.func(f);
    let loc = |span: Span| Loc { file: f.file, span };
    let mut stmts = Vec::new();
    flatten(func.body(), &mut stmts);
    let mut out = Vec::new();
    for (i, s) in stmts.iter().enumerate() {
        let Some(later) = half_sub(s).filter(|h| h.kept == Kept::Stream) else {
            continue;
        };
        let same = |h: &HalfSub| {
            h.kept == Kept::Snapshot && h.source == later.source && h.method == later.method
        };
        let earlier = stmts[..i].iter().find_map(|e| {
            if let Some(h) = half_sub(e).filter(same) {
                return Some((h.span, None));
            }
            stmt_exprs(e)
                .find_map(|x| via_callee(model, f, x, &later.source, &later.method))
                .map(|(sub, call, name)| (sub.span, Some((loc(call), name, sub))))
        });
        let Some((span, via)) = earlier else {
            continue;
        };
        let snapshot_sub = match &via {
            Some((_, _, sub)) => *sub,
            None => loc(span),
        };
        out.push(SplitSubscription {
            function: f,
            stream_sub: loc(later.span),
            stream: later.name.clone(),
            snapshot_sub,
            via: via.map(|(call, name, _)| (call, name)),
            source: later.source.clone(),
            method: later.method.clone(),
        });
    }
    out
}

/// The statements of a block in order, with the statements of the blocks
/// nested in them (`if`, `match` arms, plain blocks) after their own —
/// never those of closures or async blocks, which run later.
fn flatten<'a>(block: &'a Block, out: &mut Vec<&'a Stmt>) {
    for s in &block.stmts {
        out.push(s);
        for e in stmt_exprs(s) {
            nested_blocks(e, out);
        }
    }
}

fn nested_blocks<'a>(e: &'a Expr, out: &mut Vec<&'a Stmt>) {
    match e {
        Expr::Closure { .. } | Expr::Async { .. } => {}
        Expr::Block(b) => flatten(b, out),
        Expr::If { cond, then, els } => {
            nested_blocks(cond, out);
            flatten(then, out);
            if let Some(e) = els {
                nested_blocks(e, out);
            }
        }
        _ => e.for_each_child(|c| nested_blocks(c, out)),
    }
}

/// `let (a, b) = x.m(..)` (through `.await`, `?`, `unwrap`) with a
/// subscribing `m` and exactly one of `a`, `b` dropped (`_`, `_name`).
fn half_sub(s: &Stmt) -> Option<HalfSub> {
    let Stmt::Let {
        pat: Pat::Tuple(elems),
        init: Some(init),
        ..
    } = s
    else {
        return None;
    };
    let [a, b] = elems.as_slice() else {
        return None;
    };
    let (source, method, span) = subscribing_call(init)?;
    let (kept, name) = match (kept_name(a), kept_name(b)) {
        (Some(a), None) => (Kept::Snapshot, a),
        (None, Some(b)) => (Kept::Stream, b),
        _ => return None,
    };
    Some(HalfSub {
        kept,
        name,
        source,
        method,
        span,
    })
}

/// The name a pattern keeps, or `None` when it drops the value.
fn kept_name(p: &Pat) -> Option<String> {
    match p {
        Pat::Ident { name, .. } if !name.starts_with('_') => Some(name.clone()),
        _ => None,
    }
}

/// The receiver's place, the method and the span of a subscribing call.
fn subscribing_call(e: &Expr) -> Option<(String, String, Span)> {
    match e {
        Expr::Await { base, .. } | Expr::Try { base } => subscribing_call(base),
        Expr::MethodCall { recv, method, .. } if matches!(method.as_str(), "unwrap" | "expect") => {
            subscribing_call(recv)
        }
        Expr::MethodCall {
            recv, method, span, ..
        } if is_subscribing(method) => Some((place(recv)?, method.clone(), *span)),
        _ => None,
    }
}

/// A call in `e` (outside closures) of a crate function that takes
/// `source` as an argument and, in its own body, takes a snapshot-only
/// subscription with `method` on the parameter it binds: that
/// subscription, the call and the callee's name.
fn via_callee(
    model: &Model,
    f: FnRef,
    e: &Expr,
    source: &str,
    method: &str,
) -> Option<(Loc, Span, String)> {
    if matches!(e, Expr::Closure { .. } | Expr::Async { .. }) {
        return None;
    }
    let here = match e {
        Expr::MethodCall {
            recv,
            method: called,
            args,
            span,
            ..
        } => callee_by_method(model, f, recv, called)
            .and_then(|g| snapshot_in(model, g, args, source, method))
            .map(|(sub, g)| (sub, *span, model.func(g).name.clone())),
        Expr::Call { func, args, span } => match &**func {
            Expr::Path { segs, .. } => {
                let owner = model.constructed_type(f);
                model
                    .resolve_fn(f.file, owner.as_ref(), segs)
                    .and_then(|g| snapshot_in(model, g, args, source, method))
                    .map(|(sub, g)| (sub, *span, model.func(g).name.clone()))
            }
            _ => None,
        },
        _ => None,
    };
    if here.is_some() {
        return here;
    }
    let mut found = None;
    e.for_each_child(|c| {
        if found.is_none() {
            found = via_callee(model, f, c, source, method);
        }
    });
    found
}

/// The method `recv.name(..)` calls: on the receiver's type when the
/// function shows it (`self`, or a `let` bound to `Type::ctor(..)` or a
/// `Type { .. }` literal), else the one method of the crate with that name
/// (an ambiguous name is not followed).
fn callee_by_method(model: &Model, f: FnRef, recv: &Expr, name: &str) -> Option<FnRef> {
    if let Some(ty) = receiver_type(model, f, recv) {
        return model.method(&ty, name);
    }
    let krate = model.crate_of(f.file);
    let mut found = model.all_fns().filter(|g| {
        let func = model.func(*g);
        func.name == name
            && !matches!(func.receiver, crate::facts::Receiver::None)
            && model.crate_of(g.file) == krate
    });
    let one = found.next()?;
    found.next().is_none().then_some(one)
}

/// The crate type of a method call's receiver, as far as `f` shows it.
fn receiver_type(model: &Model, f: FnRef, recv: &Expr) -> Option<crate::model::TypeRef> {
    let func = model.func(f);
    let name = match recv {
        Expr::Ref { base } | Expr::Deref { base } => return receiver_type(model, f, base),
        Expr::Path { segs, .. } if segs.len() == 1 => &segs[0],
        _ => return None,
    };
    if name == "self" {
        return model.resolve_type(func.owner.as_deref()?, f.file);
    }
    let mut stmts = Vec::new();
    flatten(func.body(), &mut stmts);
    let ty = stmts.iter().rev().find_map(|s| match s {
        Stmt::Let {
            pat: Pat::Ident { name: n, .. },
            init: Some(init),
            ..
        } if n == name => Some(constructed_name(init)),
        _ => None,
    })??;
    let ty = if ty == "Self" {
        func.owner.as_deref()?
    } else {
        ty
    };
    model.resolve_type(ty, f.file)
}

/// `T` of `T::ctor(..)` or `T { .. }`, through `?`, `.await`, `unwrap`.
fn constructed_name(e: &Expr) -> Option<&str> {
    match e {
        Expr::Await { base, .. } | Expr::Try { base } => constructed_name(base),
        Expr::MethodCall { recv, method, .. } if matches!(method.as_str(), "unwrap" | "expect") => {
            constructed_name(recv)
        }
        Expr::Call { func, .. } => match &**func {
            Expr::Path { segs, .. } if segs.len() >= 2 => Some(&segs[segs.len() - 2]),
            _ => None,
        },
        Expr::Struct { name, .. } => Some(name),
        _ => None,
    }
}

/// The snapshot-only subscription with `method` that `g` takes on the
/// parameter bound to the argument naming `source`.
fn snapshot_in(
    model: &Model,
    g: FnRef,
    args: &[Expr],
    source: &str,
    method: &str,
) -> Option<(Loc, FnRef)> {
    let func: &FnFacts = model.func(g);
    let i = args
        .iter()
        .position(|a| place(a).as_deref() == Some(source))?;
    let Pat::Ident { name: param, .. } = &func.params().get(i)?.pat else {
        return None;
    };
    let mut stmts = Vec::new();
    flatten(func.body(), &mut stmts);
    stmts.iter().find_map(|s| {
        half_sub(s)
            .filter(|h| h.kept == Kept::Snapshot && &h.source == param && h.method == method)
            .map(|h| {
                (
                    Loc {
                        file: g.file,
                        span: h.span,
                    },
                    g,
                )
            })
    })
}
