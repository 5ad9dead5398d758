//! Condvar notifications that can fall between a waiter's check and its
//! wait (SL007): the notifier does not hold the mutex the waiter waits
//! with, and the waiter's condition is not (only) state that mutex guards.
//!
//! A `Condvar` is lossless only through its mutex: the waiter checks under
//! it and `wait` releases it atomically, so a notifier that changes the
//! state *under that mutex* cannot notify in between. When the condition
//! lives elsewhere — the mutex is a `Mutex<()>` that guards nothing, or the
//! waiter's loop checks an exit condition before it takes the lock — only
//! a notifier holding the mutex is ordered with the waiter; one that
//! notifies without it can notify after the check and before the wait, and
//! the waiter sleeps (until its timeout, or forever).

use super::classify::{dropped_name, last_name, lock_target, root_ident};
use crate::facts::{Block, Expr, Pat, Stmt};
use crate::model::{FnRef, Model};
use crate::source::{FileId, Loc, Span};
use std::collections::HashMap;

/// Why the waiter's condition is outside the mutex.
#[derive(Debug, Clone)]
pub enum Outside {
    /// The mutex is a `Mutex<()>`: it guards nothing.
    UnitMutex,
    /// The wait loop checks this before it takes the lock (the name the
    /// check reads: `global_error`, `stopped`).
    CheckedBefore {
        /// The check.
        check: Loc,
        /// What it reads.
        name: String,
    },
}

/// A wait that a notification without its mutex can miss.
#[derive(Debug, Clone)]
pub struct UnguardedNotify {
    /// The waiting function.
    pub function: FnRef,
    /// The wait call.
    pub wait: Loc,
    /// The condvar's last name.
    pub condvar: String,
    /// The mutex's last name.
    pub mutex: String,
    /// A timed wait (`wait_timeout`, `wait_for`): it ends by itself.
    pub timed: bool,
    /// Why the condition is outside the mutex.
    pub outside: Outside,
    /// The notifications made without the mutex, in file order.
    pub notifies: Vec<Loc>,
}

/// Whether `f` waits on or notifies a condvar (the prefilter).
pub fn involved(model: &Model, f: FnRef) -> bool {
    model.func(f).callees.iter().any(|c| {
        matches!(c, crate::facts::Callee::Method(m)
            if matches!(m.as_str(), "wait" | "wait_for" | "wait_timeout" | "notify_one" | "notify_all"))
    })
}

/// The condvar waits and notifications of one function.
#[derive(Default)]
pub struct Sites {
    waits: Vec<Wait>,
    notifies: Vec<Notify>,
}

/// Collect `f`'s waits and notifications.
pub fn collect(model: &Model, f: FnRef) -> Sites {
    let mut w = Walk::new(f);
    w.block(model.func(f).body());
    w.finish();
    Sites {
        waits: w.waits,
        notifies: w.notifies,
    }
}

/// Pair each file's waits with the notifications that do not hold the
/// waiter's mutex.
pub fn pair(model: &Model, sites: Vec<Sites>) -> Vec<UnguardedNotify> {
    let mut waits = Vec::new();
    let mut notifies: HashMap<(FileId, String), Vec<Notify>> = HashMap::new();
    for s in sites {
        waits.extend(s.waits);
        for n in s.notifies {
            notifies
                .entry((n.loc.file, n.condvar.clone()))
                .or_default()
                .push(n);
        }
    }
    let mut out = Vec::new();
    for wait in waits {
        let f = wait.function;
        let outside = if unit_mutex(model, f, &wait.mutex) {
            Some(Outside::UnitMutex)
        } else {
            wait.checked_before.clone()
        };
        let Some(outside) = outside else {
            continue;
        };
        let mut unguarded: Vec<Loc> = notifies
            .get(&(f.file, wait.condvar.clone()))
            .into_iter()
            .flatten()
            .filter(|n| !n.held.contains(&wait.mutex))
            .filter(|n| match &outside {
                Outside::UnitMutex => n.after_write,
                // The notifier changes what the check reads (or is inside
                // that check): `set_global_error(..)` then `notify_all()`.
                Outside::CheckedBefore { name, .. } => n.mentions.iter().any(|m| m.contains(name)),
            })
            .map(|n| n.loc)
            .collect();
        unguarded.sort_by_key(|l| (l.span.start.line, l.span.start.column));
        unguarded.dedup();
        if unguarded.is_empty() {
            continue;
        }
        out.push(UnguardedNotify {
            function: f,
            wait: wait.loc,
            condvar: wait.condvar,
            mutex: wait.mutex,
            timed: wait.timed,
            outside,
            notifies: unguarded,
        });
    }
    out
}

/// The mutex named `name` (a field of the waiter's type, or a local of its
/// function) is a `Mutex<()>`.
fn unit_mutex(model: &Model, f: FnRef, name: &str) -> bool {
    let func = model.func(f);
    let field = func
        .owner
        .as_deref()
        .and_then(|o| model.resolve_type(o, f.file))
        .and_then(|ty| model.field_type(&ty, name).cloned());
    field.is_some_and(|t| {
        t.wrappers.last().is_some_and(|w| w == "Mutex") && t.core.as_deref() == Some("()")
    })
}

/// A wait found in one function.
struct Wait {
    function: FnRef,
    loc: Loc,
    condvar: String,
    mutex: String,
    timed: bool,
    checked_before: Option<Outside>,
}

/// A notification found in one function.
struct Notify {
    loc: Loc,
    condvar: String,
    /// Mutexes whose guards are held at the call.
    held: Vec<String>,
    /// Names the notifying function reads, calls or writes.
    mentions: std::sync::Arc<Vec<String>>,
    /// The function changed some state before the call (an assignment, a
    /// mutating method): a bare nudge (`shutdown` waking parked threads to
    /// re-check what they already checked) changes nothing to miss.
    after_write: bool,
}

/// One loop body being walked: the exit checks made before the lock.
#[derive(Default)]
struct LoopBody {
    locked: bool,
    checks: Vec<(Span, String)>,
}

struct Walk {
    function: FnRef,
    /// Lock guards held: binding name → mutex last name.
    guards: Vec<(String, String)>,
    loops: Vec<LoopBody>,
    waits: Vec<Wait>,
    notifies: Vec<Notify>,
    mentions: Vec<String>,
    wrote: bool,
}

impl Walk {
    fn new(function: FnRef) -> Walk {
        Walk {
            function,
            guards: Vec::new(),
            loops: Vec::new(),
            waits: Vec::new(),
            notifies: Vec::new(),
            mentions: Vec::new(),
            wrote: false,
        }
    }

    fn block(&mut self, b: &Block) {
        let held = self.guards.len();
        for s in &b.stmts {
            match s {
                Stmt::Let { pat, init, .. } => {
                    if let Some(e) = init {
                        self.expr(e);
                        self.bind(pat, e);
                    }
                }
                Stmt::Expr(e) => {
                    if let Some(dropped) = dropped_name(e) {
                        self.guards.retain(|(g, _)| g != dropped);
                    }
                    // `m.lock();`, `drop(m.lock())`: taken and released.
                    if let Some(m) = locked_mutex(e).or_else(|| dropped_lock(e)) {
                        self.guards.push((String::new(), m));
                    }
                    self.exit_check(e);
                    self.expr(e);
                }
            }
        }
        self.guards.truncate(held.min(self.guards.len()));
    }

    /// At the end of the function body: every notify learns what the
    /// whole function mentions.
    fn finish(&mut self) {
        let mentions = std::sync::Arc::new(std::mem::take(&mut self.mentions));
        for n in &mut self.notifies {
            n.mentions = mentions.clone();
        }
    }

    /// `let g = m.lock()…` holds `m`; `let g2 = g` holds what `g` holds.
    /// `let _ = m.lock()` takes and releases `m` at once: a notification
    /// after it is still ordered after any waiter that checked under `m`
    /// (that waiter has parked, releasing `m`), so it counts as held for the
    /// rest of the block.
    fn bind(&mut self, pat: &Pat, init: &Expr) {
        let Pat::Ident { name, .. } = pat else {
            if let Some(m) = locked_mutex(init) {
                self.guards.push((String::new(), m));
            }
            return;
        };
        if let Some(m) = locked_mutex(init) {
            self.guards.push((name.clone(), m));
            if let Some(l) = self.loops.last_mut() {
                l.locked = true;
            }
        } else if let Some(m) = root_ident(init).and_then(|r| self.mutex_of(r)) {
            self.guards.push((name.clone(), m));
        }
    }

    fn mutex_of(&self, guard: &str) -> Option<String> {
        self.guards
            .iter()
            .rev()
            .find(|(g, _)| g == guard)
            .map(|(_, m)| m.clone())
    }

    /// An `if` (or `if let`, `match`) statement of a loop body, before the
    /// lock, whose branch leaves the loop: the name its condition reads.
    fn exit_check(&mut self, e: &Expr) {
        // Only a check made with no lock held reads state outside the
        // waiter's mutex for sure.
        let Some(body) = self.loops.last() else {
            return;
        };
        if body.locked || !self.guards.is_empty() {
            return;
        }
        let (cond, exits) = match e {
            Expr::If { cond, then, .. } => (cond.as_ref(), block_exits(then)),
            _ => return,
        };
        let cond = match cond {
            Expr::Let { expr, .. } => expr.as_ref(),
            c => c,
        };
        if let (true, Some(name), Some(span)) = (exits, checked_name(cond), cond.span()) {
            if let Some(l) = self.loops.last_mut() {
                l.checks.push((span, name));
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::MethodCall { recv, method, .. } => {
                e.for_each_child(|c| self.expr(c));
                self.mentions.push(method.clone());
                self.wrote |= mutates(method);
                self.call(e, recv, method);
            }
            Expr::Assign { .. } => {
                e.for_each_child(|c| self.expr(c));
                self.wrote = true;
            }
            Expr::Field { name, .. } => {
                self.mentions.push(name.clone());
                e.for_each_child(|c| self.expr(c));
            }
            Expr::Loop { body } | Expr::While { body, .. } | Expr::For { body, .. } => {
                if let Expr::While { cond, .. } | Expr::For { iter: cond, .. } = e {
                    self.expr(cond);
                }
                self.loops.push(LoopBody::default());
                self.block(body);
                self.loops.pop();
            }
            Expr::Block(b) => self.block(b),
            Expr::If { cond, then, els } => {
                self.expr(cond);
                self.block(then);
                if let Some(els) = els {
                    self.expr(els);
                }
            }
            // A closure handed the lock's guard runs here, synchronously,
            // often (`RwLockReadGuard::unlocked(&mut g, || cv.wait(..))`).
            _ => e.for_each_child(|c| self.expr(c)),
        }
    }

    /// A condvar wait or notification.
    fn call(&mut self, e: &Expr, recv: &Expr, method: &str) {
        let Expr::MethodCall { args, span, .. } = e else {
            return;
        };
        let Some(condvar) = last_name(recv) else {
            return;
        };
        let loc = Loc {
            file: self.function.file,
            span: *span,
        };
        match (method, args.len()) {
            ("notify_one" | "notify_all", 0) => self.notifies.push(Notify {
                loc,
                condvar,
                held: self.guards.iter().map(|(_, m)| m.clone()).collect(),
                mentions: Default::default(),
                after_write: self.wrote,
            }),
            ("wait", 1) | ("wait_for" | "wait_timeout", 2) => {
                let Some(mutex) = args
                    .first()
                    .and_then(root_ident)
                    .and_then(|g| self.mutex_of(g))
                else {
                    return;
                };
                let checked_before =
                    self.loops
                        .last()
                        .and_then(|l| l.checks.first())
                        .map(|(span, name)| Outside::CheckedBefore {
                            check: Loc {
                                file: self.function.file,
                                span: *span,
                            },
                            name: name.clone(),
                        });
                self.waits.push(Wait {
                    function: self.function,
                    loc,
                    condvar,
                    mutex,
                    timed: method != "wait",
                    checked_before,
                });
            }
            _ => {}
        }
    }
}

/// `m.lock()`, `m.lock().unwrap()`, `m.lock().expect(..)`: `m`'s last name.
fn locked_mutex(e: &Expr) -> Option<String> {
    lock_target(e).and_then(last_name)
}

/// A method that changes the value it is called on.
fn mutates(method: &str) -> bool {
    method.starts_with("set_")
        || method.starts_with("fetch_")
        || method.starts_with("compare_exchange")
        || matches!(
            method,
            "store"
                | "swap"
                | "insert"
                | "push"
                | "push_back"
                | "push_front"
                | "remove"
                | "clear"
                | "extend"
                | "replace"
                | "write"
                | "send"
        )
}

/// `drop(m.lock()…)`: `m`.
fn dropped_lock(e: &Expr) -> Option<String> {
    match e {
        Expr::Call { func, args, .. } if args.len() == 1 => match &**func {
            Expr::Path { segs, .. } if segs.last().is_some_and(|s| s == "drop") => {
                locked_mutex(&args[0])
            }
            _ => None,
        },
        _ => None,
    }
}

/// The block leaves the loop or the function (`return`, `break`).
fn block_exits(b: &Block) -> bool {
    b.stmts
        .iter()
        .any(|s| matches!(s, Stmt::Expr(Expr::Jump { .. })))
}

/// What a check reads, by its most specific name: the last method that is
/// not a generic accessor (`global_error` in `cfg.global_error()`), else
/// the last field (`stopped` in `self.stopped.load(..)`).
fn checked_name(cond: &Expr) -> Option<String> {
    // Accessors and predicates any collection has say nothing about which
    // state is meant: the name is the receiver's.
    const GENERIC: &[&str] = &[
        "load",
        "unwrap",
        "expect",
        "is_some",
        "is_none",
        "is_ok",
        "is_err",
        "get",
        "clone",
        "as_ref",
        "as_deref",
        "borrow",
        "lock",
        "read",
        "is_empty",
        "len",
        "contains",
        "contains_key",
        "iter",
        "to_string",
    ];
    match cond {
        Expr::Not { base } => checked_name(base),
        Expr::MethodCall { recv, method, .. } if GENERIC.contains(&method.as_str()) => {
            checked_name(recv)
        }
        Expr::MethodCall { method, .. } => Some(method.clone()),
        Expr::Field { name, .. } => Some(name.clone()),
        _ => None,
    }
}

/// Whether `f` is itself a condition-variable wait: it releases a lock its
/// caller handed it (`(*mutex).force_unlock()`, `m.unlock()` on a
/// parameter) and takes that lock again (`m.lock()`), as `Condvar::wait`
/// does with its guard — an FFI `uv_cond_wait`, a wait shim. Its caller
/// holds the lock and checks the condition; the wait inside checks none.
pub fn is_wait_primitive(model: &Model, f: FnRef) -> bool {
    let func = model.func(f);
    let mut params = Vec::new();
    for p in func.params() {
        p.pat.bindings(&mut params);
    }
    let on_param = |recv: &Expr| {
        super::classify::root_ident(recv).is_some_and(|r| params.iter().any(|p| p == r))
    };
    let calls = |names: &[&str]| {
        func.body().stmts.iter().any(|s| {
            let e = match s {
                crate::facts::Stmt::Let { init: Some(e), .. } | crate::facts::Stmt::Expr(e) => e,
                crate::facts::Stmt::Let { .. } => return false,
            };
            e.any(&|x| {
                matches!(x, Expr::MethodCall { recv, method, .. }
                if names.contains(&method.as_str()) && on_param(recv))
            })
        })
    };
    calls(&[
        "unlock",
        "force_unlock",
        "force_unlock_fair",
        "unlock_fair",
        "raw_unlock",
    ]) && calls(&["lock", "raw_lock", "lock_arc"])
}

#[cfg(test)]
mod tests {
    use super::checked_name;
    use crate::analysis::tests::lowered;

    #[test]
    fn a_check_is_named_by_its_most_specific_part() {
        let name = |src: &str| checked_name(&lowered(src));
        assert_eq!(
            name("log.config.global_error()").as_deref(),
            Some("global_error")
        );
        assert_eq!(
            name("!self.stopped.load(SeqCst)").as_deref(),
            Some("stopped")
        );
        // A collection's own predicates name nothing: the collection does.
        assert_eq!(name("self.jobs.is_empty()").as_deref(), Some("jobs"));
        assert_eq!(
            name("self.pending.lock().unwrap().len()").as_deref(),
            Some("pending")
        );
    }
}
