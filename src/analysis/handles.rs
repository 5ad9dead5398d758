//! Task handles registered after the spawn (SL001 beyond constructors): a
//! function starts a task, and only then takes the lock of a map field and
//! inserts the task's handle; another method of the same type removes
//! entries from that map and aborts them (an `unregister`, a `stop`). An
//! unregister that runs between the spawn and the insert finds nothing to
//! abort and returns, and the task, inserted afterwards, runs on with
//! nobody left to stop it.
//!
//! A statement-order pass: the spawn is a `let handle = spawn(..)`, the
//! insert `guard.insert(key, handle)` on a guard of `self.<field>` taken
//! after the spawn (or `self.<field>.lock().insert(..)`). Taking the lock
//! first and spawning under it closes the window: that is quiet.

use super::classify::{lock_target, self_field};
use super::late_subscribe::spawn_call;
use crate::facts::{Callee, Expr, Pat, Stmt};
use crate::model::reach::Reach;
use crate::model::{FnRef, Model};
use crate::source::{Loc, Span};

/// One handle inserted after its task started.
#[derive(Debug, Clone)]
pub struct LateHandle {
    /// The function that spawns and inserts.
    pub function: FnRef,
    /// The spawn call.
    pub spawn: Loc,
    /// The handle's name (`task`).
    pub handle: String,
    /// The map field of `self` (`tasks`).
    pub registry: String,
    /// The insert.
    pub insert: Loc,
    /// The method that removes and aborts entries of that map.
    pub unregister: FnRef,
}

/// Whether `f` may hold the shape (the prefilter): it inserts and spawns.
pub fn may_register(model: &Model, reach: &Reach, f: FnRef) -> bool {
    let func = model.func(f);
    func.owner.is_some()
        && func
            .callees
            .iter()
            .any(|c| matches!(c, Callee::Method(m) if m == "insert"))
        && reach.spawns_itself(f)
}

/// The late handle registrations of `f`.
pub fn find(model: &Model, reach: &Reach, f: FnRef) -> Vec<LateHandle> {
    let func = model.func(f);
    let mut w = Walk {
        model,
        reach,
        krate: model.crate_of(f.file),
        guards: Vec::new(),
        spawned: Vec::new(),
        inserts: Vec::new(),
    };
    w.block(&func.body().stmts);
    let Some(owner) = func
        .owner
        .as_deref()
        .and_then(|o| model.resolve_type(o, f.file))
    else {
        return Vec::new();
    };
    let loc = |span: Span| Loc { file: f.file, span };
    let mut out = Vec::new();
    for ins in w.inserts {
        let Some(sp) = w.spawned.iter().find(|s| s.handle == ins.handle) else {
            continue;
        };
        // Spawned with the map's lock held: nothing can come between.
        if sp.held.contains(&ins.field) {
            continue;
        }
        let unregister = model
            .methods_of(&owner)
            .into_iter()
            .find(|m| *m != f && removes_and_aborts(model, *m, &ins.field));
        if let Some(unregister) = unregister {
            out.push(LateHandle {
                function: f,
                spawn: loc(sp.span),
                handle: ins.handle,
                registry: ins.field,
                insert: loc(ins.span),
                unregister,
            });
        }
    }
    out
}

struct Spawned {
    handle: String,
    span: Span,
    /// Map fields whose lock is held at the spawn.
    held: Vec<String>,
}

struct Insert {
    handle: String,
    field: String,
    span: Span,
}

struct Walk<'m> {
    model: &'m Model,
    reach: &'m Reach,
    krate: u32,
    /// Guards held: binding → the field of `self` it locks.
    guards: Vec<(String, String)>,
    spawned: Vec<Spawned>,
    inserts: Vec<Insert>,
}

impl Walk<'_> {
    fn block(&mut self, stmts: &[Stmt]) {
        let held = self.guards.len();
        for s in stmts {
            match s {
                Stmt::Let {
                    pat: Pat::Ident { name, .. },
                    init: Some(init),
                    ..
                } => {
                    if let Some((span, _)) = spawn_call(self.model, self.reach, self.krate, init) {
                        self.spawned.push(Spawned {
                            handle: name.clone(),
                            span,
                            held: self.guards.iter().map(|(_, f)| f.clone()).collect(),
                        });
                    } else if let Some(field) = locked_self_field(init) {
                        self.guards.push((name.clone(), field));
                    }
                    self.expr(init);
                }
                Stmt::Let { init, .. } => {
                    if let Some(e) = init {
                        self.expr(e);
                    }
                }
                Stmt::Expr(e) => self.expr(e),
            }
        }
        self.guards.truncate(held);
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::MethodCall {
                recv,
                method,
                args,
                span,
                ..
            } if method == "insert" => {
                let field = match &**recv {
                    Expr::Path { segs, .. } if segs.len() == 1 => self
                        .guards
                        .iter()
                        .rev()
                        .find(|(g, _)| *g == segs[0])
                        .map(|(_, f)| f.clone()),
                    r => locked_self_field(r),
                };
                // The argument that names a spawned handle (the key may be
                // a plain name too).
                let handle = args.iter().find_map(|a| match a {
                    Expr::Path { segs, .. }
                        if segs.len() == 1 && self.spawned.iter().any(|s| s.handle == segs[0]) =>
                    {
                        Some(segs[0].clone())
                    }
                    _ => None,
                });
                if let (Some(field), Some(handle)) = (field, handle) {
                    self.inserts.push(Insert {
                        handle,
                        field,
                        span: *span,
                    });
                }
                e.for_each_child(|c| self.expr(c));
            }
            Expr::Block(b) | Expr::Loop { body: b } => self.block(&b.stmts),
            Expr::If { cond, then, els } => {
                self.expr(cond);
                self.block(&then.stmts);
                if let Some(e) = els {
                    self.expr(e);
                }
            }
            // A task's own body runs later, elsewhere.
            Expr::Async { .. } | Expr::Closure { .. } => {}
            _ => e.for_each_child(|c| self.expr(c)),
        }
    }
}

/// `self.field.lock()` (with `.await`, `.unwrap()`, `.write()`): `field`.
pub(super) fn locked_self_field(e: &Expr) -> Option<String> {
    lock_target(e).and_then(self_field).map(str::to_string)
}

/// Method `m` reads `self.<field>`, removes from a map and aborts what it
/// removed: the unregister a late insert can slip past.
fn removes_and_aborts(model: &Model, m: FnRef, field: &str) -> bool {
    let func = model.func(m);
    let calls = |name: &str| {
        func.callees
            .iter()
            .any(|c| matches!(c, Callee::Method(x) if x == name))
    };
    if !(calls("abort") && (calls("remove") || calls("retain") || calls("drain"))) {
        return false;
    }
    func.body().stmts.iter().any(|s| match s {
        Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => e.any(&|x| self_field(x) == Some(field)),
        Stmt::Let { .. } => false,
    })
}
