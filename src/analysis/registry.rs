//! Registries filled after the spawn (SL001 beyond constructors): a
//! function starts a task that finds its own entry in a shared map — looks
//! it up, or removes it when it is done — and only after the spawn inserts
//! that entry. A task that runs first finds nothing: a lookup fails, or a
//! self-cleanup removes nothing and the later insert leaves an entry for a
//! task that has already ended, never collected.
//!
//! A statement-order pass over the function's body, like
//! [`super::late_subscribe`]: the map is a field of `self` whose declared
//! type is a map, reached in the task through a clone bound before the
//! spawn (`let runs = self.runs.clone()`) or through `self`, and the key is
//! the same name in the task and in the insert.

use super::classify::root_ident;
use super::late_subscribe::{spawn_call, stmt_exprs};
use crate::facts::{Expr, Stmt};
use crate::model::reach::Reach;
use crate::model::{FnRef, Model};
use crate::source::{Loc, Span};
use std::collections::HashMap;

/// One registry entry a task needs before it is inserted.
#[derive(Debug, Clone)]
pub struct RegistryRace {
    /// The function that spawns and inserts.
    pub function: FnRef,
    /// The spawn call.
    pub spawn: Loc,
    /// The task's use of its entry.
    pub task_use: Loc,
    /// That use's method (`remove_if`, `get`).
    pub method: String,
    /// The map: the field of `self` (`runs`).
    pub registry: String,
    /// The key, as both name it (`goal_id`).
    pub key: String,
    /// The insert after the spawn.
    pub insert: Loc,
}

/// Methods by which a task finds its own entry.
const OWN_ENTRY: &[&str] = &["get", "get_mut", "remove", "remove_if", "contains_key"];

/// Whether a task's use of its entry is its self-cleanup (it removes it).
pub fn is_removal(method: &str) -> bool {
    method.starts_with("remove")
}

/// The registry races of `f`'s body.
pub fn find(model: &Model, reach: &Reach, f: FnRef) -> Vec<RegistryRace> {
    let func = model.func(f);
    let krate = model.crate_of(f.file);
    let Some(owner) = func
        .owner
        .as_deref()
        .and_then(|o| model.resolve_type(o, f.file))
    else {
        return Vec::new();
    };
    let is_map = |field: &str| {
        model.field_type(&owner, field).is_some_and(|t| {
            t.path
                .iter()
                .chain(t.core.iter())
                .chain(t.wrappers.iter())
                .any(|s| s.ends_with("Map"))
        })
    };
    let loc = |span: Span| Loc { file: f.file, span };
    let stmts = &func.body().stmts;
    // Locals that are clones of a map field of `self`, bound so far.
    let mut aliases: HashMap<String, String> = HashMap::new();
    let mut found = Vec::new();
    for (i, s) in stmts.iter().enumerate() {
        if let Some((name, field)) = field_clone(s).filter(|(_, field)| is_map(field)) {
            aliases.insert(name, field);
            continue;
        }
        let Some((spawn, task)) = stmt_exprs(s).find_map(|e| spawn_call(model, reach, krate, e))
        else {
            continue;
        };
        let mut uses = Vec::new();
        entry_uses(task, &aliases, &mut uses);
        for (field, key, method, span) in uses {
            if !is_map(&field) {
                continue;
            }
            let insert = stmts[i + 1..].iter().find_map(|later| {
                let mut at = None;
                for e in stmt_exprs(later) {
                    find_insert(e, &field, &key, &aliases, &mut at);
                }
                at
            });
            if let Some(insert) = insert {
                found.push(RegistryRace {
                    function: f,
                    spawn: loc(spawn),
                    task_use: loc(span),
                    method,
                    registry: field,
                    key,
                    insert: loc(insert),
                });
            }
        }
    }
    found
}

/// `let name = self.field.clone();` or `let name = Arc::clone(&self.field);`.
fn field_clone(s: &Stmt) -> Option<(String, String)> {
    let Stmt::Let {
        pat: crate::facts::Pat::Ident { name, .. },
        init: Some(init),
        ..
    } = s
    else {
        return None;
    };
    let target = match init {
        Expr::MethodCall {
            recv, method, args, ..
        } if method == "clone" && args.is_empty() => &**recv,
        Expr::Call { func, args, .. } if args.len() == 1 => match &**func {
            Expr::Path { segs, .. } if segs.last().is_some_and(|s| s == "clone") => {
                match &args[0] {
                    Expr::Ref { base } => &**base,
                    other => other,
                }
            }
            _ => return None,
        },
        _ => return None,
    };
    self_field(target).map(|f| (name.clone(), f))
}

/// `self.field` (also `&self.field`).
fn self_field(e: &Expr) -> Option<String> {
    match e {
        Expr::Field { base, name, .. } => match &**base {
            Expr::Path { segs, .. } if segs.len() == 1 && segs[0] == "self" => Some(name.clone()),
            _ => None,
        },
        Expr::Ref { base } => self_field(base),
        _ => None,
    }
}

/// The map a receiver names: an alias of a field, or `self.field`, also
/// behind a lock (`runs.lock().unwrap()`, `self.runs.write().await`).
fn registry_of(recv: &Expr, aliases: &HashMap<String, String>) -> Option<String> {
    const GUARDS: &[&str] = &[
        "lock",
        "read",
        "write",
        "unwrap",
        "expect",
        "borrow",
        "borrow_mut",
    ];
    match recv {
        Expr::Path { segs, .. } => match segs.as_slice() {
            [name] => aliases.get(name).cloned(),
            _ => None,
        },
        Expr::MethodCall { recv, method, .. } if GUARDS.contains(&method.as_str()) => {
            registry_of(recv, aliases)
        }
        Expr::Await { base, .. } | Expr::Try { base } => registry_of(base, aliases),
        _ => self_field(recv),
    }
}

/// The key a call names by its first argument (`&goal_id`, `goal_id`).
fn key_of(args: &[Expr]) -> Option<String> {
    let first = args.first()?;
    let inner = match first {
        Expr::Ref { base } => &**base,
        other => other,
    };
    match inner {
        Expr::Path { segs, .. } if segs.len() == 1 => Some(segs[0].clone()),
        _ => root_ident(inner).map(str::to_string),
    }
}

/// Uses of an own entry in a task body: `(field, key, method, span)`.
fn entry_uses(
    e: &Expr,
    aliases: &HashMap<String, String>,
    out: &mut Vec<(String, String, String, Span)>,
) {
    if let Expr::MethodCall {
        recv,
        method,
        args,
        span,
        ..
    } = e
    {
        if OWN_ENTRY.contains(&method.as_str()) {
            if let (Some(field), Some(key)) = (registry_of(recv, aliases), key_of(args)) {
                out.push((field, key, method.clone(), *span));
            }
        }
    }
    e.for_each_child(|c| entry_uses(c, aliases, out));
}

/// `self.field.insert(key, ..)` or `alias.insert(key, ..)`.
fn find_insert(
    e: &Expr,
    field: &str,
    key: &str,
    aliases: &HashMap<String, String>,
    out: &mut Option<Span>,
) {
    if out.is_some() {
        return;
    }
    if let Expr::MethodCall {
        recv,
        method,
        args,
        span,
        ..
    } = e
    {
        if method == "insert"
            && registry_of(recv, aliases).as_deref() == Some(field)
            && key_of(args).as_deref() == Some(key)
        {
            *out = Some(*span);
            return;
        }
    }
    e.for_each_child(|c| find_insert(c, field, key, aliases, out));
}
