//! Reach: which functions may lead to a spawn, or to a subscription or a
//! wait — a cheap over-approximation over the call graph as written, that
//! keeps the interpreter off functions that cannot matter. It never
//! decides a finding.

use super::{FnRef, Model};
use crate::facts::{Callee, FnFacts, Receiver};
use std::collections::{HashMap, HashSet};

/// The functions worth interpreting.
#[derive(Debug, Default)]
pub struct Reach {
    spawn: HashSet<FnRef>,
    listen: HashSet<FnRef>,
    spawn_words: Vec<String>,
}

impl Reach {
    /// Compute reach. `spawn_words` are call names that start tasks besides
    /// anything named `*spawn*` (configured spawners); `listen_words` the
    /// methods through which a task starts listening or waiting.
    /// `depth` is how many calls deep the interpreter follows the crate's
    /// own functions: a spawn further down than that is never reached by
    /// it, so reach stops there too (and at the crate's edge, which the
    /// interpreter does not cross either).
    pub fn compute(
        model: &Model,
        spawn_words: Vec<String>,
        listen_words: &HashSet<String>,
        depth: usize,
    ) -> Reach {
        let mut r = Reach {
            spawn_words,
            ..Reach::default()
        };
        r.spawn = reach(model, &|krate, c| r.calls_spawner(model, krate, c), depth);
        r.listen = reach(
            model,
            &|_, c| matches!(c, Callee::Method(m) if listen_words.contains(m.as_str())),
            depth,
        );
        r
    }

    /// Whether `f` may reach a spawn: it calls something named like a
    /// spawner, or calls (by name, transitively) a crate function that does.
    pub fn may_spawn(&self, f: FnRef) -> bool {
        self.spawn.contains(&f)
    }

    /// Whether `f` may reach a subscription or a wait.
    pub fn may_listen(&self, f: FnRef) -> bool {
        self.listen.contains(&f)
    }

    /// Whether `f` itself calls something named like a spawner.
    pub fn spawns_itself(&self, model: &Model, f: FnRef) -> bool {
        let krate = model.crate_of(f.file);
        model
            .func(f)
            .callees
            .iter()
            .any(|c| self.calls_spawner(model, krate, c))
    }

    /// Whether a call, as written in a function of crate `krate`, names a
    /// spawner: anything named like `spawn`, a configured spawner name, or
    /// a crate's `spawn!` wrapper macro.
    pub fn calls_spawner(&self, model: &Model, krate: u32, c: &Callee) -> bool {
        c.name().contains("spawn")
            || self.spawn_words.iter().any(|w| w == c.name())
            || matches!(c, Callee::Free(n) if model.is_spawn_macro_in(krate, n))
    }
}

/// Functions with a call satisfying `seed`, then their callers in the same
/// crate, up to `depth` calls away. Calls are matched as written:
/// `Type::f()` only to `f` of `Type`, `x.f()` to methods named `f`, `f()`
/// to free functions named `f`.
fn reach(model: &Model, seed: &dyn Fn(u32, &Callee) -> bool, depth: usize) -> HashSet<FnRef> {
    let mut callers: HashMap<(u32, &Callee), Vec<FnRef>> = HashMap::new();
    let mut distance: HashMap<FnRef, usize> = HashMap::new();
    let mut queue: std::collections::VecDeque<FnRef> = std::collections::VecDeque::new();
    for r in model.all_fns() {
        let callees = &model.func(r).callees;
        let krate = model.crate_of(r.file);
        if callees.iter().any(|c| seed(krate, c)) && distance.insert(r, 0).is_none() {
            queue.push_back(r);
        }
        for c in callees {
            callers.entry((krate, c)).or_default().push(r);
        }
    }
    // Breadth first, so each function gets its shortest distance.
    while let Some(r) = queue.pop_front() {
        let d = distance[&r];
        if d >= depth {
            continue;
        }
        let krate = model.crate_of(r.file);
        for call in callee_forms(model.func(r)) {
            for caller in callers.get(&(krate, &call)).into_iter().flatten() {
                if !distance.contains_key(caller) {
                    distance.insert(*caller, d + 1);
                    queue.push_back(*caller);
                }
            }
        }
    }
    distance.into_keys().collect()
}

/// The ways a call can name `f`.
fn callee_forms(f: &FnFacts) -> Vec<Callee> {
    let mut forms = Vec::new();
    match &f.owner {
        Some(owner) => {
            forms.push(Callee::Assoc(owner.clone(), f.name.clone()));
            if f.receiver != Receiver::None {
                forms.push(Callee::Method(f.name.clone()));
            }
        }
        None => forms.push(Callee::Free(f.name.clone())),
    }
    forms
}
