//! The rules: pure functions from the analysis to diagnostics.
//!
//! Each rule is one module holding its whole declaration — code, slug,
//! default severity, scope, doc page, check — written with
//! [`declare_rule!`]. The registry is built from [`ALL`]; nothing else
//! lists rules. Shared wording for labels and notes lives in `explain`.

mod crossing;
mod explain;
pub mod lossy_gate;
pub mod spawn_before_init;
pub mod spawn_before_load;
pub mod spawn_in_default;
pub mod spawn_in_new_cyclic;
pub mod stale_capture;
pub mod subscribe_in_task;
pub mod unused_suppression;
pub mod why;

use crate::analysis::signals::NotifyWaiters;
use crate::analysis::trace::{self, CtorTrace, MethodEffects, SpawnSite};
use crate::analysis::GroupAnalysis;
use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{FnRef, Model, TypeRef};
use crate::rule::{Registry, RuleId, RuleMeta};
use crate::source::{FileId, SourceDb};

/// A rule: its declaration and its check.
pub struct Rule {
    /// Code, slug, severities, scope, doc page.
    pub meta: RuleMeta,
    /// How it finds its findings.
    pub check: Check,
}

impl Rule {
    /// The rule's id.
    pub fn id(&'static self) -> RuleId {
        RuleId::of(&self.meta)
    }
}

/// How a rule finds its findings.
pub enum Check {
    /// A pure function over one configuration's analysis.
    Analysis(fn(&Context) -> Vec<Diagnostic>),
    /// Run by the suppression stage over each file's suppressions (SL900).
    Suppressions,
}

/// Declare a rule in its module: `pub static RULE`. The doc page is
/// `rules/<code>-<slug>.md`, embedded at compile time (a missing page does
/// not compile).
#[macro_export]
macro_rules! declare_rule {
    (
        code: $code:literal,
        slug: $slug:literal,
        summary: $summary:literal,
        severity: $sev:ident $(up to $max:ident)?,
        scope: $scope:ident,
        check: $check:expr $(,)?
    ) => {
        /// The rule's declaration.
        pub static RULE: $crate::rules::Rule = $crate::rules::Rule {
            meta: $crate::rule::RuleMeta {
                code: $code,
                slug: $slug,
                summary: $summary,
                default_severity: $crate::rule::Severity::$sev,
                max_severity: $crate::declare_rule!(@max $sev $($max)?),
                scope: $crate::rule::Scope::$scope,
                doc: include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/rules/",
                    $code,
                    "-",
                    $slug,
                    ".md"
                )),
            },
            check: $check,
        };
    };
    (@max $sev:ident) => { $crate::rule::Severity::$sev };
    (@max $sev:ident $max:ident) => { $crate::rule::Severity::$max };
}

/// Every rule. A rule module's `RULE` goes here; the registry, `--list-rules`,
/// SARIF's rule table and name lookups all come from this list.
pub static ALL: &[&Rule] = &[
    &spawn_before_init::RULE,
    &spawn_before_load::RULE,
    &stale_capture::RULE,
    &spawn_in_new_cyclic::RULE,
    &spawn_in_default::RULE,
    &subscribe_in_task::RULE,
    &lossy_gate::RULE,
    &unused_suppression::RULE,
];

/// The registry of every rule.
pub fn registry() -> &'static Registry {
    static REGISTRY: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(|| Registry::new(ALL.iter().map(|r| &r.meta)))
}

/// The declaration of a registered rule.
pub fn rule(id: RuleId) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id() == id)
}

/// The documentation page of a rule, by code or slug.
pub fn explain_text(code_or_slug: &str) -> Option<&'static str> {
    registry().find(code_or_slug).map(|r| r.meta().doc)
}

/// Whether write `w` is the declaration of the captured value `c` run
/// again (the next time round a loop, a helper called from two places):
/// that makes a new value for a new task, and neither initializes nor
/// replaces what the first task holds.
pub(crate) fn redeclares(c: &trace::Capture, w: &trace::Write) -> bool {
    c.key.as_ref() == Some(&w.key)
        && c.decl
            .is_some_and(|d| d.file == w.loc.file && d.span.contains(w.loc.span))
}

/// What the rules see: one configuration's analysis, the model and
/// catalogs it was computed with, and the source text for fixes.
pub struct Context<'a> {
    /// The linked model.
    pub model: &'a Model,
    /// The catalogs.
    pub catalog: &'a Catalog,
    /// The analysis of this configuration's functions.
    pub analysis: &'a GroupAnalysis,
    /// Crate-wide `notify_waiters` sites.
    pub notify_waiters: &'a NotifyWaiters,
    /// Every file's text and display path.
    pub sources: &'a SourceDb,
    /// Per file: the tokio version its crate builds with (`Cargo.lock`).
    pub tokio: &'a [Option<(u64, u64)>],
}

impl<'a> Context<'a> {
    /// Constructors with at least one spawn.
    pub fn ctors(&self) -> &'a [CtorTrace] {
        &self.analysis.ctors
    }

    /// Every function's own spawns whose tasks listen or wait.
    pub fn tasks(&self) -> &'a [(FnRef, Vec<SpawnSite>)] {
        &self.analysis.tasks
    }

    /// Functions that insert a task's registry entry only after spawning it.
    pub fn registry_races(&self) -> &'a [crate::analysis::registry::RegistryRace] {
        &self.analysis.registry_races
    }

    /// Child processes started before the listener they report to.
    pub fn early_children(&self) -> &'a [crate::analysis::children::ChildBeforeListener] {
        &self.analysis.early_children
    }

    /// Starts whose task publishes what a stop needs, with no handshake.
    pub fn unpublished_stops(&self) -> &'a [crate::analysis::publishes::UnpublishedStop] {
        &self.analysis.unpublished_stops
    }

    /// Task handles inserted into an abortable registry after the spawn.
    pub fn late_handles(&self) -> &'a [crate::analysis::handles::LateHandle] {
        &self.analysis.late_handles
    }

    /// Functions that subscribe to a task's events only after acting on it.
    pub fn late_subscribes(&self) -> &'a [crate::analysis::late_subscribe::LateSubscribe] {
        &self.analysis.late_subscribes
    }

    /// The effects of a later method of a constructed type.
    pub fn method_effects(&self, ty: &TypeRef, method: FnRef) -> &'a MethodEffects {
        static NONE: std::sync::OnceLock<MethodEffects> = std::sync::OnceLock::new();
        self.analysis
            .methods
            .get(&(ty.clone(), method))
            .unwrap_or_else(|| NONE.get_or_init(MethodEffects::default))
    }

    /// The text of a file, for fix snippets.
    pub fn source(&self, file: FileId) -> Option<crate::source::Text<'a>> {
        self.sources.indexed(file)
    }

    /// The text of a range, for fix snippets.
    pub fn slice(&self, loc: crate::source::Loc) -> Option<String> {
        self.sources.slice(loc.file, loc.span)
    }

    /// Display path of a file (part of fingerprints).
    pub fn path(&self, file: FileId) -> &'a str {
        self.sources.display(file)
    }

    /// The path of a file that fingerprints use: the same from any
    /// current directory.
    pub fn stable_path(&self, file: FileId) -> &'a str {
        self.sources.stable(file)
    }

    /// `Type::name` for a function.
    pub fn fn_name(&self, f: FnRef) -> String {
        self.model.fn_name(f)
    }
}

/// Run the selected rules that check the analysis.
pub fn run(cx: &Context, selected: &dyn Fn(RuleId) -> bool) -> (Vec<Diagnostic>, Vec<RulePanic>) {
    let mut out = Vec::new();
    let mut panics = Vec::new();
    for rule in ALL {
        if let Check::Analysis(check) = rule.check {
            if selected(rule.id()) {
                // One rule's bug costs that rule's findings, not the run's.
                match crate::isolate::catch(|| check(cx)) {
                    Ok(found) => out.extend(found),
                    Err(message) => panics.push(RulePanic {
                        rule: rule.id(),
                        message,
                    }),
                }
            }
        }
    }
    (out, panics)
}

/// A rule that panicked: a bug of ours, reported instead of aborting.
#[derive(Debug, Clone)]
pub struct RulePanic {
    /// The rule.
    pub rule: RuleId,
    /// The panic's message.
    pub message: String,
}

/// The escalated severity of an access (SPEC §3): error when it would
/// panic or runs before the task's first await or sleep.
pub fn access_severity(a: &trace::Access) -> Severity {
    match a.kind {
        trace::AccessKind::Panicky(_) => Severity::Error,
        trace::AccessKind::Tolerant { .. } => Severity::Warning,
        trace::AccessKind::Plain if !a.delayed => Severity::Error,
        trace::AccessKind::Plain => Severity::Warning,
    }
}

/// Whether a task access can hit the window: unguarded and not tolerant,
/// or tolerant in a way that drops work.
pub fn exposed(a: &trace::Access) -> bool {
    match &a.kind {
        trace::AccessKind::Tolerant { lossy } => lossy.is_some(),
        _ => !a.gated,
    }
}
