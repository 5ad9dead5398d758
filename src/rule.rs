//! Rule identity: what a rule is called, how severe its findings are and
//! where it looks. A leaf module: configuration, suppression, the rules,
//! diagnostics and renderers all name rules through it, and it depends on
//! nothing of the crate.
//!
//! Each rule declares its [`RuleMeta`] in its own module (see
//! `rules::declare_rule!`); the [`Registry`] is built from those
//! declarations and handed to the stages that look rules up by name.

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The window is hit often or panics.
    Error,
    /// The window exists but is narrow or silent.
    Warning,
}

impl Severity {
    /// `error` / `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Which functions a rule examines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Constructors and the tasks they start (SL001–SL005).
    Constructors,
    /// Every function that spawns a task itself (SL006, SL007).
    SpawningFunctions,
    /// The suppression comments and attributes of each file (SL900).
    Suppressions,
}

/// A rule's declaration: everything about it except its check.
#[derive(Debug)]
pub struct RuleMeta {
    /// `SL001`.
    pub code: &'static str,
    /// `spawn-before-init`.
    pub slug: &'static str,
    /// One line, for `--list-rules` and SARIF.
    pub summary: &'static str,
    /// The severity of a finding before escalation.
    pub default_severity: Severity,
    /// The most severe a finding of the rule can be after escalation.
    pub max_severity: Severity,
    /// What the rule examines.
    pub scope: Scope,
    /// The rule's documentation page, `rules/<code>-<slug>.md`.
    pub doc: &'static str,
}

impl RuleMeta {
    /// The page's path in the repository: `rules/SL001-spawn-before-init.md`.
    pub fn doc_path(&self) -> String {
        format!("rules/{}-{}.md", self.code, self.slug)
    }

    /// A stable URL of the rule's page: the page at this version's tag in
    /// the package's `repository` (Cargo.toml); `None` while the package
    /// names no repository.
    pub fn doc_url(&self) -> Option<String> {
        doc_url_in(
            env!("CARGO_PKG_REPOSITORY"),
            env!("CARGO_PKG_VERSION"),
            &self.doc_path(),
        )
    }
}

/// `{repository}/blob/v{version}/{path}`, for a repository URL (a trailing
/// `/` or `.git` dropped); `None` for none.
pub fn doc_url_in(repository: &str, version: &str, path: &str) -> Option<String> {
    let repo = repository.trim().trim_end_matches('/');
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
    (!repo.is_empty()).then(|| format!("{repo}/blob/v{version}/{path}"))
}

/// A rule, by reference to its declaration. Compared and ordered by code.
#[derive(Clone, Copy)]
pub struct RuleId(&'static RuleMeta);

impl RuleId {
    /// The id of a declared rule.
    pub const fn of(meta: &'static RuleMeta) -> RuleId {
        RuleId(meta)
    }

    /// `SL001`.
    pub fn code(self) -> &'static str {
        self.0.code
    }

    /// `spawn-before-init`.
    pub fn slug(self) -> &'static str {
        self.0.slug
    }

    /// The whole declaration.
    pub fn meta(self) -> &'static RuleMeta {
        self.0
    }
}

impl PartialEq for RuleId {
    fn eq(&self, other: &Self) -> bool {
        self.0.code == other.0.code
    }
}

impl Eq for RuleId {}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RuleId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.code.cmp(other.0.code)
    }
}

impl std::hash::Hash for RuleId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.code.hash(state)
    }
}

impl std::fmt::Debug for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.code)
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.code)
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.code)
    }
}

/// Every rule, in code order, with lookups by name.
#[derive(Debug)]
pub struct Registry {
    rules: Vec<RuleId>,
}

impl Registry {
    /// A registry of these declarations, sorted by code.
    pub fn new(metas: impl IntoIterator<Item = &'static RuleMeta>) -> Registry {
        let mut rules: Vec<RuleId> = metas.into_iter().map(RuleId).collect();
        rules.sort();
        Registry { rules }
    }

    /// Every rule, in code order.
    pub fn iter(&self) -> impl Iterator<Item = RuleId> + '_ {
        self.rules.iter().copied()
    }

    /// How many rules there are.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Position of a rule in code order (SARIF's `ruleIndex`).
    pub fn index_of(&self, rule: RuleId) -> Option<usize> {
        self.rules.iter().position(|r| *r == rule)
    }

    /// The rule a name refers to: its code in any case (`sl001`), or its
    /// slug, with `_` accepted for `-` (`spawn_before_load`).
    pub fn find(&self, name: &str) -> Option<RuleId> {
        self.iter().find(|r| {
            let slug = r.slug();
            r.code().eq_ignore_ascii_case(name)
                || (slug.len() == name.len()
                    && slug
                        .bytes()
                        .zip(name.bytes())
                        .all(|(a, b)| a == b || (a == b'-' && b == b'_')))
        })
    }

    /// The rules a selection names: `ALL`, a code prefix (`SL00`), a code
    /// or a slug. `None` when it names none.
    pub fn select(&self, name: &str) -> Option<Vec<RuleId>> {
        if name.eq_ignore_ascii_case("ALL") {
            return Some(self.iter().collect());
        }
        if let Some(rule) = self.find(name) {
            return Some(vec![rule]);
        }
        let prefix = name.to_ascii_uppercase();
        let prefixed: Vec<RuleId> = self
            .iter()
            .filter(|r| prefix.len() >= 2 && r.code().starts_with(&prefix))
            .collect();
        (!prefixed.is_empty()).then_some(prefixed)
    }

    /// ` (did you mean `SL002`?)` for a name that is no rule but close to
    /// one's code or slug; empty otherwise.
    pub fn did_you_mean(&self, name: &str) -> String {
        self.closest(name)
            .map(|near| format!(" (did you mean `{near}`?)"))
            .unwrap_or_default()
    }

    /// The code or slug nearest to `name`, if any is near.
    fn closest(&self, name: &str) -> Option<&'static str> {
        let lower = name.to_ascii_lowercase().replace('_', "-");
        let names: Vec<&'static str> = self.iter().flat_map(|r| [r.code(), r.slug()]).collect();
        let lowered: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let at = nearest(&lower, lowered.iter().map(String::as_str))?;
        lowered.iter().position(|n| n == at).map(|i| names[i])
    }

    /// `SL001 (spawn-before-init), …`: for error messages.
    pub fn listing(&self) -> String {
        self.iter()
            .map(|r| format!("{} ({})", r.code(), r.slug()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The candidate nearest to `given` by edit distance, when it is near
/// enough to be a typo of it (at most 2 edits, or a quarter of its
/// length): "did you mean" for rules, configuration keys.
pub fn nearest<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::levenshtein(given, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    static A: RuleMeta = RuleMeta {
        code: "SL002",
        slug: "spawn-before-load",
        summary: "",
        default_severity: Severity::Warning,
        max_severity: Severity::Error,
        scope: Scope::Constructors,
        doc: "",
    };
    static B: RuleMeta = RuleMeta {
        code: "SL001",
        slug: "spawn-before-init",
        summary: "",
        default_severity: Severity::Warning,
        max_severity: Severity::Error,
        scope: Scope::Constructors,
        doc: "",
    };

    #[test]
    fn names_resolve_by_code_or_slug() {
        let r = Registry::new([&A, &B]);
        assert_eq!(
            r.iter().map(RuleId::code).collect::<Vec<_>>(),
            ["SL001", "SL002"]
        );
        assert_eq!(r.find("sl002"), Some(RuleId::of(&A)));
        assert_eq!(r.find("spawn_before_init"), Some(RuleId::of(&B)));
        assert_eq!(r.find("spawn-before"), None);
        assert_eq!(r.index_of(RuleId::of(&A)), Some(1));
        assert_eq!(
            r.listing(),
            "SL001 (spawn-before-init), SL002 (spawn-before-load)"
        );
    }
}

#[cfg(test)]
mod doc_url_tests {
    use super::doc_url_in;

    #[test]
    fn rule_pages_have_stable_urls_once_a_repository_is_named() {
        assert_eq!(doc_url_in("", "0.1.0", "rules/SL001-x.md"), None);
        assert_eq!(
            doc_url_in(
                "https://github.com/o/cargo-spawnlint.git",
                "0.2.0",
                "rules/SL001-x.md"
            )
            .as_deref(),
            Some("https://github.com/o/cargo-spawnlint/blob/v0.2.0/rules/SL001-x.md")
        );
    }
}
