//! Evaluation of statements and expressions. Calls are dispatched in
//! `calls.rs`; what a method does to state is in `semantics.rs`.

use super::classify;
use super::interp::Interp;
use super::tolerance;
use super::trace::{AccessKind, Key, Placeholder, Root};
use super::value::{Binding, RefMode, SRef, ThunkKind, Val};
use crate::facts::{Arm, Block, Expr, Pat, Stmt, TypeInfo};
use crate::source::{Loc, Span};

impl<'m> Interp<'m> {
    pub(super) fn block(&mut self, b: &'m Block) -> Val<'m> {
        self.scoped(|it| {
            let mut last = Val::Unknown;
            for s in &b.stmts {
                it.rec().statement();
                last = it.stmt(s);
            }
            last
        })
    }

    fn stmt(&mut self, s: &'m Stmt) -> Val<'m> {
        match s {
            Stmt::Let {
                pat,
                ty,
                init,
                diverge,
                span,
            } => {
                self.let_stmt(pat, ty.as_ref(), init.as_ref(), diverge.as_ref(), *span);
                Val::Unknown
            }
            Stmt::Expr(e) => self.eval(e),
        }
    }

    fn let_stmt(
        &mut self,
        pat: &'m Pat,
        ty: Option<&'m TypeInfo>,
        init: Option<&'m Expr>,
        diverge: Option<&'m Block>,
        span: Span,
    ) {
        let decl = Some(self.loc(span));
        let makes_handle = init.is_some_and(classify::makes_handle);
        if let (Pat::Tuple(pats), Some(Expr::Other(elems)), None) = (pat, init, diverge) {
            if pats.len() == elems.len() {
                // `let (a, b) = (x.clone(), y.clone());` binds pairwise.
                for (p, e) in pats.iter().zip(elems) {
                    let v = self.eval(e);
                    self.bind(p, v, Some(e), None, decl, makes_handle);
                }
                return;
            }
        }
        let v = init.map(|i| self.eval(i)).unwrap_or(Val::Unknown);
        if let (Val::State(r), 0) = (&v, self.nest.quiet) {
            // Taking a value out of state reads it, whatever is done with
            // the local (a catch-up after subscribing: `let s = h.state();`).
            let checks = self.checks;
            self.rec().read(&r.key, checks);
        }
        if let Some(d) = diverge {
            self.let_else(pat, &v, init, d);
            return;
        }
        if let (Pat::Ident { name, .. }, Some(init)) = (pat, init) {
            if classify::is_fresh_value(init, &self.cat.sem) && !classify::takes_in(init, name) {
                self.rebinding(name, span, &v);
            }
        }
        self.bind(pat, v, init, ty, decl, makes_handle);
        if let Some(init) = init {
            self.type_let(pat, init, span);
        }
    }

    /// `let Some(x) = state else { .. };`: an `expect` spelled differently
    /// when the else block panics, a tolerated absence otherwise.
    fn let_else(&mut self, pat: &Pat, v: &Val<'m>, init: Option<&Expr>, d: &'m Block) {
        self.note_check();
        self.checks += 1;
        if let Val::State(r) = v {
            let span = init.and_then(|i| i.span()).unwrap_or(d.span);
            if classify::panics(d) {
                self.access(r, span, AccessKind::Panicky("let-else panic".into()));
            } else {
                let lossy = tolerance::drops_message(&self.frame.env, |_| true, |m| d.mentions(m))
                    .then(|| self.loc(d.span));
                self.access(r, span, AccessKind::Tolerant { lossy });
            }
        }
        self.block(d);
        let mut names = Vec::new();
        pat.bindings(&mut names);
        for n in names {
            self.frame.env.push(Binding::new(n, v.part()));
        }
    }

    /// Types of new locals from their initializer: `broadcast::channel(n)`
    /// gives a sender and a receiver, `tx.subscribe()` a receiver, and
    /// `Type::new(..)` a `Type`.
    fn type_let(&mut self, pat: &Pat, init: &'m Expr, span: Span) {
        let local = |it: &Self, name: &str| it.lookup(name).and_then(|v| v.local_id());
        if let (Pat::Ident { name, .. }, Expr::MethodCall { recv, method, .. }) = (pat, init) {
            if method != "subscribe" {
                self.receiver_from_crate_method(recv, method, name, span);
                return;
            }
        }
        match (pat, init) {
            (Pat::Tuple(pats), Expr::Call { func, .. }) if pats.len() == 2 => {
                let Expr::Path { segs, .. } = &**func else {
                    return;
                };
                let full = self.resolve_path(segs);
                let Some(last) = full.last() else { return };
                let sem = &self.cat.sem;
                if !(last.ends_with("channel") || sem.channel_functions.contains(last)) {
                    return;
                }
                let module = &full[..full.len() - 1];
                let mut ends = Vec::new();
                for (p, end) in pats.iter().zip(["Sender", "Receiver"]) {
                    if let Pat::Ident { name, .. } = p {
                        if let Some(id) = local(self, name) {
                            let mut ty = module.to_vec();
                            ty.push(end.to_string());
                            self.heap.local_types.insert(id, ty);
                            ends.push(id);
                        }
                    }
                }
                if let [tx, rx] = ends[..] {
                    self.heap.channel_pairs.insert(tx, rx);
                    self.heap.channel_pairs.insert(rx, tx);
                }
            }
            (Pat::Ident { name, .. }, Expr::Call { func, .. }) => {
                let Expr::Path { segs, .. } = &**func else {
                    return;
                };
                if segs.len() < 2 || !matches!(segs.last().map(String::as_str), Some("new")) {
                    return;
                }
                let full = self.resolve_path(&segs[..segs.len() - 1]);
                if let Some(id) = local(self, name) {
                    self.heap.local_types.entry(id).or_insert(full);
                }
            }
            (Pat::Ident { name, .. }, Expr::MethodCall { recv, method, .. })
                if method == "subscribe" =>
            {
                let rv = self.nested(
                    |n| {
                        n.quiet += 1;
                        n.before_task += 1;
                    },
                    |it| it.eval(recv),
                );
                let Some(sender) = self.type_of(&rv) else {
                    return;
                };
                let Some(id) = local(self, name) else { return };
                let mut rx = sender.clone();
                if let Some(last) = rx.last_mut() {
                    *last = "Receiver".to_string();
                }
                self.heap.local_types.insert(id, rx);
                // A `let` in the block that builds a spawned future runs in
                // the spawning function, before the task exists: the task
                // did not subscribe itself.
                if sender.iter().any(|s| s == "watch") && self.nest.before_task == 0 {
                    let loc = self.loc(span);
                    let checks = self.checks;
                    self.rec().subscribed(id, sender, loc, checks);
                }
            }
            _ => {}
        }
    }

    /// `let rx = tenant.subscribe_for_updates();`: a crate method whose
    /// declared return type is a watch receiver makes a fresh receiver,
    /// subscribed here (its current value counts as seen).
    fn receiver_from_crate_method(&mut self, recv: &'m Expr, method: &str, name: &str, span: Span) {
        // Only a place (`tenant`, `self.inner`): evaluating it again runs
        // nothing.
        if classify::root_ident(recv).is_none() {
            return;
        }
        let rv = self.nested(
            |n| {
                n.quiet += 1;
                n.before_task += 1;
            },
            |it| it.eval(recv),
        );
        let Val::State(r) = rv else { return };
        let Root::Type(t) = &r.key.root else { return };
        if !r.key.path.is_empty() {
            return;
        }
        let Some(f) = self.model.method(t, method) else {
            return;
        };
        let Some(ret) = self.model.func(f).ret() else {
            return;
        };
        let full = self.model.resolve_path(f.file, &ret.path);
        if !full.ends_with(&["watch".to_string(), "Receiver".to_string()]) {
            return;
        }
        let Some(id) = self.lookup(name).and_then(|v| v.local_id()) else {
            return;
        };
        let mut sender = full.clone();
        if let Some(last) = sender.last_mut() {
            *last = "Sender".to_string();
        }
        self.heap.local_types.insert(id, full);
        let loc = self.loc(span);
        let checks = self.checks;
        self.rec().subscribed(id, sender, loc, checks);
    }

    /// Bind a pattern to a value. Unknown values become fresh locals so a
    /// task capturing them can be matched with later writes. `decl` is the
    /// `let` that binds it, `makes_handle` whether that `let` made a handle.
    pub(super) fn bind(
        &mut self,
        pat: &Pat,
        v: Val<'m>,
        init: Option<&Expr>,
        ty: Option<&TypeInfo>,
        decl: Option<Loc>,
        makes_handle: bool,
    ) {
        match pat {
            Pat::Ident { name, mutable } => {
                let v = match v {
                    Val::Unknown => self.unknown_binding(name, *mutable, init, ty),
                    v => v,
                };
                if let (Some(t), Some(id)) = (ty, v.local_id()) {
                    if !t.path.is_empty() {
                        let full = self.resolve_path(&t.path);
                        self.heap.local_types.insert(id, full);
                        if !t.wrappers.is_empty() {
                            self.heap.wrapped.insert(id);
                        }
                    }
                }
                let guard = init.is_some_and(|i| classify::is_lock_guard(i, &self.cat.sem));
                let bound_at = self.ctor_rec().map_or(0, |c| c.timeline.len());
                self.frame.env.push(Binding {
                    name: name.clone(),
                    val: v,
                    decl,
                    makes_handle,
                    guard,
                    bound_at,
                    param: false,
                    none: false,
                });
            }
            Pat::Destructure { elems, .. } | Pat::Tuple(elems) => {
                // The parts are bound by the same `let`.
                for e in elems {
                    self.bind(e, v.part(), None, None, decl, makes_handle);
                }
            }
            Pat::Other => {}
        }
    }

    /// A fresh local for a name bound to nothing the analysis follows,
    /// with the placeholder its initializer puts there.
    fn unknown_binding(
        &mut self,
        name: &str,
        mutable: bool,
        init: Option<&Expr>,
        ty: Option<&TypeInfo>,
    ) -> Val<'m> {
        let sem = &self.cat.sem;
        let placeholder = init
            .map(|i| classify::placeholder_of(i, sem))
            .unwrap_or(Placeholder::Value);
        let shared = init.is_some_and(|i| classify::is_shared_init(i, sem))
            || ty.is_some_and(|t| t.is_shared());
        let v = self.fresh_local(name, placeholder);
        if mutable && !shared {
            if let Some(id) = v.local_id() {
                self.heap.owned.insert(id);
            }
        }
        v
    }

    /// Bind the names of a refutable pattern (`Some(x)`, an arm).
    fn bind_refutable(&mut self, pat: &Pat, v: &Val<'m>) {
        let mut names = Vec::new();
        pat.bindings(&mut names);
        for n in names {
            self.frame.env.push(Binding::new(n, v.part()));
        }
    }

    pub(super) fn eval(&mut self, e: &'m Expr) -> Val<'m> {
        if !self.step() {
            return Val::Unknown;
        }
        match e {
            Expr::Path { segs, .. } => self.path(segs),
            Expr::Lit(_) => Val::Unknown,
            Expr::Field { base, name, .. } => match self.eval(base) {
                Val::State(r) => Val::state(self.field(&r.key, name)),
                Val::Message => Val::Message,
                _ => Val::Unknown,
            },
            Expr::Index { base, index, span } => {
                let b = self.eval(base);
                self.eval(index);
                if let Val::State(r) = &b {
                    self.access(r, *span, AccessKind::Panicky("indexing".into()));
                }
                Val::Unknown
            }
            Expr::MethodCall {
                recv,
                method,
                args,
                span,
                method_span,
            } => self.method_call(recv, method, args, *span, *method_span),
            Expr::Call { func, args, span } => self.call(func, args, *span),
            Expr::Struct {
                name, fields, rest, ..
            } => self.struct_literal(name, fields, rest.as_deref()),
            Expr::Closure { params, body, .. } => self.make_thunk(ThunkKind::Closure(params, body)),
            Expr::Async { body, .. } => self.make_thunk(ThunkKind::Async(body)),
            Expr::Block(b) => self.block(b),
            Expr::If { cond, then, els } => self.if_expr(cond, then, els.as_deref()),
            Expr::Let { expr, pat } => {
                let v = self.eval(expr);
                self.bind_refutable(pat, &v);
                Val::Unknown
            }
            Expr::Match { scrutinee, arms } => self.match_expr(scrutinee, arms),
            Expr::While { cond, body } => self.while_expr(cond, body),
            Expr::Loop { body } => {
                let rechecks = classify::exits_on_check(body);
                self.nested(
                    |n| n.loop_rechecks = rechecks && n.fn_checked,
                    |it| it.in_loop(false, |it| it.block(body)),
                );
                Val::Unknown
            }
            Expr::For { pat, iter, body } => self.for_expr(pat, iter, body),
            Expr::Await { base, span } => self.await_expr(base, *span),
            Expr::Try { base } => self.try_expr(base),
            Expr::Deref { base } | Expr::Ref { base } => self.eval(base),
            Expr::Not { base } => {
                let v = self.eval(base);
                self.access_val(&v, base.span());
                Val::Unknown
            }
            Expr::Assign {
                lhs,
                rhs,
                span,
                compound,
            } => self.assign(lhs, rhs, *span, *compound),
            Expr::Macro { args, span, name } => self.macro_call(name, args, *span),
            Expr::Jump { value, .. } => {
                if let Some(v) = value {
                    let v = self.eval(v);
                    if self.frame.ret.is_none() && !matches!(v, Val::Unknown) {
                        self.frame.ret = Some(v);
                    }
                }
                Val::Unknown
            }
            Expr::Other(children) => {
                for c in children {
                    let v = self.eval(c);
                    self.access_val(&v, c.span());
                }
                Val::Unknown
            }
        }
    }

    fn path(&mut self, segs: &[String]) -> Val<'m> {
        if segs.len() == 1 {
            if let Some(v) = self.lookup(&segs[0]) {
                return v;
            }
        }
        self.static_val(segs).unwrap_or(Val::Unknown)
    }

    /// A crate `static` named by `segs` (`CONFIG`, `crate::CONFIG`), as
    /// state with its initializer's placeholder.
    fn static_val(&mut self, segs: &[String]) -> Option<Val<'m>> {
        let name = segs.last()?;
        if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
            return None;
        }
        let qualified = matches!(
            segs.first().map(String::as_str),
            Some("crate" | "self" | "super")
        );
        if segs.len() > 2 && !qualified {
            return None;
        }
        if segs.len() == 1 && self.model.imported_from_elsewhere(self.frame.file, name) {
            return None;
        }
        let (_, st) = self.model.find_static(name, self.frame.file)?;
        let key = Key::root(Root::Static(name.clone()));
        let placeholder = classify::placeholder_of(&st.init, &self.cat.sem);
        self.heap
            .placeholders
            .entry(key.clone())
            .or_insert(placeholder);
        Some(Val::state(key))
    }

    fn if_expr(&mut self, cond: &'m Expr, then: &'m Block, els: Option<&'m Expr>) -> Val<'m> {
        // The condition runs on every path; each branch starts after it,
        // and what follows is gated only if every branch that goes on is.
        let mut before = None;
        let point = self.branch_point();
        // `if let Some(a) = param` on a parameter given `None`: the block
        // never runs on this call.
        let refuted = super::value::refuted(cond, &self.frame.env);
        self.scoped(|it| {
            it.condition(cond, then, els);
            before = it.rec().gate_state();
            if !refuted {
                it.on_arm(point, 0, |it| {
                    it.nested(|n| n.ifs += 1, |it| it.block(then))
                });
            }
        });
        let then_goes_on = !refuted && !classify::block_diverges(then);
        let mut after = then_goes_on.then(|| self.rec().gate_state()).flatten();
        self.rec().set_gate_state(before);
        match els {
            Some(e) => {
                self.on_arm(point, 1, |it| it.eval(e));
                if !classify::diverges(e) {
                    after = meet(after, self.rec().gate_state(), before);
                }
            }
            None => after = meet(after, before, before),
        }
        self.rec().set_gate_state(after.or(before));
        Val::Unknown
    }

    /// An `if`/`while` condition. `if let` on state tolerates absence.
    fn condition(&mut self, cond: &'m Expr, then: &'m Block, els: Option<&'m Expr>) {
        self.note_check();
        let Expr::Let { pat, expr } = cond else {
            let v = self.eval(cond);
            // Read, then counted once evaluated: a wait inside the
            // condition itself (`while rx.changed().await.is_ok()`) comes
            // before its check, and so does what it reads.
            self.access_val(&v, cond.span());
            self.checks += 1;
            return;
        };
        let v = self.eval(expr);
        self.checks += 1;
        if let Val::State(r) = &v {
            let lossy = tolerance::drops_message(
                &self.frame.env,
                |m| then.mentions(m),
                |m| els.is_some_and(|e| e.mentions(m)),
            )
            .then(|| {
                let span = els.and_then(Expr::span).or(expr.span());
                self.loc(span.unwrap_or_default())
            });
            self.access(
                r,
                expr.span().unwrap_or_default(),
                AccessKind::Tolerant { lossy },
            );
        }
        self.bind_refutable(pat, &v);
    }

    fn match_expr(&mut self, scrutinee: &'m Expr, arms: &'m [Arm]) -> Val<'m> {
        let v = self.eval(scrutinee);
        self.note_check();
        self.checks += 1;
        if let Val::State(r) = &v {
            let span = scrutinee.span().unwrap_or_default();
            let lossy = tolerance::lossy_arm(&self.frame.env, scrutinee, arms)
                .map(|s| self.loc(s.unwrap_or_default()));
            self.access(r, span, AccessKind::Tolerant { lossy });
        }
        let before = self.rec().gate_state();
        let mut after = None;
        let point = self.branch_point();
        for (i, arm) in arms.iter().enumerate() {
            self.rec().set_gate_state(before);
            self.on_arm(point, i as u32, |it| {
                it.scoped(|it| {
                    it.bind_refutable(&arm.pat, &v);
                    it.eval(&arm.body);
                })
            });
            if !classify::diverges(&arm.body) {
                after = meet(after, self.rec().gate_state(), before);
            }
        }
        self.rec().set_gate_state(after.or(before));
        Val::Unknown
    }

    /// A loop whose body only waits (`while !ready.load(..) { spin_loop()
    /// }`, a `Condvar` wait loop) is a gate; any other `while` is the
    /// task's work loop.
    fn while_expr(&mut self, cond: &'m Expr, body: &'m Block) -> Val<'m> {
        let gate_loop = classify::waits_only(body, self.cat);
        self.scoped(|it| {
            if gate_loop {
                it.nested(|n| n.quiet += 1, |it| it.eval(cond));
                it.gate(cond.span().unwrap_or(body.span));
            } else {
                it.condition(cond, body, None);
            }
            it.in_loop(true, |it| it.block(body));
        });
        Val::Unknown
    }

    fn for_expr(&mut self, pat: &'m Pat, iter: &'m Expr, body: &'m Block) -> Val<'m> {
        let v = self.eval(iter);
        self.access_val(&v, iter.span());
        self.scoped(|it| {
            it.bind(pat, Val::Unknown, None, None, None, false);
            it.in_loop(false, |it| it.block(body));
        });
        Val::Unknown
    }

    fn try_expr(&mut self, base: &'m Expr) -> Val<'m> {
        let v = self.eval(base);
        match &v {
            Val::State(r) if r.mode == RefMode::Lookup => {
                self.access(
                    r,
                    base.span().unwrap_or_default(),
                    AccessKind::Tolerant { lossy: None },
                );
                Val::Unknown
            }
            Val::Message => Val::Message,
            Val::Join(_) => v,
            Val::State(r) if r.mode == RefMode::Locked => Val::state(r.key.clone()),
            Val::State(_) => v,
            _ => Val::Unknown,
        }
    }

    fn assign(&mut self, lhs: &'m Expr, rhs: &'m Expr, span: Span, compound: bool) -> Val<'m> {
        let v = self.eval(rhs);
        if let Some(name) = lhs.as_ident().filter(|_| matches!(*lhs, Expr::Path { .. })) {
            if classify::is_fresh_value(rhs, &self.cat.sem) && !classify::takes_in(rhs, name) {
                self.rebinding(name, span, &v);
            }
            // Assigned, maybe only on one path: no longer known `None`.
            for b in self.frame.env.iter_mut().filter(|b| b.name == name) {
                b.none = false;
            }
            let v = match v {
                Val::Unknown => {
                    let p = classify::placeholder_of(rhs, &self.cat.sem);
                    self.fresh_local(name, p)
                }
                v => v,
            };
            self.frame.env.push(Binding::new(name, v));
        } else {
            let target = self.nested(|n| n.quiet += 1, |it| it.eval(lhs));
            if let Val::State(r) = &target {
                let place = if compound {
                    None
                } else {
                    classify::assigned_place(lhs)
                };
                // `*guard = ..`: written under a lock taken then.
                let held = classify::root_ident(lhs)
                    .and_then(|n| self.frame.env.iter().rev().find(|b| b.name == n))
                    .filter(|b| b.guard)
                    .map(|b| b.bound_at);
                self.write_held(r, span, "=", (classify::is_place(lhs), place), held);
            }
        }
        Val::Unknown
    }

    fn macro_call(&mut self, name: &str, args: &'m [Expr], span: Span) -> Val<'m> {
        if let Some(task) = args
            .first()
            .filter(|_| self.model.is_spawn_macro(name, self.frame.file))
        {
            // A crate's own `spawn!` wrapper: its first argument is the task.
            let runtime = super::trace::Runtime::Async;
            return self.spawn(span, span, format!("{name}!"), runtime, task);
        }
        // Every arm of a `select!` races the others: a wait there is
        // bounded by them.
        let racing = name == "select" && args.len() > 2;
        let awaits = matches!(
            name,
            "select" | "select_biased" | "join" | "try_join" | "tokio_select"
        );
        self.nested(
            |n| {
                n.bounded += u32::from(racing);
                n.macro_awaited += u32::from(awaits);
            },
            |it| {
                for a in args {
                    let v = it.eval(a);
                    it.access_val(&v, a.span().or(Some(span)));
                }
            },
        );
        Val::Unknown
    }

    fn struct_literal(
        &mut self,
        name: &str,
        fields: &'m [(String, Expr)],
        rest: Option<&'m Expr>,
    ) -> Val<'m> {
        let ty = self.resolve_type_name(name);
        let mut vals = Vec::new();
        for (f, e) in fields {
            let v = self.eval(e);
            vals.push((f, e, v));
        }
        if let Some(r) = rest {
            self.eval(r);
        }
        let Some(ty) = ty else { return Val::Unknown };
        for (f, e, v) in &vals {
            let field_key = Key {
                root: Root::Type(ty.clone()),
                path: vec![(*f).clone()],
            };
            let p = match v {
                Val::State(r) => match r.key.as_local() {
                    Some(id) => {
                        self.heap
                            .literal_aliases
                            .entry(id)
                            .or_insert_with(|| field_key.clone());
                        self.heap
                            .placeholders
                            .get(&r.key)
                            .copied()
                            .unwrap_or(Placeholder::Value)
                    }
                    None => Placeholder::Value,
                },
                _ => classify::placeholder_of(e, &self.cat.sem),
            };
            self.heap.placeholders.entry(field_key).or_insert(p);
        }
        if rest.is_some() {
            if let Some(def) = self.model.struct_def(&ty) {
                for (f, _) in &def.fields {
                    let k = Key {
                        root: Root::Type(ty.clone()),
                        path: vec![f.clone()],
                    };
                    self.heap
                        .placeholders
                        .entry(k)
                        .or_insert(Placeholder::Default);
                }
            }
        }
        Val::instance(ty)
    }

    fn await_expr(&mut self, base: &'m Expr, span: Span) -> Val<'m> {
        self.nest.awaited = matches!(base, Expr::MethodCall { .. });
        if let Expr::MethodCall { method, recv, .. } = base {
            if method == "next" {
                self.eval(recv);
                let checks = self.checks;
                self.rec().awaited(checks);
                self.gate(span);
                return Val::Message;
            }
        }
        let v = self.eval(base);
        if let Val::Thunk(t) = &v {
            let t = t.clone();
            return self.run_thunk(&t, Vec::new(), span);
        }
        let checks = self.checks;
        self.rec().awaited(checks);
        match &v {
            Val::Join(_) => {
                self.joined(&v);
                self.delay();
                return Val::Unknown;
            }
            Val::Message => return Val::Message,
            _ => {}
        }
        match base {
            Expr::MethodCall { method, .. } if self.cat.immediate_awaits.contains(method) => {
                if method == "tick" {
                    let loc = self.loc(span);
                    self.rec().tick(loc);
                }
                if matches!(v, Val::State(_)) {
                    return v;
                }
                Val::Unknown
            }
            Expr::MethodCall { method, .. } if self.cat.gate_methods.contains(method) => v,
            Expr::Path { segs, .. } if segs.len() == 1 && self.cat.await_on_binding => {
                if let Some(id) = v.local_id() {
                    self.rec().waited(id);
                }
                self.gate(span);
                Val::Unknown
            }
            _ => {
                self.delay();
                Val::Unknown
            }
        }
    }

    /// A spawn's handle is awaited or joined: joined before the next
    /// statement, it is fork-join, not a window.
    pub(super) fn joined(&mut self, v: &Val<'m>) {
        let Val::Join(id) = v else { return };
        if let Some(c) = self.ctor_rec() {
            let now = c.stmt_no;
            if let Some(s) = c.spawns.get_mut(*id) {
                if now <= s.stmt_no + 1 {
                    s.joined = true;
                }
            }
        }
    }

    pub(super) fn make_thunk(&self, kind: ThunkKind<'m>) -> Val<'m> {
        Val::Thunk(std::rc::Rc::new(super::value::Thunk {
            kind,
            env: self.frame.env.clone(),
            file: self.frame.file,
            owner: self.frame.owner.clone(),
        }))
    }
}

/// A value a lock method hands back: the guard of the same state.
pub(super) fn locked(key: Key) -> SRef {
    SRef::with_mode(key, RefMode::Locked)
}

/// The gate state after a branch joins the others (`None`: no branch that
/// goes on yet).
fn meet(
    acc: Option<super::recorder::GateState>,
    branch: Option<super::recorder::GateState>,
    before: Option<super::recorder::GateState>,
) -> Option<super::recorder::GateState> {
    match (acc, branch, before) {
        (None, b, _) => b,
        (Some(a), Some(b), Some(pre)) => Some(a.meet(b, pre)),
        (a, _, _) => a,
    }
}
