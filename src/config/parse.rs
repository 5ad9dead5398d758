//! Reading one configuration file: its keys, each checked, with errors
//! that name the file, the position, the key and what is allowed.

use super::{absolute, Config, Level, ParseContext};
use crate::catalog::{Extension, FunctionSpawner, MethodSpawner, RuntimeKind, Semantics};
use crate::diagnostic::Confidence;
use crate::rule::{Registry, RuleId};
use crate::source::display_path;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

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
    #[serde(default)]
    min_confidence: Option<Spanned<String>>,
    #[serde(default)]
    extend: Option<Spanned<String>>,
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
    parse_in_chain(path, text, cx, &mut Vec::new())
}

/// Files a configuration may extend through, at most.
const MAX_EXTEND_DEPTH: usize = 8;

/// [`parse`], with the files that extend this one (`chain`, to refuse a
/// cycle).
fn parse_in_chain(
    path: &Path,
    text: &str,
    cx: ParseContext,
    chain: &mut Vec<std::path::PathBuf>,
) -> Result<Option<Config>, String> {
    let shown = display_path(path, cx.root);
    let fail = |span: Option<Range<usize>>, msg: String| error(&shown, text, span, &msg);
    let Some(raw) = read_raw(path, text, &shown)? else {
        return Ok(None);
    };
    let parent = match &raw.extend {
        Some(target) => Some(extended(path, target, cx, chain, &fail)?),
        None => None,
    };
    let base = parent.unwrap_or_default();
    let rules = |list: &[Spanned<String>], key: &str| -> Result<Vec<RuleId>, String> {
        let mut ids = Vec::new();
        for s in list {
            let found = cx.registry.select(s.get_ref()).ok_or_else(|| {
                fail(
                    Some(s.span()),
                    format!(
                        "unknown rule `{}` in `{key}`{}, expected `ALL`, a code prefix, a rule code or slug: {}",
                        s.get_ref(),
                        cx.registry.did_you_mean(s.get_ref()),
                        cx.registry.listing()
                    ),
                )
            })?;
            ids.extend(found);
        }
        Ok(ids)
    };
    // A key this file sets replaces the extended file's; `severity` and
    // the `extend-*` lists add to it.
    let mut config = Config {
        path: Some(path.to_path_buf()),
        select: if raw.select.is_empty() {
            base.select.clone()
        } else {
            rules(&raw.select, "select")?
        },
        ignore: if raw.ignore.is_empty() {
            base.ignore.clone()
        } else {
            rules(&raw.ignore, "ignore")?
        },
        include_tests: raw.include_tests.unwrap_or(base.include_tests),
        severity: base.severity.clone(),
        extension: base.extension.clone(),
        min_confidence: base.min_confidence,
        exclude: base.exclude.clone(),
        exclude_patterns: base.exclude_patterns.clone(),
        base: base.base.clone(),
    };
    let dir = path
        .parent()
        .map(|p| absolute(p, cx.root))
        .unwrap_or_else(|| absolute(Path::new("."), cx.root));
    if base.path.is_none() {
        config.base = dir.clone();
    }
    for (rule, level) in &raw.severity {
        let id = find_rule(cx.registry, rule, "severity", &fail)?;
        config
            .severity
            .insert(id, severity_level(rule, level, &fail)?);
    }
    if let Some(level) = &raw.min_confidence {
        config.min_confidence = Confidence::from_name(level.get_ref()).ok_or_else(|| {
            fail(
                Some(level.span()),
                format!(
                    "invalid `min-confidence` `{}`, expected one of `high`, `medium`, `low`",
                    level.get_ref()
                ),
            )
        })?;
    }
    extensions(&raw, &mut config.extension, &fail)?;
    if !raw.exclude.is_empty() {
        // Globs are relative to the file that writes them.
        (config.exclude, config.exclude_patterns) = excludes(&raw.exclude, &fail)?;
        config.base = dir;
    }
    Ok(Some(config))
}

/// The configuration `extend = "…"` names (relative to this file's
/// directory), resolved with its own `extend`s.
fn extended(
    path: &Path,
    target: &Spanned<String>,
    cx: ParseContext,
    chain: &mut Vec<std::path::PathBuf>,
    fail: &Fail,
) -> Result<Config, String> {
    let here = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    chain.push(here);
    let file = path
        .parent()
        .unwrap_or(Path::new(""))
        .join(target.get_ref());
    let canonical = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
    if chain.contains(&canonical) {
        return Err(fail(
            Some(target.span()),
            format!(
                "`extend` makes a cycle: `{}` extends this file again",
                target.get_ref()
            ),
        ));
    }
    if chain.len() > MAX_EXTEND_DEPTH {
        return Err(fail(
            Some(target.span()),
            format!("`extend` goes more than {MAX_EXTEND_DEPTH} files deep"),
        ));
    }
    let text =
        crate::files::read_regular_text(&file, crate::files::MAX_CONFIG_BYTES).map_err(|e| {
            fail(
                Some(target.span()),
                format!("cannot read `extend` file `{}`: {e}", target.get_ref()),
            )
        })?;
    let parent = parse_in_chain(&file, &text, cx, chain)?;
    chain.pop();
    parent.ok_or_else(|| {
        fail(
            Some(target.span()),
            format!(
                "`extend` file `{}` has no spawnlint configuration",
                target.get_ref()
            ),
        )
    })
}

/// An error message at a byte range of the file being read.
type Fail<'a> = dyn Fn(Option<Range<usize>>, String) -> String + 'a;

/// The raw table of a configuration file, or of a manifest's metadata.
fn read_raw(path: &Path, text: &str, shown: &str) -> Result<Option<RawConfig>, String> {
    if path.file_name().is_some_and(|n| n == "Cargo.toml") {
        if !text.contains("spawnlint") {
            return Ok(None);
        }
        let manifest: Manifest = toml::from_str(text).map_err(|e| de_error(shown, text, &e))?;
        let meta = |h: Option<MetaHolder>| h.and_then(|h| h.metadata).and_then(|m| m.spawnlint);
        return Ok(meta(manifest.package).or_else(|| meta(manifest.workspace)));
    }
    toml::from_str::<RawConfig>(text)
        .map(Some)
        .map_err(|e| de_error(shown, text, &e))
}

fn find_rule(
    registry: &Registry,
    name: &Spanned<String>,
    key: &str,
    fail: &Fail,
) -> Result<RuleId, String> {
    registry.find(name.get_ref()).ok_or_else(|| {
        fail(
            Some(name.span()),
            format!(
                "unknown rule `{}` in `{key}`{}, expected a rule code or slug: {}",
                name.get_ref(),
                registry.did_you_mean(name.get_ref()),
                registry.listing()
            ),
        )
    })
}

fn severity_level(
    rule: &Spanned<String>,
    level: &Spanned<String>,
    fail: &Fail,
) -> Result<Level, String> {
    // clippy's and rustc's spellings too: `deny`, `warn`, `allow`.
    match level.get_ref().as_str() {
        "error" | "deny" => Ok(Level::Error),
        "warning" | "warn" => Ok(Level::Warning),
        "off" | "allow" => Ok(Level::Off),
        other => Err(fail(
            Some(level.span()),
            format!(
                "invalid severity `{other}` for `severity.{}`, expected one of `error` (`deny`), `warning` (`warn`), `off` (`allow`)",
                rule.get_ref()
            ),
        )),
    }
}

/// What the `extend-*` keys add to the catalogs.
fn extensions(raw: &RawConfig, ext: &mut Extension, fail: &Fail) -> Result<(), String> {
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    for entry in &raw.extend_spawners {
        spawner(entry, ext).map_err(|m| fail(Some(entry.span()), m))?;
    }
    for name in &raw.extend_load_methods {
        let n = name.get_ref();
        match n.strip_suffix('*') {
            Some(prefix) if ok(prefix) => ext.load_prefixes.push(prefix.into()),
            None if ok(n) => ext.load_names.push(n.clone()),
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
        if !ok(n) {
            return Err(fail(
                Some(name.span()),
                format!(
                    "invalid entry `{n}` in `extend-gates`, expected a method name (`wait_ready`)"
                ),
            ));
        }
        ext.gate_methods.push(n.clone());
    }
    for (table, names) in &raw.extend_semantics {
        semantics_entry(table, names, ext).map_err(|(span, m)| fail(Some(span), m))?;
    }
    Ok(())
}

/// The `exclude` globs, compiled, and as written.
fn excludes(patterns: &[Spanned<String>], fail: &Fail) -> Result<(GlobSet, Vec<String>), String> {
    let mut globs = GlobSetBuilder::new();
    let mut written = Vec::new();
    for pattern in patterns {
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
        written.push(pattern.get_ref().clone());
    }
    let set = globs
        .build()
        .map_err(|e| fail(None, format!("invalid `exclude` globs: {e}")))?;
    Ok((set, written))
}

/// The runtimes configuration may name for a spawner.
const RUNTIMES: &[&str] = &["tokio", "thread", "async-std", "smol"];

const SPAWNER_FORMS: &str = "expected a function path (`my_rt::spawn_task`), a method name with a leading dot (`.launch`), or a table `{ path = \"…\", runtime = \"tokio\", task-arg = 2 }` / `{ method = \"…\", args = 1, runtime = \"thread\" }` (`task-arg`: which argument is the task, counted from 1)";

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
                    task_arg: 1,
                });
            } else {
                if !valid_path(s) {
                    return Err(bad(&format!("`{s}`")));
                }
                ext.functions.push(FunctionSpawner {
                    path: s.clone(),
                    runtime: RuntimeKind::Tokio,
                    task_arg: 1,
                });
            }
            Ok(())
        }
        toml::Value::Table(t) => {
            for k in t.keys() {
                if !["path", "method", "args", "runtime", "task-arg"].contains(&k.as_str()) {
                    return Err(format!(
                        "unknown key `{k}` in an `extend-spawners` table, expected one of `path`, `method`, `args`, `runtime`, `task-arg`"
                    ));
                }
            }
            let task_arg = match t.get("task-arg") {
                None => 1,
                Some(toml::Value::Integer(n)) if (1..=8).contains(n) => *n as usize,
                Some(other) => {
                    return Err(format!(
                        "invalid `task-arg` {other} in `extend-spawners`, expected which argument is the task, counted from 1 (1 to 8)"
                    ))
                }
            };
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
                        task_arg,
                    });
                    Ok(())
                }
                (None, Some(toml::Value::String(m))) if valid_path(m) && !m.contains("::") => {
                    let args = match t.get("args") {
                        None => 1,
                        Some(toml::Value::Integer(n)) if (1..=8).contains(n) => *n as usize,
                        Some(other) => {
                            return Err(format!(
                                "invalid `args` {other} in `extend-spawners`, expected the number of arguments the method takes (1 to 8)"
                            ))
                        }
                    };
                    if task_arg > args {
                        return Err(format!(
                            "`task-arg` {task_arg} in `extend-spawners` is past the method's {args} argument(s)"
                        ));
                    }
                    ext.methods.push(MethodSpawner {
                        name: m.clone(),
                        args,
                        runtime,
                        task_arg,
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
        msg = format!("unknown key{rest}{}", did_you_mean_key(rest));
    } else if let Some(key) = e.span().and_then(|s| key_at(text, s.start)) {
        msg = format!("invalid value for `{key}`: {msg}");
    }
    error(path, text, e.span(), &msg)
}

/// ` (did you mean `select`?)` for serde's "` `selcet`, expected one of
/// `select`, …`" when one of the expected keys is close.
fn did_you_mean_key(rest: &str) -> String {
    let quoted: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let Some((given, expected)) = quoted.split_first() else {
        return String::new();
    };
    crate::rule::nearest(given, expected.iter().copied())
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
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
