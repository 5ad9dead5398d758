//! Syntactic classifiers: questions about one lowered expression that the
//! interpreter asks without evaluating it.

use super::trace::Placeholder;
use crate::catalog::{Catalog, Semantics};
use crate::facts::{Block, Expr, FnFacts, LitKind, Stmt};

/// Whether a block ends in a panic (`panic!`, `unreachable!`, `todo!`,
/// `unimplemented!`).
pub(super) fn panics(b: &Block) -> bool {
    b.stmts.iter().any(|s| {
        matches!(s, Stmt::Expr(Expr::Macro { name, .. })
            if matches!(name.as_str(), "panic" | "unreachable" | "todo" | "unimplemented"))
    })
}

/// Whether an expression makes a new value rather than naming or cloning
/// an existing one: `Arc::new(load())` is new, `other`, `x.field` and
/// `Arc::clone(&x)` are not.
pub(super) fn is_fresh_value(e: &Expr, sem: &Semantics) -> bool {
    match e {
        Expr::Path { .. } | Expr::Field { .. } | Expr::Lit(_) => false,
        Expr::Ref { base } | Expr::Deref { base } => is_fresh_value(base, sem),
        Expr::MethodCall { method, .. } => !sem.existing_values.contains(method),
        Expr::Call { func, .. } => match &**func {
            Expr::Path { segs, .. } => !segs.last().is_some_and(|l| l == "clone"),
            _ => true,
        },
        _ => true,
    }
}

/// Whether a fresh value takes the whole old value of `name` inside it
/// (`Self { map, task }`, `Wrapper(map)`, `(map, rx)`, nested): the new
/// binding holds the old value rather than replacing it. A method's
/// receiver (`map.reload()`) derives a new value and does not count.
pub(super) fn takes_in(e: &Expr, name: &str) -> bool {
    let whole =
        |x: &Expr| matches!(x, Expr::Path { segs, .. } if segs.len() == 1 && segs[0] == name);
    let part = |x: &Expr| whole(x) || takes_in(x, name);
    match e {
        Expr::Struct { fields, rest, .. } => {
            fields.iter().any(|(_, v)| part(v)) || rest.as_deref().is_some_and(part)
        }
        Expr::Call { args, .. } => args.iter().any(part),
        Expr::Other(elems) => elems.iter().any(part),
        Expr::Ref { base } => part(base),
        _ => false,
    }
}

/// Whether `f`'s body may hold a `let (..)` destructuring statement, read
/// from its text without parsing it ([`FnFacts::body_text_may`]): the
/// prefilter of the passes whose shape starts with one.
pub fn may_let_tuple(f: &FnFacts) -> bool {
    f.body_text_may(|t| crate::lex::may_hold_keyword_then(t, "let", b'('))
}

/// The last name of a receiver expression (`events` in `self.events`).
pub fn last_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Path { segs, .. } => segs.last().cloned(),
        Expr::Field { name, .. } => Some(name.clone()),
        Expr::MethodCall { recv, method, .. } => match method.as_str() {
            "clone" | "as_ref" | "deref" => last_name(recv),
            _ => Some(method.clone()),
        },
        Expr::Ref { base } | Expr::Deref { base } | Expr::Try { base } => last_name(base),
        _ => None,
    }
}

/// Whether an assignment target is a place reached through fields only
/// (`self.cfg`, `me.inner.tx`), so assigning replaces the value there;
/// through a deref or a guard (`*cfg.write() = ..`) it mutates shared state.
pub(super) fn is_place(e: &Expr) -> bool {
    match e {
        Expr::Field { base, .. } => matches!(**base, Expr::Path { .. }) || is_place(base),
        _ => false,
    }
}

/// The name a plain assignment writes to: `settings` in `self.settings =
/// ..` and in `settings = ..` (not a tuple field, not `*guard`).
pub(super) fn assigned_place(lhs: &Expr) -> Option<String> {
    match lhs {
        Expr::Field { name, .. } if !name.starts_with(|c: char| c.is_ascii_digit()) => {
            Some(name.clone())
        }
        Expr::Path { segs, .. } if segs.len() == 1 => Some(segs[0].clone()),
        _ => None,
    }
}

/// Whether `ty::f` is a constructor that only wraps its argument
/// (`Arc::new(x)` is the state `x`).
pub(super) fn is_transparent_ctor(ty: &str, f: &str, sem: &Semantics) -> bool {
    (sem.wrapper_types.contains(ty) && sem.wrapper_functions.contains(f))
        || (sem.handle_wrappers.contains(ty) && sem.handle_functions.contains(f))
        || matches!(ty, "Some" | "Ok")
}

/// The last two segments of a call's path: (`Type`, `function`).
pub(super) fn call_names(segs: &[String]) -> (&str, &str) {
    let f = segs.last().map(String::as_str).unwrap_or("");
    let ty = segs
        .len()
        .checked_sub(2)
        .map(|i| segs[i].as_str())
        .unwrap_or("");
    (ty, f)
}

/// The placeholder kind of an initializer expression.
pub fn placeholder_of(e: &Expr, sem: &Semantics) -> Placeholder {
    match e {
        Expr::Path { segs, .. } if segs.last().is_some_and(|s| s == "None") => Placeholder::Absent,
        Expr::Lit(LitKind::Zero) => Placeholder::Default,
        Expr::Macro { name, args, .. } if name == "vec" && args.is_empty() => Placeholder::Empty,
        Expr::Call { func, args, .. } => {
            let Expr::Path { segs, .. } = &**func else {
                return Placeholder::Value;
            };
            call_placeholder(segs, args, sem)
        }
        _ => Placeholder::Value,
    }
}

fn call_placeholder(segs: &[String], args: &[Expr], sem: &Semantics) -> Placeholder {
    let (ty, f) = call_names(segs);
    if f == "default" {
        return Placeholder::Default;
    }
    if sem.holder_types.contains(ty) && args.len() == 1 {
        return placeholder_of(&args[0], sem);
    }
    if sem.absent_types.contains(ty) && sem.absent_functions.contains(f) {
        return Placeholder::Absent;
    }
    if sem.atomic_functions.contains(f) && ty.starts_with(sem.atomic_prefix.as_str()) {
        return args
            .first()
            .map(|a| placeholder_of(a, sem))
            .unwrap_or(Placeholder::Default);
    }
    if sem.empty_functions.contains(f)
        && args.iter().all(|a| !matches!(a, Expr::Path { .. }))
        && sem.empty_types.contains(ty)
    {
        return Placeholder::Empty;
    }
    Placeholder::Value
}

/// Whether a `let` initializer creates a shared handle, so that `clone()`
/// of it aliases rather than copies.
pub(super) fn is_shared_init(e: &Expr, sem: &Semantics) -> bool {
    match e {
        Expr::Call { func, .. } => match &**func {
            Expr::Path { segs, .. } => {
                let (ty, f) = call_names(segs);
                sem.shared_types.contains(ty) || sem.channel_functions.contains(f)
            }
            _ => false,
        },
        Expr::MethodCall { method, recv, .. } => method == "clone" && is_shared_init(recv, sem),
        _ => false,
    }
}

/// Whether any expression inside `e` (itself included) satisfies `pred`.
fn any_inside(e: &Expr, pred: &dyn Fn(&Expr) -> bool) -> bool {
    if pred(e) {
        return true;
    }
    let mut found = false;
    e.for_each_child(|c| found = found || any_inside(c, pred));
    found
}

/// Whether a `let` initializer makes a handle of its own: a clone
/// (`x.clone()`, `Arc::clone(&x)`), a new `Arc`/`Rc`, or a channel end.
/// A task given such a binding holds the handle, not a copy of a value.
pub(super) fn makes_handle(init: &Expr) -> bool {
    const MAKERS: &[&str] = &["Arc::new", "Rc::new", "Arc::from", "Arc::default"];
    let handle_name =
        |n: &str| n.ends_with("clone") || n.ends_with("channel") || n.ends_with("bounded");
    any_inside(init, &|e| match e {
        Expr::MethodCall { method, .. } => handle_name(method),
        Expr::Call { func, .. } => match &**func {
            Expr::Path { segs, .. } => {
                let path = segs.join("::");
                segs.last().is_some_and(|l| handle_name(l))
                    || MAKERS.iter().any(|m| path.contains(m))
            }
            _ => false,
        },
        _ => false,
    })
}

/// Whether a task expression clones `name` itself (`name.clone()`,
/// `Arc::clone(&name)`), so the task holds a handle of its own.
pub(super) fn clones_name(task: &Expr, name: &str) -> bool {
    let names_it = |e: &Expr| match e {
        Expr::Path { segs, .. } => segs.last().is_some_and(|s| s.ends_with(name)),
        Expr::Field { name: f, .. } => f.ends_with(name),
        _ => false,
    };
    any_inside(task, &|e| match e {
        Expr::MethodCall {
            recv, method, args, ..
        } => method == "clone" && args.is_empty() && names_it(recv),
        Expr::Call { func, args, .. } => {
            matches!(&**func, Expr::Path { segs, .. } if segs.last().is_some_and(|l| l.ends_with("clone")))
                && matches!(args.as_slice(), [Expr::Ref { base }] if base.as_ident() == Some(name))
        }
        _ => false,
    })
}

/// Whether an initializer is a lock guard: a lock call, possibly unwrapped,
/// dereferenced or borrowed (`&mut *m.lock().unwrap()`).
pub(super) fn is_lock_guard(e: &Expr, sem: &Semantics) -> bool {
    match e {
        Expr::MethodCall { recv, method, .. } => {
            sem.locks.contains(method)
                || (matches!(method.as_str(), "unwrap" | "expect") && is_lock_guard(recv, sem))
        }
        Expr::Try { base } | Expr::Deref { base } | Expr::Ref { base } => is_lock_guard(base, sem),
        _ => false,
    }
}

/// The identifier an argument is rooted in (`guard` in `&mut guard.1`).
pub(super) fn root_ident(e: &Expr) -> Option<&str> {
    match e {
        Expr::Path { segs, .. } if segs.len() == 1 => Some(&segs[0]),
        Expr::Field { base, .. } | Expr::Ref { base } | Expr::Deref { base } => root_ident(base),
        _ => None,
    }
}

/// The fields of `self` passed in the arguments of a `send*` call of a
/// body (`tx.send(Update { cfg: self.cfg.clone() })`).
pub(super) fn forwarded_fields(body: &Block) -> std::collections::BTreeSet<String> {
    fn self_fields(e: &Expr, out: &mut std::collections::BTreeSet<String>) {
        if let Expr::Field { base, name, .. } = e {
            if base.as_ident() == Some("self") {
                out.insert(name.clone());
            }
        }
        e.for_each_child(|c| self_fields(c, out));
    }
    fn sends(e: &Expr, out: &mut std::collections::BTreeSet<String>) {
        if let Expr::MethodCall { method, args, .. } = e {
            if method.starts_with("send") {
                args.iter().for_each(|a| self_fields(a, out));
            }
        }
        e.for_each_child(|c| sends(c, out));
    }
    let mut out = std::collections::BTreeSet::new();
    for s in &body.stmts {
        match s {
            Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => sends(e, &mut out),
            Stmt::Let { .. } => {}
        }
    }
    out
}

/// Whether every statement of a loop body only waits: a gate call
/// (`cvar.wait(guard)`, `rx.recv()`), a pause (`sleep`, `yield_now`,
/// `spin_loop`), or `continue`. An empty body is a spin.
pub(super) fn waits_only(body: &Block, cat: &Catalog) -> bool {
    let calls_gate = |e: &Expr| {
        any_inside(
            e,
            &|c| matches!(c, Expr::MethodCall { method, .. } if cat.gate_methods.contains(method)),
        )
    };
    let pauses = |e: &Expr| pauses(e, &cat.sem);
    body.stmts.iter().all(|s| match s {
        Stmt::Let { init: Some(i), .. } => calls_gate(i) || pauses(i),
        Stmt::Let { init: None, .. } => false,
        Stmt::Expr(e) => calls_gate(e) || pauses(e),
    })
}

/// Whether an expression only pauses (`sleep(..)`, `yield_now().await`,
/// `park()`, `continue`).
fn pauses(e: &Expr, sem: &Semantics) -> bool {
    match e {
        Expr::Call { func, .. } => matches!(&**func, Expr::Path { segs, .. }
            if segs.last().is_some_and(|l| sem.pauses.contains(l))),
        Expr::Await { base, .. } | Expr::Try { base } => pauses(base, sem),
        Expr::MethodCall { recv, method, .. } => {
            sem.pauses.contains(method) || (method == "unwrap" && pauses(recv, sem))
        }
        Expr::Jump { value: None, .. } => true,
        _ => false,
    }
}

/// Whether the receiver chain of a method call contains a call whose path
/// satisfies `pred` (`thread::Builder::new().name(..)`).
pub(super) fn chain_calls(e: &Expr, pred: &dyn Fn(&[String]) -> bool) -> bool {
    match e {
        Expr::MethodCall { recv, .. } => chain_calls(recv, pred),
        Expr::Call { func, .. } => match &**func {
            Expr::Path { segs, .. } => pred(segs),
            _ => false,
        },
        Expr::Try { base } => chain_calls(base, pred),
        _ => false,
    }
}

/// `drop(name)`: the name.
pub(super) fn dropped_name(e: &Expr) -> Option<&str> {
    let Expr::Call { func, args, .. } = e else {
        return None;
    };
    match (&**func, args.as_slice()) {
        (Expr::Path { segs, .. }, [Expr::Path { segs: a, .. }])
            if segs.last().is_some_and(|s| s == "drop") && a.len() == 1 =>
        {
            Some(&a[0])
        }
        _ => None,
    }
}

/// A `loop` body that checks a condition and leaves when it holds (`if
/// ready { return }`, a `match` arm that breaks): entered after the same
/// check, the loop re-checks it after every wakeup, wherever in the body
/// the check sits (`loop { guard = cv.wait(guard)?; if done { return } }`).
pub(super) fn exits_on_check(body: &Block) -> bool {
    fn exits(e: &Expr) -> bool {
        match e {
            Expr::Jump { .. } => true,
            Expr::Loop { .. } | Expr::While { .. } | Expr::For { .. } | Expr::Closure { .. } => {
                false
            }
            _ => {
                let mut found = false;
                e.for_each_child(|c| found |= exits(c));
                found
            }
        }
    }
    fn checks(e: &Expr) -> bool {
        match e {
            Expr::If { then, els, .. } => {
                then.stmts.iter().any(stmt_exits) || els.as_deref().is_some_and(exits)
            }
            Expr::Match { arms, .. } => arms.iter().any(|a| exits(&a.body)),
            Expr::Loop { .. } | Expr::While { .. } | Expr::For { .. } | Expr::Closure { .. } => {
                false
            }
            _ => {
                let mut found = false;
                e.for_each_child(|c| found |= checks(c));
                found
            }
        }
    }
    fn stmt_exits(s: &Stmt) -> bool {
        matches!(s, Stmt::Expr(e) if exits(e))
    }
    body.stmts.iter().any(|s| match s {
        Stmt::Expr(e) => checks(e),
        Stmt::Let { init, .. } => init.as_ref().is_some_and(checks),
    })
}

/// Whether an expression never goes on to what follows it: `return`,
/// `break`, `continue`, `panic!`-like macros, or a block ending in one.
pub(super) fn diverges(e: &Expr) -> bool {
    match e {
        Expr::Jump { .. } => true,
        Expr::Macro { name, .. } => {
            matches!(
                name.as_str(),
                "panic" | "unreachable" | "todo" | "unimplemented"
            )
        }
        Expr::Block(b) => block_diverges(b),
        _ => false,
    }
}

/// Whether a block's last statement diverges.
pub(super) fn block_diverges(b: &Block) -> bool {
    matches!(b.stmts.last(), Some(Stmt::Expr(e)) if diverges(e))
}

/// What a guard-making initializer locks: the receiver of `.lock()` or
/// `.write()`, through `.unwrap()`, `.expect(..)`, `.await`, `?` and a
/// `match m.lock() { Ok(guard) => guard, .. }` (`self.jobs` in
/// `self.jobs.lock().await`).
pub(super) fn lock_target(e: &Expr) -> Option<&Expr> {
    match e {
        Expr::MethodCall { recv, method, .. } => match method.as_str() {
            "lock" | "write" => Some(recv),
            "unwrap" | "expect" => lock_target(recv),
            _ => None,
        },
        Expr::Await { base, .. } | Expr::Try { base } => lock_target(base),
        Expr::Match { scrutinee, .. } => lock_target(scrutinee),
        _ => None,
    }
}

/// `self.name`: the field's name.
pub(super) fn self_field(e: &Expr) -> Option<&str> {
    match e {
        Expr::Field { base, name, .. } if is_self(base) => Some(name),
        _ => None,
    }
}

/// The expression is `self`.
pub(super) fn is_self(e: &Expr) -> bool {
    matches!(e, Expr::Path { segs, .. } if segs.len() == 1 && segs[0] == "self")
}

/// A value as a dotted place (`cache`, `self.cache`), through `&` and `*`.
pub(super) fn place(e: &Expr) -> Option<String> {
    match e {
        Expr::Path { segs, .. } if segs.len() == 1 => Some(segs[0].clone()),
        Expr::Field { base, name, .. } => Some(format!("{}.{name}", place(base)?)),
        Expr::Ref { base } | Expr::Deref { base } => place(base),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::{lowered, lowered_block};

    fn sem() -> Semantics {
        Catalog::builtin().sem
    }

    #[test]
    fn placeholders_of_initializers() {
        let p = |src: &str| placeholder_of(&lowered(src), &sem());
        assert_eq!(p("None"), Placeholder::Absent);
        assert_eq!(p("Mutex::new(None)"), Placeholder::Absent);
        assert_eq!(p("OnceLock::new()"), Placeholder::Absent);
        assert_eq!(
            p("Arc::new(RwLock::new(HashMap::new()))"),
            Placeholder::Empty
        );
        assert_eq!(p("Vec::with_capacity(8)"), Placeholder::Empty);
        assert_eq!(
            p("Vec::with_capacity(n)"),
            Placeholder::Value,
            "sized from a value"
        );
        assert_eq!(p("vec![]"), Placeholder::Empty);
        assert_eq!(p("AtomicBool::new(false)"), Placeholder::Default);
        assert_eq!(p("AtomicU64::new(7)"), Placeholder::Value);
        assert_eq!(p("Config::default()"), Placeholder::Default);
        assert_eq!(p("load_routes()"), Placeholder::Value);
    }

    #[test]
    fn handles_and_fresh_values() {
        assert!(makes_handle(&lowered("routes.clone()")));
        assert!(makes_handle(&lowered("Arc::clone(&routes)")));
        assert!(makes_handle(&lowered("Arc::new(Mutex::new(0))")));
        assert!(makes_handle(&lowered("mpsc::channel::<u32>()")));
        assert!(!makes_handle(&lowered("self.next_id")));
        assert!(clones_name(
            &lowered("spawn(run(Arc::clone(&keys)))"),
            "keys"
        ));
        assert!(clones_name(&lowered("spawn(run(keys.clone()))"), "keys"));
        assert!(!clones_name(&lowered("spawn(run(keys))"), "keys"));
        let s = sem();
        assert!(is_fresh_value(&lowered("Arc::new(load())"), &s));
        assert!(!is_fresh_value(&lowered("other.clone()"), &s));
        assert!(!is_fresh_value(&lowered("Arc::clone(&x)"), &s));
        assert!(!is_fresh_value(&lowered("x.field"), &s));
        assert!(is_shared_init(&lowered("Arc::new(x)"), &s));
        assert!(is_shared_init(&lowered("mpsc::channel()"), &s));
        assert!(!is_shared_init(&lowered("Vec::new()"), &s));
    }

    #[test]
    fn places_and_names() {
        assert!(is_place(&lowered("self.cfg")));
        assert!(!is_place(&lowered("*cfg.write().unwrap()")));
        assert_eq!(
            assigned_place(&lowered("self.inner.cfg")),
            Some("cfg".into())
        );
        assert_eq!(assigned_place(&lowered("self.0")), None);
        assert_eq!(
            last_name(&lowered("self.ready.clone()")),
            Some("ready".into())
        );
        assert!(is_transparent_ctor("Arc", "new", &sem()));
        assert!(is_transparent_ctor("Weak", "downgrade", &sem()));
        assert!(!is_transparent_ctor("Vec", "new", &sem()));
    }

    #[test]
    fn loops_that_only_wait_are_gates() {
        let cat = Catalog::builtin();
        let body = |src: &str| match lowered(src) {
            Expr::While { body, .. } => body,
            other => panic!("{other:?}"),
        };
        assert!(waits_only(
            &body("while !ready.load(Ordering::Acquire) { std::hint::spin_loop(); }"),
            &cat
        ));
        assert!(waits_only(
            &body("while !*done { done = cvar.wait(done).unwrap(); }"),
            &cat
        ));
        assert!(waits_only(
            &body("while !up() { tokio::time::sleep(d).await; continue; }"),
            &cat
        ));
        assert!(!waits_only(
            &body("while let Some(j) = q.pop() { run(j); }"),
            &cat
        ));
        assert!(panics(&lowered_block("log(); panic!(\"no\");")));
        assert!(!panics(&lowered_block("log();")));
        let thread = |segs: &[String]| segs.join("::") == "thread::Builder::new";
        assert!(chain_calls(
            &lowered("thread::Builder::new().name(n)"),
            &thread
        ));
        assert!(!chain_calls(&lowered("handle.name(n)"), &thread));
    }
}
