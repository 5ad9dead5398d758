//! Recorders: what a run keeps of what the interpreter sees.
//!
//! The interpreter reports every event (an access, a write, a spawn, a
//! call) to the active recorder; each kind keeps what its analysis needs
//! and ignores the rest. Running a spawned task pushes a [`TaskRecorder`]
//! and pops it when the task's body is done.

use super::trace::{
    Access, AccessKind, Event, Key, Root, SignalCall, SpawnSite, TaskEvent, Via, Write,
};
use crate::model::FnRef;
use crate::source::Loc;
use std::collections::BTreeSet;

/// A constructor or spawning function: spawns, writes and calls in order.
#[derive(Default)]
pub(super) struct CtorRecorder {
    pub timeline: Vec<Event>,
    pub spawns: Vec<SpawnSite>,
    /// Statements run so far (for "joined before the next statement").
    pub stmt_no: u64,
    /// How many of `timeline` are `Called`.
    pub called: usize,
}

/// A spawned task: what it touches and how it waits, in order.
#[derive(Default)]
pub(super) struct TaskRecorder {
    pub accesses: Vec<Access>,
    pub task_calls: BTreeSet<FnRef>,
    pub delayed: bool,
    pub gated: bool,
    /// The first gate the task waited on.
    pub gate: Option<Loc>,
    pub first_tick: Option<Loc>,
    pub events: Vec<TaskEvent>,
}

/// Whether a task has waited on a gate (and where first) or paused, at
/// one point of its run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct GateState {
    pub gated: bool,
    pub delayed: bool,
    pub gate: Option<Loc>,
}

impl GateState {
    /// After branches that went on from `before` to `self` and `other`:
    /// gated (or paused) only if both are — a gate in one `match` arm does
    /// not gate its sibling, nor what follows the `match`.
    pub fn meet(self, other: GateState, before: GateState) -> GateState {
        let gated = self.gated && other.gated;
        GateState {
            gated,
            delayed: self.delayed && other.delayed,
            gate: if gated {
                self.gate.or(other.gate)
            } else {
                before.gate
            },
        }
    }
}

/// A method run after construction: its writes and the spawns it reaches.
#[derive(Default)]
pub(super) struct MethodRecorder {
    pub timeline: Vec<Event>,
    pub respawns: Vec<Loc>,
    /// How many of `timeline` are `Called`.
    pub called: usize,
}

/// What a spawn call does in the current run.
pub(super) enum SpawnAction {
    /// Record the spawn and run its task.
    Record,
    /// Evaluate the task expression as ordinary code (a load method's
    /// restart, a scoped spawn).
    Evaluate,
    /// Ignore it: spawns inside a task are not construction.
    Skip,
}

/// The active recorder.
pub(super) enum Recorder {
    Ctor(CtorRecorder),
    Task(TaskRecorder),
    Method(MethodRecorder),
}

impl Recorder {
    /// A crate function is being run.
    pub fn ran(&mut self, f: FnRef) {
        match self {
            Recorder::Task(t) => {
                t.task_calls.insert(f);
            }
            Recorder::Ctor(c) => {
                c.timeline.push(Event::Called(f));
                c.called += 1;
            }
            Recorder::Method(m) => {
                m.timeline.push(Event::Called(f));
                m.called += 1;
            }
        }
    }

    /// What it recorded apart from calls run, as a count that grows with
    /// every other event, and the statements it counted.
    pub fn recorded(&self) -> (usize, u64) {
        match self {
            Recorder::Ctor(c) => (c.timeline.len() - c.called + c.spawns.len(), c.stmt_no),
            Recorder::Method(m) => (m.timeline.len() - m.called + m.respawns.len(), 0),
            Recorder::Task(t) => (
                t.accesses.len()
                    + t.events.len()
                    + usize::from(t.delayed)
                    + usize::from(t.gated)
                    + usize::from(t.gate.is_some())
                    + usize::from(t.first_tick.is_some()),
                0,
            ),
        }
    }

    /// A statement of the analyzed function is about to run.
    pub fn statement(&mut self) {
        if let Recorder::Ctor(c) = self {
            c.stmt_no += 1;
        }
    }

    /// State is touched (tasks record it).
    pub fn access(&mut self, key: &Key, loc: Loc, kind: AccessKind, via: &[Via]) {
        let Recorder::Task(t) = self else { return };
        if matches!(key.root, Root::Type(_)) && key.path.is_empty() {
            return;
        }
        t.accesses.push(Access {
            key: key.clone(),
            loc,
            kind,
            via: via.to_vec(),
            delayed: t.delayed,
            gated: t.gated,
            gate: t.gate,
            after_first_tick: t.first_tick,
        });
    }

    /// State is written (everything but tasks records it).
    pub fn write(&mut self, w: Write) {
        match self {
            Recorder::Ctor(c) => c.timeline.push(Event::Write(w)),
            Recorder::Method(m) => m.timeline.push(Event::Write(w)),
            Recorder::Task(_) => {}
        }
    }

    /// A name that held `old` is bound to a new value at `loc`. If a task
    /// spawned by an earlier statement captured `old`, the task keeps the
    /// old handle: that is a replacing write of the old state.
    pub fn rebound(&mut self, old: &Key, w: impl FnOnce() -> Write) {
        let Recorder::Ctor(c) = self else { return };
        let now = c.stmt_no;
        let captured = c
            .spawns
            .iter()
            .filter(|s| s.stmt_no < now)
            .any(|s| s.captures.iter().any(|cap| cap.key.as_ref() == Some(old)));
        if captured {
            c.timeline.push(Event::Write(w()));
        }
    }

    /// A spawn call at `loc`: what to do with it.
    pub fn spawn_action(&mut self, loc: Loc, scoped: bool) -> SpawnAction {
        match self {
            Recorder::Method(m) => {
                m.respawns.push(loc);
                SpawnAction::Evaluate
            }
            Recorder::Task(_) => SpawnAction::Skip,
            Recorder::Ctor(_) if scoped => SpawnAction::Evaluate,
            Recorder::Ctor(_) => SpawnAction::Record,
        }
    }

    /// The task waits on a gate at `loc`.
    pub fn gate(&mut self, loc: Loc) {
        if let Recorder::Task(t) = self {
            t.gated = true;
            t.delayed = true;
            t.gate.get_or_insert(loc);
        }
    }

    /// Where a task stands with its gates: for branches, each of which
    /// starts from the state before it.
    pub fn gate_state(&self) -> Option<GateState> {
        match self {
            Recorder::Task(t) => Some(GateState {
                gated: t.gated,
                delayed: t.delayed,
                gate: t.gate,
            }),
            _ => None,
        }
    }

    /// Put a task back where [`Recorder::gate_state`] said it stood.
    pub fn set_gate_state(&mut self, s: Option<GateState>) {
        if let (Recorder::Task(t), Some(s)) = (self, s) {
            t.gated = s.gated;
            t.delayed = s.delayed;
            t.gate = s.gate;
        }
    }

    /// The task awaits or sleeps.
    pub fn delay(&mut self) {
        if let Recorder::Task(t) = self {
            t.delayed = true;
        }
    }

    /// The task awaits an interval's `tick()`: the first completes at once,
    /// the second waits a whole period.
    pub fn tick(&mut self, loc: Loc) {
        if let Recorder::Task(t) = self {
            if t.first_tick.is_some() {
                t.delayed = true;
            } else if !t.delayed {
                t.first_tick = Some(loc);
            }
        }
    }

    /// Whether the task has awaited or slept yet.
    pub fn delayed(&self) -> bool {
        matches!(self, Recorder::Task(t) if t.delayed)
    }

    /// Whether this run is a task's.
    pub fn is_task(&self) -> bool {
        matches!(self, Recorder::Task(_))
    }

    /// A signal call of the task (`notified()`, `wait(..)`, `subscribe()`).
    pub fn signal_call(&mut self, call: SignalCall) {
        if let Recorder::Task(t) = self {
            t.events.push(TaskEvent::Call(call));
        }
    }

    /// The task read `key` when the run had checked `checks` conditions.
    pub fn read(&mut self, key: &Key, checks: u32) {
        if let Recorder::Task(t) = self {
            t.events.push(TaskEvent::Read {
                key: key.clone(),
                checks,
            });
        }
    }

    /// The task awaits something that is not a future of its own code (a
    /// receive, a sleep, a foreign future): it may wait there.
    pub fn awaited(&mut self, checks: u32) {
        if let Recorder::Task(t) = self {
            t.events.push(TaskEvent::Awaited { checks });
        }
    }

    /// The task sends on a channel sender that is a local.
    pub fn sent(&mut self, local: u32) {
        if let Recorder::Task(t) = self {
            t.events.push(TaskEvent::Sent { local });
        }
    }

    /// The analyzed function (not a task) waits on a receiver that is a
    /// local.
    pub fn waited(&mut self, local: u32) {
        if let Recorder::Ctor(c) = self {
            c.timeline.push(Event::Waited(local));
        }
    }

    /// The task bound a receiver it subscribed itself.
    pub fn subscribed(&mut self, local: u32, sender: Vec<String>, loc: Loc, checks: u32) {
        if let Recorder::Task(t) = self {
            t.events.push(TaskEvent::Subscribed {
                local,
                sender,
                loc,
                checks,
            });
        }
    }

    /// The constructor recorder, if this is one.
    pub fn as_ctor(&mut self) -> Option<&mut CtorRecorder> {
        match self {
            Recorder::Ctor(c) => Some(c),
            _ => None,
        }
    }
}
