//! The knowledge catalogs in `rules/*.toml`, embedded at build time.
//!
//! Logic asks the catalog questions ("is this path a spawner?") instead of
//! hard-coding names, so extending the analyzer to a new runtime is a data
//! change.

mod semantics;

pub use semantics::Semantics;

use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

const SPAWNERS: &str = include_str!("../../rules/spawners.toml");
const INITIALIZERS: &str = include_str!("../../rules/initializers.toml");
const GATES: &str = include_str!("../../rules/gates.toml");
const SEMANTICS: &str = include_str!("../../rules/semantics.toml");

/// The runtime a spawner belongs to, which picks the flavour of the fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuntimeKind {
    /// OS threads (std, rayon): closures and blocking gates.
    Thread,
    /// tokio and runtimes compatible with its fixes (actix).
    Tokio,
    /// async-std and async-global-executor.
    AsyncStd,
    /// smol.
    Smol,
    /// glommio.
    Glommio,
    /// The `futures` crate's executors.
    Futures,
}

impl RuntimeKind {
    /// Every kind, as written in catalogs and configuration.
    pub const NAMES: &'static [&'static str] =
        &["tokio", "thread", "async-std", "smol", "glommio", "futures"];

    /// The kind a catalog or configuration name means.
    pub fn from_name(name: &str) -> Option<RuntimeKind> {
        Some(match name {
            "thread" => RuntimeKind::Thread,
            "tokio" => RuntimeKind::Tokio,
            "async-std" => RuntimeKind::AsyncStd,
            "smol" => RuntimeKind::Smol,
            "glommio" => RuntimeKind::Glommio,
            "futures" => RuntimeKind::Futures,
            _ => return None,
        })
    }
}

/// A free-function spawner such as `tokio::spawn`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FunctionSpawner {
    /// Full path, e.g. `std::thread::spawn`.
    pub path: String,
    /// Runtime flavour for fixes.
    pub runtime: RuntimeKind,
    /// Which argument is the task, counted from 1 (`spawn_named("name",
    /// fut)` is 2).
    #[serde(default = "first_arg", rename = "task-arg")]
    pub task_arg: usize,
}

/// The task is the first argument unless a catalog says otherwise.
pub fn first_arg() -> usize {
    1
}

/// A method-call spawner such as `handle.spawn(fut)`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MethodSpawner {
    /// Method name.
    pub name: String,
    /// Exact number of arguments.
    pub args: usize,
    /// Runtime flavour for fixes.
    pub runtime: RuntimeKind,
    /// Which argument is the task, counted from 1.
    #[serde(default = "first_arg", rename = "task-arg")]
    pub task_arg: usize,
}

#[derive(Debug, Deserialize)]
struct PathEntry {
    path: String,
}

#[derive(Debug, Deserialize, Default)]
struct Paths {
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    methods: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpawnersFile {
    function: Vec<FunctionSpawner>,
    method: Vec<MethodSpawner>,
    thread_builder: Vec<PathEntry>,
    scoped: Paths,
    blocking: Paths,
}

#[derive(Debug, Deserialize)]
struct Names {
    names: Vec<String>,
    #[serde(default)]
    prefixes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InitializersFile {
    mutators: Names,
    load_methods: Names,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GatesFile {
    methods: Names,
    awaited_only: Paths,
    await_on_binding: bool,
    immediate_awaits: Paths,
    delays: Paths,
    broadcast: Paths,
}

/// Every catalog, parsed.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Free-function spawners.
    pub functions: Vec<FunctionSpawner>,
    /// Method spawners.
    pub methods: Vec<MethodSpawner>,
    /// Constructors of thread builders (their `.spawn` starts a thread).
    pub thread_builders: Vec<String>,
    /// Scoped-spawn entry points (spawns inside are joined).
    pub scoped: Vec<String>,
    /// Functions that run a future to completion now.
    pub blocking_paths: Vec<String>,
    /// Methods that run a future to completion now.
    pub blocking_methods: HashSet<String>,
    /// Methods that write through their receiver.
    pub mutators: HashSet<String>,
    /// Load-like method names.
    pub load_names: HashSet<String>,
    /// Load-like method name prefixes.
    pub load_prefixes: Vec<String>,
    /// Methods that wait for a signal.
    pub gate_methods: HashSet<String>,
    /// Gate methods that wait only when awaited (`next`: a stream's waits,
    /// an iterator's returns at once).
    pub awaited_gates: HashSet<String>,
    /// Whether `binding.await` is a gate.
    pub await_on_binding: bool,
    /// Methods whose await completes at once.
    pub immediate_awaits: HashSet<String>,
    /// Calls that sleep.
    pub delays: Vec<String>,
    /// Broadcast-style source and receiver types (SL006).
    pub broadcast_types: Vec<String>,
    /// Methods that create a broadcast receiver (SL006).
    pub subscribe_methods: HashSet<String>,
    /// How std, tokio and common types behave.
    pub sem: Semantics,
}

impl Catalog {
    /// The catalogs shipped in `rules/`.
    pub fn builtin() -> Catalog {
        // The embedded files are part of the binary and covered by tests, so
        // a parse error here is a build defect, not an input error.
        let spawners: SpawnersFile =
            toml::from_str(SPAWNERS).expect("rules/spawners.toml is valid (tested)");
        let init: InitializersFile =
            toml::from_str(INITIALIZERS).expect("rules/initializers.toml is valid (tested)");
        let gates: GatesFile = toml::from_str(GATES).expect("rules/gates.toml is valid (tested)");
        let sem: semantics::SemanticsFile =
            toml::from_str(SEMANTICS).expect("rules/semantics.toml is valid (tested)");
        Catalog {
            functions: spawners.function,
            methods: spawners.method,
            thread_builders: spawners
                .thread_builder
                .into_iter()
                .map(|p| p.path)
                .collect(),
            scoped: spawners.scoped.paths,
            blocking_paths: spawners.blocking.paths,
            blocking_methods: spawners.blocking.methods.into_iter().collect(),
            mutators: init.mutators.names.into_iter().collect(),
            load_names: init.load_methods.names.into_iter().collect(),
            load_prefixes: init.load_methods.prefixes,
            gate_methods: gates.methods.names.into_iter().collect(),
            awaited_gates: gates.awaited_only.methods.into_iter().collect(),
            await_on_binding: gates.await_on_binding,
            immediate_awaits: gates.immediate_awaits.methods.into_iter().collect(),
            delays: gates.delays.paths,
            broadcast_types: gates.broadcast.paths,
            subscribe_methods: gates.broadcast.methods.into_iter().collect(),
            sem: Semantics::from_file(sem),
        }
    }

    /// Add a configuration's entries to the catalogs. Entries already
    /// present are not duplicated.
    pub fn extend(&mut self, ext: &Extension) {
        for f in &ext.functions {
            if !self.functions.iter().any(|g| g.path == f.path) {
                self.functions.push(f.clone());
            }
        }
        for m in &ext.methods {
            if !self
                .methods
                .iter()
                .any(|n| n.name == m.name && n.args == m.args)
            {
                self.methods.push(m.clone());
            }
        }
        self.load_names.extend(ext.load_names.iter().cloned());
        for p in &ext.load_prefixes {
            if !self.load_prefixes.contains(p) {
                self.load_prefixes.push(p.clone());
            }
        }
        self.gate_methods.extend(ext.gate_methods.iter().cloned());
        self.sem.extend(&ext.semantics);
    }

    /// The function spawner a resolved path names, if any.
    pub fn function_spawner(&self, path: &[String]) -> Option<&FunctionSpawner> {
        self.functions.iter().find(|f| path_matches(&f.path, path))
    }

    /// The method spawner for a method name and argument count, if any.
    pub fn method_spawner(&self, name: &str, args: usize) -> Option<&MethodSpawner> {
        self.methods
            .iter()
            .find(|m| m.name == name && m.args == args)
    }

    /// Whether `path` is a thread-builder constructor.
    pub fn is_thread_builder(&self, path: &[String]) -> bool {
        self.thread_builders.iter().any(|p| path_matches(p, path))
    }

    /// Whether `path` opens a scope whose spawns are joined.
    pub fn is_scoped(&self, path: &[String]) -> bool {
        self.scoped.iter().any(|p| path_matches(p, path))
    }

    /// Whether `path` runs a future to completion now.
    pub fn is_blocking(&self, path: &[String]) -> bool {
        self.blocking_paths.iter().any(|p| path_matches(p, path))
    }

    /// Whether `path` sleeps.
    pub fn is_delay(&self, path: &[String]) -> bool {
        self.delays.iter().any(|p| path_matches(p, path))
    }

    /// Whether a resolved type path is a broadcast-style source.
    pub fn is_broadcast(&self, path: &[String]) -> bool {
        self.broadcast_types.iter().any(|p| path_matches(p, path))
    }

    /// Whether a method of this name initializes state after construction.
    pub fn is_load_like(&self, name: &str) -> bool {
        self.load_names.contains(name) || self.load_prefixes.iter().any(|p| name.starts_with(p))
    }
}

/// What a configuration adds to the shipped catalogs (`extend-spawners`,
/// `extend-load-methods`, `extend-gates`). [`Catalog::extend`] applies it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extension {
    /// Free-function spawners (`my_rt::spawn_task`).
    pub functions: Vec<FunctionSpawner>,
    /// Method spawners (`.launch`).
    pub methods: Vec<MethodSpawner>,
    /// Load-like method names.
    pub load_names: Vec<String>,
    /// Load-like method name prefixes (`reload_*` in the configuration).
    pub load_prefixes: Vec<String>,
    /// Methods that wait for a signal (gates).
    pub gate_methods: Vec<String>,
    /// Names added to the semantics tables, by table key
    /// (`extend-semantics`).
    pub semantics: BTreeMap<String, Vec<String>>,
}

impl Extension {
    /// Whether it adds nothing.
    pub fn is_empty(&self) -> bool {
        *self == Extension::default()
    }

    /// Call names that may start a task (for the "may spawn" prefilter):
    /// the last segment of each function spawner and each method name.
    pub fn spawn_words(&self) -> impl Iterator<Item = &str> {
        self.functions
            .iter()
            .filter_map(|f| f.path.rsplit("::").next())
            .chain(self.methods.iter().map(|m| m.name.as_str()))
    }
}

/// Whether a written path (after `use` resolution) names catalog entry
/// `entry`: equal, or a suffix of at least two segments (`thread::spawn`
/// for `std::thread::spawn`). A lone `spawn` never matches by suffix: it
/// is as likely a parameter as a runtime function.
pub fn path_matches(entry: &str, path: &[String]) -> bool {
    // Most calls differ in the last segment: decide that without splitting.
    match (entry.rsplit("::").next(), path.last()) {
        (Some(a), Some(b)) if a == b => {}
        _ => return false,
    }
    let entry: Vec<&str> = entry.split("::").collect();
    if path.len() > entry.len() || path.is_empty() {
        return false;
    }
    if path.len() < entry.len() && path.len() < 2 {
        return false;
    }
    let offset = entry.len() - path.len();
    entry[offset..].iter().zip(path).all(|(a, b)| *a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<String> {
        s.split("::").map(str::to_string).collect()
    }

    #[test]
    fn builtin_catalogs_parse() {
        let c = Catalog::builtin();
        assert!(c.function_spawner(&p("tokio::spawn")).is_some());
        assert!(c.function_spawner(&p("thread::spawn")).is_some());
        assert!(c.function_spawner(&p("spawn")).is_none());
        assert!(c.method_spawner("spawn", 0).is_none());
        assert!(c.is_load_like("load"));
        assert!(c.is_load_like("load_routes"));
        assert!(!c.is_load_like("reload"));
        assert!(c.gate_methods.contains("recv"));
    }

    #[test]
    fn extend_adds_to_the_builtin_catalogs() {
        let mut c = Catalog::builtin();
        assert!(c.function_spawner(&p("my_rt::launch")).is_none());
        c.extend(&Extension {
            functions: vec![FunctionSpawner {
                path: "my_rt::launch".into(),
                runtime: RuntimeKind::Tokio,
                task_arg: 1,
            }],
            methods: vec![MethodSpawner {
                name: "start_worker".into(),
                args: 1,
                runtime: RuntimeKind::Thread,
                task_arg: 1,
            }],
            load_names: vec!["hydrate_all".into()],
            load_prefixes: vec!["reload_".into()],
            gate_methods: vec!["await_ready".into()],
            semantics: [("locks".to_string(), vec!["lock_shared".to_string()])].into(),
        });
        assert!(c.sem.locks.contains("lock_shared"));
        assert!(c.function_spawner(&p("my_rt::launch")).is_some());
        assert!(c.method_spawner("start_worker", 1).is_some());
        assert!(c.is_load_like("hydrate_all") && c.is_load_like("reload_routes"));
        assert!(c.gate_methods.contains("await_ready"));
        assert!(c.function_spawner(&p("tokio::spawn")).is_some());
    }

    #[test]
    fn suffix_matching_needs_two_segments() {
        assert!(path_matches("std::thread::spawn", &p("std::thread::spawn")));
        assert!(path_matches("tokio::task::spawn", &p("task::spawn")));
        assert!(!path_matches("tokio::task::spawn", &p("spawn")));
        assert!(!path_matches("tokio::spawn", &p("foo::spawn")));
    }
}
