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

use crate::catalog::{Extension, FunctionSpawner, MethodSpawner};
use crate::diagnostic::Severity;
use crate::discover::display_path;
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
    /// Only these rules (codes); empty: all.
    pub select: Vec<String>,
    /// Not these rules (codes).
    pub ignore: Vec<String>,
    /// Per-rule severity overrides (code → level).
    pub severity: HashMap<String, Level>,
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
    /// Whether rule `code` runs, given the command line's `--select` and
    /// `--ignore` (which take precedence, see the module docs).
    pub fn rule_enabled(&self, code: &str, cli_select: &[String], cli_ignore: &[String]) -> bool {
        let named = |list: &[String]| list.iter().any(|s| names_rule(s, code));
        if named(cli_ignore) {
            return false;
        }
        if !cli_select.is_empty() {
            return named(cli_select);
        }
        if self.severity.get(code) == Some(&Level::Off) {
            return false;
        }
        (self.select.is_empty() || named(&self.select)) && !named(&self.ignore)
    }

    /// The severity override for a rule, if any.
    pub fn severity_of(&self, code: &str) -> Option<Severity> {
        self.severity.get(code).and_then(|l| l.severity())
    }

    /// Whether a file is excluded by `exclude`. Globs are matched against
    /// the path relative to the configuration file's directory; a glob
    /// without `/` also matches the file name alone.
    pub fn excludes(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let abs = absolute(path);
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
        let abs = absolute(path);
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

/// Whether a `--select`-style name (code or slug, any case for codes)
/// names rule `code`.
pub fn names_rule(name: &str, code: &str) -> bool {
    rule_code(name) == Some(code)
}

/// The code of the rule a name (code or slug) refers to.
/// Slugs may be written with underscores (`spawn_before_load`).
pub fn rule_code(name: &str) -> Option<&'static str> {
    crate::rules::registry()
        .iter()
        .find(|r| {
            r.code.eq_ignore_ascii_case(name)
                || (r.slug.len() == name.len()
                    && r.slug
                        .bytes()
                        .zip(name.bytes())
                        .all(|(a, b)| a == b || (a == b'-' && b == b'_')))
        })
        .map(|r| r.code.as_str())
}

fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    })
}

/// Finds and caches the configuration of each crate.
#[derive(Debug, Default)]
pub struct Resolver {
    explicit: Option<Arc<Config>>,
    by_dir: HashMap<PathBuf, Option<Arc<Config>>>,
    by_root: HashMap<PathBuf, Arc<Config>>,
    default: Arc<Config>,
}

impl Resolver {
    /// A resolver; with `config_file` (`--config`), that file is every
    /// crate's configuration.
    pub fn new(config_file: Option<&Path>) -> Result<Resolver, String> {
        let mut r = Resolver::default();
        if let Some(file) = config_file {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("{}: cannot read: {e}", display_path(file)))?;
            let config = parse(file, &text)?.unwrap_or_else(|| Config {
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
        let root = absolute(crate_root);
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
                .map_err(|e| format!("{}: cannot read: {e}", display_path(&file)))?;
            if let Some(c) = parse(&file, &text)? {
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
pub fn parse(path: &Path, text: &str) -> Result<Option<Config>, String> {
    let is_manifest = path.file_name().is_some_and(|n| n == "Cargo.toml");
    let fail = |span: Option<Range<usize>>, msg: String| error(path, text, span, &msg);
    let raw = if is_manifest {
        if !text.contains("spawnlint") {
            return Ok(None);
        }
        let manifest: Manifest = toml::from_str(text).map_err(|e| de_error(path, text, &e))?;
        let meta = |h: Option<MetaHolder>| h.and_then(|h| h.metadata).and_then(|m| m.spawnlint);
        match meta(manifest.package).or_else(|| meta(manifest.workspace)) {
            Some(raw) => raw,
            None => return Ok(None),
        }
    } else {
        toml::from_str::<RawConfig>(text).map_err(|e| de_error(path, text, &e))?
    };
    let rules = |list: &[Spanned<String>], key: &str| -> Result<Vec<String>, String> {
        list.iter()
            .map(|s| {
                rule_code(s.get_ref()).map(str::to_string).ok_or_else(|| {
                    fail(
                        Some(s.span()),
                        format!(
                            "unknown rule `{}` in `{key}`, expected a rule code or slug: {}",
                            s.get_ref(),
                            rule_list()
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
            .map(absolute)
            .unwrap_or_else(|| absolute(Path::new("."))),
        ..Config::default()
    };
    for (rule, level) in &raw.severity {
        let code = rule_code(rule.get_ref()).ok_or_else(|| {
            fail(
                Some(rule.span()),
                format!(
                    "unknown rule `{}` in `severity`, expected a rule code or slug: {}",
                    rule.get_ref(),
                    rule_list()
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
        config.severity.insert(code.to_string(), lvl);
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

const SPAWNER_FORMS: &str = "expected a function path (`my_rt::spawn_task`), a method name with a leading dot (`.launch`), or a table `{ path = \"…\", runtime = \"tokio\" }` / `{ method = \"…\", args = 1, runtime = \"thread\" }`";

const RUNTIMES: &[&str] = &["tokio", "thread", "async-std", "smol"];

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
                    runtime: "tokio".into(),
                });
            } else {
                if !valid_path(s) {
                    return Err(bad(&format!("`{s}`")));
                }
                ext.functions.push(FunctionSpawner {
                    path: s.clone(),
                    runtime: "tokio".into(),
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
                None => "tokio".to_string(),
                Some(toml::Value::String(r)) if RUNTIMES.contains(&r.as_str()) => r.clone(),
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

fn rule_list() -> String {
    crate::rules::registry()
        .iter()
        .map(|r| format!("{} ({})", r.code, r.slug))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A deserialization error, with "field" said as "key" and the key named
/// when serde's message does not.
fn de_error(path: &Path, text: &str, e: &toml::de::Error) -> String {
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
fn error(path: &Path, text: &str, span: Option<Range<usize>>, msg: &str) -> String {
    match span {
        Some(span) => {
            let at = span.start.min(text.len());
            let before = &text[..at];
            let line = before.matches('\n').count() + 1;
            let col = before[before.rfind('\n').map_or(0, |n| n + 1)..]
                .chars()
                .count()
                + 1;
            format!("{}:{line}:{col}: {msg}", display_path(path))
        }
        None => format!("{}: {msg}", display_path(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config, String> {
        parse(Path::new("spawnlint.toml"), text).map(|c| c.unwrap_or_default())
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
        assert_eq!(c.select, ["SL001", "SL002"]);
        assert_eq!(c.ignore, ["SL001"]);
        assert_eq!(c.severity["SL002"], Level::Error);
        assert_eq!(c.severity["SL001"], Level::Off);
        assert_eq!(c.extension.functions[0].path, "my_rt::launch");
        assert_eq!(c.extension.methods[0].name, "start_worker");
        assert_eq!(c.extension.methods[1].args, 2);
        assert_eq!(c.extension.load_names, ["hydrate"]);
        assert_eq!(c.extension.load_prefixes, ["reload_"]);
        assert_eq!(c.extension.gate_methods, ["await_ready"]);
        assert!(!c.include_tests);
        assert!(!c.rule_enabled("SL001", &[], &[]));
        assert!(c.rule_enabled("SL002", &[], &[]));
        assert!(c.rule_enabled("SL001", &["SL001".into()], &[]));
        assert!(!c.rule_enabled("SL002", &[], &["spawn-before-load".into()]));
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
        assert_eq!(c.select, ["SL001"]);
        let w = "[workspace]\n[workspace.metadata.spawnlint]\nselect = [\"SL002\"]\n";
        let c = parse(Path::new("Cargo.toml"), w).unwrap().unwrap();
        assert_eq!(c.select, ["SL002"]);
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
