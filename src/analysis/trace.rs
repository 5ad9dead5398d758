//! The trace vocabulary: what the interpreter records and the rules read.
//!
//! A constructor's run is a [`CtorTrace`]: its timeline of spawns, writes
//! and calls, with every spawned task's [`SpawnSite`] (what the task
//! touched, how it waits, what it captured). A method's run is a
//! [`MethodEffects`]. State is named by a [`Key`]; rules compare keys, never
//! syntax.

use crate::catalog::RuntimeKind;
use crate::model::{FnRef, TypeRef};
use crate::source::Loc;
use std::collections::{BTreeSet, HashMap};

/// The root of a piece of state.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Root {
    /// A local binding of the analyzed function (by local id).
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
    /// The key of a root itself.
    pub fn root(root: Root) -> Key {
        Key {
            root,
            path: Vec::new(),
        }
    }

    /// Whether the two keys can name overlapping state (one path is a
    /// prefix of the other).
    pub fn overlaps(&self, other: &Key) -> bool {
        self.root == other.root && self.path.iter().zip(&other.path).all(|(a, b)| a == b)
    }

    /// The local this key is, if it is a whole local.
    pub fn as_local(&self) -> Option<u32> {
        match self.root {
            Root::Local(id) if self.path.is_empty() => Some(id),
            _ => None,
        }
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
    /// What it touched (canonical once the trace is finished).
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
    /// The first gate the task waited on before it.
    pub gate: Option<Loc>,
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
    /// The name a plain assignment or rebinding writes to (`settings` in
    /// `self.settings = ..` and in `let settings = ..`).
    pub place: Option<String>,
    /// The branches taken to it ([`exclusive`]).
    pub branches: Vec<(u32, u32)>,
    /// Written through a lock guard taken when the timeline held this many
    /// events (`let mut g = m.lock()?; .. *g = v`): a task spawned after
    /// that must lock the same mutex to read it, and waits for the guard.
    pub held_since: Option<usize>,
}

impl Write {
    /// Whether it goes through a lock guard taken before timeline position
    /// `spawn` (see [`Write::held_since`]): a task started there reads the
    /// value only after it.
    pub fn locked_before(&self, spawn: usize) -> bool {
        self.held_since.is_some_and(|held| held <= spawn)
    }
}

/// Whether two points of a run lie on paths that exclude each other: both
/// inside the same `if` / `match` (evaluated outside any loop), in
/// different arms. A write in the `else` of the `if` whose `then` spawns
/// never runs after that spawn.
pub fn exclusive(a: &[(u32, u32)], b: &[(u32, u32)]) -> bool {
    a.iter()
        .any(|(id, arm)| b.iter().any(|(other, arm2)| id == other && arm != arm2))
}

/// The flavour of a spawn, for fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
    /// An OS thread (std, rayon): closures, blocking gates.
    Thread,
    /// An async task (tokio and compatible): futures, async gates.
    Async,
}

impl From<RuntimeKind> for Runtime {
    fn from(k: RuntimeKind) -> Runtime {
        match k {
            RuntimeKind::Thread => Runtime::Thread,
            _ => Runtime::Async,
        }
    }
}

/// A spawn reached from the analyzed function.
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
    /// Calls from the analyzed function to the spawn.
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
    /// How the task starts listening or waiting (SL006, SL007), derived
    /// from its signal calls by [`super::listens`].
    pub listens: Vec<Listen>,
    /// The statement number of the spawning function at the spawn.
    pub stmt_no: u64,
    /// The branches taken to the spawn ([`exclusive`]).
    pub branches: Vec<(u32, u32)>,
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
    /// Whether the function making the call checked a condition before it.
    pub after_check: bool,
    /// Whether a lock guard is held at the call.
    pub under_lock: bool,
    /// Whether the call is awaited at once.
    pub awaited: bool,
    /// Whether a `Condvar` wait's guard is a parameter of the function.
    pub guard_param: bool,
    /// Channel senders (locals) the task sends on after this call.
    pub then_sends: Vec<u32>,
    /// Whether the spawning function waits, after the spawn, for one of
    /// those sends: the task acknowledged it is listening before the
    /// spawner went on (a subscribe-then-ack handshake).
    pub acknowledged: bool,
    /// Whether, after subscribing, the task read state beside the sender
    /// (a field of the value that holds it) and then checked a condition
    /// before it waited: subscribe, then catch up on the current state, so
    /// what was sent before the subscription is in what it read.
    pub caught_up: bool,
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
    /// `cvar.wait(guard)`: `check` tells how the condition is re-checked.
    CondvarWait {
        /// `while` loop or `wait_while`: correct; `if`: once; none: never.
        check: WaitCheck,
        /// `wait_timeout`: the wait ends by itself.
        timed: bool,
        /// The `Condvar` never wakes spuriously (parking_lot's): checked
        /// once under the lock is enough.
        no_spurious: bool,
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

/// A call a task makes on something it may be waiting for (a subscription,
/// a `notified()`, a `Condvar` wait, a watch read): the raw material of
/// [`Listen`]s.
#[derive(Clone, Debug)]
pub struct SignalCall {
    /// The method.
    pub method: String,
    /// Number of arguments.
    pub nargs: usize,
    /// The call.
    pub loc: Loc,
    /// The receiver expression's last name.
    pub name: String,
    /// The receiver's resolved type, when a declaration says it.
    pub recv_type: Option<Vec<String>>,
    /// The receiver, when it is a whole local.
    pub recv_local: Option<u32>,
    /// The state the receiver is, when the analysis knows it
    /// (`self.0.lock().tx` is a field beside the state it announces).
    pub recv_key: Option<Key>,
    /// For a subscription on a field of a crate type: the types its sibling
    /// fields hold (`link: Link` beside `tx`), whose state is what the
    /// broadcast announces too.
    pub beside: Vec<Root>,
    /// Whether the receiver is rooted in a local of the analysis.
    pub on_local: bool,
    /// Calls from the task's entry.
    pub via: Vec<Via>,
    /// Whether the task already waited or slept.
    pub delayed: bool,
    /// Inside a loop of the task.
    pub in_loop: bool,
    /// Inside a `timeout(..)` or a racing `select!` arm.
    pub bounded: bool,
    /// How an enclosing `while` / `if` re-checks a condition.
    pub check: WaitCheck,
    /// Whether the function making the call checked a condition before it
    /// (check-then-wait).
    pub after_check: bool,
    /// How many conditions the run had checked by the call.
    pub checks: u32,
    /// Whether a lock guard is held at the call.
    pub under_lock: bool,
    /// Whether the call is awaited at once (`x.notified().await`): nothing
    /// can re-check the condition between creating and waiting.
    pub awaited: bool,
    /// Whether the first argument (a `Condvar` wait's guard) is a parameter
    /// of the function: its caller holds the lock and checks.
    pub guard_param: bool,
    /// Whether the first argument is a lock guard this function holds
    /// (`cv.wait(guard)`): a wait that releases a lock.
    pub guard_arg: bool,
    /// The `Condvar` type the file imports by that name, if any (which
    /// `Condvar` an untyped receiver most likely is).
    pub condvar_in_scope: Option<Vec<String>>,
}

/// An event of a task's run that the listen pass reads, in order.
#[derive(Clone, Debug)]
pub enum TaskEvent {
    /// A signal call.
    Call(SignalCall),
    /// The task sends on a channel sender that is a local of the analysis.
    Sent {
        /// The sender local.
        local: u32,
    },
    /// `let rx = tx.subscribe()`: local `local` now holds a receiver of
    /// type `ty` (the sender's, with `Receiver` last), bound at `loc`.
    Subscribed {
        /// The receiver local.
        local: u32,
        /// The sender's resolved type.
        sender: Vec<String>,
        /// The `let` statement.
        loc: Loc,
        /// The run's check count then ([`SignalCall::checks`]).
        checks: u32,
    },
    /// The task awaits something that is not a future of its own code.
    Awaited {
        /// The run's check count then ([`SignalCall::checks`]).
        checks: u32,
    },
    /// The task read a piece of state.
    Read {
        /// What it read.
        key: Key,
        /// The run's check count then ([`SignalCall::checks`]).
        checks: u32,
    },
}

/// A name the task captures from the function that spawns it.
#[derive(Clone, Debug)]
pub struct Capture {
    /// The captured name (`me`, `probe_routes`).
    pub name: String,
    /// The state it is a handle to, if any (canonical once finished).
    pub key: Option<Key>,
    /// The `let` that bound it, if it was bound by one.
    pub decl: Option<Loc>,
    /// Whether the task holds it as a handle of its own (a clone of a
    /// shared value, a new `Arc`/`Rc`, a channel end) rather than a copy.
    pub is_handle: bool,
    /// Whether it is a channel end (sender or receiver).
    pub channel_end: bool,
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

/// What happened in an analyzed function, in order.
#[derive(Clone, Debug)]
pub enum Event {
    /// Spawn number `n` of the trace's `spawns`.
    Spawn(usize),
    /// A write to state.
    Write(Write),
    /// A crate function or method was run.
    Called(FnRef),
    /// The analyzed function waits on a channel receiver (a local): it
    /// receives, awaits or blocks on it.
    Waited(u32),
}

/// The analysis of one constructor.
#[derive(Debug)]
pub struct CtorTrace {
    /// The constructor.
    pub ctor: FnRef,
    /// The type it builds.
    pub ty: TypeRef,
    /// Events in order.
    pub timeline: Vec<Event>,
    /// Spawns reached.
    pub spawns: Vec<SpawnSite>,
    /// Names of locals by id.
    pub local_names: Vec<String>,
    /// `new_cyclic` calls by number.
    pub cyclics: Vec<Loc>,
    /// Initial values of state, by canonical key.
    pub placeholders: HashMap<Key, Placeholder>,
    /// The methods of the constructed type that can run after the
    /// constructor returned: those taking `self`, other than the
    /// constructor and the methods it ran itself.
    pub later_methods: Vec<FnRef>,
    /// Whether the step budget ran out before the run finished.
    pub truncated: bool,
}

/// Mark the listens of each spawn that the spawning function then waits
/// for: the task sends on a channel after it started listening, and the
/// spawner, later in its timeline, waits on that channel's receiver.
/// `pairs` maps each channel end to the other end of its channel.
pub fn mark_acknowledged(timeline: &[Event], spawns: &mut [SpawnSite], pairs: &HashMap<u32, u32>) {
    for (pos, e) in timeline.iter().enumerate() {
        let Event::Spawn(i) = e else { continue };
        let waited: Vec<u32> = timeline[pos + 1..]
            .iter()
            .filter_map(|e| match e {
                Event::Waited(local) => Some(*local),
                _ => None,
            })
            .collect();
        if waited.is_empty() {
            continue;
        }
        for l in &mut spawns[*i].listens {
            l.acknowledged = l
                .then_sends
                .iter()
                .any(|tx| pairs.get(tx).is_some_and(|rx| waited.contains(rx)));
        }
    }
}

impl CtorTrace {
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

    /// Where spawn `i` sits in the timeline.
    pub fn spawn_position(&self, i: usize) -> Option<usize> {
        self.timeline
            .iter()
            .position(|e| matches!(e, Event::Spawn(n) if *n == i))
    }

    /// The constructor's writes that can run after spawn `i`: later in the
    /// timeline, and not on an `if` / `match` arm the spawn's path
    /// excludes ([`exclusive`]).
    pub fn writes_after(&self, i: usize) -> impl Iterator<Item = &Write> + '_ {
        let from = self
            .spawn_position(i)
            .map_or(self.timeline.len(), |p| p + 1);
        let branches = self
            .spawns
            .get(i)
            .map(|s| s.branches.as_slice())
            .unwrap_or(&[]);
        self.timeline[from..].iter().filter_map(move |e| match e {
            Event::Write(w) if !exclusive(branches, &w.branches) => Some(w),
            _ => None,
        })
    }

    /// The functions the constructor ran itself.
    pub fn ran(&self) -> BTreeSet<FnRef> {
        self.timeline
            .iter()
            .filter_map(|e| match e {
                Event::Called(f) => Some(*f),
                _ => None,
            })
            .collect()
    }
}

/// What a method does with `self` an instance of a type.
#[derive(Debug, Clone, Default)]
pub struct MethodEffects {
    /// Writes to state of crate types and statics, in order.
    pub writes: Vec<Write>,
    /// The spawn calls it reaches.
    pub spawns: Vec<Loc>,
    /// Fields of `self` it passes on in a `send*` call (`send_to_plugin(
    /// Reconfigure { shell: self.shell.clone() })`): whoever receives the
    /// message is told the new value.
    pub forwarded: std::collections::BTreeSet<String>,
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
