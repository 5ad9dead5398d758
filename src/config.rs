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

use crate::catalog::{Extension, FunctionSpawner, MethodSpawner, RuntimeKind, Semantics};
use crate::rule::{Registry, RuleId, Severity};
use crate::source::display_path;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

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
            let text = std::fs::read_to_string(file)
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
            let text = std::fs::read_to_string(&file)
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

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    extend_spawners: Vec<Spanned<toml::Value>>,
    #[serde(default)]
    extend_load_methods: Vec<Spanned<String>>,
    #[serde(default)]
    extend_gates: Vec<Spanned<String>>,
    #[serde(default)]
    extend_semantics: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    include_tests: Option<bool>,
}

#[derive(Deserialize)]
struct Manifest {
    package: Option<MetaHolder>,
    workspace: Option<MetaHolder>,
}

#[derive(Deserialize)]
struct MetaHolder {
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    spawnlint: Option<RawConfig>,
}

/// Parse a configuration file: `spawnlint.toml`-style, or a `Cargo.toml`
/// (its `[package.metadata.spawnlint]`, else
/// `[workspace.metadata.spawnlint]`; `None` when it has neither). Errors
/// name the file, the line and column, the key and what is allowed.
pub fn parse(path: &Path, text: &str, cx: ParseContext) -> Result<Option<Config>, String> {
    let is_manifest = path.file_name().is_some_and(|n| n == "Cargo.toml");
    let shown = display_path(path, cx.root);
    let fail = |span: Option<Range<usize>>, msg: String| error(&shown, text, span, &msg);
    let raw = if is_manifest {
        if !text.contains("spawnlint") {
            return Ok(None);
        }
        let manifest: Manifest = toml::from_str(text).map_err(|e| de_error(&shown, text, &e))?;
        let meta = |h: Option<MetaHolder>| h.and_then(|h| h.metadata).and_then(|m| m.spawnlint);
        match meta(manifest.package).or_else(|| meta(manifest.workspace)) {
            Some(raw) => raw,
            None => return Ok(None),
        }
    } else {
        toml::from_str::<RawConfig>(text).map_err(|e| de_error(&shown, text, &e))?
    };
    let registry = cx.registry;
    let rules = |list: &[Spanned<String>], key: &str| -> Result<Vec<RuleId>, String> {
        list.iter()
            .map(|s| {
                registry.find(s.get_ref()).ok_or_else(|| {
                    fail(
                        Some(s.span()),
                        format!(
                            "unknown rule `{}` in `{key}`, expected a rule code or slug: {}",
                            s.get_ref(),
                            registry.listing()
                        ),
                    )
                })
            })
            .collect()
    };
    let mut config = Config {
        path: Some(path.to_path_buf()),
        select: rules(&raw.select, "select")?,
        ignore: rules(&raw.ignore, "ignore")?,
        include_tests: raw.include_tests.unwrap_or(true),
        base: path
            .parent()
            .map(|p| absolute(p, cx.root))
            .unwrap_or_else(|| absolute(Path::new("."), cx.root)),
        ..Config::default()
    };
    for (rule, level) in &raw.severity {
        let code = registry.find(rule.get_ref()).ok_or_else(|| {
            fail(
                Some(rule.span()),
                format!(
                    "unknown rule `{}` in `severity`, expected a rule code or slug: {}",
                    rule.get_ref(),
                    registry.listing()
                ),
            )
        })?;
        let lvl = match level.get_ref().as_str() {
            "error" => Level::Error,
            "warning" => Level::Warning,
            "off" => Level::Off,
            other => {
                return Err(fail(
                    Some(level.span()),
                    format!(
                        "invalid severity `{other}` for `severity.{}`, expected one of `error`, `warning`, `off`",
                        rule.get_ref()
                    ),
                ))
            }
        };
        config.severity.insert(code, lvl);
    }
    for entry in &raw.extend_spawners {
        spawner(entry, &mut config.extension).map_err(|m| fail(Some(entry.span()), m))?;
    }
    for name in &raw.extend_load_methods {
        let n = name.get_ref();
        let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
        match n.strip_suffix('*') {
            Some(prefix) if ok(prefix) => config.extension.load_prefixes.push(prefix.into()),
            None if ok(n) => config.extension.load_names.push(n.clone()),
            _ => {
                return Err(fail(
                    Some(name.span()),
                    format!("invalid entry `{n}` in `extend-load-methods`, expected a method name (`hydrate`) or a prefix ending in `*` (`reload_*`)"),
                ))
            }
        }
    }
    for name in &raw.extend_gates {
        let n = name.get_ref();
        if n.is_empty() || !n.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(fail(
                Some(name.span()),
                format!(
                    "invalid entry `{n}` in `extend-gates`, expected a method name (`wait_ready`)"
                ),
            ));
        }
        config.extension.gate_methods.push(n.clone());
    }
    for (table, names) in &raw.extend_semantics {
        semantics_entry(table, names, &mut config.extension)
            .map_err(|(span, m)| fail(Some(span), m))?;
    }
    let mut globs = GlobSetBuilder::new();
    for pattern in &raw.exclude {
        let glob = GlobBuilder::new(pattern.get_ref())
            .literal_separator(true)
            .build()
            .map_err(|e| {
                fail(
                    Some(pattern.span()),
                    format!(
                        "invalid glob `{}` in `exclude`: {}",
                        pattern.get_ref(),
                        e.kind()
                    ),
                )
            })?;
        globs.add(glob);
        config.exclude_patterns.push(pattern.get_ref().clone());
    }
    config.exclude = globs
        .build()
        .map_err(|e| fail(None, format!("invalid `exclude` globs: {e}")))?;
    Ok(Some(config))
}

/// The runtimes configuration may name for a spawner.
const RUNTIMES: &[&str] = &["tokio", "thread", "async-std", "smol"];

const SPAWNER_FORMS: &str = "expected a function path (`my_rt::spawn_task`), a method name with a leading dot (`.launch`), or a table `{ path = \"…\", runtime = \"tokio\" }` / `{ method = \"…\", args = 1, runtime = \"thread\" }`";

/// One `extend-semantics` table: names added to a semantics table.
fn semantics_entry(
    table: &Spanned<String>,
    names: &[Spanned<String>],
    ext: &mut Extension,
) -> Result<(), (Range<usize>, String)> {
    if !Semantics::KEYS.contains(&table.get_ref().as_str()) {
        return Err((
            table.span(),
            format!(
                "unknown table `{}` in `extend-semantics`, expected one of {}",
                table.get_ref(),
                Semantics::KEYS
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let list = ext.semantics.entry(table.get_ref().clone()).or_default();
    for n in names {
        let name = n.get_ref();
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err((
                n.span(),
                format!(
                    "invalid entry `{name}` in `extend-semantics.{}`, expected a method name",
                    table.get_ref()
                ),
            ));
        }
        list.push(name.clone());
    }
    Ok(())
}

/// One `extend-spawners` entry.
fn spawner(entry: &Spanned<toml::Value>, ext: &mut Extension) -> Result<(), String> {
    let valid_path = |p: &str| {
        !p.is_empty()
            && p.split("::")
                .all(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_'))
    };
    let bad = |what: &str| format!("invalid entry {what} in `extend-spawners`, {SPAWNER_FORMS}");
    match entry.get_ref() {
        toml::Value::String(s) => {
            if let Some(method) = s.strip_prefix('.') {
                if !valid_path(method) || method.contains("::") {
                    return Err(bad(&format!("`{s}`")));
                }
                ext.methods.push(MethodSpawner {
                    name: method.to_string(),
                    args: 1,
                    runtime: RuntimeKind::Tokio,
                });
            } else {
                if !valid_path(s) {
                    return Err(bad(&format!("`{s}`")));
                }
                ext.functions.push(FunctionSpawner {
                    path: s.clone(),
                    runtime: RuntimeKind::Tokio,
                });
            }
            Ok(())
        }
        toml::Value::Table(t) => {
            for k in t.keys() {
                if !["path", "method", "args", "runtime"].contains(&k.as_str()) {
                    return Err(format!(
                        "unknown key `{k}` in an `extend-spawners` table, expected one of `path`, `method`, `args`, `runtime`"
                    ));
                }
            }
            let runtime = match t.get("runtime") {
                None => RuntimeKind::Tokio,
                Some(toml::Value::String(r)) if RUNTIMES.contains(&r.as_str()) => {
                    RuntimeKind::from_name(r).unwrap_or(RuntimeKind::Tokio)
                }
                Some(other) => {
                    return Err(format!(
                        "invalid `runtime` {other} in `extend-spawners`, expected one of `tokio`, `thread`, `async-std`, `smol`"
                    ))
                }
            };
            match (t.get("path"), t.get("method")) {
                (Some(toml::Value::String(p)), None)
                    if valid_path(p) && !t.contains_key("args") =>
                {
                    ext.functions.push(FunctionSpawner {
                        path: p.clone(),
                        runtime,
                    });
                    Ok(())
                }
                (None, Some(toml::Value::String(m))) if valid_path(m) && !m.contains("::") => {
                    let args = match t.get("args") {
                        None => 1,
                        Some(toml::Value::Integer(n)) if (1..=8).contains(n) => *n as usize,
                        Some(other) => {
                            return Err(format!(
                                "invalid `args` {other} in `extend-spawners`, expected the number of arguments the method takes (1 to 8; the first is the task)"
                            ))
                        }
                    };
                    ext.methods.push(MethodSpawner {
                        name: m.clone(),
                        args,
                        runtime,
                    });
                    Ok(())
                }
                _ => Err(bad("table")),
            }
        }
        other => Err(bad(&other.to_string())),
    }
}

/// A deserialization error, with "field" said as "key" and the key named
/// when serde's message does not.
fn de_error(path: &str, text: &str, e: &toml::de::Error) -> String {
    let mut msg = e.message().trim().to_string();
    if let Some(rest) = msg.strip_prefix("unknown field") {
        msg = format!("unknown key{rest}");
    } else if let Some(key) = e.span().and_then(|s| key_at(text, s.start)) {
        msg = format!("invalid value for `{key}`: {msg}");
    }
    error(path, text, e.span(), &msg)
}

/// The key assigned on the line holding byte `at`, if the line is
/// `key = value`.
fn key_at(text: &str, at: usize) -> Option<String> {
    let start = text[..at.min(text.len())].rfind('\n').map_or(0, |n| n + 1);
    let line = &text[start..];
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && start + line.find('=')? < at).then(|| key.to_string())
}

/// `file:line:column: message` (line and column 1-based).
fn error(path: &str, text: &str, span: Option<Range<usize>>, msg: &str) -> String {
    match span {
        Some(span) => {
            let at = span.start.min(text.len());
            let before = &text[..at];
            let line = before.matches('\n').count() + 1;
            let col = before[before.rfind('\n').map_or(0, |n| n + 1)..]
                .chars()
                .count()
                + 1;
            format!("{path}:{line}:{col}: {msg}")
        }
        None => format!("{path}: {msg}"),
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
