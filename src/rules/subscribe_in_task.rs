//! SL006 `subscribe-in-task`: a task subscribes to a broadcast inside its own body, losing what is sent before it first runs. The user documentation is the rule's
//! page, `rules/SL006-subscribe-in-task.md`.

use super::explain::{self, Finding};
use super::{Check, Context};
use crate::analysis::handed_back::HandedBack;
use crate::analysis::late_subscribe::LateSubscribe;
use crate::analysis::loop_subscribe::LoopSubscribe;
use crate::analysis::trace::{Listen, ListenKind, SpawnSite};
use crate::diagnostic::{Applicability, Confidence, Diagnostic, Edit, Fix, FixStrategy, Severity};
use crate::fixes;
use crate::model::FnRef;

crate::declare_rule! {
    code: "SL006",
    slug: "subscribe-in-task",
    summary: "a task subscribes to a broadcast inside its own body, losing what is sent before it first runs",
    severity: Warning,
    scope: SpawningFunctions,
    check: Check::Analysis(check),
}

/// Run the rule.
pub fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut reported = Vec::new();
    // Subscriptions the analysis recognized in a task are judged by their
    // channel's kind (a broadcast here, a `watch`, which keeps its latest
    // value, by SL007); the handed-back form is for the others.
    let typed_listens: Vec<crate::source::Loc> = cx
        .tasks()
        .iter()
        .flat_map(|(_, sites)| sites.iter().flat_map(|s| s.listens.iter()))
        .flat_map(|l| std::iter::once(l.loc).chain(l.via.first().map(|v| v.loc)))
        .collect();
    for (func, sites) in cx.tasks() {
        for site in sites {
            // A task that acknowledges it subscribed, on a channel the
            // spawner waits on, is subscribed before the spawner goes on.
            let Some(listen) = site
                .listens
                .iter()
                .filter(|l| !l.acknowledged && !l.caught_up)
                .find(|l| match &l.kind {
                    ListenKind::Subscribe {
                        ty: Some(ty),
                        method,
                    } => {
                        cx.catalog.is_broadcast(ty) && cx.catalog.subscribe_methods.contains(method)
                    }
                    _ => false,
                })
            else {
                continue;
            };
            let ListenKind::Subscribe { method, .. } = &listen.kind else {
                continue;
            };
            reported.push(site.loc);
            let fn_name = cx.fn_name(*func);
            let source = listen.name.clone();
            let mut labels = Vec::new();
            if let Some(first) = listen.via.first() {
                labels.push((
                    first.loc,
                    format!("the task subscribes inside `{}`", first.callee),
                ));
            }
            labels.push((
                listen.loc,
                format!("subscribes only when the task first runs: anything sent on `{source}` before then is lost"),
            ));
            // What moves before the spawn: the subscription, or the call in
            // the task that leads to it.
            let hoisted = listen.via.first().map_or(listen.loc, |v| v.loc);
            let fix = match (cx.slice(hoisted), cx.slice(site.call)) {
                (Some(sub), Some(call)) => {
                    let (sender, method) =
                        split_method_call(&sub).unwrap_or_else(|| (source.clone(), method.clone()));
                    let rx = format!("{}_rx", source.trim_end_matches("_tx"));
                    if listen.on_local {
                        // The sender exists only inside the task.
                        None
                    } else {
                        fixes::subscribe_first(
                            &sender,
                            &method,
                            &rx,
                            &call,
                            &sub,
                            listen.via.is_empty(),
                        )
                    }
                }
                _ => None,
            };
            let fix = fix.map(|f| match hoist_edits(cx, *func, site, listen) {
                Some(edits) => f.with_edits(edits, Applicability::Safe),
                None => f,
            });
            out.push(explain::finding(
                cx,
                Finding {
                    rule: RULE.id(),
                    severity: Severity::Warning,
                    confidence: subscription_confidence(&source),
                    message: format!(
                        "task spawned in `{fn_name}` subscribes to `{source}` only once it runs, so events sent right after the spawn are lost"
                    ),
                    primary: site.loc,
                    primary_text: "the spawning code goes on at once, before the task has subscribed".into(),
                    labels,
                    notes: vec![format!(
                        "a broadcast receiver only gets values sent after `{method}()` returns; the task may first run long after the spawn"
                    )],
                    fixes: fix.into_iter().collect(),
                    identity: vec![fn_name, site.spawner.clone(), source],
                },
            ));
        }
    }
    out.extend(
        cx.analysis
            .handed_back
            .iter()
            .filter(|h| !reported.contains(&h.task) && !typed_listens.contains(&h.subscribe))
            .map(|h| handed_back(cx, h)),
    );
    out.extend(cx.late_subscribes().iter().map(|l| late_subscriber(cx, l)));
    out.extend(
        cx.analysis
            .loop_subscribes
            .iter()
            .map(|l| loop_subscriber(cx, l)),
    );
    out
}

/// The edits that move the task's own `let rx = sender.subscribe();`
/// before the spawn, when it can move unchanged
/// ([`fixes::hoist_subscribe_edits`]).
fn hoist_edits(cx: &Context, func: FnRef, site: &SpawnSite, listen: &Listen) -> Option<Vec<Edit>> {
    if listen.in_loop || listen.on_local {
        return None;
    }
    let hoisted = listen.via.first().map_or(listen.loc, |v| v.loc);
    let file = site.call.file;
    if hoisted.file != file || site.task.file != file || func.file != file {
        return None;
    }
    let captures: Vec<String> = site.captures.iter().map(|c| c.name.clone()).collect();
    let hoist = fixes::Hoist {
        call: site.call.span,
        task: site.task.span,
        subscribe: hoisted.span,
        fn_end: cx.model.func(func).item_span,
        captures: &captures,
    };
    fixes::hoist_subscribe_edits(cx.source(file)?, file, &hoist)
}

/// `recv.method(..)` as the receiver's text and the method's name.
fn split_method_call(text: &str) -> Option<(String, String)> {
    let syn::Expr::MethodCall(m) = syn::parse_str::<syn::Expr>(text).ok()? else {
        return None;
    };
    // The receiver as written: the text before the last `.method(`.
    let method = m.method.to_string();
    let (recv, _) = text.rsplit_once(&format!(".{method}"))?;
    Some((recv.trim().to_string(), method))
}

/// The handed-back form: the function returns a task that subscribes only
/// once it runs.
fn handed_back(cx: &Context, h: &HandedBack) -> Diagnostic {
    let fn_name = cx.fn_name(h.function);
    let (source, method) = (&h.source, &h.method);
    let call = cx
        .slice(h.subscribe)
        .unwrap_or_else(|| format!("{source}.{method}()"));
    let (what, runs) = if h.spawned {
        ("a task", "the runtime first polls it")
    } else {
        ("a future", "the caller first polls it")
    };
    let mut labels = Vec::new();
    labels.push((
        h.subscribe,
        match &h.via {
            Some(callee) => format!("`{callee}` subscribes only here, when {runs}"),
            None => format!("subscribes only here, when {runs}"),
        },
    ));
    let fix = Fix {
        strategy: FixStrategy::SubscribeFirst,
        title: format!("subscribe in `{fn_name}` before it hands the task back, and move the subscription into the task"),
        code: format!("let subscription = {call}; // before the task exists
/* the task, using `subscription` */"),
        ..Fix::default()
    };
    let fix = match handed_back_edits(cx, h) {
        Some(edits) => fix.with_edits(edits, Applicability::Safe),
        None => fix,
    };
    explain::finding(
        cx,
        Finding {
            rule: RULE.id(),
            severity: Severity::Warning,
            confidence: Confidence::Medium,
            message: format!(
                "`{fn_name}` hands back {what} that subscribes to `{source}` only once it runs: what is published between the return and its first poll is never delivered"
            ),
            primary: h.task,
            primary_text: format!("the caller gets {what} here that is not subscribed yet"),
            labels,
            notes: vec![format!(
                "a subscription sees only what is published after `{method}` returns; the caller goes on as if it were listening"
            )],
            fixes: vec![fix],
            identity: vec![fn_name, "handed-back".into(), source.clone(), method.clone()],
        },
    )
}

/// The edits that hoist a handed-back task's own `let rx = x.subscribe…();`
/// to the line before its spawn ([`fixes::hoist_subscribe_edits`]): a
/// spawned closure or async block in the function's file, a subscription
/// on a parameter, a local or `self`, and no `.await` in the statement
/// (it would land outside the task).
fn handed_back_edits(cx: &Context, h: &HandedBack) -> Option<Vec<Edit>> {
    let (call, task) = h.spawn_call?;
    let file = h.function.file;
    if h.via.is_some() || h.subscribe.file != file {
        return None;
    }
    let source = cx.source(file)?;
    let line = cx.slice(h.subscribe)?;
    if line.contains(".await") {
        return None;
    }
    let func = cx.model.func(h.function);
    let mut in_scope = Vec::new();
    for p in func.params() {
        p.pat.bindings(&mut in_scope);
    }
    for s in &func.body().stmts {
        if let crate::facts::Stmt::Let { pat, .. } = s {
            pat.bindings(&mut in_scope);
        }
    }
    let hoist = fixes::Hoist {
        call,
        task,
        subscribe: h.subscribe.span,
        fn_end: func.item_span,
        captures: &in_scope,
    };
    fixes::hoist_subscribe_edits(source, file, &hoist)
}

/// The spawner's form: it subscribes to the running task's events only
/// after acting on the handle, so what the action made the task emit in
/// between is lost.
/// A loop that subscribes to each handle while making it act on the later
/// ones.
fn loop_subscriber(cx: &Context, l: &LoopSubscribe) -> Diagnostic {
    let fn_name = cx.fn_name(l.function);
    let (handle, method, coll) = (&l.handle, &l.method, &l.collection);
    let fix = Fix {
        strategy: FixStrategy::Reorder,
        title: format!("subscribe to every element of `{coll}` first, in a loop of its own, then run the loop that makes them act"),
        code: format!("let listeners: Vec<_> = {coll}.iter().map(|{handle}| {handle}.{method}()).collect();\nfor /* the loop, unchanged, without the subscription */ {{ .. }}"),
        ..Fix::default()
    };
    explain::finding(
        cx,
        Finding {
            rule: RULE.id(),
            severity: Severity::Warning,
            confidence: Confidence::Medium,
            message: format!(
                "`{fn_name}` subscribes to each of `{coll}` inside the loop that makes them act on each other: what an earlier iteration makes a later element emit comes before that element is subscribed, and is lost"
            ),
            primary: l.subscribe,
            primary_text: format!("`{handle}` is subscribed only in its own iteration"),
            labels: vec![(
                l.action,
                format!("acts on other elements of `{coll}`, which may not be subscribed yet"),
            )],
            notes: vec![format!("`{method}()` only sees events emitted after it returns")],
            fixes: vec![fix],
            identity: vec![fn_name, "loop".into(), coll.clone(), method.clone()],
        },
    )
}

fn late_subscriber(cx: &Context, l: &LateSubscribe) -> Diagnostic {
    let fn_name = cx.fn_name(l.function);
    let (handle, method, trigger) = (&l.handle, &l.method, &l.trigger_method);
    let fix = match (cx.slice(l.subscribe_stmt), cx.slice(l.trigger_stmt)) {
        (Some(sub), Some(action)) => {
            let fix = fixes::subscribe_before_action(&sub, &action, trigger);
            let file = l.subscribe_stmt.file;
            let edits = (l.trigger_stmt.file == file)
                .then(|| cx.source(file))
                .flatten()
                .and_then(|s| {
                    fixes::move_before_edits(s, file, l.subscribe_stmt.span, l.trigger_stmt.span)
                });
            vec![match edits {
                Some(edits) => fix.with_edits(edits, Applicability::Safe),
                None => fix,
            }]
        }
        _ => Vec::new(),
    };
    explain::finding(
        cx,
        Finding {
            rule: RULE.id(),
            severity: Severity::Warning,
            confidence: Confidence::Medium,
            message: format!(
                "`{fn_name}` subscribes to `{handle}` only after `{handle}.{trigger}(..)`, so events the running task emits in between are lost"
            ),
            primary: l.subscribe,
            primary_text: format!("subscribes here, after `{trigger}` may already have made the task emit"),
            labels: vec![
                (l.spawn, "the task runs from here on".into()),
                (
                    l.trigger,
                    format!("`{trigger}` acts on the running task with no subscriber on `{handle}` yet"),
                ),
                (l.wait, "then waits for events that may already be gone".into()),
            ],
            notes: vec![format!(
                "`{method}()` only sees events emitted after it returns"
            )],
            fixes: fix,
            identity: vec![fn_name, handle.clone(), method.clone(), trigger.clone()],
        },
    )
}

/// A missed shutdown signal is the worst case of a late subscription to a
/// source named like one (`shutdown`, `stop_tx`, `cancel`): the task lingers
/// until it ends some other way. Anything else may be real work lost.
fn subscription_confidence(source: &str) -> Confidence {
    const STOPS: &[&str] = &[
        "shutdown", "stop", "cancel", "terminat", "kill", "exit", "quit", "close",
    ];
    let s = source.to_ascii_lowercase();
    if STOPS.iter().any(|w| s.contains(w)) {
        Confidence::Low
    } else {
        Confidence::Medium
    }
}
