//! The rules: pure functions from the analyzed model to diagnostics.
//!
//! Each rule lives in its own module and is listed in [`RULES`] and in
//! `rules/rules.toml` (code, slug, default severity, summary). Shared
//! wording for labels and notes lives in [`explain`].

mod explain;
pub mod lossy_gate;
pub mod spawn_before_init;
pub mod spawn_before_load;
pub mod spawn_in_default;
pub mod spawn_in_new_cyclic;
pub mod stale_capture;
pub mod subscribe_in_task;
pub mod unused_suppression;

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::flow::{self, CtorAnalysis, SpawnSite, Write};
use crate::model::{FnRef, Model, TypeRef};
use crate::source::{FileId, Loc};
use serde::Deserialize;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// A rule's registry entry.
#[derive(Debug, Clone, Deserialize)]
pub struct RuleInfo {
    /// `SL001`.
    pub code: String,
    /// `spawn-before-init`.
    pub slug: String,
    /// Default severity before escalation.
    pub severity: String,
    /// One line.
    pub summary: String,
}

#[derive(Deserialize)]
struct RulesFile {
    rule: Vec<RuleInfo>,
}

/// Every rule, from `rules/rules.toml`.
pub fn registry() -> &'static [RuleInfo] {
    static REGISTRY: std::sync::OnceLock<Vec<RuleInfo>> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(|| {
        let file: RulesFile = toml::from_str(include_str!("../../rules/rules.toml"))
            .expect("rules/rules.toml is valid (tested)");
        file.rule
    })
}

/// Cache of [`Context::method_writes`].
type MethodWrites = HashMap<(TypeRef, FnRef), (Rc<Vec<Write>>, Rc<Vec<Loc>>)>;

/// A rule's check function.
pub type Check = fn(&Context) -> Vec<Diagnostic>;

/// Rule code → check.
pub const RULES: &[(&str, Check)] = &[
    ("SL001", spawn_before_init::check),
    ("SL002", spawn_before_load::check),
    ("SL003", stale_capture::check),
    ("SL004", spawn_in_new_cyclic::check),
    ("SL005", spawn_in_default::check),
    ("SL006", subscribe_in_task::check),
    ("SL007", lossy_gate::check),
];

/// What the rules see: the model, the catalogs, and the analysis of every
/// constructor that spawns.
pub struct Context<'a> {
    /// The linked model.
    pub model: &'a Model,
    /// The catalogs.
    pub catalog: &'a Catalog,
    /// Constructors with at least one spawn.
    pub ctors: &'a [CtorAnalysis],
    /// Every function's own spawns, with their tasks run (SL006, SL007).
    pub tasks: &'a [(FnRef, Vec<SpawnSite>)],
    method_writes: RefCell<MethodWrites>,
    sources: RefCell<HashMap<FileId, Option<Rc<String>>>>,
}

impl<'a> Context<'a> {
    /// A context over analyzed constructors.
    pub fn new(
        model: &'a Model,
        catalog: &'a Catalog,
        ctors: &'a [CtorAnalysis],
        tasks: &'a [(FnRef, Vec<SpawnSite>)],
    ) -> Self {
        Context {
            model,
            catalog,
            ctors,
            tasks,
            method_writes: RefCell::default(),
            sources: RefCell::default(),
        }
    }

    /// The writes a method makes with `self` an instance of `ty` (cached).
    pub fn method_writes(&self, ty: &TypeRef, method: FnRef) -> Rc<Vec<Write>> {
        self.method_effects(ty, method).0
    }

    /// The methods of the constructed type that can run after the
    /// constructor returned: those taking `self`, other than the
    /// constructor and the methods it ran itself (those are construction).
    pub fn later_methods(&self, ca: &CtorAnalysis) -> Vec<FnRef> {
        let ran_in_ctor: std::collections::BTreeSet<FnRef> = ca
            .timeline
            .iter()
            .filter_map(|e| match e {
                flow::CtorEvent::Called(f) => Some(*f),
                _ => None,
            })
            .collect();
        self.model
            .methods_of(&ca.ty)
            .into_iter()
            .filter(|m| *m != ca.ctor && !ran_in_ctor.contains(m))
            .filter(|m| self.model.func(*m).receiver != crate::facts::Receiver::None)
            .collect()
    }

    /// The spawn calls a method reaches with `self` an instance of `ty`
    /// (cached with its writes).
    pub fn method_spawns(&self, ty: &TypeRef, method: FnRef) -> Rc<Vec<Loc>> {
        self.method_effects(ty, method).1
    }

    fn method_effects(&self, ty: &TypeRef, method: FnRef) -> (Rc<Vec<Write>>, Rc<Vec<Loc>>) {
        let key = (ty.clone(), method);
        if let Some(e) = self.method_writes.borrow().get(&key) {
            return e.clone();
        }
        let (w, s) = flow::method_effects(self.model, self.catalog, ty, method);
        let e = (Rc::new(w), Rc::new(s));
        self.method_writes.borrow_mut().insert(key, e.clone());
        e
    }

    /// The text of a file, for fix snippets (read once, on demand).
    pub fn source(&self, file: FileId) -> Option<Rc<String>> {
        if let Some(s) = self.sources.borrow().get(&file) {
            return s.clone();
        }
        let text = std::fs::read_to_string(&self.model.files[file as usize].path)
            .ok()
            .map(Rc::new);
        self.sources.borrow_mut().insert(file, text.clone());
        text
    }

    /// Display path of a file.
    pub fn path(&self, file: FileId) -> String {
        crate::discover::display_path(&self.model.files[file as usize].path)
    }

    /// `Type::name` for a function.
    pub fn fn_name(&self, f: FnRef) -> String {
        let func = self.model.func(f);
        match &func.owner {
            Some(o) => format!("{o}::{}", func.name),
            None => func.name.clone(),
        }
    }
}

/// Run the selected rules.
pub fn run(cx: &Context, selected: &dyn Fn(&str) -> bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (code, check) in RULES {
        if selected(code) {
            out.extend(check(cx));
        }
    }
    out
}

/// The escalated severity of an access (SPEC §3): error when it would
/// panic or runs before the task's first await or sleep.
pub fn access_severity(a: &flow::Access) -> Severity {
    match a.kind {
        flow::AccessKind::Panicky(_) => Severity::Error,
        flow::AccessKind::Tolerant { .. } => Severity::Warning,
        flow::AccessKind::Plain if !a.delayed => Severity::Error,
        flow::AccessKind::Plain => Severity::Warning,
    }
}

/// Whether a task access can hit the window: unguarded and not tolerant,
/// or tolerant in a way that drops work.
pub fn exposed(a: &flow::Access) -> bool {
    match &a.kind {
        flow::AccessKind::Tolerant { lossy } => lossy.is_some(),
        _ => !a.gated,
    }
}

/// Every rule page `rules/SLnnn-slug.md` (file name, text), embedded by
/// `build.rs`.
pub const DOCS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

/// The documentation page of a registered rule: `rules/<code>-<slug>.md`.
pub fn doc(rule: &RuleInfo) -> Option<&'static str> {
    let name = format!("{}-{}.md", rule.code, rule.slug);
    DOCS.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// The documentation page of a rule (by code or slug).
pub fn explain_text(code_or_slug: &str) -> Option<&'static str> {
    let code = crate::config::rule_code(code_or_slug)?;
    registry().iter().find(|r| r.code == code).and_then(doc)
}
