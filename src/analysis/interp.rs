//! The interpreter's state and the plumbing every evaluation step uses:
//! the abstract heap, the current frame, how evaluation is nested, and the
//! recorder stack. Expressions live in `eval.rs`, calls in `calls.rs`,
//! what std/tokio types do in `semantics.rs`.

use super::recorder::{Recorder, TaskRecorder};
use super::trace::{AccessKind, Key, Placeholder, Root, Via, Write};
use super::value::{Binding, SRef, Val};
use crate::catalog::Catalog;
use crate::facts::TypeInfo;
use crate::model::{FnRef, Model, TypeRef};
use crate::source::{FileId, Loc, Span};
use std::collections::{HashMap, HashSet};

/// How deep calls into the crate's own functions are followed.
pub(super) const MAX_CALL_DEPTH: usize = 5;
/// Evaluation steps allowed per analysis, so that no input can make the
/// interpreter run away.
pub(super) const STEP_BUDGET: u64 = 400_000;

/// What one analysis knows about state: its locals, their types and
/// initial values, and which locals were moved into struct fields.
#[derive(Default)]
pub(super) struct Heap {
    /// Names of locals by id.
    pub local_names: Vec<String>,
    /// Initial values of state (locals, fields, statics).
    pub placeholders: HashMap<Key, Placeholder>,
    /// A local moved into a struct literal is that field from then on.
    pub literal_aliases: HashMap<u32, Key>,
    /// Locals that own their value (`let mut v = Vec::new()`): a clone of
    /// them is a copy, not another handle.
    pub owned: HashSet<u32>,
    /// Declared or inferred types of locals (resolved paths).
    pub local_types: HashMap<u32, Vec<String>>,
    /// The two ends of each channel made by `let (tx, rx) = channel()`,
    /// each mapped to the other.
    pub channel_pairs: HashMap<u32, u32>,
    /// Locals whose declared type wraps the type `local_types` records
    /// (`Arc<Mutex<Vec<Sender<_>>>>` is not a sender).
    pub wrapped: HashSet<u32>,
}

/// The body being run: its names in scope, file, `Self` type and the value
/// a `return` gave.
pub(super) struct Frame<'m> {
    pub env: Vec<Binding<'m>>,
    pub file: FileId,
    pub owner: Option<TypeRef>,
    pub ret: Option<Val<'m>>,
}

impl<'m> Frame<'m> {
    pub fn new(file: FileId, owner: Option<TypeRef>) -> Self {
        Frame {
            env: Vec::new(),
            file,
            owner,
            ret: None,
        }
    }
}

/// Where evaluation is nested. Changed only through [`Interp::nested`]
/// (and its `in_loop`), which restores it, so no early return can leak a
/// level; `loop_checked` alone is also set in place by `note_check`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(super) struct Nesting {
    /// Loops of the task around the current point.
    pub loops: u32,
    /// `timeout(..)` arguments and racing `select!` arms: waits are bounded.
    pub bounded: u32,
    /// `if` bodies of the task.
    pub ifs: u32,
    /// `while` bodies of the task (their condition is re-checked).
    pub while_bodies: u32,
    /// Loops, and `while` bodies, of the function being run only: a
    /// caller's loop re-checks its condition without the lock a callee
    /// takes and waits on.
    pub fn_loops: u32,
    /// See `fn_loops`.
    pub fn_while_bodies: u32,
    /// An assignment target or a gate loop's condition: nothing recorded.
    pub quiet: u32,
    /// A spawn's arguments, which the spawning function evaluates before
    /// the task exists: their signal calls are not the task's.
    pub before_task: u32,
    /// Inside a scoped-spawn scope: spawns there are joined.
    pub scoped: u32,
    /// Whether the innermost loop's current iteration has checked a
    /// condition (`if`, `match`, `let .. else`) so far: a wait after or
    /// under that check is re-checked each time round. Reset when a loop
    /// body is entered; set by [`Interp::note_check`].
    pub loop_checked: bool,
    /// Whether the function being run has checked a condition so far.
    pub fn_checked: bool,
    /// Set just before a `loop` is entered: the function checked before it
    /// and the body checks again and leaves (see
    /// `classify::exits_on_check`), so its waits are re-checked ones.
    pub loop_rechecks: bool,
    /// Set just before the base of an `.await` that is a method call is
    /// evaluated; that call reads and clears it (`x.notified().await`).
    pub awaited: bool,
    /// Inside the arms of a `select!` or `join!`, whose futures the macro
    /// awaits: `rx.next()` there waits as `rx.next().await` does.
    pub macro_awaited: u32,
}

impl Nesting {
    /// The nesting a spawned task's body starts with: none of the spawning
    /// function's loops or branches, the same quietness and scope.
    fn for_task(self) -> Nesting {
        Nesting {
            loops: 0,
            bounded: 0,
            ifs: 0,
            while_bodies: 0,
            fn_loops: 0,
            fn_while_bodies: 0,
            loop_checked: false,
            fn_checked: false,
            loop_rechecks: false,
            ..self
        }
    }
}

/// An abstract interpreter over lowered function bodies.
pub(super) struct Interp<'m> {
    pub model: &'m Model,
    pub cat: &'m Catalog,
    pub heap: Heap,
    pub frame: Frame<'m>,
    pub nest: Nesting,
    /// Crate functions being run, innermost last.
    pub stack: Vec<FnRef>,
    /// Call sites from the analyzed function (or task entry) to here.
    pub via: Vec<Via>,
    /// The recorder stack: the last one records.
    recorders: Vec<Recorder>,
    /// `new_cyclic` calls seen, by number.
    pub cyclics: Vec<Loc>,
    /// The `new_cyclic` closures being run.
    pub cyclic_stack: Vec<u32>,
    steps: u64,
    /// How many conditions the run has checked so far: a wait compares it
    /// with the count at its subscription to tell whether the state was
    /// checked after subscribing (register first) or only before.
    pub checks: u32,
    /// Calls already run that recorded nothing (see `calls::Inert`), with
    /// the statements each ran: running one again would only repeat that.
    pub inert: std::collections::HashMap<super::calls::CallKey, u64>,
    /// The branches taken to the current point: per `if` / `match`
    /// evaluated outside any loop, its number and the arm (see
    /// [`super::trace::exclusive`]).
    pub branches: Vec<(u32, u32)>,
    /// Branch points numbered so far.
    next_branch: u32,
}

impl<'m> Interp<'m> {
    pub fn new(model: &'m Model, cat: &'m Catalog, rec: Recorder) -> Self {
        Interp {
            model,
            cat,
            heap: Heap::default(),
            frame: Frame::new(0, None),
            nest: Nesting::default(),
            stack: Vec::new(),
            via: Vec::new(),
            recorders: vec![rec],
            cyclics: Vec::new(),
            cyclic_stack: Vec::new(),
            steps: 0,
            checks: 0,
            inert: std::collections::HashMap::new(),
            branches: Vec::new(),
            next_branch: 0,
        }
    }

    /// A new branch point (an `if` or `match` about to choose an arm), or
    /// `None` inside a loop: there one iteration may take one arm and the
    /// next another, so the arms are not exclusive.
    pub fn branch_point(&mut self) -> Option<u32> {
        if self.nest.loops > 0 {
            return None;
        }
        self.next_branch += 1;
        Some(self.next_branch)
    }

    /// Run `f` as arm `arm` of branch point `point`.
    pub fn on_arm<T>(&mut self, point: Option<u32>, arm: u32, f: impl FnOnce(&mut Self) -> T) -> T {
        let Some(id) = point else {
            return f(self);
        };
        self.branches.push((id, arm));
        let v = f(self);
        self.branches.pop();
        v
    }

    /// The recorder of the run and what the analysis learned.
    pub fn finish(mut self) -> (Recorder, Heap, Vec<Loc>, bool) {
        let rec = self
            .recorders
            .pop()
            .expect("the base recorder is never popped");
        (rec, self.heap, self.cyclics, self.steps > STEP_BUDGET)
    }

    /// The active recorder.
    pub fn rec(&mut self) -> &mut Recorder {
        self.recorders
            .last_mut()
            .expect("the base recorder is never popped")
    }

    /// The constructor recorder below any task being run, if the analysis
    /// is a constructor's.
    pub fn ctor_rec(&mut self) -> Option<&mut super::recorder::CtorRecorder> {
        self.recorders.iter_mut().find_map(Recorder::as_ctor)
    }

    /// How many recorders are stacked (a task being run adds one).
    pub fn recorder_depth(&self) -> usize {
        self.recorders.len()
    }

    /// Whether the step budget is spent.
    pub fn out_of_steps(&self) -> bool {
        self.steps > STEP_BUDGET
    }

    /// How much every recorder of the stack has recorded, apart from the
    /// calls it saw run: equal before and after a call when the call did
    /// nothing any rule reads. With the statements run, which order
    /// "joined before the next statement".
    pub fn recorded(&self) -> (usize, u64) {
        let mut effects = 0;
        let mut statements = 0;
        for r in &self.recorders {
            let (e, s) = r.recorded();
            effects += e;
            statements += s;
        }
        (effects, statements)
    }

    /// Count statements as if `n` more had run (a call not run again).
    pub fn add_statements(&mut self, n: u64) {
        if let Some(Recorder::Ctor(c)) = self.recorders.last_mut() {
            c.stmt_no += n;
        }
    }

    /// Count one evaluation step; `false` once the budget is spent.
    pub fn step(&mut self) -> bool {
        self.steps += 1;
        self.steps <= STEP_BUDGET
    }

    pub fn loc(&self, span: Span) -> Loc {
        Loc {
            file: self.frame.file,
            span,
        }
    }

    pub fn lookup(&self, name: &str) -> Option<Val<'m>> {
        self.frame
            .env
            .iter()
            .rev()
            .find(|b| b.name == name)
            .map(|b| b.val.clone())
    }

    /// A new local with its initial value.
    pub fn fresh_local(&mut self, name: &str, placeholder: Placeholder) -> Val<'m> {
        let id = self.heap.local_names.len() as u32;
        self.heap.local_names.push(name.to_string());
        let key = Key::root(Root::Local(id));
        self.heap.placeholders.insert(key.clone(), placeholder);
        Val::state(key)
    }

    /// Run `f` with the nesting changed by `change`, then restore it.
    pub fn nested<T>(
        &mut self,
        change: impl FnOnce(&mut Nesting),
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let saved = self.nest;
        change(&mut self.nest);
        let v = f(self);
        self.nest = saved;
        v
    }

    /// Run a loop body: one more loop, nothing checked yet this iteration.
    pub fn in_loop<T>(&mut self, while_body: bool, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = self.nest;
        let n = &mut self.nest;
        n.loops += 1;
        n.while_bodies += u32::from(while_body);
        n.fn_loops += 1;
        n.fn_while_bodies += u32::from(while_body);
        n.loop_checked = std::mem::take(&mut n.loop_rechecks);
        let v = f(self);
        let inner_checked = self.nest.loop_checked;
        self.nest = saved;
        // A check inside an inner loop — a scan of the queue that returns on
        // a match — ran in this iteration of the outer loop too, under the
        // same lock: `loop { for m in q.iter() { if hit(m) { return } }
        // cv.wait(&mut q) }` re-checks before every wait.
        if inner_checked && self.nest.loops > 0 {
            self.nest.loop_checked = true;
        }
        v
    }

    /// A condition is checked here: within the innermost loop, later waits
    /// of this iteration are re-checked ones. (The flag is sequential state
    /// of the loop body; [`Interp::in_loop`] resets and restores it.)
    pub fn note_check(&mut self) {
        self.nest.fn_checked = true;
        if self.nest.loops > 0 {
            self.nest.loop_checked = true;
        }
    }

    /// Run `f` in `frame`, then restore the current frame.
    pub fn in_frame<T>(&mut self, frame: Frame<'m>, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = std::mem::replace(&mut self.frame, frame);
        let v = f(self);
        self.frame = saved;
        v
    }

    /// Run `f` with names bound inside it dropped afterwards.
    pub fn scoped<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let mark = self.frame.env.len();
        let v = f(self);
        self.frame.env.truncate(mark);
        v
    }

    /// Run a spawned task's body with a recorder of its own: no call stack,
    /// no pending return, none of the spawner's loops. Returns what it
    /// recorded.
    pub fn as_task(&mut self, f: impl FnOnce(&mut Self)) -> TaskRecorder {
        self.recorders.push(Recorder::Task(TaskRecorder::default()));
        let stack = std::mem::take(&mut self.stack);
        let via = std::mem::take(&mut self.via);
        let ret = self.frame.ret.take();
        let nest = self.nest.for_task();
        self.nested(|n| *n = nest, f);
        self.frame.ret = ret;
        self.via = via;
        self.stack = stack;
        match self.recorders.pop() {
            Some(Recorder::Task(t)) => t,
            _ => unreachable!("as_task pops the recorder it pushed"),
        }
    }

    // ----- recording ---------------------------------------------------

    /// The task touches `r` at `span`.
    pub fn access(&mut self, r: &SRef, span: Span, kind: AccessKind) {
        if self.nest.quiet > 0 {
            return;
        }
        let loc = self.loc(span);
        let via = std::mem::take(&mut self.via);
        self.rec().access(&r.key, loc, kind, &via);
        let checks = self.checks;
        self.rec().read(&r.key, checks);
        self.via = via;
    }

    /// A value the task reads as it is, if it is state.
    pub fn access_val(&mut self, v: &Val<'m>, span: Option<Span>) {
        if let (Val::State(r), Some(span)) = (v, span) {
            self.access(r, span, AccessKind::Plain);
        }
    }

    /// State is written at `span` by `what` (a mutator or `=`).
    pub fn write(
        &mut self,
        r: &SRef,
        span: Span,
        what: &str,
        replaces: bool,
        place: Option<String>,
    ) {
        self.write_held(r, span, what, (replaces, place), None);
    }

    /// [`Interp::write`] through a lock guard taken when the constructor's
    /// timeline held `held` events (see [`Write::held_since`]).
    pub fn write_held(
        &mut self,
        r: &SRef,
        span: Span,
        what: &str,
        (replaces, place): (bool, Option<String>),
        held: Option<usize>,
    ) {
        if self.nest.quiet > 0 {
            return;
        }
        let w = Write {
            key: r.key.clone(),
            loc: self.loc(span),
            what: what.to_string(),
            via: self.via.clone(),
            replaces,
            place,
            branches: self.branches.clone(),
            held_since: held,
        };
        self.rec().write(w);
    }

    /// A name that held a handle is bound to a new value `new` (`cfg =
    /// Arc::new(real)`, `let cfg = ..` shadowing it): a task spawned
    /// earlier keeps the old handle, recorded as a replacing write. A name
    /// reused for a value of another crate type is another variable, not a
    /// replacement.
    pub fn rebinding(&mut self, name: &str, span: Span, new: &Val<'m>) {
        if self.nest.quiet > 0 {
            return;
        }
        let Some(Val::State(old)) = self.lookup(name) else {
            return;
        };
        if !old.key.path.is_empty() || matches!(old.key.root, Root::Cyclic(_)) {
            return;
        }
        if let (Root::Type(was), Val::State(now)) = (&old.key.root, new) {
            if matches!(&now.key.root, Root::Type(t) if t != was) && now.key.path.is_empty() {
                return;
            }
        }
        let loc = self.loc(span);
        let via = self.via.clone();
        let branches = self.branches.clone();
        self.rec().rebound(&old.key, || Write {
            key: old.key.clone(),
            loc,
            what: "=".to_string(),
            via,
            replaces: true,
            place: Some(name.to_string()),
            branches,
            held_since: None,
        });
    }

    /// The task waits on a gate at `span`.
    pub fn gate(&mut self, span: Span) {
        let loc = self.loc(span);
        self.rec().gate(loc);
    }

    pub fn delay(&mut self) {
        self.rec().delay();
    }

    // ----- types and names ---------------------------------------------

    /// The resolved type of a value, when a declaration says it.
    pub fn type_of(&self, v: &Val<'m>) -> Option<Vec<String>> {
        let Val::State(r) = v else { return None };
        match (&r.key.root, r.key.path.last()) {
            (Root::Local(id), None) => self.heap.local_types.get(id).cloned(),
            (Root::Type(t), Some(field)) if r.key.path.len() == 1 => {
                let ty = self.model.field_type(t, field)?;
                Some(self.model.resolve_path(t.file, &ty.path))
            }
            (Root::Type(t), None) => Some(vec![t.name.clone()]),
            (Root::Static(name), None) => {
                let (file, st) = self.model.find_static(name, self.frame.file)?;
                Some(self.model.resolve_path(file, &st.ty.path))
            }
            _ => None,
        }
    }

    /// Whether a value is a channel end (a sender or receiver itself, not
    /// something holding one).
    pub fn is_channel_end(&self, v: &Val<'m>) -> bool {
        let ends = &self.cat.sem.channel_ends;
        let Val::State(r) = v else { return false };
        match (&r.key.root, r.key.path.as_slice()) {
            (Root::Local(id), []) => {
                !self.heap.wrapped.contains(id)
                    && self
                        .heap
                        .local_types
                        .get(id)
                        .and_then(|t| t.last())
                        .is_some_and(|l| ends.contains(l))
            }
            (Root::Type(t), [field]) => self.model.field_type(t, field).is_some_and(|ty| {
                ty.wrappers.is_empty() && ty.core.as_ref().is_some_and(|c| ends.contains(c))
            }),
            _ => false,
        }
    }

    /// A path written in the current file, resolved through its `use`s.
    pub fn resolve_path(&self, segs: &[String]) -> Vec<String> {
        self.model.resolve_path(self.frame.file, segs)
    }

    /// The crate type a name written in the current file means.
    pub fn resolve_type_name(&self, name: &str) -> Option<TypeRef> {
        self.model
            .resolve_type_name(self.frame.file, self.frame.owner.as_ref(), name)
    }

    /// A parameter with no known argument: a handle to a crate type when
    /// its type says so, else unknown.
    pub fn typed_unknown(&mut self, ty: &TypeInfo) -> Val<'m> {
        let owner = ty
            .core
            .as_deref()
            .and_then(|c| self.resolve_type_name(c))
            .filter(|t| self.model.struct_def(t).is_some());
        match owner {
            Some(t) if ty.is_shared() || ty.wrappers.is_empty() => Val::instance(t),
            _ => Val::Unknown,
        }
    }

    /// `key.name`, walked down into crate structs (`Hub.inner.gauges`
    /// becomes `Inner.gauges`).
    pub fn field(&self, key: &Key, name: &str) -> Key {
        let mut k = key.clone();
        k.path.push(name.to_string());
        super::canon::normalize(self.model, self.cat, k)
    }
}
