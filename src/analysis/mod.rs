//! The analysis stage: an abstract interpreter over the lowered function
//! bodies, and the traces it produces for the rules.
//!
//! It runs each constructor, following calls into the crate's own
//! functions and methods, and records in order what happens: spawns,
//! writes to shared state, calls. For every spawn it runs the task's body
//! the same way and records what the task touches before it waits on
//! anything, and how it starts listening. For the methods that can run
//! after construction it records their writes. The rules compare those
//! traces ([`trace`]); they never look at syntax themselves.
//!
//! Modules, one concept each: [`trace`] (the vocabulary rules read),
//! `value` (abstract values), `interp` (state, frames, nesting), `eval`
//! (statements, expressions), `calls` (call dispatch, spawns),
//! `semantics` (what std/tokio methods do, from the catalogs), `classify`
//! (syntactic questions), `tolerance` (lossy tolerance), `listens` (the
//! listen pass), `canon` (canonical keys), [`signals`] (crate-wide
//! `notify_waiters` sites).

pub mod baselines;
mod calls;
mod canon;
pub mod children;
mod classify;
pub mod condvars;
pub mod empty_slots;
mod eval;
pub mod guard;
pub mod handed_back;
pub mod handles;
mod interp;
pub mod late_subscribe;
mod listens;
pub mod loop_subscribe;
pub mod publishes;
mod recorder;
pub mod registry;
pub mod resets;
pub mod returned_snapshots;
mod semantics;
pub mod signals;
pub mod single_wakes;
pub mod snapshots;
pub mod split_subscriptions;
mod tolerance;
pub mod trace;
mod value;
pub mod wakers;

#[cfg(test)]
mod tests;

pub use classify::placeholder_of;
/// How many calls deep the interpreter follows the crate's own functions
/// (what `Reach` is bounded by).
pub const CALL_DEPTH: usize = interp::MAX_CALL_DEPTH;

use crate::catalog::Catalog;
use crate::facts::Receiver;
use crate::model::reach::Reach;
use crate::model::{FnRef, Model, TypeRef};
use interp::Interp;
use rayon::prelude::*;
use recorder::{CtorRecorder, MethodRecorder, Recorder};
use std::collections::{BTreeSet, HashMap};
use trace::{CtorTrace, Event, Key, MethodEffects, Root, SpawnSite};
use value::Val;

/// Run a constructor and everything it spawns.
pub fn analyze_constructor(model: &Model, cat: &Catalog, ctor: FnRef, ty: TypeRef) -> CtorTrace {
    let mut it = Interp::new(model, cat, Recorder::Ctor(CtorRecorder::default()));
    it.enter_fn(ctor, None, Vec::new(), None);
    let (rec, heap, cyclics, truncated) = it.finish();
    let Recorder::Ctor(CtorRecorder {
        mut timeline,
        mut spawns,
        ..
    }) = rec
    else {
        unreachable!("a constructor runs with a constructor recorder")
    };
    trace::mark_acknowledged(&timeline, &mut spawns, &heap.channel_pairs);
    let canon = |key: &Key| canon::canonical(model, cat, &heap.literal_aliases, key);
    for s in &mut spawns {
        for a in &mut s.accesses {
            a.key = canon(&a.key);
        }
        for c in &mut s.captures {
            c.key = c.key.as_ref().map(canon);
        }
    }
    for e in &mut timeline {
        if let Event::Write(w) = e {
            w.key = canon(&w.key);
        }
    }
    // Sorted, so that when two keys meet in one canonical key the same
    // initial value wins on every run.
    let mut initial: Vec<_> = heap.placeholders.into_iter().collect();
    initial.sort_by(|a, b| a.0.cmp(&b.0));
    let mut placeholders = HashMap::new();
    for (k, p) in initial {
        placeholders.entry(canon(&k)).or_insert(p);
    }
    let mut trace = CtorTrace {
        ctor,
        ty,
        timeline,
        spawns,
        local_names: heap.local_names,
        cyclics,
        placeholders,
        later_methods: Vec::new(),
        truncated,
    };
    trace.later_methods = later_methods(model, &trace);
    trace
}

/// The methods of the constructed type that can run after the constructor
/// returned (see [`CtorTrace::later_methods`]).
fn later_methods(model: &Model, ca: &CtorTrace) -> Vec<FnRef> {
    let ran: BTreeSet<FnRef> = ca.ran();
    model
        .methods_of(&ca.ty)
        .into_iter()
        .filter(|m| *m != ca.ctor && !ran.contains(m))
        .filter(|m| model.func(*m).receiver != Receiver::None)
        // A test-only method never runs beside a production constructor's
        // task (test code may call both).
        .filter(|m| !model.func(*m).test_only || model.func(ca.ctor).test_only)
        .collect()
}

/// The spawns a function makes itself (not through the functions it
/// calls), with their tasks run: SL006 and SL007 apply to every function.
pub fn analyze_spawning_fn(model: &Model, cat: &Catalog, f: FnRef) -> Vec<SpawnSite> {
    spawning_fn(model, cat, f).0
}

/// [`analyze_spawning_fn`], and whether the step budget cut it short.
fn spawning_fn(model: &Model, cat: &Catalog, f: FnRef) -> (Vec<SpawnSite>, bool) {
    let mut it = Interp::new(model, cat, Recorder::Ctor(CtorRecorder::default()));
    it.enter_fn(f, self_of(model, f), Vec::new(), None);
    let (rec, heap, _, truncated) = it.finish();
    let Recorder::Ctor(mut c) = rec else {
        unreachable!("a spawning function runs with a constructor recorder")
    };
    trace::mark_acknowledged(&c.timeline, &mut c.spawns, &heap.channel_pairs);
    let own = c.spawns.into_iter().filter(|s| s.via.is_empty()).collect();
    (own, truncated)
}

/// How a function that waits itself (not in a task it spawns) starts
/// listening: its own `Condvar` waits, `notified()` futures and watch
/// `changed()` calls (SL007 applies to every function).
pub fn analyze_waiting_fn(model: &Model, cat: &Catalog, f: FnRef) -> Vec<trace::Listen> {
    waiting_fn(model, cat, f).0
}

/// [`analyze_waiting_fn`], and whether the step budget cut it short.
fn waiting_fn(model: &Model, cat: &Catalog, f: FnRef) -> (Vec<trace::Listen>, bool) {
    let mut it = Interp::new(
        model,
        cat,
        Recorder::Task(recorder::TaskRecorder::default()),
    );
    it.enter_fn(f, self_of(model, f), Vec::new(), None);
    let (rec, _, _, truncated) = it.finish();
    let Recorder::Task(t) = rec else {
        unreachable!("a waiting function runs with a task recorder")
    };
    let own = listens::derive(&t.events, cat)
        .into_iter()
        .filter(|l| l.via.is_empty())
        .collect();
    (own, truncated)
}

/// Run a statement-order pass on every function `wanted` admits, in
/// parallel and under the cut guard (a panic is reported, not fatal), and
/// gather what it finds.
fn each_fn<T: Send>(
    fns: &[FnRef],
    cuts: &guard::Cuts,
    wanted: impl Fn(FnRef) -> bool + Sync,
    find: impl Fn(FnRef) -> Vec<T> + Sync,
) -> Vec<T> {
    fns.par_iter()
        .filter(|f| wanted(**f))
        .filter_map(|f| cuts.run(*f, || find(*f)))
        .flatten()
        .collect()
}

/// Where the statement-order passes run (every function, under the cut
/// guard) and where what they find goes (its function's group).
struct Sink<'a> {
    fns: &'a [FnRef],
    cuts: &'a guard::Cuts,
    groups: &'a mut [GroupAnalysis],
    group_of: &'a (dyn Fn(FnRef) -> usize + Sync),
}

/// What a statement-order pass finds, in the function it is about.
trait InFunction {
    fn function(&self) -> FnRef;
}

macro_rules! in_function {
    ($($t:ty),* $(,)?) => {
        $(impl InFunction for $t {
            fn function(&self) -> FnRef {
                self.function
            }
        })*
    };
}

in_function!(
    late_subscribe::LateSubscribe,
    loop_subscribe::LoopSubscribe,
    registry::RegistryRace,
    handles::LateHandle,
    children::ChildBeforeListener,
    publishes::UnpublishedStop,
    returned_snapshots::ReturnedSnapshot,
    empty_slots::EmptySlot,
    handed_back::HandedBack,
    wakers::LateWaker,
    resets::LateReset,
    single_wakes::SingleWake,
    baselines::LateBaseline,
    split_subscriptions::SplitSubscription,
    snapshots::SnapshotFirst,
);

/// Run one statement-order pass on every function it admits
/// ([`each_fn`]) and file each finding in its function's group, in the
/// list `slot` picks.
fn gather<T: Send + InFunction>(
    into: &mut Sink,
    wanted: impl Fn(FnRef) -> bool + Sync,
    find: impl Fn(FnRef) -> Vec<T> + Sync,
    slot: impl Fn(&mut GroupAnalysis) -> &mut Vec<T>,
) {
    for x in each_fn(into.fns, into.cuts, wanted, find) {
        let g = (into.group_of)(x.function());
        slot(&mut into.groups[g]).push(x);
    }
}

/// The statement-order passes over subscriptions and registries: late
/// subscribers (SL006's spawner form), subscriptions made one by one in a
/// loop (its loop form), registry entries inserted after the spawn (SL001).
fn subscription_passes(model: &Model, reach: &Reach, catalogs: &[Catalog], into: &mut Sink) {
    let subscribers = late_subscribe::Subscribers::new(model, catalogs);
    gather(
        into,
        |f| reach.may_spawn(f) && subscribers.may_subscribe(model, f),
        |f| late_subscribe::find(model, reach, &subscribers, f),
        |g| &mut g.late_subscribes,
    );
    gather(
        into,
        |f| subscribers.may_subscribe(model, f),
        |f| loop_subscribe::find(model, &subscribers, f),
        |g| &mut g.loop_subscribes,
    );
    gather(
        into,
        |f| reach.spawns_itself(f) && calls_insert(model, f),
        |f| registry::find(model, reach, f),
        |g| &mut g.registry_races,
    );
}

/// The statement-order passes over start-up functions (SL001 beyond
/// constructors): task handles registered after the spawn, child processes
/// started before their listener.
fn start_up_order_passes(model: &Model, reach: &Reach, into: &mut Sink) {
    gather(
        into,
        |f| handles::may_register(model, reach, f),
        |f| handles::find(model, reach, f),
        |g| &mut g.late_handles,
    );
    gather(
        into,
        |f| children::may_apply(model, f),
        |f| children::find(model, f),
        |g| &mut g.early_children,
    );
    gather(
        into,
        |f| publishes::may_apply(model, reach, f),
        |f| publishes::find(model, reach, f),
        |g| &mut g.unpublished_stops,
    );
    gather(
        into,
        |f| returned_snapshots::may_apply(model, reach, f),
        |f| returned_snapshots::find(model, reach, f),
        |g| &mut g.returned_snapshots,
    );
    gather(
        into,
        |f| empty_slots::may_apply(model, reach, f),
        |f| empty_slots::find(model, reach, f),
        |g| &mut g.empty_slots,
    );
    gather(
        into,
        |f| handed_back::may_apply(model, reach, f),
        |f| handed_back::find(model, reach, f),
        |g| &mut g.handed_back,
    );
}

/// The statement-order passes over lost signals (SL007): late waker
/// registrations and condvar notifications without the waiter's mutex.
fn signal_order_passes(model: &Model, reach: &Reach, into: &mut Sink) {
    gather(
        into,
        |f| wakers::may_register(model, f),
        |f| wakers::find(model, f),
        |g| &mut g.late_wakers,
    );
    gather(
        into,
        |f| resets::may_apply(model, f),
        |f| resets::find(model, f),
        |g| &mut g.late_resets,
    );
    gather(
        into,
        |f| single_wakes::may_apply(model, f),
        |f| single_wakes::find(model, f),
        |g| &mut g.single_wakes,
    );
    gather(
        into,
        |f| baselines::may_apply(model, f),
        |f| baselines::find(model, reach, f),
        |g| &mut g.late_baselines,
    );
    gather(
        into,
        |f| split_subscriptions::may_apply(model, f),
        |f| split_subscriptions::find(model, f),
        |g| &mut g.split_subscriptions,
    );
    let sites = each_fn(
        into.fns,
        into.cuts,
        |f| condvars::involved(model, f),
        |f| vec![condvars::collect(model, f)],
    );
    for u in condvars::pair(model, sites) {
        into.groups[(into.group_of)(u.function)]
            .unguarded_notifies
            .push(u);
    }
    gather(
        into,
        |f| snapshots::may_apply(model, f),
        |f| snapshots::find(model, f),
        |g| &mut g.snapshots_first,
    );
}

/// Whether a function calls a method named `insert` (the registry pass's
/// prefilter).
fn calls_insert(model: &Model, f: FnRef) -> bool {
    model
        .func(f)
        .callees
        .iter()
        .any(|c| matches!(c, crate::facts::Callee::Method(m) if m == "insert"))
}

/// Whether a function calls something it may wait through itself.
fn waits_itself(model: &Model, f: FnRef) -> bool {
    model.func(f).callees.iter().any(|c| {
        matches!(c, crate::facts::Callee::Method(m)
            if matches!(m.as_str(), "wait" | "wait_timeout" | "wait_for" | "notified" | "changed"))
    })
}

/// `self` for running `f` on its own: an instance of its type, when it is a
/// method.
fn self_of<'m>(model: &Model, f: FnRef) -> Option<Val<'m>> {
    let func = model.func(f);
    func.owner
        .as_deref()
        .and_then(|o| model.resolve_type(o, f.file))
        .filter(|_| func.receiver != Receiver::None)
        .map(Val::instance)
}

/// The writes a method makes and the spawn calls it reaches (following its
/// calls), with `self` bound to an instance of `ty`. A method that
/// replaces a task's handle and then reaches the same spawn again
/// restarts the task with the new handle.
pub fn method_effects(model: &Model, cat: &Catalog, ty: &TypeRef, method: FnRef) -> MethodEffects {
    let mut it = Interp::new(model, cat, Recorder::Method(MethodRecorder::default()));
    it.enter_fn(method, Some(Val::instance(ty.clone())), Vec::new(), None);
    let (rec, ..) = it.finish();
    let Recorder::Method(m) = rec else {
        unreachable!("a method runs with a method recorder")
    };
    let writes = m
        .timeline
        .into_iter()
        .filter_map(|e| match e {
            Event::Write(w) if matches!(w.key.root, Root::Type(_) | Root::Static(_)) => Some(w),
            _ => None,
        })
        .collect();
    MethodEffects {
        writes,
        spawns: m.respawns,
        forwarded: classify::forwarded_fields(model.func(method).body()),
    }
}

/// What the analysis computed for the functions of one configuration.
#[derive(Debug, Default)]
pub struct GroupAnalysis {
    /// Constructors with at least one spawn.
    pub ctors: Vec<CtorTrace>,
    /// Every function's own spawns whose tasks listen or wait (SL006,
    /// SL007).
    pub tasks: Vec<(FnRef, Vec<SpawnSite>)>,
    /// The effects of each constructor's later methods, by type and method.
    pub methods: HashMap<(TypeRef, FnRef), MethodEffects>,
    /// Functions that wait themselves, with how (SL007 everywhere).
    pub waits: Vec<(FnRef, Vec<trace::Listen>)>,
    /// Functions that subscribe to a task's events only after acting on
    /// it (SL006's spawner form).
    pub late_subscribes: Vec<late_subscribe::LateSubscribe>,
    /// Loops that subscribe to each handle while making it act on the
    /// later ones (SL006's loop form).
    pub loop_subscribes: Vec<loop_subscribe::LoopSubscribe>,
    /// Functions that insert a task's registry entry only after spawning
    /// it (SL001 beyond constructors).
    pub registry_races: Vec<registry::RegistryRace>,
    /// Functions that start a child process before binding the listener
    /// they hand it (SL001).
    pub early_children: Vec<children::ChildBeforeListener>,
    /// Functions that insert a task's handle into a map another method
    /// aborts from, only after the spawn (SL001).
    pub late_handles: Vec<handles::LateHandle>,
    /// Methods that start a task which publishes, into a shared field, what
    /// a stop-like method needs, and return without waiting (SL001).
    pub unpublished_stops: Vec<publishes::UnpublishedStop>,
    /// Functions that return a snapshot for the caller to apply while the
    /// task they start already forwards its updates (SL002).
    pub returned_snapshots: Vec<returned_snapshots::ReturnedSnapshot>,
    /// Functions that fill a shared empty slot only after starting the
    /// task that unwraps it (SL002).
    pub empty_slots: Vec<empty_slots::EmptySlot>,
    /// Functions that hand back a task (spawned, or a future to run) that
    /// subscribes only once it runs (SL006).
    pub handed_back: Vec<handed_back::HandedBack>,
    /// Poll functions that register their waker after checking, and
    /// return `Pending` without checking again (SL007).
    pub late_wakers: Vec<wakers::LateWaker>,
    /// Manual-reset events reset after the loop that drains them (SL007).
    pub late_resets: Vec<resets::LateReset>,
    /// Retrying waiters on a `Notify` with several waiters whose change is
    /// signalled with `notify_one` (SL007).
    pub single_wakes: Vec<single_wakes::SingleWake>,
    /// Condvar baselines read after the change they wait for may have
    /// happened (SL007).
    pub late_baselines: Vec<baselines::LateBaseline>,
    /// Snapshots and receivers kept from two subscriptions, with the
    /// changes between in neither (SL007).
    pub split_subscriptions: Vec<split_subscriptions::SplitSubscription>,
    /// Functions that send a subscriber its snapshot before registering
    /// its sender (SL007).
    pub snapshots_first: Vec<snapshots::SnapshotFirst>,
    /// Condvar waits a notification without the waiter's mutex can miss
    /// (SL007).
    pub unguarded_notifies: Vec<condvars::UnguardedNotify>,
}

impl GroupAnalysis {
    /// Nothing for the rules to look at.
    pub fn is_empty(&self) -> bool {
        let GroupAnalysis {
            ctors,
            tasks,
            methods: _,
            waits,
            late_subscribes,
            loop_subscribes,
            registry_races,
            early_children,
            late_handles,
            unpublished_stops,
            returned_snapshots,
            handed_back,
            empty_slots,
            late_wakers,
            late_resets,
            single_wakes,
            split_subscriptions,
            late_baselines,
            unguarded_notifies,
            snapshots_first,
        } = self;
        ctors.is_empty()
            && tasks.is_empty()
            && waits.is_empty()
            && late_subscribes.is_empty()
            && loop_subscribes.is_empty()
            && registry_races.is_empty()
            && late_handles.is_empty()
            && unpublished_stops.is_empty()
            && returned_snapshots.is_empty()
            && handed_back.is_empty()
            && empty_slots.is_empty()
            && early_children.is_empty()
            && late_wakers.is_empty()
            && late_resets.is_empty()
            && single_wakes.is_empty()
            && split_subscriptions.is_empty()
            && late_baselines.is_empty()
            && unguarded_notifies.is_empty()
            && snapshots_first.is_empty()
    }
}

/// The analysis stage's output.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Per configuration group (the index of its catalog).
    pub groups: Vec<GroupAnalysis>,
    /// Crate-wide `notify_waiters` sites.
    pub notify_waiters: signals::NotifyWaiters,
    /// Spawn sites reached from constructors.
    pub constructor_spawns: usize,
    /// Functions whose analysis did not finish (step budget, panic): their
    /// findings may be missing, and the run says so.
    pub cuts: Vec<guard::Cut>,
}

impl Analysis {
    /// Constructor spawns counted per file of the constructor.
    pub fn constructor_spawns_in(&self) -> std::collections::HashMap<crate::source::FileId, usize> {
        let mut out = std::collections::HashMap::new();
        for a in self.groups.iter().flat_map(|g| &g.ctors) {
            *out.entry(a.ctor.file).or_default() += a.spawns.len();
        }
        out
    }
}

/// Run the analysis: every constructor that may spawn, every function that
/// spawns a task that may listen, and the methods that run after each
/// constructor. `group_of(f)` is the index in `catalogs` of the
/// configuration of `f`'s crate.
pub fn run(
    model: &Model,
    reach: &Reach,
    catalogs: &[Catalog],
    group_of: &(dyn Fn(FnRef) -> usize + Sync),
) -> Analysis {
    let fns: Vec<FnRef> = model.all_fns().collect();
    let cuts = guard::Cuts::default();
    let ctors: Vec<CtorTrace> = fns
        .par_iter()
        .filter(|f| reach.may_spawn(**f))
        .filter_map(|f| model.constructed_type(*f).map(|t| (*f, t)))
        .filter_map(|(f, t)| {
            let trace = cuts.run(f, || {
                analyze_constructor(model, &catalogs[group_of(f)], f, t)
            })?;
            if trace.truncated {
                cuts.budget(f);
            }
            Some(trace)
        })
        .filter(|a| !a.spawns.is_empty())
        .collect();
    let tasks: Vec<(FnRef, Vec<SpawnSite>)> = fns
        .par_iter()
        .filter(|f| reach.spawns_itself(**f) && reach.may_listen(**f))
        .filter_map(|f| {
            let (sites, truncated) =
                cuts.run(*f, || spawning_fn(model, &catalogs[group_of(*f)], *f))?;
            if truncated {
                cuts.budget(*f);
            }
            Some((*f, sites))
        })
        .filter(|(_, s)| s.iter().any(|s| !s.listens.is_empty()))
        .collect();
    let waits: Vec<(FnRef, Vec<trace::Listen>)> = fns
        .par_iter()
        .filter(|f| waits_itself(model, **f))
        .filter_map(|f| {
            let (listens, truncated) =
                cuts.run(*f, || waiting_fn(model, &catalogs[group_of(*f)], *f))?;
            if truncated {
                cuts.budget(*f);
            }
            Some((*f, listens))
        })
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let mut groups: Vec<GroupAnalysis> =
        catalogs.iter().map(|_| GroupAnalysis::default()).collect();
    let constructor_spawns = ctors.iter().map(|a| a.spawns.len()).sum();
    for a in ctors {
        groups[group_of(a.ctor)].ctors.push(a);
    }
    for t in tasks {
        groups[group_of(t.0)].tasks.push(t);
    }
    for w in waits {
        groups[group_of(w.0)].waits.push(w);
    }
    let mut into = Sink {
        fns: &fns,
        cuts: &cuts,
        groups: &mut groups,
        group_of,
    };
    subscription_passes(model, reach, catalogs, &mut into);
    signal_order_passes(model, reach, &mut into);
    start_up_order_passes(model, reach, &mut into);
    for (g, group) in groups.iter_mut().enumerate() {
        let wanted: BTreeSet<(TypeRef, FnRef)> = group
            .ctors
            .iter()
            .flat_map(|ca| ca.later_methods.iter().map(|m| (ca.ty.clone(), *m)))
            .collect();
        group.methods = wanted
            .into_par_iter()
            .filter_map(|(ty, m)| {
                let effects = cuts.run(m, || method_effects(model, &catalogs[g], &ty, m))?;
                Some(((ty, m), effects))
            })
            .collect();
    }
    Analysis {
        groups,
        notify_waiters: signals::notify_waiters(model),
        constructor_spawns,
        cuts: cuts.into_sorted(),
    }
}
