//! An empty shared slot filled after the task that unwraps it starts
//! (SL002 beyond constructors): a function makes a shared, empty slot
//! (`let session = Arc::new(RwLock::new(None))`), starts a task that gets a
//! clone of it — directly, through a task it starts in turn, or through a
//! crate function it hands the slot to — and only later fills it
//! (`*session.write().unwrap() = Some(s)`), while the task unwraps what it
//! reads (`session.read().unwrap().as_ref().unwrap()`). Whatever makes the
//! task read the slot before the fill — the first message of a client, a
//! timer — panics it.
//!
//! A statement-order pass: the slot is a `let` of the function, the spawn a
//! later statement that mentions it, the fill a later statement still.
//! The task's unwrap is looked for in its body and in crate functions it
//! calls with the slot as an argument, a few calls deep.

use super::late_subscribe::{spawn_call, stmt_exprs};
use crate::facts::{Block, Expr, Pat, Stmt};
use crate::model::reach::Reach;
use crate::model::{FnRef, Model};
use crate::source::{Loc, Span};

/// One slot filled after the task that unwraps it starts.
#[derive(Debug, Clone)]
pub struct EmptySlot {
    /// The function that makes, shares and fills the slot.
    pub function: FnRef,
    /// The innermost spawn, in `function`, whose task reaches the unwrap.
    pub spawn: Loc,
    /// The slot's name (`session_data`).
    pub slot: String,
    /// The fill (`*session_data.write().unwrap() = Some(..)`).
    pub fill: Loc,
    /// The task's unwrap of the slot's content.
    pub unwrap: Loc,
    /// The calls from the task to the unwrap: each call and its callee.
    pub hops: Vec<(Loc, String)>,
}

/// How many crate calls deep the task's unwrap is looked for.
const DEPTH: usize = 3;

/// The prefilter: `f` spawns itself and makes an `Arc` of a lock.
pub fn may_apply(model: &Model, reach: &Reach, f: FnRef) -> bool {
    reach.spawns_itself(f)
        && model.func(f).callees.iter().any(
            |c| matches!(c, crate::facts::Callee::Assoc(t, m) if m == "new" && (t == "RwLock" || t == "Mutex")),
        )
}

/// The slots `f` fills after the task that unwraps them starts.
pub fn find(model: &Model, reach: &Reach, f: FnRef) -> Vec<EmptySlot> {
    let func = model.func(f);
    let krate = model.crate_of(f.file);
    let stmts = &func.body().stmts;
    let mut out = Vec::new();
    for (i, s) in stmts.iter().enumerate() {
        let Some(slot) = empty_slot(s) else { continue };
        for (j, later) in stmts.iter().enumerate().skip(i + 1) {
            let Some(e) = stmt_exprs(later).next() else {
                continue;
            };
            let Some((_, call)) = spawn_call(model, reach, krate, e) else {
                continue;
            };
            if !call.mentions(&slot) {
                continue;
            }
            let bare = bare_guards(model, f);
            let Some(fill) = stmts[j + 1..].iter().find_map(|x| fill_of(x, &slot, bare)) else {
                continue;
            };
            let Some(hit) = unwrap_in(model, f, call, vec![slot.clone()], 0) else {
                continue;
            };
            let first = hit.hops.first().map_or(hit.unwrap.span, |h| h.0.span);
            let spawn = innermost_spawn(model, reach, krate, call, first)
                .unwrap_or_else(|| spawn_call(model, reach, krate, e).map_or(first, |(s, _)| s));
            out.push(EmptySlot {
                function: f,
                spawn: Loc {
                    file: f.file,
                    span: spawn,
                },
                slot: slot.clone(),
                fill: Loc {
                    file: f.file,
                    span: fill,
                },
                unwrap: hit.unwrap,
                hops: hit.hops,
            });
            break;
        }
    }
    out
}

/// `let x = Arc::new(RwLock::new(None))` (or `Mutex`): the slot's name.
fn empty_slot(s: &Stmt) -> Option<String> {
    let Stmt::Let {
        pat: Pat::Ident { name, .. },
        init: Some(Expr::Call { func, args, .. }),
        ..
    } = s
    else {
        return None;
    };
    let [lock] = args.as_slice() else { return None };
    if !ends_with(func, &["Arc", "new"]) {
        return None;
    }
    let Expr::Call { func, args, .. } = lock else {
        return None;
    };
    let empty = matches!(args.as_slice(), [Expr::Path { segs, .. }] if segs.last().is_some_and(|s| s == "None"));
    (empty && (ends_with(func, &["RwLock", "new"]) || ends_with(func, &["Mutex", "new"])))
        .then(|| name.clone())
}

fn ends_with(e: &Expr, tail: &[&str]) -> bool {
    matches!(e, Expr::Path { segs, .. } if segs.len() >= tail.len()
        && segs[segs.len() - tail.len()..].iter().zip(tail).all(|(a, b)| a == b))
}

/// A statement that fills `slot`: `*slot.write().unwrap() = Some(..)`
/// (or `.lock()`, anywhere inside it): the assignment's span.
fn fill_of(s: &Stmt, slot: &str, bare: bool) -> Option<Span> {
    let e = stmt_exprs(s).next()?;
    let found = std::cell::Cell::new(None);
    e.any(&|x| match x {
        Expr::Assign {
            lhs,
            rhs,
            span,
            compound: false,
        } => {
            let some = matches!(&**rhs, Expr::Call { func, .. } if ends_with(func, &["Some"]));
            let into_slot =
                matches!(&**lhs, Expr::Deref { base } if guard_of(base, &[slot.to_string()], bare));
            if some && into_slot {
                found.set(Some(*span));
            }
            some && into_slot
        }
        _ => false,
    });
    found.get()
}

/// Whether `e` is a guard of one of `names`: a lock taken and, where the
/// lock can be poisoned, its result unwrapped (`s.read().unwrap()`,
/// `s.lock().expect(..)`, `s.write().await`, `s.lock()?`); a bare
/// `s.read()` only where `bare` says the file's locks hand out guards
/// directly (`parking_lot`). A std `s.read()` is a `LockResult`: its
/// `.as_ref().unwrap()` unwraps the lock, not the slot.
fn guard_of(e: &Expr, names: &[String], bare: bool) -> bool {
    match e {
        Expr::Await { base, .. } | Expr::Try { base } => {
            lock_call(base, names) || guard_of(base, names, bare)
        }
        Expr::MethodCall { recv, method, .. } if matches!(method.as_str(), "unwrap" | "expect") => {
            lock_call(recv, names) || guard_of(recv, names, bare)
        }
        _ => bare && lock_call(e, names),
    }
}

/// `s.read()`, `s.write()` or `s.lock()` on one of `names`.
fn lock_call(e: &Expr, names: &[String]) -> bool {
    matches!(e, Expr::MethodCall { recv, method, .. }
        if matches!(method.as_str(), "read" | "write" | "lock")
            && matches!(super::classify::root_ident(recv), Some(r) if names.iter().any(|n| n == r)))
}

/// Whether the locks written in `f`'s file hand out guards without a
/// `LockResult` (`use parking_lot::RwLock;`).
fn bare_guards(model: &Model, f: FnRef) -> bool {
    let uses = &model.files[f.file as usize].facts.uses;
    ["RwLock", "Mutex"].iter().any(|t| {
        uses.get(*t)
            .and_then(|p| p.first())
            .is_some_and(|c| matches!(c.as_str(), "parking_lot" | "spin" | "antidote" | "lock_api"))
    })
}

/// Where a task unwraps the slot's content, and the calls on the way.
struct Hit {
    unwrap: Loc,
    hops: Vec<(Loc, String)>,
}

/// The first unwrap of the slot's content in `e` (a task, or a callee's
/// body), following crate functions that get the slot as an argument.
fn unwrap_in(
    model: &Model,
    f: FnRef,
    e: &Expr,
    mut aliases: Vec<String>,
    depth: usize,
) -> Option<Hit> {
    let bare = bare_guards(model, f);
    let mut guards = Vec::new();
    each_let(e, &mut |pat, init| {
        let mut names = Vec::new();
        pat.bindings(&mut names);
        if guard_of(init, &aliases, bare) {
            guards.extend(names);
        } else if is_clone_of(init, &aliases) {
            aliases.extend(names);
        }
    });
    let found = std::cell::Cell::new(None);
    e.any(&|x| {
        let hit = unwraps_content(x, &guards, &aliases, bare);
        if hit {
            found.set(x.span());
        }
        hit
    });
    if let Some(span) = found.get() {
        return Some(Hit {
            unwrap: Loc { file: f.file, span },
            hops: Vec::new(),
        });
    }
    if depth >= DEPTH {
        return None;
    }
    let mut calls = Vec::new();
    each_call(e, &mut |segs, args, span| calls.push((segs, args, span)));
    calls.into_iter().find_map(|(segs, args, span)| {
        let i = args.iter().position(
            |a| matches!(super::classify::root_ident(a), Some(r) if aliases.iter().any(|n| n == r)),
        )?;
        let g = model.resolve_fn(f.file, None, segs)?;
        let callee = model.func(g);
        let Pat::Ident { name, .. } = &callee.params().get(i)?.pat else {
            return None;
        };
        let body = Expr::Block(callee.body().clone());
        let mut hit = unwrap_in(model, g, &body, vec![name.clone()], depth + 1)?;
        hit.hops
            .insert(0, (Loc { file: f.file, span }, callee.name.clone()));
        Some(hit)
    })
}

/// `x.clone()` or `Arc::clone(&x)` of one of `names`.
fn is_clone_of(e: &Expr, names: &[String]) -> bool {
    let named = |x: &Expr| matches!(super::classify::root_ident(x), Some(r) if names.iter().any(|n| n == r));
    match e {
        Expr::MethodCall { recv, method, .. } if method == "clone" => named(recv),
        Expr::Call { func, args, .. } if ends_with(func, &["clone"]) => {
            args.first().is_some_and(named)
        }
        _ => false,
    }
}

/// `g.as_ref().unwrap()` (or `as_mut`, `as_deref`; `expect`) on a guard of
/// the slot, or on a lock of it written in place.
fn unwraps_content(e: &Expr, guards: &[String], aliases: &[String], bare: bool) -> bool {
    let Expr::MethodCall { recv, method, .. } = e else {
        return false;
    };
    if !matches!(method.as_str(), "unwrap" | "expect") {
        return false;
    }
    let Expr::MethodCall {
        recv: inner,
        method: m,
        ..
    } = &**recv
    else {
        return false;
    };
    if !matches!(m.as_str(), "as_ref" | "as_mut" | "as_deref") {
        return false;
    }
    let guard =
        matches!(&**inner, Expr::Path { segs, .. } if segs.len() == 1 && guards.contains(&segs[0]));
    guard || guard_of(inner, aliases, bare)
}

/// Every `let` inside `e`, closures and blocks included, in order.
fn each_let<'a>(e: &'a Expr, out: &mut dyn FnMut(&'a Pat, &'a Expr)) {
    let block = |b: &'a Block, out: &mut dyn FnMut(&'a Pat, &'a Expr)| {
        for s in &b.stmts {
            match s {
                Stmt::Let {
                    pat,
                    init: Some(init),
                    ..
                } => {
                    out(pat, init);
                    each_let(init, out);
                }
                Stmt::Let { .. } => {}
                Stmt::Expr(x) => each_let(x, out),
            }
        }
    };
    match e {
        Expr::Async { body, .. } | Expr::Block(body) | Expr::Loop { body } => block(body, out),
        Expr::While { cond, body } => {
            each_let(cond, out);
            block(body, out)
        }
        Expr::For { iter, body, .. } => {
            each_let(iter, out);
            block(body, out)
        }
        Expr::If { cond, then, els } => {
            each_let(cond, out);
            block(then, out);
            if let Some(x) = els {
                each_let(x, out)
            }
        }
        _ => e.for_each_child(|c| each_let(c, out)),
    }
}

/// Every path call inside `e`: its path, arguments and span.
fn each_call<'a>(e: &'a Expr, out: &mut dyn FnMut(&'a [String], &'a [Expr], Span)) {
    if let Expr::Call { func, args, span } = e {
        if let Expr::Path { segs, .. } = &**func {
            out(segs, args, *span);
        }
    }
    e.for_each_child(|c| each_call(c, out));
}

/// The smallest spawn call inside `call` (itself included) whose span holds
/// `at`: the task that reaches the unwrap most directly.
fn innermost_spawn(
    model: &Model,
    reach: &Reach,
    krate: u32,
    call: &Expr,
    at: Span,
) -> Option<Span> {
    let mut best: Option<(Span, Span)> = None;
    fn visit(
        model: &Model,
        reach: &Reach,
        krate: u32,
        e: &Expr,
        at: Span,
        best: &mut Option<(Span, Span)>,
    ) {
        let named = match e {
            Expr::MethodCall {
                method,
                method_span,
                span,
                ..
            } => Some((
                crate::facts::Callee::Method(method.clone()),
                *span,
                *method_span,
            )),
            Expr::Call { func, span, .. } => match &**func {
                Expr::Path { segs, span: name } => segs
                    .last()
                    .map(|n| (crate::facts::Callee::Free(n.clone()), *span, *name)),
                _ => None,
            },
            _ => None,
        };
        if let Some((c, span, name)) = named {
            let holds = span.start <= at.start && at.end <= span.end;
            if holds
                && reach.calls_spawner(model, krate, &c)
                && best.map_or(true, |(outer, _)| outer.start <= span.start)
            {
                *best = Some((span, name));
            }
        }
        e.for_each_child(|c| visit(model, reach, krate, c, at, best));
    }
    visit(model, reach, krate, call, at, &mut best);
    best.map(|(_, name)| name)
}
