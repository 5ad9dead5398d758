//! Subscriptions made one by one in the loop that makes the handles act on
//! each other (SL006's loop form): `for (i, peer) in peers.iter().enumerate()
//! { streams.push(peer.event_listener()); for other in &peers[i + 1..] {
//! peer.add_peer(other.id()) } }`. Iteration `i` makes peer `i` act on the
//! later peers (dial them), whose own subscriptions are made only in their
//! later iterations: the events the action causes on them (an incoming
//! session) come before they are subscribed, and are lost. Subscribing to
//! every handle first, in a loop of its own, closes the window.

use super::late_subscribe::{find_subscribe, Subscribers};
use crate::facts::{Expr, Pat, Stmt};
use crate::model::{FnRef, Model};
use crate::source::{Loc, Span};

/// One loop that subscribes as it goes while acting on later elements.
#[derive(Debug, Clone)]
pub struct LoopSubscribe {
    /// The function.
    pub function: FnRef,
    /// The subscription inside the loop.
    pub subscribe: Loc,
    /// Its method (`event_listener`).
    pub method: String,
    /// The action on another element of the same collection.
    pub action: Loc,
    /// The collection, as written (`self.peers`).
    pub collection: String,
    /// The loop variable (`handle`).
    pub handle: String,
}

/// The loops of `f` that subscribe element by element while acting on the
/// other elements.
pub fn find(model: &Model, subs: &Subscribers, f: FnRef) -> Vec<LoopSubscribe> {
    let krate = model.crate_of(f.file);
    let mut loops = Vec::new();
    for s in &model.func(f).body().stmts {
        if let Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) = s {
            collect_fors(e, &mut loops);
        }
    }
    let loc = |span: Span| Loc { file: f.file, span };
    let mut out = Vec::new();
    for (pat, iter, body) in loops {
        let (Some(handle), Some(collection)) = (loop_var(pat), collection(iter)) else {
            continue;
        };
        let mut sub = None;
        for s in &body.stmts {
            if let Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) = s {
                find_subscribe(e, subs, krate, &mut sub);
            }
            if sub.is_some() {
                break;
            }
        }
        let Some((h, method, sub_span)) = sub.filter(|(h, _, _)| *h == handle) else {
            continue;
        };
        let others = other_elements(&body.stmts, &collection);
        if let Some(action) = action_on_others(&body.stmts, &h, &collection, &others) {
            out.push(LoopSubscribe {
                function: f,
                subscribe: loc(sub_span),
                method,
                action: loc(action),
                collection,
                handle: h,
            });
        }
    }
    out
}

type ForLoop<'e> = (&'e Pat, &'e Expr, &'e crate::facts::Block);

fn collect_fors<'e>(e: &'e Expr, out: &mut Vec<ForLoop<'e>>) {
    if let Expr::For { pat, iter, body } = e {
        out.push((pat, iter, body));
    }
    if !matches!(e, Expr::Closure { .. } | Expr::Async { .. }) {
        e.for_each_child(|c| collect_fors(c, out));
    }
}

/// `handle` in `for handle in ..` and `for (i, handle) in ...enumerate()`.
fn loop_var(p: &Pat) -> Option<String> {
    match p {
        Pat::Ident { name, .. } => Some(name.clone()),
        Pat::Tuple(parts) => match parts.as_slice() {
            [_, Pat::Ident { name, .. }] => Some(name.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The collection a loop walks, as written: `self.peers` in
/// `self.peers.iter().enumerate().take(n)`, `peers` in `&peers`.
fn collection(e: &Expr) -> Option<String> {
    match e {
        Expr::MethodCall { recv, method, .. }
            if matches!(
                method.as_str(),
                "iter" | "iter_mut" | "into_iter" | "enumerate" | "take" | "skip"
            ) =>
        {
            collection(recv)
        }
        Expr::Ref { base } => collection(base),
        Expr::Field { base, name, .. } => collection(base).map(|b| format!("{b}.{name}")),
        Expr::Path { segs, .. } if segs.len() == 1 => Some(segs[0].clone()),
        _ => None,
    }
}

/// Names bound in the body to another element of the collection:
/// `let neighbour = &self.peers[idx];`, also in inner blocks and loops.
fn other_elements(stmts: &[Stmt], coll: &str) -> Vec<String> {
    let mut out = Vec::new();
    for s in stmts {
        match s {
            Stmt::Let {
                pat: Pat::Ident { name, .. },
                init: Some(e),
                ..
            } if indexes(e, coll) => out.push(name.clone()),
            Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => nested(e, coll, &mut out),
            Stmt::Let { .. } => {}
        }
    }
    out
}

fn nested(e: &Expr, coll: &str, out: &mut Vec<String>) {
    match e {
        Expr::Block(b) | Expr::Loop { body: b } | Expr::While { body: b, .. } => {
            out.extend(other_elements(&b.stmts, coll))
        }
        Expr::For { pat, iter, body } => {
            // `for other in &coll`, `for other in &coll[i + 1..]`
            if collection(iter).as_deref() == Some(coll) || indexes(iter, coll) {
                out.extend(loop_var(pat));
            }
            out.extend(other_elements(&body.stmts, coll));
        }
        Expr::Closure { .. } | Expr::Async { .. } => {}
        _ => e.for_each_child(|c| nested(c, coll, out)),
    }
}

/// `coll[..]` (through `&`).
fn indexes(e: &Expr, coll: &str) -> bool {
    match e {
        Expr::Ref { base } => indexes(base, coll),
        Expr::Index { base, .. } => collection(base).as_deref() == Some(coll),
        _ => false,
    }
}

/// A call on `handle` (its root) with an argument that names another
/// element: the span of the first.
fn action_on_others(stmts: &[Stmt], handle: &str, coll: &str, others: &[String]) -> Option<Span> {
    fn walk(e: &Expr, handle: &str, coll: &str, others: &[String]) -> Option<Span> {
        if let Expr::MethodCall {
            recv, args, span, ..
        } = e
        {
            let on_handle = super::classify::root_ident(recv) == Some(handle);
            let names_other = args.iter().any(|a| mentions_any(a, coll, others));
            if on_handle && names_other {
                return Some(*span);
            }
        }
        if matches!(e, Expr::Closure { .. } | Expr::Async { .. }) {
            return None;
        }
        let mut found = None;
        e.for_each_child(|c| {
            if found.is_none() {
                found = walk(c, handle, coll, others);
            }
        });
        found
    }
    stmts.iter().find_map(|s| match s {
        Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => walk(e, handle, coll, others),
        Stmt::Let { .. } => None,
    })
}

fn mentions_any(e: &Expr, coll: &str, others: &[String]) -> bool {
    e.any(&|x| {
        indexes(x, coll)
            || matches!(x, Expr::Path { segs, .. } if segs.len() == 1 && others.contains(&segs[0]))
    })
}
