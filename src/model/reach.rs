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
    /// The functions that call a spawner themselves (reach's seeds).
    spawners: HashSet<FnRef>,
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
        let graph = Callers::of(model);
        r.spawners = graph.seeds(model, &|krate, c| r.calls_spawner(model, krate, c));
        r.spawn = graph.reach(model, &r.spawners, depth);
        let listeners = graph.seeds(
            model,
            &|_, c| matches!(c, Callee::Method(m) if listen_words.contains(m.as_str())),
        );
        r.listen = graph.reach(model, &listeners, depth);
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
    pub fn spawns_itself(&self, f: FnRef) -> bool {
        self.spawners.contains(&f)
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

/// Who calls what, as written, per crate: the call graph reach walks
/// backwards, built once for both of its questions.
struct Callers<'m> {
    by_call: HashMap<(u32, &'m Callee), Vec<FnRef>>,
}

impl<'m> Callers<'m> {
    fn of(model: &'m Model) -> Self {
        let mut by_call: HashMap<(u32, &Callee), Vec<FnRef>> = HashMap::new();
        for r in model.all_fns() {
            let krate = model.crate_of(r.file);
            for c in &model.func(r).callees {
                by_call.entry((krate, c)).or_default().push(r);
            }
        }
        Callers { by_call }
    }

    /// The functions with a call satisfying `seed`.
    fn seeds(&self, model: &Model, seed: &dyn Fn(u32, &Callee) -> bool) -> HashSet<FnRef> {
        model
            .all_fns()
            .filter(|r| {
                let krate = model.crate_of(r.file);
                model.func(*r).callees.iter().any(|c| seed(krate, c))
            })
            .collect()
    }

    /// `seeds`, then their callers in the same crate, up to `depth` calls
    /// away. Calls are matched as written: `Type::f()` only to `f` of
    /// `Type`, `x.f()` to methods named `f`, `f()` to free functions named
    /// `f`.
    fn reach(&self, model: &Model, seeds: &HashSet<FnRef>, depth: usize) -> HashSet<FnRef> {
        let mut distance: HashMap<FnRef, usize> = seeds.iter().map(|r| (*r, 0)).collect();
        // Breadth first, so each function gets its shortest distance; seeds
        // in the order of the model, so the walk does not depend on hashing.
        let mut queue: std::collections::VecDeque<FnRef> =
            model.all_fns().filter(|r| seeds.contains(r)).collect();
        while let Some(r) = queue.pop_front() {
            let d = distance[&r];
            if d >= depth {
                continue;
            }
            let krate = model.crate_of(r.file);
            for call in callee_forms(model.func(r)) {
                for caller in self.by_call.get(&(krate, &call)).into_iter().flatten() {
                    if !distance.contains_key(caller) {
                        distance.insert(*caller, d + 1);
                        queue.push_back(*caller);
                    }
                }
            }
        }
        distance.into_keys().collect()
    }
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
