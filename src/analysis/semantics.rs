//! What a method call does to the value it is called on: locks, lookups,
//! unwraps, mutators, gates. The names come from the catalogs
//! (`rules/semantics.toml`, `rules/gates.toml`, `rules/initializers.toml`).

use super::eval::locked;
use super::interp::Interp;
use super::trace::{AccessKind, Placeholder, Root};
use super::value::{RefMode, SRef, Val};
use crate::facts::Expr;
use crate::source::Span;

impl<'m> Interp<'m> {
    /// A method call on a value that is not the crate's own method or a
    /// spawner.
    pub(super) fn method_on_value(
        &mut self,
        rv: Val<'m>,
        method: &str,
        args: &'m [Expr],
        span: Span,
        waits: bool,
    ) -> Val<'m> {
        if method == "upgrade" && args.is_empty() {
            if let Val::State(r) = &rv {
                if matches!(r.key.root, Root::Cyclic(_)) {
                    return Val::State(SRef::with_mode(r.key.clone(), RefMode::Lookup));
                }
            }
        }
        if method == "join" && args.is_empty() {
            self.joined(&rv);
            self.gate(span);
            return Val::Unknown;
        }
        if self.cat.blocking_methods.contains(method) {
            self.run_closure_args(args, span);
            if let Some(a @ Expr::Path { .. }) = args.first() {
                if let Val::Thunk(t) = self.eval(a) {
                    self.run_thunk(&t, Vec::new(), span);
                }
            }
            return Val::Unknown;
        }
        if waits && self.cat.gate_methods.contains(method) {
            return self.gate_call(rv, method, args, span);
        }
        match rv {
            Val::State(r) => self.method_on_state(r, method, args, span),
            Val::Thunk(t) => {
                self.eval_args(args);
                if self.cat.sem.future_adapters.contains(method) {
                    Val::Thunk(t)
                } else {
                    Val::Unknown
                }
            }
            Val::Message => {
                self.eval_args(args);
                Val::Message
            }
            Val::Join(id) => {
                self.eval_args(args);
                Val::Join(id)
            }
            Val::Unknown | Val::NoneArg => {
                self.run_closure_args(args, span);
                Val::Unknown
            }
        }
    }

    /// A call that waits for a signal: the task is gated from here on. A
    /// receive hands back a message; `cvar.wait(guard)` the guard.
    fn gate_call(&mut self, rv: Val<'m>, method: &str, args: &'m [Expr], span: Span) -> Val<'m> {
        self.nested(|n| n.quiet += 1, |it| it.eval_args(args));
        if let Some(id) = rv.local_id() {
            self.rec().waited(id);
        }
        self.gate(span);
        if self.cat.sem.receives.contains(method) {
            return Val::Message;
        }
        if self.cat.sem.signals.contains(method) {
            return Val::Unknown;
        }
        match rv {
            Val::State(r) => Val::state(r.key),
            _ => Val::Unknown,
        }
    }

    /// A method call on state.
    fn method_on_state(&mut self, r: SRef, method: &str, args: &'m [Expr], span: Span) -> Val<'m> {
        let sem = &self.cat.sem;
        if sem.locks.contains(method) && args.len() <= 1 {
            self.eval_args(args);
            return Val::State(locked(r.key));
        }
        if matches!(method, "unwrap" | "expect") && r.mode == RefMode::Locked {
            // Lock poisoning, not absence.
            return Val::state(r.key);
        }
        if sem.panicking.contains(method) {
            self.access(&r, span, AccessKind::Panicky(format!("{method}()")));
            return Val::Unknown;
        }
        if method == "clone" {
            if let Some(id) = r.key.as_local().filter(|id| self.heap.owned.contains(id)) {
                // A clone of an owned value is a copy.
                let name = self.heap.local_names[id as usize].clone();
                return self.fresh_local(&name, Placeholder::Value);
            }
        }
        if sem.transparent.contains(method) || (matches!(method, "get" | "load") && args.is_empty())
        {
            self.eval_args(args);
            let mode = match (method, r.mode) {
                ("get", _) => RefMode::Lookup,
                (_, RefMode::Locked) => RefMode::Handle,
                (_, mode) => mode,
            };
            return Val::State(SRef::with_mode(r.key, mode));
        }
        self.method_on_state_rest(r, method, args, span)
    }

    /// Mutators, option adapters, absence handlers, lookups, iteration,
    /// and any other read.
    fn method_on_state_rest(
        &mut self,
        r: SRef,
        method: &str,
        args: &'m [Expr],
        span: Span,
    ) -> Val<'m> {
        if self.cat.mutators.contains(method) {
            self.eval_args(args);
            self.write(&r, span, method, false, None);
            return Val::Unknown;
        }
        let sem = &self.cat.sem;
        if r.mode == RefMode::Lookup && sem.option_adapters.contains(method) {
            self.run_closure_args(args, span);
            return Val::State(r);
        }
        if sem.absence_handlers.contains(method) {
            self.access(&r, span, AccessKind::Tolerant { lossy: None });
            self.run_closure_args(args, span);
            return Val::Unknown;
        }
        if sem.lookups.contains(method) {
            self.eval_args(args);
            return Val::State(SRef::with_mode(r.key, RefMode::Lookup));
        }
        if sem.iteration.contains(method) {
            // Iterating reads it; the items are not tracked further.
            self.access(&r, span, AccessKind::Plain);
            return Val::Unknown;
        }
        // Any other method reads the state as it is.
        self.access(&r, span, AccessKind::Plain);
        self.run_closure_args(args, span);
        Val::Unknown
    }
}
