//! Flow analysis: an abstract interpreter over the lowered function bodies.
//!
//! It runs a constructor, following calls into the crate's own functions
//! and methods (depth-limited), and records in order what happens: spawns,
//! writes to shared state, calls. For every spawn it runs the task's body
//! the same way and records what the task touches before it waits on
//! anything. For load-like methods it records the writes. The rules then
//! compare those traces; they never look at syntax themselves.
//!
//! Abstraction: state is identified by a [`Key`]: either a local binding of
//! the constructor or a field path of a crate type (every instance of a type
//! shares its keys). A local moved into a struct literal becomes that field.

use super::{FnRef, Model, TypeRef};
use crate::catalog::Catalog;
use crate::facts::{Block, Expr, LitKind, Pat, Receiver, Stmt, TypeInfo};
use crate::source::{FileId, Loc, Span};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

/// How deep calls into the crate's own functions are followed.
const MAX_CALL_DEPTH: usize = 5;
/// Evaluation steps allowed per analysis, so that no input can make the
/// interpreter run away.
const STEP_BUDGET: u64 = 400_000;

/// The root of a piece of state.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Root {
    /// A local binding of the analyzed constructor (by local id).
    Local(u32),
    /// Any instance of a crate type.
    Type(TypeRef),
    /// A `static` of the crate, by name.
    Static(String),
    /// The `Weak` handed to the closure of `new_cyclic` number `n` of the
    /// analysis: it cannot be upgraded until `new_cyclic` returns.
    Cyclic(u32),
}

/// A piece of state: a root and a field path below it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// Where it lives.
    pub root: Root,
    /// Fields below the root.
    pub path: Vec<String>,
}

impl Key {
    /// Whether the two keys can name overlapping state (one path is a
    /// prefix of the other).
    pub fn overlaps(&self, other: &Key) -> bool {
        self.root == other.root && self.path.iter().zip(&other.path).all(|(a, b)| a == b)
    }
}

/// What a constructor put into a piece of state before anything else ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placeholder {
    /// `None`, `OnceLock::new()`: unwrapping it panics.
    Absent,
    /// An empty collection: indexing it panics.
    Empty,
    /// A zero, `false`, or `Default::default()`: reads are silently wrong.
    Default,
    /// A real value.
    Value,
}

impl Placeholder {
    /// Whether the initial value is a stand-in rather than a real value.
    pub fn is_placeholder(self) -> bool {
        self != Placeholder::Value
    }
}

/// How a task touches a piece of state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessKind {
    /// Would panic on the placeholder (`unwrap`, `expect`, indexing).
    Panicky(String),
    /// Reads it as it is.
    Plain,
    /// Handles absence (`if let`, `match`, `unwrap_or`); `lossy` is set when
    /// the absent branch drops a message the task already received.
    Tolerant {
        /// Where the received message is dropped.
        lossy: Option<Loc>,
    },
}

/// One call step on the way from the analyzed function to an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Via {
    /// The call site.
    pub loc: Loc,
    /// The called function's name.
    pub callee: String,
}

/// A task's access to state.
#[derive(Clone, Debug)]
pub struct Access {
    /// What it touched (canonical after [`CtorAnalysis`] is built).
    pub key: Key,
    /// Where.
    pub loc: Loc,
    /// How.
    pub kind: AccessKind,
    /// Calls from the task's entry to the access.
    pub via: Vec<Via>,
    /// Whether an await or sleep ran before it.
    pub delayed: bool,
    /// Whether the task waited on a gate before it.
    pub gated: bool,
    /// Whether an interval's first tick ran before it.
    pub after_first_tick: Option<Loc>,
}

/// Something written during construction or by a method.
#[derive(Clone, Debug)]
pub struct Write {
    /// What was written.
    pub key: Key,
    /// Where.
    pub loc: Loc,
    /// The mutator name or `=`.
    pub what: String,
    /// Calls from the analyzed function to the write.
    pub via: Vec<Via>,
    /// Whether the write puts a new value in place of the old one
    /// (`self.cfg = Arc::new(..)`, `cfg = ..`) rather than mutating the
    /// value: whoever holds a clone of the old handle keeps the old value.
    pub replaces: bool,
}

/// The flavour of a spawn, for fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
    /// An OS thread (std, rayon): closures, blocking gates.
    Thread,
    /// An async task (tokio and compatible): futures, async gates.
    Async,
}

/// A spawn reached from a constructor.
#[derive(Clone, Debug)]
pub struct SpawnSite {
    /// The spawn callee (`tokio::spawn`, `.spawn`): the primary span.
    pub loc: Loc,
    /// The whole spawn call.
    pub call: Loc,
    /// The argument that became the task.
    pub task: Loc,
    /// How the spawner was written (`tokio::spawn`, `.spawn`).
    pub spawner: String,
    /// Thread or async.
    pub runtime: Runtime,
    /// Calls from the constructor to the spawn.
    pub via: Vec<Via>,
    /// The task's accesses, in order.
    pub accesses: Vec<Access>,
    /// Functions the task runs.
    pub task_calls: BTreeSet<FnRef>,
    /// Joined before the next statement.
    pub joined: bool,
    /// Names the task expression captures from the spawning function.
    pub captures: Vec<Capture>,
    /// The `new_cyclic` call whose closure holds the spawn, if any.
    pub in_cyclic: Option<u32>,
    /// How the task starts listening or waiting (SL006, SL007).
    pub listens: Vec<Listen>,
    stmt_no: u64,
}

/// How a task starts listening for, or waiting on, a signal.
#[derive(Clone, Debug)]
pub struct Listen {
    /// What it does.
    pub kind: ListenKind,
    /// The call.
    pub loc: Loc,
    /// The receiver expression's last name (`events`, `ready`, `cvar`).
    pub name: String,
    /// Calls from the task's entry to the call.
    pub via: Vec<Via>,
    /// Whether the task already waited or slept before it.
    pub delayed: bool,
    /// Whether the call sits in a loop of the task.
    pub in_loop: bool,
    /// Whether the wait is bounded: inside a `timeout(..)`, or one arm of
    /// a `select!` among others.
    pub bounded: bool,
    /// Whether the receiver is a local of the spawning function (rather
    /// than a field, a static or unknown): its signal must then come from
    /// that function too.
    pub on_local: bool,
}

/// The kinds of [`Listen`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListenKind {
    /// `subscribe()`/`resubscribe()` on a value of a known type (resolved
    /// path), or of unknown type.
    Subscribe {
        /// The method.
        method: String,
        /// The receiver's type, resolved (`tokio::sync::broadcast::Sender`).
        ty: Option<Vec<String>>,
    },
    /// `notify.notified()` created inside the task.
    Notified,
    /// `cvar.wait(guard)`: `checked` tells how the condition is re-checked.
    CondvarWait {
        /// `while` loop or `wait_while`: correct; `if`: once; none: never.
        check: WaitCheck,
    },
    /// `rx.changed()` on a watch receiver the task subscribed itself,
    /// without reading the current value first.
    WatchChangedUnchecked {
        /// Where the task subscribed.
        subscribed: Loc,
    },
}

/// How a `Condvar` wait re-checks its condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitCheck {
    /// In a `while` loop on the condition, or `wait_while`.
    Loop,
    /// Under an `if`: a spurious wakeup or a signal before the wait slips
    /// through.
    Once,
    /// Not at all: a notification before the wait is lost.
    Never,
}

/// A name the task captures from the function that spawns it.
#[derive(Clone, Debug)]
pub struct Capture {
    /// The captured name (`me`, `probe_routes`).
    pub name: String,
    /// The state it is a handle to, if any (canonical after analysis).
    pub key: Option<Key>,
    /// The `let` that bound it, if it was bound by one.
    pub decl: Option<Loc>,
}

impl Capture {
    /// The crate type this is a handle to (`me` for `Arc<Self>`), if any.
    pub fn handle_type(&self) -> Option<&str> {
        match &self.key {
            Some(Key {
                root: Root::Type(t),
                path,
            }) if path.is_empty() => Some(&t.name),
            _ => None,
        }
    }
}

/// What happened in a constructor, in order.
#[derive(Clone, Debug)]
pub enum CtorEvent {
    /// Spawn number `n` of [`CtorAnalysis::spawns`].
    Spawn(usize),
    /// A write to state.
    Write(Write),
    /// A crate function or method was run.
    Called(FnRef),
}

/// The analysis of one constructor.
#[derive(Debug)]
pub struct CtorAnalysis {
    /// The constructor.
    pub ctor: FnRef,
    /// The type it builds.
    pub ty: TypeRef,
    /// Events in order.
    pub timeline: Vec<CtorEvent>,
    /// Spawns reached.
    pub spawns: Vec<SpawnSite>,
    /// Names of locals by id.
    pub local_names: Vec<String>,
    /// `new_cyclic` calls by number.
    pub cyclics: Vec<Loc>,
    placeholders: HashMap<Key, Placeholder>,
}

impl CtorAnalysis {
    /// The initial value a constructor gave `key` (or the nearest enclosing
    /// state it knows), if it saw one.
    pub fn placeholder(&self, key: &Key) -> Option<Placeholder> {
        let mut k = key.clone();
        loop {
            if let Some(p) = self.placeholders.get(&k) {
                return Some(*p);
            }
            k.path.pop()?;
        }
    }

    /// A readable name for a key: the field path, or the local's name.
    pub fn key_name(&self, key: &Key) -> String {
        key_name(key, &self.local_names)
    }
}

/// A readable name for a key.
pub fn key_name(key: &Key, locals: &[String]) -> String {
    match (&key.root, key.path.last()) {
        (_, Some(last)) => last.clone(),
        (Root::Local(id), None) => locals.get(*id as usize).cloned().unwrap_or_default(),
        (Root::Type(t), None) => t.name.clone(),
        (Root::Static(name), None) => name.clone(),
        (Root::Cyclic(_), None) => "the `Weak`".to_string(),
    }
}

/// Run a constructor and everything it spawns.
pub fn analyze_constructor(
    model: &Model,
    catalog: &Catalog,
    ctor: FnRef,
    ty: TypeRef,
) -> CtorAnalysis {
    let mut it = Interp::new(model, catalog, Mode::Ctor);
    it.enter_fn(ctor, None, Vec::new(), None);
    let mut spawns = std::mem::take(&mut it.spawns);
    let mut timeline = std::mem::take(&mut it.timeline);
    // A local moved into a struct literal is that field from then on.
    let aliases = it.literal_aliases.clone();
    let canon = |key: &Key| -> Key { canonical(model, &aliases, key) };
    for s in &mut spawns {
        for a in &mut s.accesses {
            a.key = canon(&a.key);
        }
        for c in &mut s.captures {
            c.key = c.key.as_ref().map(&canon);
        }
    }
    for e in &mut timeline {
        if let CtorEvent::Write(w) = e {
            w.key = canon(&w.key);
        }
    }
    let mut placeholders = HashMap::new();
    for (k, p) in it.placeholders.drain() {
        placeholders.entry(canon(&k)).or_insert(p);
    }
    CtorAnalysis {
        ctor,
        ty,
        timeline,
        spawns,
        local_names: it.local_names,
        cyclics: it.cyclics,
        placeholders,
    }
}

/// The spawns a function makes itself (not through the functions it
/// calls), with their tasks run: SL006 and SL007 apply to every function.
pub fn analyze_spawning_fn(model: &Model, catalog: &Catalog, f: FnRef) -> Vec<SpawnSite> {
    let mut it = Interp::new(model, catalog, Mode::Ctor);
    let func = model.func(f);
    let this = func
        .owner
        .as_deref()
        .and_then(|o| model.resolve_type(o, f.file))
        .filter(|_| func.receiver != Receiver::None)
        .map(|t| {
            Val::State(SRef::handle(Key {
                root: Root::Type(t),
                path: Vec::new(),
            }))
        });
    it.enter_fn(f, this, Vec::new(), None);
    it.spawns.retain(|s| s.via.is_empty());
    it.spawns
}

/// The writes a method makes (following its calls), with `self` bound to
/// an instance of `ty`.
pub fn method_writes(model: &Model, catalog: &Catalog, ty: &TypeRef, method: FnRef) -> Vec<Write> {
    method_effects(model, catalog, ty, method).0
}

/// The writes a method makes and the spawn calls it reaches (following its
/// calls), with `self` bound to an instance of `ty`. A method that replaces
/// a task's handle and then reaches the same spawn again restarts the task
/// with the new handle.
pub fn method_effects(
    model: &Model,
    catalog: &Catalog,
    ty: &TypeRef,
    method: FnRef,
) -> (Vec<Write>, Vec<Loc>) {
    let mut it = Interp::new(model, catalog, Mode::Method);
    let this = Val::State(SRef::handle(Key {
        root: Root::Type(ty.clone()),
        path: Vec::new(),
    }));
    it.enter_fn(method, Some(this), Vec::new(), None);
    let spawned = std::mem::take(&mut it.respawns);
    let writes = it
        .timeline
        .into_iter()
        .filter_map(|e| match e {
            CtorEvent::Write(w) if matches!(w.key.root, Root::Type(_) | Root::Static(_)) => Some(w),
            _ => None,
        })
        .collect();
    (writes, spawned)
}

fn canonical(model: &Model, aliases: &HashMap<u32, Key>, key: &Key) -> Key {
    let mut key = key.clone();
    for _ in 0..8 {
        let Root::Local(id) = key.root else { break };
        let Some(target) = aliases.get(&id) else {
            break;
        };
        let mut path = target.path.clone();
        path.extend(key.path.iter().cloned());
        key = Key {
            root: target.root.clone(),
            path,
        };
    }
    normalize(model, key)
}

/// Walk a type-rooted key down through fields whose types are crate
/// structs, so `Hub.inner.gauges` becomes `Inner.gauges`.
fn normalize(model: &Model, mut key: Key) -> Key {
    while let Root::Type(t) = &key.root {
        let Some(first) = key.path.first() else { break };
        let Some(next) = field_struct(model, t, first) else {
            break;
        };
        key.root = Root::Type(next);
        key.path.remove(0);
    }
    key
}

fn field_struct(model: &Model, owner: &TypeRef, field: &str) -> Option<TypeRef> {
    let ty = model.field_type(owner, field)?;
    if ty.wrappers.iter().any(|w| {
        matches!(
            w.as_str(),
            "Vec" | "VecDeque" | "Weak" | "JoinHandle" | "Option" | "OnceLock" | "OnceCell"
        )
    }) {
        // An optional or plural holder is state of its own, not the inner type.
        return None;
    }
    let core = ty.core.as_deref()?;
    if core == "Self" {
        return Some(owner.clone());
    }
    let t = model.resolve_type(core, owner.file)?;
    model.struct_def(&t)?;
    Some(t)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Running a constructor: record spawns and writes.
    Ctor,
    /// Running a spawned task: record accesses and gates.
    Task,
    /// Running a method: record writes.
    Method,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RefMode {
    /// The state itself (or a guard of it).
    Handle,
    /// Just locked: the next `unwrap` is lock poisoning, not absence.
    Locked,
    /// An `Option` looked up in it (`get(k)`, `first()`).
    Lookup,
}

#[derive(Clone, Debug)]
struct SRef {
    key: Key,
    mode: RefMode,
}

impl SRef {
    fn handle(key: Key) -> SRef {
        SRef {
            key,
            mode: RefMode::Handle,
        }
    }
}

#[derive(Clone)]
enum Val<'m> {
    Unknown,
    State(SRef),
    Thunk(Rc<Thunk<'m>>),
    Message,
    Join(usize),
}

enum ThunkKind<'m> {
    Closure(&'m [Pat], &'m Expr),
    Async(&'m Block),
    Call(FnRef, Option<Val<'m>>, Vec<Val<'m>>),
}

/// A name in scope, its value, and the `let` that bound it.
#[derive(Clone)]
struct Binding<'m> {
    name: String,
    val: Val<'m>,
    decl: Option<Loc>,
}

impl<'m> Binding<'m> {
    fn new(name: impl Into<String>, val: Val<'m>) -> Self {
        Binding {
            name: name.into(),
            val,
            decl: None,
        }
    }
}

struct Thunk<'m> {
    kind: ThunkKind<'m>,
    env: Vec<Binding<'m>>,
    file: FileId,
    owner: Option<TypeRef>,
}

struct Interp<'m> {
    model: &'m Model,
    cat: &'m Catalog,
    mode: Mode,
    env: Vec<Binding<'m>>,
    file: FileId,
    owner: Option<TypeRef>,
    stack: Vec<FnRef>,
    via: Vec<Via>,
    local_names: Vec<String>,
    placeholders: HashMap<Key, Placeholder>,
    literal_aliases: HashMap<u32, Key>,
    /// Locals that own their value (`let mut v = Vec::new()`): a clone of
    /// them is a copy, not another handle.
    owned: std::collections::HashSet<u32>,
    timeline: Vec<CtorEvent>,
    spawns: Vec<SpawnSite>,
    // Task recording state.
    accesses: Vec<Access>,
    task_calls: BTreeSet<FnRef>,
    delayed: bool,
    gated: bool,
    first_tick: Option<Loc>,
    suppress: u32,
    in_scope: u32,
    stmt_no: u64,
    steps: u64,
    ret: Option<Val<'m>>,
    /// The `let` statement being bound, for capture labels.
    binding_site: Option<Loc>,
    /// Declared or inferred types of locals (resolved paths).
    local_types: HashMap<u32, Vec<String>>,
    /// Locals a task subscribed itself (`let rx = tx.subscribe()`), with
    /// where; removed once their current value is read.
    self_subscribed: HashMap<u32, Loc>,
    /// `new_cyclic` calls seen, and the ones whose closure is running.
    cyclics: Vec<Loc>,
    cyclic_stack: Vec<u32>,
    /// Task recording of [`Listen`]s.
    listens: Vec<Listen>,
    /// Nesting of loops, `select!` arms and `timeout(..)` arguments in the
    /// task being run; `no_listen` while evaluating a spawn's arguments,
    /// which run before the task.
    loop_depth: u32,
    bounded_depth: u32,
    if_depth: u32,
    while_cond_loop: u32,
    no_listen: u32,
    /// Spawn calls a method reaches (method mode).
    respawns: Vec<Loc>,
}

impl<'m> Interp<'m> {
    fn new(model: &'m Model, cat: &'m Catalog, mode: Mode) -> Self {
        Interp {
            model,
            cat,
            mode,
            env: Vec::new(),
            file: 0,
            owner: None,
            stack: Vec::new(),
            via: Vec::new(),
            local_names: Vec::new(),
            placeholders: HashMap::new(),
            literal_aliases: HashMap::new(),
            owned: Default::default(),
            timeline: Vec::new(),
            spawns: Vec::new(),
            accesses: Vec::new(),
            task_calls: BTreeSet::new(),
            delayed: false,
            gated: false,
            first_tick: None,
            suppress: 0,
            in_scope: 0,
            stmt_no: 0,
            steps: 0,
            ret: None,
            binding_site: None,
            local_types: HashMap::new(),
            self_subscribed: HashMap::new(),
            cyclics: Vec::new(),
            cyclic_stack: Vec::new(),
            listens: Vec::new(),
            loop_depth: 0,
            bounded_depth: 0,
            if_depth: 0,
            while_cond_loop: 0,
            no_listen: 0,
            respawns: Vec::new(),
        }
    }

    fn loc(&self, span: Span) -> Loc {
        Loc {
            file: self.file,
            span,
        }
    }

    fn lookup(&self, name: &str) -> Option<Val<'m>> {
        self.env
            .iter()
            .rev()
            .find(|b| b.name == name)
            .map(|b| b.val.clone())
    }

    fn fresh_local(&mut self, name: &str, placeholder: Placeholder) -> Val<'m> {
        let id = self.local_names.len() as u32;
        self.local_names.push(name.to_string());
        let key = Key {
            root: Root::Local(id),
            path: Vec::new(),
        };
        self.placeholders.insert(key.clone(), placeholder);
        Val::State(SRef::handle(key))
    }

    // ----- calls -------------------------------------------------------

    /// Run function `f` now with `self` and arguments bound.
    fn enter_fn(
        &mut self,
        f: FnRef,
        this: Option<Val<'m>>,
        args: Vec<Val<'m>>,
        call: Option<Via>,
    ) -> Val<'m> {
        if self.stack.contains(&f) || self.stack.len() >= MAX_CALL_DEPTH {
            return Val::Unknown;
        }
        let model = self.model;
        let func = model.func(f);
        let saved_env = std::mem::take(&mut self.env);
        let saved_file = self.file;
        let saved_owner = self.owner.take();
        let saved_ret = self.ret.take();
        self.file = f.file;
        self.owner = func
            .owner
            .as_deref()
            .and_then(|o| model.resolve_type(o, f.file));
        if let Some(t) = this {
            self.env.push(Binding::new("self", t));
        } else if func.receiver != Receiver::None {
            self.env.push(Binding::new("self", Val::Unknown));
        }
        let mut args = args.into_iter();
        for p in &func.params {
            let v = args.next().unwrap_or(Val::Unknown);
            let v = match v {
                Val::Unknown => self.typed_unknown(&p.ty),
                v => v,
            };
            self.bind(&p.pat, v, None, Some(&p.ty));
        }
        let pushed = call.is_some();
        if let Some(c) = call {
            self.via.push(c);
        }
        self.stack.push(f);
        match self.mode {
            Mode::Task => {
                self.task_calls.insert(f);
            }
            _ => self.timeline.push(CtorEvent::Called(f)),
        }
        let v = self.block(&func.body);
        self.stack.pop();
        if pushed {
            self.via.pop();
        }
        let ret = self.ret.take().unwrap_or(v);
        self.env = saved_env;
        self.file = saved_file;
        self.owner = saved_owner;
        self.ret = saved_ret;
        ret
    }

    /// A parameter with no known argument: a handle to a crate type when
    /// its type says so, else unknown.
    fn typed_unknown(&mut self, ty: &TypeInfo) -> Val<'m> {
        let owner = ty
            .core
            .as_deref()
            .and_then(|c| self.resolve_type_name(c))
            .filter(|t| self.model.struct_def(t).is_some());
        match owner {
            Some(t) if ty.is_shared() || ty.wrappers.is_empty() => Val::State(SRef::handle(Key {
                root: Root::Type(t),
                path: Vec::new(),
            })),
            _ => Val::Unknown,
        }
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
            return Val::Thunk(Rc::new(Thunk {
                kind: ThunkKind::Call(f, this, args),
                env: Vec::new(),
                file: self.file,
                owner: self.owner.clone(),
            }));
        }
        let via = Via {
            loc: self.loc(site),
            callee: func.name.clone(),
        };
        self.enter_fn(f, this, args, Some(via))
    }

    /// Run a deferred body (closure, async block, async fn call) now.
    fn run_thunk(&mut self, t: &Thunk<'m>, args: Vec<Val<'m>>, site: Span) -> Val<'m> {
        match &t.kind {
            ThunkKind::Call(f, this, a) => {
                let via = Via {
                    loc: self.loc(site),
                    callee: self.model.func(*f).name.clone(),
                };
                self.enter_fn(*f, this.clone(), a.clone(), Some(via))
            }
            ThunkKind::Closure(params, body) => self.in_frame_of(t, |it| {
                let mut args = args.into_iter();
                for p in params.iter() {
                    let v = args.next().unwrap_or(Val::Unknown);
                    it.bind(p, v, None, None);
                }
                it.eval(body)
            }),
            ThunkKind::Async(body) => self.in_frame_of(t, |it| it.block(body)),
        }
    }

    /// Run `f` with the environment, file and owner a thunk captured, then
    /// restore the current ones.
    fn in_frame_of<T>(&mut self, t: &Thunk<'m>, f: impl FnOnce(&mut Self) -> T) -> T {
        let env = std::mem::replace(&mut self.env, t.env.clone());
        let file = std::mem::replace(&mut self.file, t.file);
        let owner = std::mem::replace(&mut self.owner, t.owner.clone());
        let ret = self.ret.take();
        let v = f(self);
        self.env = env;
        self.file = file;
        self.owner = owner;
        self.ret = ret;
        v
    }

    fn make_thunk(&self, kind: ThunkKind<'m>) -> Val<'m> {
        Val::Thunk(Rc::new(Thunk {
            kind,
            env: self.env.clone(),
            file: self.file,
            owner: self.owner.clone(),
        }))
    }

    // ----- recording -----------------------------------------------------

    fn access(&mut self, r: &SRef, span: Span, kind: AccessKind) {
        if self.mode != Mode::Task || self.suppress > 0 {
            return;
        }
        if matches!(r.key.root, Root::Type(_)) && r.key.path.is_empty() {
            return;
        }
        let loc = self.loc(span);
        self.accesses.push(Access {
            key: r.key.clone(),
            loc,
            kind,
            via: self.via.clone(),
            delayed: self.delayed,
            gated: self.gated,
            after_first_tick: self.first_tick,
        });
    }

    fn access_val(&mut self, v: &Val<'m>, span: Option<Span>) {
        if let (Val::State(r), Some(span)) = (v, span) {
            self.access(r, span, AccessKind::Plain);
        }
    }

    fn write(&mut self, r: &SRef, span: Span, what: &str) {
        self.write_kind(r, span, what, false);
    }

    fn write_kind(&mut self, r: &SRef, span: Span, what: &str, replaces: bool) {
        if self.mode == Mode::Task || self.suppress > 0 {
            return;
        }
        let loc = self.loc(span);
        self.timeline.push(CtorEvent::Write(Write {
            key: r.key.clone(),
            loc,
            what: what.to_string(),
            via: self.via.clone(),
            replaces,
        }));
    }

    /// Record how a task starts listening (task mode only).
    fn listen(&mut self, kind: ListenKind, span: Span, name: String) {
        self.listen_on(kind, span, name, false);
    }

    fn listen_on(&mut self, kind: ListenKind, span: Span, name: String, on_local: bool) {
        if self.mode != Mode::Task || self.no_listen > 0 {
            return;
        }
        let loc = self.loc(span);
        self.listens.push(Listen {
            kind,
            loc,
            name,
            via: self.via.clone(),
            delayed: self.delayed,
            in_loop: self.loop_depth > 0,
            bounded: self.bounded_depth > 0,
            on_local,
        });
    }

    /// The resolved type of a value, when a declaration says it.
    fn type_of(&self, v: &Val<'m>) -> Option<Vec<String>> {
        let Val::State(r) = v else { return None };
        match (&r.key.root, r.key.path.last()) {
            (Root::Local(id), None) => self.local_types.get(id).cloned(),
            (Root::Type(t), Some(field)) if r.key.path.len() == 1 => {
                let ty = self.model.field_type(t, field)?;
                Some(resolve_in(self.model, t.file, &ty.path))
            }
            (Root::Type(t), None) => Some(vec![t.name.clone()]),
            (Root::Static(name), None) => {
                let (file, st) = self.model.find_static(name, self.file)?;
                Some(resolve_in(self.model, file, &st.ty.path))
            }
            _ => None,
        }
    }

    fn gate(&mut self) {
        if self.mode == Mode::Task {
            self.gated = true;
            self.delayed = true;
        }
    }

    fn delay(&mut self) {
        if self.mode == Mode::Task {
            self.delayed = true;
        }
    }

    // ----- spawns --------------------------------------------------------

    fn spawn(
        &mut self,
        callee: Span,
        call: Span,
        spawner: String,
        runtime: Runtime,
        task: &'m Expr,
    ) -> Val<'m> {
        if self.mode == Mode::Method {
            self.respawns.push(self.loc(callee));
        }
        if self.mode != Mode::Ctor || self.in_scope > 0 {
            // Spawns inside tasks or load methods are not construction, and
            // scoped spawns are joined before the scope returns.
            if self.mode != Mode::Task {
                let _ = self.eval(task);
            }
            return Val::Unknown;
        }
        let runtime = match task {
            Expr::Closure { .. } => Runtime::Thread,
            Expr::Async { .. } => Runtime::Async,
            _ => runtime,
        };
        let id = self.spawns.len();
        let mut captures: Vec<Capture> = Vec::new();
        for b in self.env.iter().rev() {
            if captures.iter().any(|c| c.name == b.name) || !task.mentions(&b.name) {
                continue;
            }
            let key = match &b.val {
                Val::State(r) => Some(r.key.clone()),
                _ => None,
            };
            captures.push(Capture {
                name: b.name.clone(),
                key,
                decl: b.decl,
            });
        }
        captures.reverse();
        let site = SpawnSite {
            captures,
            loc: self.loc(callee),
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
            stmt_no: self.stmt_no,
        };
        self.spawns.push(site);
        self.timeline.push(CtorEvent::Spawn(id));

        // Run the task body in task mode with a fresh recording state.
        let saved_via = std::mem::take(&mut self.via);
        self.mode = Mode::Task;
        self.accesses.clear();
        self.task_calls.clear();
        self.delayed = false;
        self.gated = false;
        self.first_tick = None;
        self.listens.clear();
        let saved_depths = (
            std::mem::take(&mut self.loop_depth),
            std::mem::take(&mut self.bounded_depth),
            std::mem::take(&mut self.if_depth),
            std::mem::take(&mut self.while_cond_loop),
        );
        let saved_stack = std::mem::take(&mut self.stack);
        let saved_ret = self.ret.take();
        match task {
            Expr::Closure { params, body, .. } => {
                let t = Thunk {
                    kind: ThunkKind::Closure(params, body),
                    env: self.env.clone(),
                    file: self.file,
                    owner: self.owner.clone(),
                };
                self.run_thunk(&t, Vec::new(), call);
            }
            Expr::Async { body, .. } => {
                self.scoped(|it| it.block(body));
            }
            other => {
                // `spawn(run(tx.subscribe()))`: the arguments are evaluated
                // by the spawning function, before the task exists.
                self.no_listen += 1;
                let v = self.eval(other);
                self.no_listen -= 1;
                if let Val::Thunk(t) = v {
                    let t = t.clone();
                    self.run_thunk(&t, Vec::new(), call);
                }
            }
        }
        self.ret = saved_ret;
        self.stack = saved_stack;
        self.mode = Mode::Ctor;
        self.via = saved_via;
        (
            self.loop_depth,
            self.bounded_depth,
            self.if_depth,
            self.while_cond_loop,
        ) = saved_depths;
        let site = &mut self.spawns[id];
        site.accesses = std::mem::take(&mut self.accesses);
        site.task_calls = std::mem::take(&mut self.task_calls);
        site.listens = std::mem::take(&mut self.listens);
        Val::Join(id)
    }

    fn joined(&mut self, v: &Val<'m>) {
        if let Val::Join(id) = v {
            if let Some(s) = self.spawns.get_mut(*id) {
                if self.stmt_no <= s.stmt_no + 1 {
                    s.joined = true;
                }
            }
        }
    }

    // ----- evaluation ----------------------------------------------------

    fn scoped<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let mark = self.env.len();
        let v = f(self);
        self.env.truncate(mark);
        v
    }

    fn block(&mut self, b: &'m Block) -> Val<'m> {
        self.scoped(|it| {
            let mut last = Val::Unknown;
            for s in &b.stmts {
                if it.mode == Mode::Ctor {
                    it.stmt_no += 1;
                }
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
                if let (Pat::Tuple(pats), Some(Expr::Other(elems)), None) = (pat, init, diverge) {
                    if pats.len() == elems.len() {
                        // `let (a, b) = (x.clone(), y.clone());` binds pairwise.
                        for (p, e) in pats.iter().zip(elems) {
                            let v = self.eval(e);
                            self.binding_site = Some(self.loc(*span));
                            self.bind(p, v, Some(e), None);
                            self.binding_site = None;
                        }
                        return Val::Unknown;
                    }
                }
                let v = init.as_ref().map(|i| self.eval(i)).unwrap_or(Val::Unknown);
                if let Some(d) = diverge {
                    if let Val::State(r) = &v {
                        let span = init.as_ref().and_then(|i| i.span()).unwrap_or(d.span);
                        if panics(d) {
                            // `let Some(x) = .. else { panic!() }` is an
                            // `expect` spelled differently.
                            self.access(r, span, AccessKind::Panicky("let-else panic".into()));
                        } else {
                            let lossy = self
                                .drops_message(|_| true, |m| d.mentions(m))
                                .then(|| self.loc(d.span));
                            self.access(r, span, AccessKind::Tolerant { lossy });
                        }
                    }
                    self.block(d);
                    let names = {
                        let mut n = Vec::new();
                        pat.bindings(&mut n);
                        n
                    };
                    for n in names {
                        let v = if matches!(v, Val::Message) {
                            Val::Message
                        } else {
                            Val::Unknown
                        };
                        self.env.push(Binding::new(n, v));
                    }
                    return Val::Unknown;
                }
                if let (Pat::Ident { name, .. }, Some(init)) = (pat, init) {
                    if is_fresh_value(init) {
                        self.rebinding(name, *span);
                    }
                }
                self.binding_site = Some(self.loc(*span));
                self.bind(pat, v, init.as_ref(), ty.as_ref());
                self.binding_site = None;
                if let Some(init) = init {
                    self.type_let(pat, init, *span);
                }
                Val::Unknown
            }
            Stmt::Expr(e) => self.eval(e),
        }
    }

    /// A name that held a handle a spawned task captured is bound to a new
    /// value (`cfg = Arc::new(real)`, `let cfg = ..` shadowing it): the task
    /// keeps the old handle. Recorded as a replacing write of the old state.
    fn rebinding(&mut self, name: &str, span: Span) {
        if self.mode != Mode::Ctor {
            return;
        }
        let Some(Val::State(old)) = self.lookup(name) else {
            return;
        };
        if !old.key.path.is_empty() || matches!(old.key.root, Root::Cyclic(_)) {
            return;
        }
        // Only spawns of earlier statements: `let task = spawn(task.run())`
        // binds the spawn's own result.
        let now = self.stmt_no;
        let captured = self
            .spawns
            .iter()
            .filter(|s| s.stmt_no < now)
            .any(|s| s.captures.iter().any(|c| c.key.as_ref() == Some(&old.key)));
        if captured {
            self.write_kind(&old, span, "=", true);
        }
    }

    /// Types of new locals from their initializer: `broadcast::channel(n)`
    /// gives a sender and a receiver, `tx.subscribe()` a receiver, and
    /// `Type::new(..)` a `Type`.
    fn type_let(&mut self, pat: &Pat, init: &'m Expr, span: Span) {
        let local = |it: &Self, name: &str| match it.lookup(name) {
            Some(Val::State(SRef {
                key:
                    Key {
                        root: Root::Local(id),
                        path,
                    },
                ..
            })) if path.is_empty() => Some(id),
            _ => None,
        };
        match (pat, init) {
            (Pat::Tuple(pats), Expr::Call { func, .. }) if pats.len() == 2 => {
                let Expr::Path { segs, .. } = &**func else {
                    return;
                };
                let full = self.resolve_path(segs);
                if full.last().map(String::as_str) != Some("channel") {
                    return;
                }
                let module = &full[..full.len() - 1];
                for (p, end) in pats.iter().zip(["Sender", "Receiver"]) {
                    if let Pat::Ident { name, .. } = p {
                        if let Some(id) = local(self, name) {
                            let mut ty = module.to_vec();
                            ty.push(end.to_string());
                            self.local_types.insert(id, ty);
                        }
                    }
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
                    self.local_types.entry(id).or_insert(full);
                }
            }
            (Pat::Ident { name, .. }, Expr::MethodCall { recv, method, .. })
                if method == "subscribe" =>
            {
                self.suppress += 1;
                self.no_listen += 1;
                let rv = self.eval(recv);
                self.suppress -= 1;
                self.no_listen -= 1;
                let Some(sender) = self.type_of(&rv) else {
                    return;
                };
                let Some(id) = local(self, name) else { return };
                let mut rx = sender.clone();
                if let Some(last) = rx.last_mut() {
                    *last = "Receiver".to_string();
                }
                self.local_types.insert(id, rx);
                if self.mode == Mode::Task && sender.iter().any(|s| s == "watch") {
                    let loc = self.loc(span);
                    self.self_subscribed.insert(id, loc);
                }
            }
            _ => {}
        }
    }

    /// Bind a pattern to a value. Unknown values become fresh locals so a
    /// task capturing them can be matched with later writes.
    fn bind(&mut self, pat: &Pat, v: Val<'m>, init: Option<&Expr>, ty: Option<&TypeInfo>) {
        match pat {
            Pat::Ident { name, mutable } => {
                let v = match v {
                    Val::Unknown => {
                        let placeholder = init.map(placeholder_of).unwrap_or(Placeholder::Value);
                        let shared =
                            init.is_some_and(is_shared_init) || ty.is_some_and(|t| t.is_shared());
                        let v = self.fresh_local(name, placeholder);
                        if *mutable && !shared {
                            if let Val::State(SRef {
                                key:
                                    Key {
                                        root: Root::Local(id),
                                        ..
                                    },
                                ..
                            }) = &v
                            {
                                self.owned.insert(*id);
                            }
                        }
                        v
                    }
                    v => v,
                };
                if let (
                    Some(t),
                    Val::State(SRef {
                        key:
                            Key {
                                root: Root::Local(id),
                                path,
                            },
                        ..
                    }),
                ) = (ty, &v)
                {
                    if path.is_empty() && !t.path.is_empty() {
                        let full = self.resolve_path(&t.path);
                        self.local_types.insert(*id, full);
                    }
                }
                let decl = self.binding_site;
                self.env.push(Binding {
                    name: name.clone(),
                    val: v,
                    decl,
                });
            }
            Pat::Destructure { elems, .. } | Pat::Tuple(elems) => {
                for e in elems {
                    let sub = if matches!(v, Val::Message) {
                        Val::Message
                    } else {
                        Val::Unknown
                    };
                    self.bind(e, sub, None, None);
                }
            }
            Pat::Other => {}
        }
    }

    /// Names in scope bound to a message the task received.
    fn messages(&self) -> impl Iterator<Item = &str> {
        self.env
            .iter()
            .filter(|b| matches!(b.val, Val::Message))
            .map(|b| b.name.as_str())
    }

    /// Whether a received message is used on the path that has the state
    /// (`kept`) but not on the path that lacks it (`dropped`).
    fn drops_message(&self, kept: impl Fn(&str) -> bool, dropped: impl Fn(&str) -> bool) -> bool {
        self.messages().any(|m| kept(m) && !dropped(m))
    }

    fn eval(&mut self, e: &'m Expr) -> Val<'m> {
        self.steps += 1;
        if self.steps > STEP_BUDGET {
            return Val::Unknown;
        }
        match e {
            Expr::Path { segs, .. } => {
                if segs.len() == 1 {
                    if let Some(v) = self.lookup(&segs[0]) {
                        return v;
                    }
                }
                self.static_val(segs).unwrap_or(Val::Unknown)
            }
            Expr::Lit(_) => Val::Unknown,
            Expr::Field { base, name, .. } => match self.eval(base) {
                Val::State(r) => Val::State(SRef::handle(self.field(&r.key, name))),
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
            Expr::If { cond, then, els } => {
                self.scoped(|it| {
                    it.condition(cond, then, els.as_deref());
                    it.if_depth += 1;
                    it.block(then);
                    it.if_depth -= 1;
                });
                if let Some(e) = els {
                    self.eval(e);
                }
                Val::Unknown
            }
            Expr::Let { expr, pat } => {
                let v = self.eval(expr);
                self.bind_refutable(pat, &v);
                Val::Unknown
            }
            Expr::Match { scrutinee, arms } => {
                let v = self.eval(scrutinee);
                if let Val::State(r) = &v {
                    let span = scrutinee.span().unwrap_or_default();
                    let lossy = self.lossy_in_arms(scrutinee, arms);
                    self.access(r, span, AccessKind::Tolerant { lossy });
                }
                for arm in arms {
                    self.scoped(|it| {
                        it.bind_refutable(&arm.pat, &v);
                        it.eval(&arm.body);
                    });
                }
                Val::Unknown
            }
            Expr::While { cond, body } => {
                // A loop whose body only waits (`while !ready.load(..) {
                // spin_loop() }`, a `Condvar` wait loop) is a gate; any other
                // `while` is the task's work loop.
                let gate_loop = waits_only(body, self.cat);
                self.scoped(|it| {
                    if gate_loop {
                        it.suppress += 1;
                        it.eval(cond);
                        it.suppress -= 1;
                        it.gate();
                    } else {
                        it.condition(cond, body, None);
                    }
                    it.loop_depth += 1;
                    it.while_cond_loop += 1;
                    it.block(body);
                    it.while_cond_loop -= 1;
                    it.loop_depth -= 1;
                });
                Val::Unknown
            }
            Expr::Loop { body } => {
                self.loop_depth += 1;
                self.block(body);
                self.loop_depth -= 1;
                Val::Unknown
            }
            Expr::For { pat, iter, body } => {
                let v = self.eval(iter);
                self.access_val(&v, iter.span());
                self.scoped(|it| {
                    it.bind(pat, Val::Unknown, None, None);
                    it.loop_depth += 1;
                    it.block(body);
                    it.loop_depth -= 1;
                });
                Val::Unknown
            }
            Expr::Await { base, span } => self.await_expr(base, *span),
            Expr::Try { base } => {
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
                    Val::State(r) if r.mode == RefMode::Locked => {
                        Val::State(SRef::handle(r.key.clone()))
                    }
                    Val::State(_) => v,
                    _ => Val::Unknown,
                }
            }
            Expr::Deref { base } | Expr::Ref { base } => self.eval(base),
            Expr::Not { base } => {
                let v = self.eval(base);
                self.access_val(&v, base.span());
                Val::Unknown
            }
            Expr::Assign { lhs, rhs, span } => {
                let v = self.eval(rhs);
                if let Some(name) = lhs
                    .as_ident()
                    .filter(|_| matches!(**lhs, Expr::Path { .. }))
                {
                    if is_fresh_value(rhs) {
                        self.rebinding(name, *span);
                    }
                    let v = match v {
                        Val::Unknown => self.fresh_local(name, placeholder_of(rhs)),
                        v => v,
                    };
                    self.env.push(Binding::new(name, v));
                } else {
                    self.suppress += 1;
                    let target = self.eval(lhs);
                    self.suppress -= 1;
                    if let Val::State(r) = &target {
                        self.write_kind(r, *span, "=", is_place(lhs));
                    }
                }
                Val::Unknown
            }
            Expr::Macro { args, span, name } => {
                if let Some(task) = args
                    .first()
                    .filter(|_| self.model.is_spawn_macro(name, self.file))
                {
                    // A crate's own `spawn!` wrapper: its first argument is
                    // the task.
                    return self.spawn(*span, *span, format!("{name}!"), Runtime::Async, task);
                }
                // Every arm of a `select!` races the others: a wait there is
                // bounded by them.
                let racing = name == "select" && args.len() > 2;
                if racing {
                    self.bounded_depth += 1;
                }
                for a in args {
                    let v = self.eval(a);
                    self.access_val(&v, a.span().or(Some(*span)));
                }
                if racing {
                    self.bounded_depth -= 1;
                }
                Val::Unknown
            }
            Expr::Jump { value, .. } => {
                if let Some(v) = value {
                    let v = self.eval(v);
                    if self.ret.is_none() && !matches!(v, Val::Unknown) {
                        self.ret = Some(v);
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

    /// A crate `static` named by `segs` (`CONFIG`, `crate::CONFIG`), as
    /// state with its initializer's placeholder.
    fn static_val(&mut self, segs: &[String]) -> Option<Val<'m>> {
        let name = segs.last()?;
        if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
            return None;
        }
        if segs.len() > 1
            && !matches!(
                segs.first().map(String::as_str),
                Some("crate" | "self" | "super")
            )
            && segs.len() > 2
        {
            return None;
        }
        if segs.len() == 1 && self.imported_from_elsewhere(name) {
            return None;
        }
        let (_, st) = self.model.find_static(name, self.file)?;
        let key = Key {
            root: Root::Static(name.clone()),
            path: Vec::new(),
        };
        let placeholder = placeholder_of(&st.init);
        self.placeholders.entry(key.clone()).or_insert(placeholder);
        Some(Val::State(SRef::handle(key)))
    }

    /// An `if`/`while` condition. `if let` on state tolerates absence.
    fn condition(&mut self, cond: &'m Expr, then: &'m Block, els: Option<&'m Expr>) {
        if let Expr::Let { pat, expr } = cond {
            let v = self.eval(expr);
            if let Val::State(r) = &v {
                let lossy = self
                    .drops_message(|m| then.mentions(m), |m| els.is_some_and(|e| e.mentions(m)))
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
        } else {
            let v = self.eval(cond);
            self.access_val(&v, cond.span());
        }
    }

    /// Where a `match` on the state drops a received message: an arm that
    /// does not use a message another arm uses, or, when the lookup is
    /// keyed by the message (`map.get(&job.kind)`), an arm that skips it
    /// (`None => continue`).
    fn lossy_in_arms(&self, scrutinee: &Expr, arms: &'m [crate::facts::Arm]) -> Option<Loc> {
        let skipped = self.messages().find_map(|m| {
            if !scrutinee.mentions(m) {
                return None;
            }
            let skipping = arms
                .iter()
                .find(|a| matches!(a.body, Expr::Jump { .. }) && !a.body.mentions(m))?;
            Some(self.loc(skipping.body.span().unwrap_or_default()))
        });
        if skipped.is_some() {
            return skipped;
        }
        self.messages().find_map(|m| {
            if !arms.iter().any(|a| a.body.mentions(m)) {
                return None;
            }
            let dropping = arms.iter().find(|a| !a.body.mentions(m))?;
            Some(self.loc(dropping.body.span().unwrap_or_default()))
        })
    }

    fn bind_refutable(&mut self, pat: &Pat, v: &Val<'m>) {
        let mut names = Vec::new();
        pat.bindings(&mut names);
        for n in names {
            let val = match v {
                Val::Message => Val::Message,
                _ => Val::Unknown,
            };
            self.env.push(Binding::new(n, val));
        }
    }

    fn field(&self, key: &Key, name: &str) -> Key {
        let mut k = key.clone();
        k.path.push(name.to_string());
        normalize(self.model, k)
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
        let root = Key {
            root: Root::Type(ty.clone()),
            path: Vec::new(),
        };
        for (f, e, v) in &vals {
            let field_key = Key {
                root: Root::Type(ty.clone()),
                path: vec![(*f).clone()],
            };
            let p = match v {
                Val::State(r) => match r.key.root {
                    Root::Local(id) if r.key.path.is_empty() => {
                        self.literal_aliases
                            .entry(id)
                            .or_insert_with(|| field_key.clone());
                        self.placeholders
                            .get(&r.key)
                            .copied()
                            .unwrap_or(Placeholder::Value)
                    }
                    _ => Placeholder::Value,
                },
                _ => placeholder_of(e),
            };
            self.placeholders.entry(field_key).or_insert(p);
        }
        if rest.is_some() {
            if let Some(def) = self.model.struct_def(&ty) {
                for (f, _) in &def.fields {
                    let k = Key {
                        root: Root::Type(ty.clone()),
                        path: vec![f.clone()],
                    };
                    self.placeholders.entry(k).or_insert(Placeholder::Default);
                }
            }
        }
        Val::State(SRef::handle(root))
    }

    fn await_expr(&mut self, base: &'m Expr, span: Span) -> Val<'m> {
        if let Expr::MethodCall { method, recv, .. } = base {
            if method == "next" {
                self.eval(recv);
                self.gate();
                return Val::Message;
            }
        }
        let v = self.eval(base);
        match &v {
            Val::Thunk(t) => {
                let t = t.clone();
                return self.run_thunk(&t, Vec::new(), span);
            }
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
                if method == "tick" && self.mode == Mode::Task {
                    if self.first_tick.is_some() {
                        // The second tick waits a whole period.
                        self.delay();
                    } else if !self.delayed {
                        self.first_tick = Some(self.loc(span));
                    }
                }
                if matches!(v, Val::State(_)) {
                    return v;
                }
                Val::Unknown
            }
            Expr::MethodCall { method, .. } if self.cat.gate_methods.contains(method) => v,
            Expr::Path { segs, .. } if segs.len() == 1 && self.cat.await_on_binding => {
                self.gate();
                Val::Unknown
            }
            _ => {
                self.delay();
                Val::Unknown
            }
        }
    }

    fn resolve_path(&self, segs: &[String]) -> Vec<String> {
        let facts = &self.model.files[self.file as usize].facts;
        if let Some(full) = segs.first().and_then(|s| facts.uses.get(s)) {
            let mut p = full.clone();
            p.extend(segs[1..].iter().cloned());
            return p;
        }
        segs.to_vec()
    }

    /// The crate type a name written in the current file means: `Self`, a
    /// type of this crate, or nothing when a `use` brings it from elsewhere
    /// (`use tonic::Request;` is not the crate's own `Request`).
    fn resolve_type_name(&self, name: &str) -> Option<TypeRef> {
        if name == "Self" {
            return self.owner.clone();
        }
        if self.imported_from_elsewhere(name) {
            return None;
        }
        self.model.resolve_type(name, self.file)
    }

    /// Whether `name` is imported by a `use` of another crate.
    fn imported_from_elsewhere(&self, name: &str) -> bool {
        let facts = &self.model.files[self.file as usize].facts;
        facts.uses.get(name).is_some_and(|p| {
            !matches!(
                p.first().map(String::as_str),
                Some("crate" | "self" | "super")
            )
        })
    }

    fn resolve_fn(&self, segs: &[String]) -> Option<FnRef> {
        let model = self.model;
        match segs {
            [name] => {
                if self.imported_from_elsewhere(name) {
                    // `use tokio::spawn_blocking;`: not the crate's own fn.
                    return None;
                }
                let full = self.resolve_path(segs);
                model.free_fn(full.last()?, self.file)
            }
            [.., ty, name] => {
                if let Some(t) = self.resolve_type_name(ty) {
                    return model.method(&t, name);
                }
                if ty.chars().next().is_some_and(|c| c.is_lowercase()) {
                    // `module::f`: only the crate's own module of that name,
                    // never `tokio::time::timeout` matched by its last name.
                    let f = model.free_fn(name, self.file)?;
                    let func = model.func(f);
                    let path = &model.files[f.file as usize].path;
                    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                    let dir = path
                        .parent()
                        .and_then(|d| d.file_name())
                        .and_then(|s| s.to_str())
                        .unwrap_or("");
                    let in_module = func.module.last().is_some_and(|m| m == ty)
                        || stem == ty
                        || (stem == "mod" && dir == ty)
                        || matches!(ty.as_str(), "crate" | "self" | "super");
                    return in_module.then_some(f);
                }
                None
            }
            [] => None,
        }
    }

    fn call(&mut self, func: &'m Expr, args: &'m [Expr], span: Span) -> Val<'m> {
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
        if let Some(sp) = self.cat.function_spawner(&resolved) {
            if let Some(task) = args.first() {
                let runtime = if sp.runtime == "thread" {
                    Runtime::Thread
                } else {
                    Runtime::Async
                };
                let name = segs.join("::");
                return self.spawn(*fspan, span, name, runtime, task);
            }
        }
        if self.cat.is_scoped(&resolved) {
            self.in_scope += 1;
            self.run_closure_args(args, span);
            self.in_scope -= 1;
            return Val::Unknown;
        }
        if self.cat.is_blocking(&resolved) {
            self.run_closure_args(args, span);
            return Val::Unknown;
        }
        if self.cat.is_delay(&resolved) {
            self.eval_args(args);
            self.delay();
            return Val::Unknown;
        }
        let last_seg = resolved.last().map(String::as_str).unwrap_or("");
        if last_seg == "new_cyclic" && resolved.len() >= 2 {
            if let Some(Expr::Closure { params, body, .. }) = args.first() {
                // The closure gets a `Weak` that upgrades to `None` until
                // `new_cyclic` returns.
                let n = self.cyclics.len() as u32;
                self.cyclics.push(self.loc(span));
                let weak = Val::State(SRef::handle(Key {
                    root: Root::Cyclic(n),
                    path: Vec::new(),
                }));
                self.cyclic_stack.push(n);
                let t = Thunk {
                    kind: ThunkKind::Closure(params, body),
                    env: self.env.clone(),
                    file: self.file,
                    owner: self.owner.clone(),
                };
                let v = self.run_thunk(&t, vec![weak], span);
                self.cyclic_stack.pop();
                return v;
            }
        }
        if last_seg == "timeout" && resolved.len() >= 2 {
            // `timeout(d, fut)`: a wait inside is bounded.
            self.bounded_depth += 1;
            let vals = self.eval_args(args);
            self.bounded_depth -= 1;
            if let Some(Val::Thunk(t)) = vals.into_iter().nth(1) {
                let t = t.clone();
                self.bounded_depth += 1;
                let v = self.run_thunk(&t, Vec::new(), span);
                self.bounded_depth -= 1;
                return v;
            }
            return Val::Unknown;
        }
        let last = segs.last().map(String::as_str).unwrap_or("");
        let prev = segs
            .len()
            .checked_sub(2)
            .map(|i| segs[i].as_str())
            .unwrap_or("");
        if is_transparent_ctor(prev, last) || (segs.len() == 1 && last == "Some") {
            let vals = self.eval_args(args);
            return vals.into_iter().next().unwrap_or(Val::Unknown);
        }
        if let Some(f) = self.resolve_fn(segs) {
            let func = self.model.func(f);
            let mut vals = self.eval_args(args);
            let this = if func.receiver != Receiver::None && !vals.is_empty() {
                Some(vals.remove(0))
            } else {
                None
            };
            return self.call_fn(f, this, vals, span);
        }
        // An unknown function: closures passed to it run now (iterator
        // adapters, `new_cyclic`, `get_or_init`); state passed to it is read.
        self.run_closure_args(args, span);
        Val::Unknown
    }

    fn eval_args(&mut self, args: &'m [Expr]) -> Vec<Val<'m>> {
        args.iter().map(|a| self.eval(a)).collect()
    }

    /// Evaluate arguments; closures among them run now.
    fn run_closure_args(&mut self, args: &'m [Expr], span: Span) {
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

    fn method_call(
        &mut self,
        recv: &'m Expr,
        method: &'m str,
        args: &'m [Expr],
        span: Span,
        method_span: Span,
    ) -> Val<'m> {
        let rv = self.eval(recv);
        // A crate's own method wins over catalog names: `self.spawn(fut)` on
        // a type that defines `spawn` is followed into its body.
        if let Val::State(r) = &rv {
            if let (Root::Type(t), true) = (&r.key.root, r.key.path.is_empty()) {
                if let Some(f) = self.model.method(t, method) {
                    if self.model.func(f).receiver != Receiver::None {
                        let vals = self.eval_args(args);
                        return self.call_fn(f, Some(rv.clone()), vals, span);
                    }
                }
            }
        }
        let thread_builder = || {
            chain_calls(recv, &|segs| {
                let full = self.resolve_path(segs);
                self.cat.is_thread_builder(&full)
            })
        };
        if let Some(sp) = self.cat.method_spawner(method, args.len()) {
            let runtime = if sp.runtime == "thread" || thread_builder() {
                Runtime::Thread
            } else {
                Runtime::Async
            };
            return self.spawn(method_span, span, format!(".{method}"), runtime, &args[0]);
        }
        if method.starts_with("spawn") && args.len() == 1 && thread_builder() {
            // Extension traits on `thread::Builder` (`spawn_wrapper`,
            // `spawn_named`) start a thread like `spawn` does.
            return self.spawn(
                method_span,
                span,
                format!(".{method}"),
                Runtime::Thread,
                &args[0],
            );
        }
        self.listen_call(recv, &rv, method, args.len(), span);
        if method == "upgrade" && args.is_empty() {
            if let Val::State(r) = &rv {
                if matches!(r.key.root, Root::Cyclic(_)) {
                    return Val::State(SRef {
                        key: r.key.clone(),
                        mode: RefMode::Lookup,
                    });
                }
            }
        }
        if method == "join" && args.is_empty() {
            self.joined(&rv);
            if self.mode == Mode::Task {
                self.gate();
            }
            return Val::Unknown;
        }
        if self.cat.blocking_methods.contains(method) {
            self.run_closure_args(args, span);
            if let Some(a) = args.first() {
                if let Expr::Path { .. } = a {
                    if let Val::Thunk(t) = self.eval(a) {
                        self.run_thunk(&t, Vec::new(), span);
                    }
                }
            }
            return Val::Unknown;
        }
        if self.cat.gate_methods.contains(method) {
            self.suppress += 1;
            self.eval_args(args);
            self.suppress -= 1;
            self.gate();
            return match method {
                "recv" | "recv_async" | "recv_timeout" | "blocking_recv" | "recv_deadline" => {
                    Val::Message
                }
                "changed" | "notified" | "acquire" | "acquire_owned" | "wait_for" => Val::Unknown,
                _ => match rv {
                    // `cvar.wait(guard)` hands the guard back.
                    Val::State(r) => Val::State(SRef::handle(r.key)),
                    _ => Val::Unknown,
                },
            };
        }
        match rv {
            Val::State(r) => self.method_on_state(r, method, args, span),
            Val::Thunk(t) => {
                self.eval_args(args);
                if matches!(
                    method,
                    "boxed" | "boxed_local" | "fuse" | "instrument" | "in_current_span"
                ) {
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
            Val::Unknown => {
                self.run_closure_args(args, span);
                Val::Unknown
            }
        }
    }

    /// Record a subscription or a wait the task makes (SL006, SL007).
    fn listen_call(&mut self, recv: &Expr, rv: &Val<'m>, method: &str, nargs: usize, span: Span) {
        if self.mode != Mode::Task || self.no_listen > 0 {
            return;
        }
        let name = last_name(recv).unwrap_or_default();
        match (method, nargs) {
            (m, 0) if self.cat.subscribe_methods.contains(m) => {
                let ty = self.type_of(rv);
                self.listen(
                    ListenKind::Subscribe {
                        method: method.to_string(),
                        ty,
                    },
                    span,
                    name,
                );
            }
            ("notified", 0) => {
                let on_local = matches!(rv, Val::State(r) if matches!(r.key.root, Root::Local(_)));
                self.listen_on(ListenKind::Notified, span, name, on_local)
            }
            ("wait", 1) | ("wait_timeout", 2) => {
                let check = if self.while_cond_loop > 0 {
                    WaitCheck::Loop
                } else if self.if_depth > 0 {
                    WaitCheck::Once
                } else {
                    WaitCheck::Never
                };
                // Many types have a one-argument `wait` (latches, custom
                // events with a timeout): without a declared `Condvar`, only
                // a receiver named like one counts.
                let condvar = match self.type_of(rv) {
                    Some(t) => t.last().is_some_and(|l| l == "Condvar"),
                    None => {
                        let n = name.to_ascii_lowercase();
                        n.contains("cvar") || n.contains("cond") || n == "cv"
                    }
                };
                if condvar {
                    self.listen(ListenKind::CondvarWait { check }, span, name);
                }
            }
            ("borrow" | "borrow_and_update" | "has_changed", 0) | ("wait_for", 1) => {
                if let Some(id) = local_id(rv) {
                    self.self_subscribed.remove(&id);
                }
            }
            ("changed", 0) => {
                if let Some(subscribed) = local_id(rv).and_then(|id| self.self_subscribed.get(&id))
                {
                    let subscribed = *subscribed;
                    self.listen(ListenKind::WatchChangedUnchecked { subscribed }, span, name);
                }
            }
            _ => {}
        }
    }

    fn method_on_state(&mut self, r: SRef, method: &str, args: &'m [Expr], span: Span) -> Val<'m> {
        const LOCKS: &[&str] = &[
            "lock",
            "read",
            "write",
            "borrow",
            "borrow_mut",
            "try_lock",
            "try_read",
            "try_write",
            "blocking_lock",
            "blocking_read",
            "blocking_write",
            "lock_owned",
            "read_owned",
            "write_owned",
            "upgradable_read",
        ];
        const TRANSPARENT: &[&str] = &[
            "as_ref",
            "as_mut",
            "as_deref",
            "as_deref_mut",
            "deref",
            "deref_mut",
            "clone",
            "load_full",
            "to_owned",
            "borrow_and_update",
            "as_slice",
            "iter_mut",
        ];
        // Option adapters keep the `Option`: absence is still unhandled.
        const OPTION_ADAPTERS: &[&str] = &[
            "cloned", "copied", "as_ref", "as_deref", "filter", "map", "and_then",
        ];
        // Calls that handle absence.
        const ABSENCE_HANDLERS: &[&str] = &[
            "unwrap_or",
            "unwrap_or_default",
            "unwrap_or_else",
            "map_or",
            "map_or_else",
            "is_some",
            "is_none",
            "is_some_and",
            "is_none_or",
            "ok_or",
            "ok_or_else",
            "or",
            "or_else",
        ];
        const LOOKUPS: &[&str] = &[
            "get",
            "first",
            "last",
            "front",
            "back",
            "get_key_value",
            "peek",
            "next",
            "find",
            "max",
            "min",
        ];
        if LOCKS.contains(&method) && args.len() <= 1 {
            self.eval_args(args);
            return Val::State(SRef {
                key: r.key,
                mode: RefMode::Locked,
            });
        }
        if (method == "unwrap" || method == "expect") && r.mode == RefMode::Locked {
            return Val::State(SRef::handle(r.key));
        }
        if method == "unwrap" || method == "expect" || method == "unwrap_unchecked" {
            self.access(&r, span, AccessKind::Panicky(format!("{method}()")));
            return Val::Unknown;
        }
        if method == "clone" {
            if let Root::Local(id) = r.key.root {
                if self.owned.contains(&id) && r.key.path.is_empty() {
                    let name = self.local_names[id as usize].clone();
                    return self.fresh_local(&name, Placeholder::Value);
                }
            }
        }
        if TRANSPARENT.contains(&method)
            || ((method == "get" || method == "load") && args.is_empty())
        {
            self.eval_args(args);
            let mode = if method == "get" {
                RefMode::Lookup
            } else {
                r.mode
            };
            let mode = if mode == RefMode::Locked {
                RefMode::Handle
            } else {
                mode
            };
            return Val::State(SRef { key: r.key, mode });
        }
        if self.cat.mutators.contains(method) {
            self.eval_args(args);
            self.write(&r, span, method);
            return Val::Unknown;
        }
        if r.mode == RefMode::Lookup && OPTION_ADAPTERS.contains(&method) {
            self.run_closure_args(args, span);
            return Val::State(r);
        }
        if ABSENCE_HANDLERS.contains(&method) {
            self.access(&r, span, AccessKind::Tolerant { lossy: None });
            self.run_closure_args(args, span);
            return Val::Unknown;
        }
        if LOOKUPS.contains(&method) {
            self.eval_args(args);
            return Val::State(SRef {
                key: r.key,
                mode: RefMode::Lookup,
            });
        }
        if method == "iter" || method == "keys" || method == "values" {
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

/// Whether a block ends in a panic (`panic!`, `unreachable!`, `todo!`,
/// `unimplemented!`).
fn panics(b: &Block) -> bool {
    b.stmts.iter().any(|s| {
        matches!(s, Stmt::Expr(Expr::Macro { name, .. })
            if matches!(name.as_str(), "panic" | "unreachable" | "todo" | "unimplemented"))
    })
}

/// Whether an expression makes a new value rather than naming or cloning
/// an existing one: `Arc::new(load())` is new, `other`, `x.field` and
/// `Arc::clone(&x)` are not.
fn is_fresh_value(e: &Expr) -> bool {
    match e {
        Expr::Path { .. } | Expr::Field { .. } | Expr::Lit(_) => false,
        Expr::Ref { base } | Expr::Deref { base } => is_fresh_value(base),
        Expr::MethodCall { method, .. } => !matches!(
            method.as_str(),
            "clone" | "to_owned" | "as_ref" | "borrow" | "take" | "unwrap_or_default"
        ),
        Expr::Call { func, .. } => match &**func {
            Expr::Path { segs, .. } => !segs.last().is_some_and(|l| l == "clone"),
            _ => true,
        },
        _ => true,
    }
}

/// The local a value is, if it is one.
fn local_id(v: &Val) -> Option<u32> {
    match v {
        Val::State(SRef {
            key: Key {
                root: Root::Local(id),
                path,
            },
            ..
        }) if path.is_empty() => Some(*id),
        _ => None,
    }
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

/// The path written in file `file`, its first segment resolved through
/// that file's `use` declarations.
pub fn resolve_in(model: &Model, file: FileId, segs: &[String]) -> Vec<String> {
    let facts = &model.files[file as usize].facts;
    if let Some(full) = segs.first().and_then(|s| facts.uses.get(s)) {
        let mut p = full.clone();
        p.extend(segs[1..].iter().cloned());
        return p;
    }
    segs.to_vec()
}

/// Whether an assignment target is a place reached through fields only
/// (`self.cfg`, `me.inner.tx`), so assigning replaces the value there;
/// through a deref or a guard (`*cfg.write() = ..`) it mutates shared state.
fn is_place(e: &Expr) -> bool {
    match e {
        Expr::Field { base, .. } => matches!(**base, Expr::Path { .. }) || is_place(base),
        _ => false,
    }
}

/// Whether `segs` names a constructor that only wraps its argument
/// (`Arc::new(x)` is the state `x`).
fn is_transparent_ctor(ty: &str, f: &str) -> bool {
    matches!(
        (ty, f),
        (
            "Arc" | "Rc" | "Box" | "Mutex" | "RwLock" | "RefCell" | "Cell" | "Pin" | "ArcSwap",
            "new" | "from" | "pin"
        ) | ("Arc" | "Rc" | "Weak", "clone" | "downgrade")
            | ("Some" | "Ok", _)
    )
}

/// The placeholder kind of an initializer expression.
pub fn placeholder_of(e: &Expr) -> Placeholder {
    match e {
        Expr::Path { segs, .. } if segs.last().is_some_and(|s| s == "None") => Placeholder::Absent,
        Expr::Lit(LitKind::Zero) => Placeholder::Default,
        Expr::Macro { name, args, .. } if name == "vec" && args.is_empty() => Placeholder::Empty,
        Expr::Call { func, args, .. } => {
            let Expr::Path { segs, .. } = &**func else {
                return Placeholder::Value;
            };
            let f = segs.last().map(String::as_str).unwrap_or("");
            let ty = segs
                .len()
                .checked_sub(2)
                .map(|i| segs[i].as_str())
                .unwrap_or("");
            if f == "default" {
                return Placeholder::Default;
            }
            if matches!(
                ty,
                "Mutex" | "RwLock" | "Arc" | "Rc" | "RefCell" | "Cell" | "Box"
            ) && args.len() == 1
            {
                return placeholder_of(&args[0]);
            }
            if matches!(ty, "OnceLock" | "OnceCell" | "ArcSwapOption")
                && matches!(f, "new" | "const_new" | "empty")
            {
                return Placeholder::Absent;
            }
            if matches!(f, "new" | "with_capacity" | "with_hasher" | "const_new")
                && ty.starts_with("Atomic")
            {
                return args
                    .first()
                    .map(placeholder_of)
                    .unwrap_or(Placeholder::Default);
            }
            if matches!(f, "new" | "with_capacity" | "with_hasher")
                && args.iter().all(|a| !matches!(a, Expr::Path { .. }))
                && matches!(
                    ty,
                    "HashMap"
                        | "BTreeMap"
                        | "HashSet"
                        | "BTreeSet"
                        | "Vec"
                        | "VecDeque"
                        | "String"
                        | "DashMap"
                        | "IndexMap"
                        | "BinaryHeap"
                )
            {
                return Placeholder::Empty;
            }
            Placeholder::Value
        }
        _ => Placeholder::Value,
    }
}

/// Whether a `let` initializer creates a shared handle, so that `clone()`
/// of it aliases rather than copies.
fn is_shared_init(e: &Expr) -> bool {
    match e {
        Expr::Call { func, .. } => match &**func {
            Expr::Path { segs, .. } => {
                let ty = segs
                    .len()
                    .checked_sub(2)
                    .map(|i| segs[i].as_str())
                    .unwrap_or("");
                let f = segs.last().map(String::as_str).unwrap_or("");
                matches!(ty, "Arc" | "Rc")
                    || matches!(f, "channel" | "unbounded" | "bounded" | "sync_channel")
            }
            _ => false,
        },
        Expr::MethodCall { method, recv, .. } => method == "clone" && is_shared_init(recv),
        _ => false,
    }
}

/// Calls that pause the current thread or task without doing work.
const PAUSES: &[&str] = &[
    "sleep",
    "sleep_ms",
    "yield_now",
    "spin_loop",
    "park",
    "park_timeout",
];

/// Whether every statement of a loop body only waits: a gate call
/// (`cvar.wait(guard)`, `rx.recv()`), a pause (`sleep`, `yield_now`,
/// `spin_loop`), or `continue`. An empty body is a spin.
fn waits_only(body: &Block, cat: &Catalog) -> bool {
    fn calls_gate(e: &Expr, cat: &Catalog) -> bool {
        if let Expr::MethodCall { method, .. } = e {
            if cat.gate_methods.contains(method) {
                return true;
            }
        }
        let mut found = false;
        e.for_each_child(|c| found = found || calls_gate(c, cat));
        found
    }
    fn pauses(e: &Expr) -> bool {
        match e {
            Expr::Call { func, .. } => matches!(&**func, Expr::Path { segs, .. }
                if segs.last().is_some_and(|l| PAUSES.contains(&l.as_str()))),
            Expr::Await { base, .. } | Expr::Try { base } => pauses(base),
            Expr::MethodCall { recv, method, .. } => {
                PAUSES.contains(&method.as_str()) || (method == "unwrap" && pauses(recv))
            }
            Expr::Jump { value: None, .. } => true,
            _ => false,
        }
    }
    body.stmts.iter().all(|s| match s {
        Stmt::Let { init: Some(i), .. } => calls_gate(i, cat) || pauses(i),
        Stmt::Let { init: None, .. } => false,
        Stmt::Expr(e) => calls_gate(e, cat) || pauses(e),
    })
}

/// Whether the receiver chain of a method call contains a call whose path
/// satisfies `pred` (`thread::Builder::new().name(..)`).
fn chain_calls(e: &Expr, pred: &dyn Fn(&[String]) -> bool) -> bool {
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
