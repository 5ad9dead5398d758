//! SL001 `spawn-before-init`: a constructor spawns a task, then initializes
//! the state that task uses. The user documentation is the rule's page,
//! `rules/SL001-spawn-before-init.md`.

use super::explain::{self, Finding, Window};
use super::{access_severity, exposed, Check, Context};
use crate::analysis::children::ChildBeforeListener;
use crate::analysis::handles::LateHandle;
use crate::analysis::publishes::UnpublishedStop;
use crate::analysis::registry::{self, RegistryRace};
use crate::diagnostic::{Confidence, Diagnostic, Fix, FixStrategy, Severity};
use crate::fixes;
use crate::source::Loc;

crate::declare_rule! {
    code: "SL001",
    slug: "spawn-before-init",
    summary: "a constructor spawns a task, then initializes the state that task uses",
    severity: Warning up to Error,
    scope: Constructors,
    check: Check::Analysis(check),
}

/// Run the rule.
pub fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ca in cx.ctors() {
        for (i, site) in ca.spawns.iter().enumerate() {
            if site.joined {
                continue;
            }
            let Some(pos) = ca.spawn_position(i) else {
                continue;
            };
            let writes: Vec<_> = ca
                .writes_after(i)
                // A replaced handle the task holds is SL003, not a late
                // initialization; through a lock taken before the spawn,
                // the task's lock of it waits for the guard.
                .filter(|w| {
                    super::stale_capture::replaced_capture(ca, site, w).is_none()
                        && !site.captures.iter().any(|c| super::redeclares(c, w))
                        && !w.locked_before(pos)
                })
                .collect();
            let hit = site.accesses.iter().filter(|a| exposed(a)).find_map(|a| {
                writes
                    .iter()
                    .find(|w| w.key.overlaps(&a.key))
                    .map(|w| (a, *w))
            });
            if let Some((access, write)) = hit {
                out.push(explain::diagnostic(
                    cx,
                    Window {
                        rule: RULE.id(),
                        severity: access_severity(access),
                        confidence: explain::window_confidence(access),
                        ctor: ca,
                        site,
                        access,
                        write,
                        load: None,
                    },
                ));
            }
        }
    }
    out.extend(cx.registry_races().iter().map(|r| registry_race(cx, r)));
    out.extend(cx.late_handles().iter().map(|h| late_handle(cx, h)));
    out.extend(cx.early_children().iter().map(|c| early_child(cx, c)));
    out.extend(
        cx.unpublished_stops()
            .iter()
            .map(|u| unpublished_stop(cx, u)),
    );
    out
}

/// A start whose task publishes, into a shared field, what a stop needs,
/// and that returns without waiting for it.
fn unpublished_stop(cx: &Context, u: &UnpublishedStop) -> Diagnostic {
    let fn_name = cx.fn_name(u.function);
    let stop = cx.fn_name(u.stop);
    let short = |name: &str| name.rsplit("::").next().unwrap_or(name).to_string();
    let (start, stop_short, field) = (short(&fn_name), short(&stop), &u.field);
    let fix = Fix {
        strategy: FixStrategy::Gate,
        title: format!("make `{start}` wait until the task has published `{field}`: the task sends it once it is set, and `{start}` receives it before it returns"),
        code: format!(
            "let (ready_tx, ready_rx) = std::sync::mpsc::channel();\nlet task = /* the spawn, unchanged; the task calls `ready_tx.send(..)` right after it sets `{field}` */;\nready_rx.recv() /* .await for a tokio oneshot */;"
        ),
        ..Fix::default()
    };
    explain::finding(
        cx,
        Finding {
            rule: RULE.id(),
            severity: Severity::Warning,
            confidence: Confidence::Medium,
            message: format!("`{fn_name}` returns before the task it starts has set `{field}`, which `{stop}` needs: a `{stop_short}` in between finds nothing to stop, and the task runs on"),
            primary: u.spawn,
            primary_text: format!("the task starts here; `{start}` returns without waiting for it"),
            labels: vec![
                (u.publish, format!("`{field}` is set only here, once the task runs")),
                (u.check, format!("`{stop_short}` gives up here while `{field}` is still empty")),
            ],
            notes: vec![format!("a `{stop_short}` called right after `{start}` returns (or a drop) can run before the task has set `{field}`; it then stops nothing, and the task, setting `{field}` afterwards, is never stopped")],
            fixes: vec![fix],
            identity: vec![fn_name, "unpublished-stop".into(), field.clone()],
        },
    )
}

/// A child process told where to report before anything listens there.
fn early_child(cx: &Context, c: &ChildBeforeListener) -> Diagnostic {
    let fn_name = cx.fn_name(c.function);
    let addr = &c.address;
    let bind = cx.slice(c.bind).unwrap_or_else(|| format!("bind({addr})"));
    let fix = Fix {
        strategy: FixStrategy::Reorder,
        title: format!("bind the listener on `{addr}` before starting the child, and accept on it afterwards"),
        code: format!("let listener = {bind}?;\nlet child = /* the Command, unchanged */.spawn()?;\n// then: listener.accept()"),
        ..Fix::default()
    };
    explain::finding(
        cx,
        Finding {
            rule: RULE.id(),
            severity: Severity::Warning,
            confidence: Confidence::Medium,
            message: format!("`{fn_name}` starts a child process that connects to `{addr}`, and binds the listener on `{addr}` only after the spawn: a child that starts fast finds nothing listening"),
            primary: c.spawn,
            primary_text: format!("the child runs from here on, told to connect to `{addr}`"),
            labels: vec![(c.bind, format!("`{addr}` is listened on only here, after the spawn"))],
            notes: vec![format!("the child's connection to `{addr}` is refused (or finds no socket file) if it gets there first, and its start-up report is lost")],
            fixes: vec![fix],
            identity: vec![fn_name, "child-before-listener".into(), addr.clone()],
        },
    )
}

/// A task whose handle enters an abortable registry only after the spawn.
fn late_handle(cx: &Context, h: &LateHandle) -> Diagnostic {
    let fn_name = cx.fn_name(h.function);
    let unregister = cx.fn_name(h.unregister);
    let (map, handle) = (&h.registry, &h.handle);
    let fix = with_lock_first(
        cx,
        Fix {
            strategy: FixStrategy::Reorder,
            title: format!("take the `{map}` lock before spawning and insert `{handle}` under it, so `{unregister}` sees the task or runs before it exists"),
            code: format!(
                "let mut {map} = self.{map}.lock() /* .await, .unwrap(), as the insert does */;\nlet {handle} = /* the spawn, unchanged */;\n{map}.insert(/* key */, {handle});"
            ),
            ..Fix::default()
        },
        h.spawn,
        h.insert,
    );
    explain::finding(
        cx,
        Finding {
            rule: RULE.id(),
            severity: Severity::Warning,
            confidence: Confidence::Medium,
            message: format!("`{fn_name}` starts a task and only then inserts its handle `{handle}` into `{map}`: a call to `{unregister}` in between finds nothing to abort, and the task runs on unstoppable"),
            primary: h.spawn,
            primary_text: "the task runs from here on, before anyone can abort it".into(),
            labels: vec![(
                h.insert,
                format!("`{handle}` enters `{map}` only here, under a lock taken after the spawn"),
            )],
            notes: vec![format!(
                "`{unregister}` removes entries from `{map}` and aborts them; one that runs between the spawn and the insert returns having stopped nothing, and the insert then registers a task nobody will stop"
            )],
            fixes: vec![fix],
            identity: vec![fn_name, "late-handle".into(), map.clone(), handle.clone()],
        },
    )
}

/// A task that finds its own registry entry, spawned before the entry is
/// inserted.
fn registry_race(cx: &Context, r: &RegistryRace) -> Diagnostic {
    let fn_name = cx.fn_name(r.function);
    let (map, key, method) = (&r.registry, &r.key, &r.method);
    let (message, use_text, note) = if registry::is_removal(method) {
        (
            format!("task spawned in `{fn_name}` removes its `{map}` entry `{key}`, which `{fn_name}` inserts only after the spawn"),
            "the task's clean-up: removes nothing if it runs before the insert".to_string(),
            format!("a task that ends before the insert leaves an entry for a finished task in `{map}`, never removed"),
        )
    } else {
        (
            format!("task spawned in `{fn_name}` looks up its `{map}` entry `{key}`, which `{fn_name}` inserts only after the spawn"),
            "finds nothing if the task runs before the insert".to_string(),
            format!("the task may run before `{fn_name}` reaches the insert; its lookup of `{key}` then fails"),
        )
    };
    // The map as the insert reaches it (`self.jobs.lock().unwrap()`).
    let map_expr = cx
        .slice(r.insert)
        .and_then(|s| s.split_once(".insert(").map(|(m, _)| m.trim().to_string()))
        .unwrap_or_else(|| format!("self.{map}"));
    let lock_first = Fix {
        strategy: FixStrategy::Reorder,
        title: format!("take the `{map}` lock before spawning and insert `{key}` under it: the task's `{method}` waits for the insert"),
        ..Fix::default()
    };
    let lock_first = with_lock_first(cx, lock_first, r.spawn, r.insert);
    let fix = if lock_first.edits.is_empty() {
        Fix {
        strategy: FixStrategy::Reorder,
        title: format!("insert the `{map}` entry before spawning, and fill in what only the spawn gives (its handle) afterwards"),
        code: format!(
            "{map_expr}.insert({key}, /* the entry, without the task's handle */);\nlet task = /* the spawn */;\nif let Some(entry) = {map_expr}.get_mut(&{key}) {{\n    /* store `task` in the entry */\n}}"
        ),
        ..Fix::default()
    }
    } else {
        lock_first
    };
    explain::finding(
        cx,
        Finding {
            rule: RULE.id(),
            severity: Severity::Warning,
            confidence: Confidence::Medium,
            message,
            primary: r.spawn,
            primary_text: "the task may run from here on".into(),
            labels: vec![
                (r.task_use, use_text),
                (
                    r.insert,
                    format!("`{key}` is inserted into `{map}` only here, after the spawn"),
                ),
            ],
            notes: vec![note],
            fixes: vec![fix],
            identity: vec![fn_name, map.clone(), key.clone(), method.clone()],
        },
    )
}

/// `fix` with the edits that take the map's lock before the spawn at
/// `spawn` and insert under it at `insert`, when they can be made (see
/// [`fixes::lock_first_edits`]); [`explain::finding`] then shows the
/// user's own text with the edits in it.
fn with_lock_first(cx: &Context, fix: Fix, spawn: Loc, insert: Loc) -> Fix {
    let edits = (spawn.file == insert.file)
        .then(|| cx.source(spawn.file))
        .flatten()
        .and_then(|source| fixes::lock_first_edits(source, spawn.file, spawn.span, insert.span));
    match edits {
        Some((edits, applicability)) => fix.with_edits(edits, applicability),
        None => fix,
    }
}
