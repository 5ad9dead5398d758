//! Calls: into the crate's own functions (followed, depth-limited), into
//! the catalog's spawners, scopes, blocking and sleeping functions, and
//! into deferred bodies (closures, async blocks, async calls).

use super::classify;
use super::interp::{Frame, Interp, MAX_CALL_DEPTH};
use super::recorder::SpawnAction;
use super::trace::{Capture, Event, Key, Root, Runtime, SignalCall, SpawnSite, Via, WaitCheck};
use super::value::{Thunk, ThunkKind, Val};
use crate::facts::{Expr, Receiver};
use crate::model::FnRef;
use crate::source::Span;
use std::collections::BTreeSet;
use std::rc::Rc;

impl<'m> Interp<'m> {
    /// Run function `f` now with `self` and arguments bound; `call` is the
    /// call site that leads there.
    pub(super) fn enter_fn(
        &mut self,
        f: FnRef,
        this: Option<Val<'m>>,
        args: Vec<Val<'m>>,
        call: Option<Via>,
    ) -> Val<'m> {
        if self.stack.contains(&f) || self.stack.len() >= MAX_CALL_DEPTH {
            return Val::Unknown;
        }
        let key = CallKey::new(f, self, &this, &args, call.is_some());
        if let Some(statements) = key.as_ref().and_then(|k| self.inert.get(k)).copied() {
            // Run before with the same inputs, and it recorded nothing:
            // running it again would only spend steps (a fan-out of
            // helpers is exponential in depth).
            self.rec().ran(f);
            self.add_statements(statements);
            self.step();
            return Val::Unknown;
        }
        let before = self.recorded();
        let v = self.run_fn(f, this, args, call);
        if let Some(key) = key {
            let after = self.recorded();
            if matches!(v, Val::Unknown) && after.0 == before.0 && !self.out_of_steps() {
                self.inert.insert(key, after.1 - before.1);
            }
        }
        v
    }

    /// [`Self::enter_fn`] without the memo: bind the arguments and run the
    /// body.
    fn run_fn(
        &mut self,
        f: FnRef,
        this: Option<Val<'m>>,
        args: Vec<Val<'m>>,
        call: Option<Via>,
    ) -> Val<'m> {
        let model = self.model;
        let func = model.func(f);
        let owner = func
            .owner
            .as_deref()
            .and_then(|o| model.resolve_type(o, f.file));
        self.in_frame(Frame::new(f.file, owner), |it| {
            match this {
                Some(t) => it.frame.env.push(super::value::Binding::new("self", t)),
                None if func.receiver != Receiver::None => it
                    .frame
                    .env
                    .push(super::value::Binding::new("self", Val::Unknown)),
                None => {}
            }
            let mut args = args.into_iter();
            let first_param = it.frame.env.len();
            for p in func.params() {
                let arg = args.next().unwrap_or(Val::Unknown);
                let none = matches!(arg, Val::NoneArg);
                let v = match arg {
                    Val::Unknown | Val::NoneArg => it.typed_unknown(&p.ty),
                    v => v,
                };
                let bound = it.frame.env.len();
                it.bind(&p.pat, v, None, Some(&p.ty), None, false);
                if let (true, crate::facts::Pat::Ident { .. }) = (none, &p.pat) {
                    for b in &mut it.frame.env[bound..] {
                        b.none = true;
                    }
                }
            }
            for b in &mut it.frame.env[first_param..] {
                b.param = true;
            }
            let v = it.in_call(call, f, |it| {
                it.nested(
                    |n| {
                        n.fn_checked = false;
                        n.fn_loops = 0;
                        n.fn_while_bodies = 0;
                    },
                    |it| it.block(func.body()),
                )
            });
            it.frame.ret.take().unwrap_or(v)
        })
    }

    /// Run `f` with `f`'s call site and function pushed on the call stack.
    fn in_call<T>(&mut self, call: Option<Via>, f: FnRef, body: impl FnOnce(&mut Self) -> T) -> T {
        let vias = self.via.len();
        let depth = self.stack.len();
        self.via.extend(call);
        self.stack.push(f);
        self.rec().ran(f);
        let v = body(self);
        self.stack.truncate(depth);
        self.via.truncate(vias);
        v
    }

    /// Call `f`: async functions return a future that runs when awaited or
    /// spawned; others run now.
    fn call_fn(
        &mut self,
        f: FnRef,
        this: Option<Val<'m>>,
        args: Vec<Val<'m>>,
        site: Span,
    ) -> Val<'m> {
        let func = self.model.func(f);
        if func.is_async {
            // What runs later is only followed by value.
            let args = args
                .into_iter()
                .map(|a| match a {
                    Val::NoneArg => Val::Unknown,
                    a => a,
                })
                .collect();
            return Val::Thunk(Rc::new(Thunk {
                kind: ThunkKind::Call(f, this, args),
                env: Vec::new(),
                file: self.frame.file,
                owner: self.frame.owner.clone(),
            }));
        }
        let via = Via {
            loc: self.loc(site),
            callee: func.name.clone(),
        };
        self.enter_fn(f, this, args, Some(via))
    }

    /// Run a deferred body (closure, async block, async fn call) now.
    pub(super) fn run_thunk(&mut self, t: &Thunk<'m>, args: Vec<Val<'m>>, site: Span) -> Val<'m> {
        let frame = || Frame {
            env: t.env.clone(),
            file: t.file,
            owner: t.owner.clone(),
            ret: None,
        };
        match &t.kind {
            ThunkKind::Call(f, this, a) => {
                let via = Via {
                    loc: self.loc(site),
                    callee: self.model.func(*f).name.clone(),
                };
                self.enter_fn(*f, this.clone(), a.clone(), Some(via))
            }
            ThunkKind::Closure(params, body) => self.in_frame(frame(), |it| {
                let mut args = args.into_iter();
                for p in params.iter() {
                    let v = args.next().unwrap_or(Val::Unknown);
                    it.bind(p, v, None, None, None, false);
                }
                it.eval(body)
            }),
            ThunkKind::Async(body) => self.in_frame(frame(), |it| it.block(body)),
        }
    }

    pub(super) fn eval_args(&mut self, args: &'m [Expr]) -> Vec<Val<'m>> {
        args.iter().map(|a| self.eval(a)).collect()
    }

    /// The arguments of a call to a crate function: a literal `None` is
    /// [`Val::NoneArg`], which the callee's parameter remembers.
    fn crate_call_args(&mut self, args: &'m [Expr]) -> Vec<Val<'m>> {
        args.iter()
            .map(|a| match a {
                Expr::Path { segs, .. } if segs.len() == 1 && segs[0] == "None" => Val::NoneArg,
                a => self.eval(a),
            })
            .collect()
    }

    /// Evaluate arguments; closures among them run now.
    pub(super) fn run_closure_args(&mut self, args: &'m [Expr], span: Span) {
        for a in args {
            let v = self.eval(a);
            match &v {
                Val::Thunk(t) if !matches!(t.kind, ThunkKind::Call(..)) => {
                    let t = t.clone();
                    self.run_thunk(&t, Vec::new(), span);
                }
                Val::State(_) => self.access_val(&v, a.span()),
                _ => {}
            }
        }
    }

    /// `func(args)`.
    pub(super) fn call(&mut self, func: &'m Expr, args: &'m [Expr], span: Span) -> Val<'m> {
        let Expr::Path { segs, span: fspan } = func else {
            let f = self.eval(func);
            let vals = self.eval_args(args);
            if let Val::Thunk(t) = f {
                return self.run_thunk(&t, vals, span);
            }
            return Val::Unknown;
        };
        if segs.len() == 1 {
            if let Some(v) = self.lookup(&segs[0]) {
                let vals = self.eval_args(args);
                if let Val::Thunk(t) = v {
                    return self.run_thunk(&t, vals, span);
                }
                return Val::Unknown;
            }
        }
        let resolved = self.resolve_path(segs);
        if matches!(resolved.last().map(String::as_str), Some("drop")) {
            // `drop(guard)` releases the lock early.
            if let Some(n) = args.first().and_then(Expr::as_ident) {
                if let Some(b) = self.frame.env.iter_mut().rev().find(|b| b.name == n) {
                    b.guard = false;
                }
            }
        }
        if let Some(v) = self.catalog_call(segs, &resolved, *fspan, args, span) {
            return v;
        }
        let (prev, last) = classify::call_names(segs);
        if classify::is_transparent_ctor(prev, last, &self.cat.sem)
            || (segs.len() == 1 && last == "Some")
        {
            let vals = self.eval_args(args);
            return vals.into_iter().next().unwrap_or(Val::Unknown);
        }
        if let Some(f) = self
            .model
            .resolve_fn(self.frame.file, self.frame.owner.as_ref(), segs)
        {
            let func = self.model.func(f);
            let mut vals = self.crate_call_args(args);
            let this = if func.receiver != Receiver::None && !vals.is_empty() {
                Some(vals.remove(0))
            } else {
                None
            };
            return self.call_fn(f, this, vals, span);
        }
        // An unknown function: closures passed to it run now (iterator
        // adapters, `get_or_init`); state passed to it is read.
        self.run_closure_args(args, span);
        Val::Unknown
    }

    /// Calls of functions the catalog knows (spawners, scopes, blocking
    /// and sleeping calls) and of `new_cyclic` and `timeout`.
    fn catalog_call(
        &mut self,
        segs: &[String],
        resolved: &[String],
        fspan: Span,
        args: &'m [Expr],
        span: Span,
    ) -> Option<Val<'m>> {
        if let Some(sp) = self.cat.function_spawner(resolved) {
            if let Some(task) = args.get(sp.task_arg.saturating_sub(1)) {
                let runtime = Runtime::from(sp.runtime);
                return Some(self.spawn(fspan, span, segs.join("::"), runtime, task));
            }
        }
        if self.cat.is_scoped(resolved) {
            self.nested(|n| n.scoped += 1, |it| it.run_closure_args(args, span));
            return Some(Val::Unknown);
        }
        if self.cat.is_blocking(resolved) {
            // `block_on(ready_rx)` waits on the receiver.
            for a in args {
                if let Some(id) = a
                    .as_ident()
                    .and_then(|n| self.lookup(n))
                    .and_then(|v| v.local_id())
                {
                    self.rec().waited(id);
                }
            }
            self.run_closure_args(args, span);
            return Some(Val::Unknown);
        }
        if self.cat.is_delay(resolved) {
            self.eval_args(args);
            self.delay();
            return Some(Val::Unknown);
        }
        let last = resolved.last().map(String::as_str).unwrap_or("");
        if last == "new_cyclic" && resolved.len() >= 2 {
            if let Some(Expr::Closure { params, body, .. }) = args.first() {
                return Some(self.new_cyclic(params, body, span));
            }
        }
        if last == "timeout" && resolved.len() >= 2 {
            // `timeout(d, fut)`: a wait inside is bounded.
            let vals = self.nested(|n| n.bounded += 1, |it| it.eval_args(args));
            let v = match vals.into_iter().nth(1) {
                Some(Val::Thunk(t)) => {
                    self.nested(|n| n.bounded += 1, |it| it.run_thunk(&t, Vec::new(), span))
                }
                _ => Val::Unknown,
            };
            return Some(v);
        }
        None
    }

    /// `Arc::new_cyclic(|weak| ..)`: the closure gets a `Weak` that
    /// upgrades to `None` until `new_cyclic` returns.
    fn new_cyclic(
        &mut self,
        params: &'m [crate::facts::Pat],
        body: &'m Expr,
        span: Span,
    ) -> Val<'m> {
        let n = self.cyclics.len() as u32;
        self.cyclics.push(self.loc(span));
        let weak = Val::state(Key::root(Root::Cyclic(n)));
        self.cyclic_stack.push(n);
        let t = Thunk {
            kind: ThunkKind::Closure(params, body),
            env: self.frame.env.clone(),
            file: self.frame.file,
            owner: self.frame.owner.clone(),
        };
        let v = self.run_thunk(&t, vec![weak], span);
        self.cyclic_stack.pop();
        v
    }

    /// `recv.method(args)`.
    pub(super) fn method_call(
        &mut self,
        recv: &'m Expr,
        method: &'m str,
        args: &'m [Expr],
        span: Span,
        method_span: Span,
    ) -> Val<'m> {
        let awaited = std::mem::take(&mut self.nest.awaited);
        let rv = self.eval(recv);
        // A crate's own method wins over catalog names: `self.spawn(fut)` on
        // a type that defines `spawn` is followed into its body.
        if let Val::State(r) = &rv {
            if let (Root::Type(t), true) = (&r.key.root, r.key.path.is_empty()) {
                if let Some(f) = self.model.method(t, method) {
                    if self.model.func(f).receiver != Receiver::None {
                        let vals = self.crate_call_args(args);
                        return self.call_fn(f, Some(rv.clone()), vals, span);
                    }
                }
            }
        }
        if let Some(v) = self.method_spawn(recv, method, args, span, method_span) {
            return v;
        }
        self.signal_call(recv, &rv, method, args, span, awaited);
        if matches!(
            method,
            "send" | "try_send" | "blocking_send" | "send_replace"
        ) {
            if let Some(id) = rv.local_id() {
                self.rec().sent(id);
            }
        }
        // `Iterator::next()` returns at once; only an awaited `next()`
        // (`stream.next().await`, a `select!` arm) waits for somebody.
        let waits =
            awaited || self.nest.macro_awaited > 0 || !self.cat.awaited_gates.contains(method);
        self.method_on_value(rv, method, args, span, waits)
    }

    /// `handle.spawn(task)`, `thread::Builder::new().spawn(f)` and
    /// extension-trait spawners on a thread builder.
    fn method_spawn(
        &mut self,
        recv: &'m Expr,
        method: &'m str,
        args: &'m [Expr],
        span: Span,
        method_span: Span,
    ) -> Option<Val<'m>> {
        let thread_builder = |it: &Self| {
            classify::chain_calls(recv, &|segs| {
                let full = it.resolve_path(segs);
                it.cat.is_thread_builder(&full)
            })
        };
        let name = format!(".{method}");
        if let Some(sp) = self.cat.method_spawner(method, args.len()) {
            let runtime =
                if sp.runtime == crate::catalog::RuntimeKind::Thread || thread_builder(self) {
                    Runtime::Thread
                } else {
                    Runtime::Async
                };
            let task = args.get(sp.task_arg.saturating_sub(1))?;
            return Some(self.spawn(method_span, span, name, runtime, task));
        }
        if method.starts_with("spawn") && args.len() == 1 && thread_builder(self) {
            // Extension traits on `thread::Builder` (`spawn_wrapper`,
            // `spawn_named`) start a thread like `spawn` does.
            return Some(self.spawn(method_span, span, name, Runtime::Thread, &args[0]));
        }
        None
    }

    /// Record a call the task may be waiting through (SL006, SL007); the
    /// listen pass decides what it is.
    fn signal_call(
        &mut self,
        recv: &Expr,
        rv: &Val<'m>,
        method: &str,
        args: &[Expr],
        span: Span,
        awaited: bool,
    ) {
        if self.nest.before_task > 0 || !self.rec().is_task() {
            return;
        }
        let sem = &self.cat.sem;
        if !self.cat.subscribe_methods.contains(method)
            && !sem.listen_starts.contains(method)
            && !sem.listen_reads.contains(method)
        {
            return;
        }
        let first_arg = args
            .first()
            .and_then(classify::root_ident)
            .and_then(|n| self.frame.env.iter().rev().find(|b| b.name == n));
        let guard_param = first_arg.is_some_and(|b| b.param);
        let guard_arg = first_arg.is_some_and(|b| b.guard);
        let check = self.wait_check(guard_param);
        let call = SignalCall {
            method: method.to_string(),
            nargs: args.len(),
            loc: self.loc(span),
            name: classify::last_name(recv).unwrap_or_default(),
            recv_type: self.type_of(rv),
            recv_local: rv.local_id(),
            recv_key: match rv {
                Val::State(r) => Some(r.key.clone()),
                _ => None,
            },
            beside: if self.cat.subscribe_methods.contains(method) {
                self.sibling_types(rv)
            } else {
                Vec::new()
            },
            on_local: matches!(rv, Val::State(r) if matches!(r.key.root, Root::Local(_))),
            via: self.via.clone(),
            delayed: self.rec().delayed(),
            in_loop: self.nest.loops > 0,
            bounded: self.nest.bounded > 0,
            check,
            after_check: self.nest.fn_checked,
            checks: self.checks,
            under_lock: self.frame.env.iter().any(|b| b.guard),
            awaited,
            guard_param,
            guard_arg,
            condvar_in_scope: {
                let file = &self.model.files[self.frame.file as usize].facts;
                file.uses.get("Condvar").cloned()
            },
        };
        self.rec().signal_call(call);
    }

    /// The crate types held by the fields beside the one `rv` is (a field
    /// of a crate struct): `Inner { link: Link, tx }` gives `Link` for `tx`.
    fn sibling_types(&self, rv: &Val<'m>) -> Vec<Root> {
        let Val::State(r) = rv else {
            return Vec::new();
        };
        let (Root::Type(owner), [field]) = (&r.key.root, r.key.path.as_slice()) else {
            return Vec::new();
        };
        let Some(def) = self.model.struct_def(owner) else {
            return Vec::new();
        };
        def.fields
            .iter()
            .filter(|(name, _)| name != field)
            .filter_map(|(_, ty)| self.model.resolve_type(ty.core.as_deref()?, owner.file))
            .map(Root::Type)
            .collect()
    }

    /// How the condition around a wait here is re-checked. A `while`
    /// re-checks its condition; so does any loop whose iteration checked a
    /// condition before (or around) the wait: `loop { match state { Ready
    /// => break, _ => guard = cvar.wait(guard) } }`. Only the waiting
    /// function's own loops count, unless its caller handed it the guard:
    /// a caller's `while !stop.load()` reads its condition without the lock
    /// the callee takes, so a notification between that read and the wait
    /// is lost all the same.
    fn wait_check(&self, guard_param: bool) -> WaitCheck {
        let n = &self.nest;
        let (loops, while_bodies) = if guard_param {
            (n.loops, n.while_bodies)
        } else {
            (n.fn_loops, n.fn_while_bodies)
        };
        if while_bodies > 0 || (loops > 0 && n.loop_checked) {
            WaitCheck::Loop
        } else if n.ifs > 0 {
            WaitCheck::Once
        } else {
            WaitCheck::Never
        }
    }

    /// A spawn call: record it and run its task, when the current run
    /// records spawns.
    pub(super) fn spawn(
        &mut self,
        callee: Span,
        call: Span,
        spawner: String,
        runtime: Runtime,
        task: &'m Expr,
    ) -> Val<'m> {
        let loc = self.loc(callee);
        let scoped = self.nest.scoped > 0;
        match self.rec().spawn_action(loc, scoped) {
            SpawnAction::Skip => return Val::Unknown,
            SpawnAction::Evaluate => {
                let _ = self.eval(task);
                return Val::Unknown;
            }
            SpawnAction::Record => {}
        }
        let runtime = match task {
            Expr::Closure { .. } => Runtime::Thread,
            Expr::Async { .. } => Runtime::Async,
            _ => runtime,
        };
        let site = SpawnSite {
            captures: self.captures(task),
            loc,
            call: self.loc(call),
            task: self.loc(task.span().unwrap_or(call)),
            spawner,
            runtime,
            via: self.via.clone(),
            accesses: Vec::new(),
            task_calls: BTreeSet::new(),
            joined: false,
            in_cyclic: self.cyclic_stack.last().copied(),
            listens: Vec::new(),
            stmt_no: 0,
            branches: self.branches.clone(),
        };
        let Some(id) = self.ctor_rec().map(|c| {
            let id = c.spawns.len();
            c.spawns.push(SpawnSite {
                stmt_no: c.stmt_no,
                ..site
            });
            c.timeline.push(Event::Spawn(id));
            id
        }) else {
            return Val::Unknown;
        };
        let recorded = self.as_task(|it| it.run_task(task, call));
        let cat = self.cat;
        if let Some(c) = self.ctor_rec() {
            let site = &mut c.spawns[id];
            site.accesses = recorded.accesses;
            site.task_calls = recorded.task_calls;
            site.listens = super::listens::derive(&recorded.events, cat);
        }
        Val::Join(id)
    }

    /// The body of a spawned task.
    fn run_task(&mut self, task: &'m Expr, call: Span) {
        match task {
            Expr::Closure { params, body, .. } => {
                let t = Thunk {
                    kind: ThunkKind::Closure(params, body),
                    env: self.frame.env.clone(),
                    file: self.frame.file,
                    owner: self.frame.owner.clone(),
                };
                self.run_thunk(&t, Vec::new(), call);
            }
            Expr::Async { body, .. } => {
                self.scoped(|it| it.block(body));
            }
            other => {
                // `spawn(run(tx.subscribe()))`: the arguments are evaluated
                // by the spawning function, before the task exists.
                let v = self.nested(|n| n.before_task += 1, |it| it.eval(other));
                if let Val::Thunk(t) = v {
                    self.run_thunk(&t, Vec::new(), call);
                }
            }
        }
    }

    /// The names a task expression captures from the spawning function.
    fn captures(&self, task: &Expr) -> Vec<Capture> {
        let mut captures: Vec<Capture> = Vec::new();
        for b in self.frame.env.iter().rev() {
            if captures.iter().any(|c| c.name == b.name) || !task.mentions_free(&b.name) {
                continue;
            }
            let key = match &b.val {
                Val::State(r) => Some(r.key.clone()),
                _ => None,
            };
            let channel_end = self.is_channel_end(&b.val);
            captures.push(Capture {
                name: b.name.clone(),
                key,
                decl: b.decl,
                is_handle: b.makes_handle || classify::clones_name(task, &b.name),
                channel_end,
            });
        }
        captures.reverse();
        captures
    }
}

/// What a call's outcome depends on, when it can be told without running
/// it: the function, how deep the call stack is (deeper calls are cut
/// off), where evaluation is nested, which recorder listens, and the
/// abstract arguments. `None` when an argument is a body that runs later
/// (a closure or future), whose effects cannot be compared this way.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) struct CallKey {
    f: FnRef,
    depth: usize,
    recorders: usize,
    nest: super::interp::Nesting,
    from_site: bool,
    args: Vec<ArgKey>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum ArgKey {
    Absent,
    Unknown,
    State(Key, super::value::RefMode),
    Message,
    Join(usize),
    NoneArg,
}

impl CallKey {
    fn new(
        f: FnRef,
        it: &Interp<'_>,
        this: &Option<Val<'_>>,
        args: &[Val<'_>],
        from_site: bool,
    ) -> Option<CallKey> {
        let arg = |v: &Val<'_>| match v {
            Val::Unknown => Some(ArgKey::Unknown),
            Val::State(r) => Some(ArgKey::State(r.key.clone(), r.mode)),
            Val::Message => Some(ArgKey::Message),
            Val::Join(n) => Some(ArgKey::Join(*n)),
            Val::NoneArg => Some(ArgKey::NoneArg),
            Val::Thunk(_) => None,
        };
        let mut keys = vec![this.as_ref().map_or(Some(ArgKey::Absent), arg)?];
        for a in args {
            keys.push(arg(a)?);
        }
        Some(CallKey {
            f,
            depth: it.stack.len(),
            recorders: it.recorder_depth(),
            nest: it.nest,
            from_site,
            args: keys,
        })
    }
}
