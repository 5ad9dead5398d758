//! What the interpreter knows about std, tokio and common crates' types:
//! `rules/semantics.toml`, extended by configuration (`extend-semantics`).

use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NameList {
    names: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WrapperTable {
    types: Vec<String>,
    functions: Vec<String>,
    handles: Vec<String>,
    handle_functions: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceholderTable {
    absent_types: Vec<String>,
    absent_functions: Vec<String>,
    empty_types: Vec<String>,
    empty_functions: Vec<String>,
    holder_types: Vec<String>,
    atomic_prefix: String,
    atomic_functions: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HandleTable {
    types: Vec<String>,
    channel_functions: Vec<String>,
    channel_ends: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SemanticsFile {
    locks: NameList,
    transparent: NameList,
    option_adapters: NameList,
    absence_handlers: NameList,
    lookups: NameList,
    iteration: NameList,
    panicking: NameList,
    receives: NameList,
    signals: NameList,
    future_adapters: NameList,
    pauses: NameList,
    wrappers: WrapperTable,
    placeholders: PlaceholderTable,
    handles: HandleTable,
    existing_values: NameList,
    own_state_wrappers: NameList,
    condvars: CondvarTable,
    listens: ListenTable,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CondvarTable {
    no_spurious_wakeups: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListenTable {
    starts: Vec<String>,
    reads: Vec<String>,
}

/// A set of names.
pub type Names = HashSet<String>;

fn set(v: Vec<String>) -> Names {
    v.into_iter().collect()
}

/// The semantics tables, each a set of names (see `rules/semantics.toml`
/// for what each means).
#[derive(Debug, Clone)]
pub struct Semantics {
    /// Methods that lock or borrow a shared value.
    pub locks: Names,
    /// Methods that hand back the same state.
    pub transparent: Names,
    /// Option adapters that keep a lookup's `Option`.
    pub option_adapters: Names,
    /// Calls that handle absence.
    pub absence_handlers: Names,
    /// Methods that look an `Option` up.
    pub lookups: Names,
    /// Methods that iterate.
    pub iteration: Names,
    /// Methods that panic on absence.
    pub panicking: Names,
    /// Gate methods whose result is a received message.
    pub receives: Names,
    /// Gate methods whose result carries nothing followed.
    pub signals: Names,
    /// Future adapters that keep the future.
    pub future_adapters: Names,
    /// Calls that pause without working.
    pub pauses: Names,
    /// Wrapping constructors' types (`Arc` in `Arc::new`).
    pub wrapper_types: Names,
    /// Wrapping constructors' functions (`new` in `Arc::new`).
    pub wrapper_functions: Names,
    /// Handle types whose clone/downgrade is the same state.
    pub handle_wrappers: Names,
    /// The functions of those (`clone`, `downgrade`).
    pub handle_functions: Names,
    /// Types whose `new()` is absent (`OnceLock`).
    pub absent_types: Names,
    /// Their constructors.
    pub absent_functions: Names,
    /// Collections created empty.
    pub empty_types: Names,
    /// Their constructors.
    pub empty_functions: Names,
    /// Holders whose initial value is that of their argument.
    pub holder_types: Names,
    /// Prefix of atomic types.
    pub atomic_prefix: String,
    /// Constructors of atomics.
    pub atomic_functions: Names,
    /// Shared handle types (`Arc`, `Rc`).
    pub shared_types: Names,
    /// Functions that create channel ends.
    pub channel_functions: Names,
    /// Types of channel ends.
    pub channel_ends: Names,
    /// Methods whose result is an existing value.
    pub existing_values: Names,
    /// Field wrappers that make a field state of its own.
    pub own_state_wrappers: Names,
    /// Condition variable types that never wake spuriously (paths).
    pub no_spurious_wakeups: Vec<String>,
    /// Calls that start listening or waiting (recorded for SL006/SL007).
    pub listen_starts: Names,
    /// Calls that read a watch receiver's current value (recorded too).
    pub listen_reads: Names,
}

impl Semantics {
    pub(super) fn from_file(f: SemanticsFile) -> Semantics {
        Semantics {
            locks: set(f.locks.names),
            transparent: set(f.transparent.names),
            option_adapters: set(f.option_adapters.names),
            absence_handlers: set(f.absence_handlers.names),
            lookups: set(f.lookups.names),
            iteration: set(f.iteration.names),
            panicking: set(f.panicking.names),
            receives: set(f.receives.names),
            signals: set(f.signals.names),
            future_adapters: set(f.future_adapters.names),
            pauses: set(f.pauses.names),
            wrapper_types: set(f.wrappers.types),
            wrapper_functions: set(f.wrappers.functions),
            handle_wrappers: set(f.wrappers.handles),
            handle_functions: set(f.wrappers.handle_functions),
            absent_types: set(f.placeholders.absent_types),
            absent_functions: set(f.placeholders.absent_functions),
            empty_types: set(f.placeholders.empty_types),
            empty_functions: set(f.placeholders.empty_functions),
            holder_types: set(f.placeholders.holder_types),
            atomic_prefix: f.placeholders.atomic_prefix,
            atomic_functions: set(f.placeholders.atomic_functions),
            shared_types: set(f.handles.types),
            channel_functions: set(f.handles.channel_functions),
            channel_ends: set(f.handles.channel_ends),
            existing_values: set(f.existing_values.names),
            own_state_wrappers: set(f.own_state_wrappers.names),
            no_spurious_wakeups: f.condvars.no_spurious_wakeups,
            listen_starts: set(f.listens.starts),
            listen_reads: set(f.listens.reads),
        }
    }

    /// The table a configuration key names (`extend-semantics.locks`).
    fn table_mut(&mut self, key: &str) -> Option<&mut Names> {
        Some(match key {
            "locks" => &mut self.locks,
            "transparent" => &mut self.transparent,
            "option-adapters" => &mut self.option_adapters,
            "absence-handlers" => &mut self.absence_handlers,
            "lookups" => &mut self.lookups,
            "iteration" => &mut self.iteration,
            "panicking" => &mut self.panicking,
            "receives" => &mut self.receives,
            "signals" => &mut self.signals,
            "future-adapters" => &mut self.future_adapters,
            "pauses" => &mut self.pauses,
            "existing-values" => &mut self.existing_values,
            _ => return None,
        })
    }

    /// Add names to tables (`extend-semantics`); keys were validated with
    /// [`Semantics::KEYS`].
    pub fn extend(&mut self, ext: &BTreeMap<String, Vec<String>>) {
        for (key, names) in ext {
            if let Some(t) = self.table_mut(key) {
                t.extend(names.iter().cloned());
            }
        }
    }

    /// The tables configuration may extend.
    pub const KEYS: &'static [&'static str] = &[
        "locks",
        "transparent",
        "option-adapters",
        "absence-handlers",
        "lookups",
        "iteration",
        "panicking",
        "receives",
        "signals",
        "future-adapters",
        "pauses",
        "existing-values",
    ];
}
