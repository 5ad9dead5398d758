//! Configuration: `spawnlint.toml`, `.spawnlint.toml`, or the
//! `[package.metadata.spawnlint]` / `[workspace.metadata.spawnlint]` table
//! of a `Cargo.toml`.
//!
//! Discovery, per crate: starting at the crate root (the directory of the
//! nearest `Cargo.toml`) and walking up, the first directory holding one of
//! these wins, checked in this order: `spawnlint.toml`, `.spawnlint.toml`,
//! `Cargo.toml`'s `[package.metadata.spawnlint]`, then its
//! `[workspace.metadata.spawnlint]`. The nearest configuration is used
//! whole; configurations are never merged. `--config FILE` replaces
//! discovery for every crate. Command-line `--select` replaces the
//! configuration's `select`, `ignore` and `off` severities; `--ignore` adds
//! to them.
//!
//! What a configuration adds to the catalogs (`extend-*`) goes through
//! [`Catalog::extend`](crate::catalog::Catalog::extend), the same code path
//! as the shipped `rules/*.toml`.

mod parse;
mod show;

pub use parse::parse;

use crate::catalog::Extension;
use crate::diagnostic::Confidence;
use crate::rule::{Registry, RuleId, Severity};
use crate::source::display_path;
use globset::GlobSet;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// File names looked for in each directory, in order of precedence.
pub const FILE_NAMES: &[&str] = &["spawnlint.toml", ".spawnlint.toml"];

/// Every key a configuration may hold.
pub const KEYS: &[&str] = &[
    "select",
    "ignore",
    "severity",
    "extend-spawners",
    "extend-load-methods",
    "extend-gates",
    "extend-semantics",
    "exclude",
    "include-tests",
    "min-confidence",
    "extend",
];

/// What `severity` may set a rule to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Always report as an error.
    Error,
    /// Always report as a warning.
    Warning,
    /// Do not run the rule.
    Off,
}

impl Level {
    /// The severity findings get, if the rule runs.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Off => None,
        }
    }
}

/// A resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from (`None`: built-in defaults).
    pub path: Option<PathBuf>,
    /// Only these rules; empty: all.
    pub select: Vec<RuleId>,
    /// Not these rules.
    pub ignore: Vec<RuleId>,
    /// Per-rule severity overrides.
    pub severity: HashMap<RuleId, Level>,
    /// Additions to the catalogs.
    pub extension: Extension,
    /// The `exclude` globs as written.
    pub exclude_patterns: Vec<String>,
    /// Whether test code is analyzed.
    pub include_tests: bool,
    /// The least confidence a finding needs to fail the run.
    pub min_confidence: Confidence,
    exclude: GlobSet,
    /// Directory `exclude` globs are relative to.
    base: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            select: Vec::new(),
            ignore: Vec::new(),
            severity: HashMap::new(),
            extension: Extension::default(),
            exclude_patterns: Vec::new(),
            include_tests: true,
            min_confidence: Confidence::Medium,
            exclude: GlobSet::empty(),
            base: PathBuf::new(),
        }
    }
}

impl Config {
    /// Whether `rule` runs, given the command line's `--select` and
    /// `--ignore` (which take precedence, see the module docs).
    pub fn rule_enabled(&self, rule: RuleId, cli_select: &[RuleId], cli_ignore: &[RuleId]) -> bool {
        if cli_ignore.contains(&rule) {
            return false;
        }
        if !cli_select.is_empty() {
            return cli_select.contains(&rule);
        }
        if self.severity.get(&rule) == Some(&Level::Off) {
            return false;
        }
        (self.select.is_empty() || self.select.contains(&rule)) && !self.ignore.contains(&rule)
    }

    /// The severity override for a rule, if any.
    pub fn severity_of(&self, rule: RuleId) -> Option<Severity> {
        self.severity.get(&rule).and_then(|l| l.severity())
    }

    /// Whether a file is excluded by `exclude`. Globs are matched against
    /// the path relative to the configuration file's directory; a glob
    /// without `/` also matches the file name alone.
    pub fn excludes(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let abs = absolute(path, Path::new(""));
        let rel = abs.strip_prefix(&self.base).unwrap_or(&abs);
        self.exclude.is_match(rel)
            || path
                .file_name()
                .is_some_and(|n| self.exclude.is_match(Path::new(n)))
    }

    /// Whether `include-tests = false` skips this file: anything under a
    /// `tests/` or `benches/` directory of its crate, and `*_test.rs`,
    /// `*_tests.rs`, `tests.rs`.
    pub fn skips_test_file(&self, path: &Path, crate_root: &Path) -> bool {
        if self.include_tests {
            return false;
        }
        let abs = absolute(path, Path::new(""));
        let rel = abs.strip_prefix(crate_root).unwrap_or(&abs);
        let in_test_dir = rel
            .parent()
            .into_iter()
            .flat_map(Path::components)
            .any(|c| c.as_os_str() == "tests" || c.as_os_str() == "benches");
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy())
            .unwrap_or_default();
        in_test_dir || stem == "tests" || stem.ends_with("_test") || stem.ends_with("_tests")
    }
}

fn absolute(path: &Path, root: &Path) -> PathBuf {
    crate::source::absolute(path, root)
}

/// Finds and caches the configuration of each crate.
#[derive(Debug)]
pub struct Resolver<'r> {
    explicit: Option<Arc<Config>>,
    by_dir: HashMap<PathBuf, Option<Arc<Config>>>,
    by_root: HashMap<PathBuf, Arc<Config>>,
    default: Arc<Config>,
    cx: ParseContext<'r>,
}

/// What reading a configuration needs: the rules it may name, and the
/// directory relative paths are resolved against and shown relative to.
#[derive(Debug, Clone, Copy)]
pub struct ParseContext<'r> {
    /// The rules.
    pub registry: &'r Registry,
    /// The run's root.
    pub root: &'r Path,
}

impl<'r> Resolver<'r> {
    /// A resolver; with `config_file` (`--config`), that file is every
    /// crate's configuration.
    pub fn new(config_file: Option<&Path>, cx: ParseContext<'r>) -> Result<Resolver<'r>, String> {
        let mut r = Resolver {
            explicit: None,
            by_dir: HashMap::new(),
            by_root: HashMap::new(),
            default: Arc::default(),
            cx,
        };
        if let Some(file) = config_file {
            let file = &crate::source::resolve(file, cx.root);
            let text = crate::files::read_regular_text(file, crate::files::MAX_CONFIG_BYTES)
                .map_err(|e| format!("{}: cannot read: {e}", display_path(file, cx.root)))?;
            let config = parse(file, &text, cx)?.unwrap_or_else(|| Config {
                path: Some(file.to_path_buf()),
                ..Config::default()
            });
            r.explicit = Some(Arc::new(config));
        }
        Ok(r)
    }

    /// The configuration of the crate rooted at `crate_root` (nearest
    /// first, see the module docs; defaults when there is none).
    pub fn for_crate(&mut self, crate_root: &Path) -> Result<Arc<Config>, String> {
        if let Some(c) = &self.explicit {
            return Ok(c.clone());
        }
        if let Some(c) = self.by_root.get(crate_root) {
            return Ok(c.clone());
        }
        let root = absolute(crate_root, self.cx.root);
        let mut found = None;
        for dir in root.ancestors() {
            if let Some(c) = self.in_dir(dir)? {
                found = Some(c);
                break;
            }
        }
        let config = found.unwrap_or_else(|| self.default.clone());
        self.by_root
            .insert(crate_root.to_path_buf(), config.clone());
        Ok(config)
    }

    fn in_dir(&mut self, dir: &Path) -> Result<Option<Arc<Config>>, String> {
        if let Some(c) = self.by_dir.get(dir) {
            return Ok(c.clone());
        }
        let mut found = None;
        for name in FILE_NAMES.iter().chain(&["Cargo.toml"]) {
            let file = dir.join(name);
            if !file.is_file() {
                continue;
            }
            let text = crate::files::read_regular_text(&file, crate::files::MAX_CONFIG_BYTES)
                .map_err(|e| format!("{}: cannot read: {e}", display_path(&file, self.cx.root)))?;
            if let Some(c) = parse(&file, &text, self.cx)? {
                found = Some(Arc::new(c));
                break;
            }
        }
        self.by_dir.insert(dir.to_path_buf(), found.clone());
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> ParseContext<'static> {
        ParseContext {
            registry: crate::rules::registry(),
            root: Path::new(""),
        }
    }

    fn parse(path: &Path, text: &str) -> Result<Option<Config>, String> {
        super::parse(path, text, cx())
    }

    fn parse_str(text: &str) -> Result<Config, String> {
        parse(Path::new("spawnlint.toml"), text).map(|c| c.unwrap_or_default())
    }

    fn id(code: &str) -> RuleId {
        crate::rules::registry().find(code).unwrap()
    }

    #[test]
    fn unknown_key_names_file_line_and_allowed_keys() {
        let e = parse_str("select = []\nselcet = [\"SL001\"]\n").unwrap_err();
        assert!(
            e.starts_with("spawnlint.toml:2:1: unknown key `selcet`"),
            "{e}"
        );
        assert!(e.contains("`include-tests`"), "{e}");
    }

    #[test]
    fn wrong_type_names_the_key() {
        let e = parse_str("include-tests = \"no\"\n").unwrap_err();
        assert!(e.contains("`include-tests`"), "{e}");
    }

    #[test]
    fn keys_are_read() {
        let c = parse_str(
            r#"
select = ["SL001", "spawn-before-load"]
ignore = ["sl001"]
severity = { spawn-before-load = "error", SL001 = "off" }
extend-spawners = ["my_rt::launch", ".start_worker", { method = "go", args = 2, runtime = "thread" }]
extend-load-methods = ["hydrate", "reload_*"]
extend-gates = ["await_ready"]
exclude = ["generated/**"]
include-tests = false
"#,
        )
        .unwrap();
        assert_eq!(c.select, [id("SL001"), id("SL002")]);
        assert_eq!(c.ignore, [id("SL001")]);
        assert_eq!(c.severity[&id("SL002")], Level::Error);
        assert_eq!(c.severity[&id("SL001")], Level::Off);
        assert_eq!(c.extension.functions[0].path, "my_rt::launch");
        assert_eq!(c.extension.methods[0].name, "start_worker");
        assert_eq!(c.extension.methods[1].args, 2);
        assert_eq!(c.extension.load_names, ["hydrate"]);
        assert_eq!(c.extension.load_prefixes, ["reload_"]);
        assert_eq!(c.extension.gate_methods, ["await_ready"]);
        assert!(!c.include_tests);
        assert!(!c.rule_enabled(id("SL001"), &[], &[]));
        assert!(c.rule_enabled(id("SL002"), &[], &[]));
        assert!(c.rule_enabled(id("SL001"), &[id("SL001")], &[]));
        assert!(!c.rule_enabled(id("SL002"), &[], &[id("spawn-before-load")]));
    }

    #[test]
    fn bad_values_are_errors() {
        for (text, want) in [
            ("select = [\"SL999\"]", "unknown rule `SL999` in `select`"),
            (
                "severity = { SL002 = \"fatal\" }",
                "invalid severity `fatal`",
            ),
            (
                "severity = { nope = \"error\" }",
                "unknown rule `nope` in `severity`",
            ),
            (
                "extend-spawners = [\"a b\"]",
                "invalid entry `a b` in `extend-spawners`",
            ),
            (
                "extend-spawners = [{ path = \"x::y\", runtime = \"go\" }]",
                "invalid `runtime`",
            ),
            (
                "extend-load-methods = [\"re load\"]",
                "invalid entry `re load`",
            ),
            (
                "extend-gates = [\"\"]",
                "invalid entry `` in `extend-gates`",
            ),
            ("exclude = [\"a[\"]", "invalid glob `a[`"),
        ] {
            let e = parse_str(text).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
            assert!(e.starts_with("spawnlint.toml:1:"), "{text}: {e}");
        }
    }

    #[test]
    fn manifest_metadata_package_before_workspace() {
        let m = "[package]\nname = \"x\"\n[package.metadata.spawnlint]\nselect = [\"SL001\"]\n[workspace.metadata.spawnlint]\nselect = [\"SL002\"]\n";
        let c = parse(Path::new("Cargo.toml"), m).unwrap().unwrap();
        assert_eq!(c.select, [id("SL001")]);
        let w = "[workspace]\n[workspace.metadata.spawnlint]\nselect = [\"SL002\"]\n";
        let c = parse(Path::new("Cargo.toml"), w).unwrap().unwrap();
        assert_eq!(c.select, [id("SL002")]);
        assert!(parse(Path::new("Cargo.toml"), "[package]\nname = \"x\"\n")
            .unwrap()
            .is_none());
        let e = parse(
            Path::new("Cargo.toml"),
            "[package.metadata.spawnlint]\nselcet = []\n",
        )
        .unwrap_err();
        assert!(e.starts_with("Cargo.toml:2:1: unknown key `selcet`"), "{e}");
    }
}
