//! SL007 `lossy-gate`: a ready gate that can miss its signal. The user
//! documentation is the rule's page, `rules/SL007-lossy-gate.md`.

use super::explain::{self, Finding};
use super::{Check, Context};
use crate::analysis::baselines::LateBaseline;
use crate::analysis::condvars::{Outside, UnguardedNotify};
use crate::analysis::resets::LateReset;
use crate::analysis::single_wakes::SingleWake;
use crate::analysis::snapshots::SnapshotFirst;
use crate::analysis::split_subscriptions::SplitSubscription;
use crate::analysis::trace::{Listen, ListenKind, SpawnSite, WaitCheck};
use crate::analysis::wakers::LateWaker;
use crate::diagnostic::{Applicability, Confidence, Diagnostic, Fix, Severity};
use crate::fixes;
use crate::model::FnRef;
use crate::source::Loc;

crate::declare_rule! {
    code: "SL007",
    slug: "lossy-gate",
    summary: "a ready gate that can miss its signal: `notify_waiters` before `notified()`, a Condvar wait without its condition or notified without its mutex, a waker registered after the check, a snapshot sent before the subscription, a manual-reset event reset after its drain, a snapshot and its updates from two subscriptions, a condvar baseline read after its trigger, one `notify_one` for several waiters, a late watch subscription",
    severity: Warning up to Error,
    scope: SpawningFunctions,
    check: Check::Analysis(check),
}

/// What one lossy listen is: how bad, what to say, where the signal is.
struct Verdict {
    severity: Severity,
    message: String,
    text: String,
    signal: Option<(Loc, String)>,
    notes: Vec<String>,
    fixes: Vec<Fix>,
}

/// Run the rule.
pub fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (func, sites) in cx.tasks() {
        for site in sites {
            // One finding per task: the first lossy way it listens that
            // can block forever, else the first lossy one.
            let subject = Subject::Task(*func);
            let mut lossy = site
                .listens
                .iter()
                .filter_map(|l| verdict(cx, *func, subject, l, Some(site)).map(|v| (l, v)));
            let first = lossy.next();
            let hit = match first {
                Some((_, ref v)) if v.severity == Severity::Error => first,
                _ => lossy.find(|(_, v)| v.severity == Severity::Error).or(first),
            };
            if let Some((listen, v)) = hit {
                out.push(diagnostic(cx, *func, site, listen, v));
            }
        }
    }
    // Lost wakeups anywhere: a function's own waits, unless a spawned task
    // already accounts for them.
    let in_tasks: Vec<Loc> = cx
        .tasks()
        .iter()
        .flat_map(|(_, sites)| sites.iter().flat_map(|s| s.listens.iter().map(|l| l.loc)))
        .collect();
    for (func, listens) in &cx.analysis.waits {
        for l in listens.iter().filter(|l| !in_tasks.contains(&l.loc)) {
            if let Some(v) = verdict(cx, *func, Subject::Function(*func), l, None) {
                out.push(standalone(cx, *func, l, v));
            }
        }
    }
    out.extend(cx.analysis.late_wakers.iter().map(|w| late_waker(cx, w)));
    out.extend(cx.analysis.late_resets.iter().map(|r| late_reset(cx, r)));
    // A wait already reported as lossy is not reported again for how few
    // waiters its signal wakes (left to the pipeline, which keeps one
    // finding per rule and place, it would gain a note about the same
    // spawn being reached from another function).
    let waits_reported = labelled(&out);
    out.extend(
        cx.analysis
            .single_wakes
            .iter()
            .filter(|w| !waits_reported.contains(&w.wait))
            .map(|w| single_wake(cx, w)),
    );
    out.extend(
        cx.analysis
            .late_baselines
            .iter()
            .map(|b| late_baseline(cx, b)),
    );
    out.extend(
        cx.analysis
            .split_subscriptions
            .iter()
            .map(|s| split_subscription(cx, s)),
    );
    out.extend(
        cx.analysis
            .snapshots_first
            .iter()
            .map(|s| snapshot_first(cx, s)),
    );
    // A wait already reported (no check at all, an `if`) is not reported
    // again for its notifier.
    let reported = labelled(&out);
    out.extend(
        cx.analysis
            .unguarded_notifies
            .iter()
            .filter(|u| !reported.contains(&u.wait))
            .map(|u| unguarded_notify(cx, u)),
    );
    out
}

/// Every place the findings so far point at.
fn labelled(out: &[Diagnostic]) -> Vec<Loc> {
    out.iter()
        .flat_map(|d| {
            d.labels.iter().map(|l| Loc {
                file: l.file,
                span: l.span,
            })
        })
        .collect()
}

/// A condvar wait whose condition lives outside its mutex, notified
/// without that mutex.
fn unguarded_notify(cx: &Context, u: &UnguardedNotify) -> Diagnostic {
    let (cv, m) = (&u.condvar, &u.mutex);
    let first = u.notifies[0];
    let mut labels: Vec<(Loc, String)> = u
        .notifies
        .iter()
        .take(3)
        .map(|n| (*n, format!("notified without `{m}` held")))
        .collect();
    let why = match &u.outside {
        Outside::UnitMutex => format!("`{m}` is a `Mutex<()>`: it guards no state, so the waiter's condition is read outside it and only a notifier holding `{m}` is ordered with the waiter's check and wait"),
        Outside::CheckedBefore { check, name } => {
            labels.insert(0, (*check, format!("`{name}` is checked here, before `{m}` is locked")));
            format!("the wait loop checks `{name}` before it locks `{m}`: a notifier that changes it and notifies without `{m}` can notify after that check and before the wait")
        }
    };
    let mut notes = vec![
        why,
        "a `Condvar` stores no notification: one sent while the waiter is between its check and its wait wakes nobody".to_string(),
    ];
    if u.notifies.len() > 3 {
        notes.push(format!(
            "{} more notifications without `{m}`",
            u.notifies.len() - 3
        ));
    }
    let severity = if u.timed {
        Severity::Warning
    } else {
        Severity::Error
    };
    let v = Verdict {
        severity,
        message: format!(
            "`{}` waits on `{cv}` with `{m}`, but `{cv}` is notified without `{m}` held: a notification between the waiter's check and its wait is lost{}",
            cx.fn_name(u.function),
            if u.timed { ", and the wait runs to its timeout" } else { ", and the thread blocks forever" }
        ),
        text: format!("waits here with `{m}`; the notification does not take `{m}`"),
        signal: None,
        notes,
        fixes: cx
            .slice(first)
            .and_then(|t| fixes::notify_under_lock(&t, cv, m))
            .into_iter()
            .collect(),
    };
    let at = Place {
        primary: u.wait,
        primary_text: v.text.clone(),
        identity: vec![
            cx.fn_name(u.function),
            "unguarded-notify".into(),
            cv.clone(),
        ],
    };
    finding(cx, at, labels, v)
}

/// A subscriber's snapshot sent before its sender is registered.
fn snapshot_first(cx: &Context, s: &SnapshotFirst) -> Diagnostic {
    let (tx, reg) = (&s.sender, &s.registry);
    let v = Verdict {
        severity: Severity::Warning,
        message: format!(
            "`{}` sends the current state through `{tx}` before it registers `{tx}` in `{reg}`: an event broadcast in between is in neither, and the subscriber never sees it",
            cx.fn_name(s.function)
        ),
        text: format!("`{tx}` is registered in `{reg}` only here, after the snapshot"),
        signal: Some((s.send, "the snapshot is sent here, before the registration".to_string())),
        notes: vec![format!("register `{tx}` first, then send the snapshot: an event after the registration is delivered (perhaps twice, with the snapshot), none is lost")],
        fixes: Vec::new(),
    };
    let at = Place {
        primary: s.register,
        primary_text: v.text.clone(),
        identity: vec![cx.fn_name(s.function), "snapshot-first".into(), tx.clone()],
    };
    finding(cx, at, Vec::new(), v)
}

/// A poll function that checks, then registers its waker and returns
/// `Pending` without checking again.
fn late_waker(cx: &Context, w: &LateWaker) -> Diagnostic {
    let register = cx.slice(w.register);
    let v = Verdict {
        severity: Severity::Warning,
        message: format!(
            "`{}` checks its condition before it registers the waker with `{}`, then returns `Pending`: a wake in between reaches no waker and is lost",
            cx.fn_name(w.function),
            w.waker
        ),
        text: "the waker is registered only after the check".to_string(),
        signal: Some((w.check, "the condition is checked here, before the waker is registered".to_string())),
        notes: vec![
            "an `AtomicWaker` wakes only the waker registered when `wake()` is called: a producer that makes the condition true and wakes between the check and the registration wakes nobody, and the task sleeps until some other wake".to_string(),
        ],
        fixes: register.as_deref().and_then(fixes::waker_register_first).into_iter().collect(),
    };
    let at = Place {
        primary: w.register,
        primary_text: v.text.clone(),
        identity: vec![cx.fn_name(w.function), "register".into(), w.waker.clone()],
    };
    finding(cx, at, Vec::new(), v)
}

/// A manual-reset event reset after the loop that drains what it signals.
fn late_reset(cx: &Context, r: &LateReset) -> Diagnostic {
    let event = &r.event;
    let call = cx
        .slice(r.reset)
        .unwrap_or_else(|| format!("ResetEvent({event})"));
    let v = Verdict {
        severity: Severity::Warning,
        message: format!(
            "`{}` resets the manual-reset event `{event}` after the loop that drains it: a signal set while the loop ran is erased, and the next wait blocks with work pending",
            cx.fn_name(r.function)
        ),
        text: "the event is reset only here, after the drain".to_string(),
        signal: Some((r.drain, "the drain: a producer that signals while it runs is erased by the reset after it".to_string())),
        notes: vec![
            "a manual-reset event stays set until it is reset: reset it before draining, so that a signal set during the drain stays set and the next wait returns at once".to_string(),
        ],
        fixes: vec![Fix {
            strategy: crate::diagnostic::FixStrategy::Reorder,
            title: format!("reset `{event}` before the drain loop, then drain until empty (set it again on an early exit that leaves work behind)"),
            code: format!("{call}; // first
/* the drain loop, unchanged */"),
            ..Fix::default()
        }],
    };
    let at = Place {
        primary: r.reset,
        primary_text: v.text.clone(),
        identity: vec![cx.fn_name(r.function), "late-reset".into(), event.clone()],
    };
    finding(cx, at, Vec::new(), v)
}

/// A condvar baseline read after the trigger of the change it waits for.
fn late_baseline(cx: &Context, b: &LateBaseline) -> Diagnostic {
    let (name, state) = (&b.name, &b.state);
    let baseline = cx.slice(b.baseline);
    let mut fix = Fix {
        strategy: crate::diagnostic::FixStrategy::Reorder,
        title: format!("read `{name}` before setting off the change, so that the change is the one the wait sees"),
        code: format!(
            "{} // first\n/* the trigger, then the wait, unchanged */",
            baseline.as_deref().unwrap_or("let baseline = /* the read */;").trim()
        ),
        ..Fix::default()
    };
    let file = b.baseline.file;
    if b.trigger.file == file {
        if let Some(edits) = cx
            .source(file)
            .and_then(|s| fixes::move_before_edits(s, file, b.baseline.span, b.trigger.span))
        {
            fix = fix.with_edits(edits, Applicability::Safe);
        }
    }
    let v = Verdict {
        severity: Severity::Warning,
        message: format!(
            "`{}` reads the baseline `{name}` of `{state}` only after setting off the change it waits for: if the change lands first, `{name}` already holds the new value and the wait is for another change that may never come",
            cx.fn_name(b.function)
        ),
        text: format!("`{name}` is read here, after the trigger"),
        signal: Some((b.trigger, "the change is set off here, before the baseline is read".to_string())),
        notes: vec![format!(
            "a wait for `{state}` to differ from a baseline is only sound when the baseline is read before anything can change it"
        )],
        fixes: vec![fix],
    };
    let labels = vec![(
        b.wait,
        format!("waits until `{state}` differs from `{name}`"),
    )];
    let at = Place {
        primary: b.baseline,
        primary_text: v.text.clone(),
        identity: vec![cx.fn_name(b.function), "late-baseline".into(), name.clone()],
    };
    finding(cx, at, labels, v)
}

/// A retrying waiter on a `Notify` with several waiters, woken for a
/// change by a single `notify_one`.
fn single_wake(cx: &Context, w: &SingleWake) -> Diagnostic {
    let name = &w.name;
    let signaller = cx.fn_name(w.signaller);
    let notify = cx
        .slice(w.signal)
        .and_then(|t| {
            t.rsplit_once(".notify_one")
                .map(|(a, _)| a.trim().to_string())
        })
        .unwrap_or_else(|| name.clone());
    let rename = cx.source(w.signal.file).and_then(|s| {
        fixes::rename_method_edit(
            s,
            w.signal.file,
            w.signal.span,
            "notify_one",
            "notify_waiters",
        )
    });
    let fixes = fixes::notify_waiters(&notify)
        .map(|f| f.with_edits(rename.into_iter().collect(), Applicability::Unsafe))
        .into_iter()
        .collect();
    let v = Verdict {
        severity: Severity::Warning,
        message: format!(
            "`{}` is one of several waiters on `{name}`, but `{signaller}` signals its change with `notify_one`: one waiter wakes, and the others sleep on although the change may let them through too",
            cx.fn_name(w.function)
        ),
        text: format!("waits on `{name}` in a loop that re-checks its condition"),
        signal: Some((
            w.signal,
            "`notify_one` wakes a single waiter".to_string(),
        )),
        notes: vec![
            format!("`{name}` has several waiters: the code wakes all of them with `notify_waiters` elsewhere"),
            "a `notify_one` is right when each signal hands over one unit (one item pushed, one permit added); a change that can satisfy several waiters needs `notify_waiters`, and waiters that re-check their condition in a loop go back to sleep when it does not hold".to_string(),
        ],
        fixes,
    };
    let labels = vec![(
        w.broadcast,
        format!("every waiter on `{name}` is woken here, so there can be several"),
    )];
    let at = Place {
        primary: w.wait,
        primary_text: v.text.clone(),
        identity: vec![cx.fn_name(w.function), "single-wake".into(), name.clone()],
    };
    finding(cx, at, labels, v)
}

/// A receiver kept from one subscription and the snapshot from another.
fn split_subscription(cx: &Context, s: &SplitSubscription) -> Diagnostic {
    let (src, m, rx) = (&s.source, &s.method, &s.stream);
    let earlier = match &s.via {
        Some((_, callee)) => format!(
            "`{callee}` takes the snapshot from its own `{src}.{m}()` and drops that receiver"
        ),
        None => {
            format!("the snapshot comes from an earlier `{src}.{m}()` whose receiver is dropped")
        }
    };
    let v = Verdict {
        severity: Severity::Warning,
        message: format!(
            "`{}` keeps the receiver `{rx}` of one `{src}.{m}()` and the snapshot of another: a change made between the two calls is in neither, and the view built from them misses it",
            cx.fn_name(s.function)
        ),
        text: format!("`{rx}` starts after the snapshot was taken, from a second subscription"),
        signal: Some((s.snapshot_sub, format!("{earlier}: changes after this point are not in the snapshot"))),
        notes: vec![format!(
            "`{m}` hands back the snapshot and the receiver of the changes after it as one pair: keep both from one call (return the receiver with the snapshot, or take the snapshot from the call that gives `{rx}`)"
        )],
        fixes: vec![Fix {
            strategy: crate::diagnostic::FixStrategy::Reorder,
            title: format!("take the snapshot and `{rx}` from one `{src}.{m}()`"),
            code: format!("let (snapshot, {rx}) = {src}.{m}(..); // one call: no change falls between"),
            ..Fix::default()
        }],
    };
    let labels = s
        .via
        .iter()
        .map(|(call, callee)| {
            (
                *call,
                format!("`{callee}` is called here, before the second subscription"),
            )
        })
        .collect();
    let at = Place {
        primary: s.stream_sub,
        primary_text: v.text.clone(),
        identity: vec![
            cx.fn_name(s.function),
            "split-subscription".into(),
            rx.clone(),
        ],
    };
    finding(cx, at, labels, v)
}

/// Who waits: a task a function spawns, or the function itself.
#[derive(Clone, Copy)]
enum Subject {
    Task(FnRef),
    Function(FnRef),
}

impl Subject {
    fn words(self, cx: &Context, thread: bool) -> String {
        match self {
            Subject::Task(f) if thread => format!("thread spawned in `{}`", cx.fn_name(f)),
            Subject::Task(f) => format!("task spawned in `{}`", cx.fn_name(f)),
            Subject::Function(f) => format!("`{}`", cx.fn_name(f)),
        }
    }
}

fn verdict(
    cx: &Context,
    func: FnRef,
    subject: Subject,
    listen: &Listen,
    site: Option<&SpawnSite>,
) -> Option<Verdict> {
    match &listen.kind {
        ListenKind::Notified => {
            // In a function's own flow a `Notified` is lossy only when it is
            // created after the condition was checked, with no lock held
            // across both, and awaited at once (no re-check in between).
            let standalone = matches!(subject, Subject::Function(_));
            if standalone && !(listen.after_check && !listen.under_lock && listen.awaited) {
                return None;
            }
            notified(cx, func, &subject.words(cx, false), listen, site)
        }
        // Checked once under the lock is enough for a Condvar that never
        // wakes spuriously.
        ListenKind::CondvarWait {
            check: WaitCheck::Once,
            no_spurious: true,
            ..
        } => None,
        ListenKind::CondvarWait { check, timed, .. } => {
            // A function handed the guard waits for its caller, which holds
            // the lock and checks.
            if matches!(subject, Subject::Function(f)
                if listen.guard_param || crate::analysis::condvars::is_wait_primitive(cx.model, f))
            {
                return None;
            }
            condvar(cx, &subject.words(cx, true), listen, *check, *timed)
        }
        ListenKind::WatchChangedUnchecked { subscribed } => {
            // In a function's own flow, only after a check of the state it
            // then subscribes to (check-then-subscribe) is a value lost.
            if matches!(subject, Subject::Function(_)) && !listen.after_check {
                return None;
            }
            Some(watch(cx, &subject.words(cx, false), listen, *subscribed))
        }
        ListenKind::Subscribe { .. } => None,
    }
}

fn bounded_severity(listen: &Listen) -> Severity {
    if listen.bounded {
        Severity::Warning
    } else {
        Severity::Error
    }
}

/// `notified()` created inside the task, paired with a one-time
/// `notify_waiters()` on a `Notify` of the same name: a field's anywhere in
/// its file, a local's in the function that made it.
fn notified(
    cx: &Context,
    func: FnRef,
    subject: &str,
    listen: &Listen,
    site: Option<&SpawnSite>,
) -> Option<Verdict> {
    let name = &listen.name;
    let spawning_fn = cx.model.func(func).item_span;
    let signal = cx
        .notify_waiters
        .get(&(listen.loc.file, name.clone()))
        .into_iter()
        .flatten()
        .find(|loc| {
            !listen.on_local || (loc.file == func.file && spawning_fn.contains(loc.span))
        })?;
    let severity = bounded_severity(listen);
    // The fix goes where the signal is sent, in its words.
    let notify = cx
        .slice(*signal)
        .and_then(|t| {
            t.rsplit_once(".notify_waiters")
                .map(|(a, _)| a.trim().to_string())
        })
        .unwrap_or_else(|| name.clone());
    let mut notes = vec![
        "`notify_waiters` wakes only the `Notified` futures that exist when it is called; it stores no permit".to_string(),
    ];
    if listen.in_loop {
        notes.push("the future is created anew each time round the loop, so a signal between two waits is lost too".to_string());
    }
    if severity == Severity::Error {
        notes.push(
            "nothing bounds the wait: if the signal came first, the task waits forever".to_string(),
        );
    }
    let rename = cx.source(signal.file).and_then(|s| {
        fixes::rename_method_edit(s, signal.file, signal.span, "notify_waiters", "notify_one")
    });
    let mut fixes: Vec<_> = fixes::notify_one(&notify)
        .map(|f| f.with_edits(rename.into_iter().collect(), Applicability::Unsafe))
        .into_iter()
        .collect();
    let in_task = subject.starts_with("task") || subject.starts_with("thread");
    if in_task {
        let fix = fixes::notified_before_spawn(&notify);
        match (fix, owned_edits(cx, func, listen, site)) {
            // Registering first keeps `notify_waiters`: safe, and first.
            (Some(f), Some(e)) => fixes.insert(0, f.with_edits(e, Applicability::Safe)),
            (f, _) => fixes.extend(f),
        }
    } else {
        // The waiter's own words for the `Notify`, where it waits.
        let waiter = cx
            .slice(listen.loc)
            .and_then(|t| {
                t.rsplit_once(".notified")
                    .map(|(a, _)| a.trim().to_string())
            })
            .unwrap_or_else(|| notify.clone());
        let edits = listen
            .after_check
            .then(|| cx.source(listen.loc.file))
            .flatten()
            .and_then(|s| fixes::enable_first_edits(s, listen.loc.file, listen.loc.span));
        if let Some(f) = fixes::notified_before_check(&waiter) {
            match edits {
                // Registering first keeps `notify_waiters` and is safe: it
                // is the preferred fix then.
                Some(e) => fixes.insert(0, f.with_edits(e, Applicability::Safe)),
                None => fixes.push(f),
            }
        }
    }
    Some(Verdict {
        severity,
        message: if listen.after_check && !subject.starts_with("task") {
            format!("{subject} checks its condition before it creates the `Notified` it waits on `{name}` with, and the signal is `notify_waiters`: a signal sent in between is lost")
        } else {
            format!("{subject} waits on `{name}` with a `Notified` it creates itself, but the signal is `notify_waiters`: a signal sent before the task runs is lost")
        },
        text: if in_task {
            "the `Notified` future is created here, only once the task runs".to_string()
        } else {
            "the `Notified` future is created here, after the condition was checked".to_string()
        },
        signal: Some((
            *signal,
            "`notify_waiters` wakes only futures that already exist".to_string(),
        )),
        notes,
        fixes,
    })
}

/// The owned-`Notified` edits for a task's own `notified()`, when its
/// crate builds with tokio 1.47 or later (`notified_owned`) and the edits
/// fit ([`fixes::owned_notified_edits`]).
fn owned_edits(
    cx: &Context,
    func: FnRef,
    listen: &Listen,
    site: Option<&SpawnSite>,
) -> Option<Vec<crate::diagnostic::Edit>> {
    let site = site?;
    let file = listen.loc.file;
    let recent = cx.tokio.get(file as usize).copied().flatten() >= Some((1, 47));
    if !recent || !listen.via.is_empty() || site.call.file != file || func.file != file {
        return None;
    }
    let owned = fixes::OwnedNotified {
        spawn: site.call.span,
        call: listen.loc.span,
        function: cx.model.func(func).item_span,
        in_loop: listen.in_loop,
    };
    fixes::owned_notified_edits(cx.source(file)?, file, &owned)
}

/// A `Condvar` wait that does not re-check its condition under the lock.
fn condvar(
    cx: &Context,
    subject: &str,
    listen: &Listen,
    check: WaitCheck,
    timed: bool,
) -> Option<Verdict> {
    let (severity, how) = match check {
        WaitCheck::Loop => return None,
        WaitCheck::Once => (Severity::Warning, "checks the condition once, under `if`: a spurious wakeup passes before the state is ready"),
        WaitCheck::Never if timed => (Severity::Warning, "waits without checking the condition: a notification sent before the wait is lost"),
        WaitCheck::Never => (Severity::Error, "waits without checking the condition: a notification sent before the wait is lost, and the thread blocks forever"),
    };
    // `if` → `while` is the smallest change that re-checks the condition.
    let edit = (check == WaitCheck::Once)
        .then(|| cx.source(listen.loc.file))
        .flatten()
        .and_then(|s| fixes::if_to_while_edit(s, listen.loc.file, listen.loc.span));
    let cond = edit.as_ref().and_then(|(_, if_text)| {
        let rest = if_text.trim_start().strip_prefix("if ")?;
        Some(rest[..rest.find('{')?].trim().to_string())
    });
    let fix = cx
        .slice(listen.loc)
        .and_then(|call| fixes::condvar_wait_while_for(&call, cond.as_deref()));
    let mut fixes: Vec<Fix> = fix.into_iter().collect();
    if let Some((edit, if_text)) = edit {
        fixes.insert(
            0,
            fixes::condvar_while_loop(&if_text).with_edits(vec![edit], Applicability::Safe),
        );
    }
    Some(Verdict {
        severity,
        message: format!("{subject} {how}"),
        text: "`Condvar::wait` here does not re-check the condition under the lock".to_string(),
        signal: None,
        notes: vec!["a `Condvar` does not remember notifications: the waiter must check the condition under the lock before and after every wait (`while !ready { .. }` or `wait_while`)".to_string()],
        fixes,
    })
}

/// A watch receiver the task subscribed itself and waits on with
/// `changed()` without reading the current value.
fn watch(cx: &Context, subject: &str, listen: &Listen, subscribed: Loc) -> Verdict {
    let edit = cx
        .source(subscribed.file)
        .and_then(|s| fixes::mark_changed_edit(s, subscribed.file, subscribed.span, &listen.name));
    Verdict {
        severity: bounded_severity(listen),
        message: format!("{subject} subscribes to a `watch` itself and waits for `changed()`: a value sent before it subscribed is never seen as a change"),
        text: "waits for the next change; the value already sent counts as seen".to_string(),
        signal: Some((subscribed, "a new receiver marks the current value as seen".to_string())),
        notes: vec!["`changed()` waits for a value newer than the receiver has seen; a receiver created after the ready value was sent waits for another one".to_string()],
        fixes: fixes::watch_wait_for(&listen.name)
            .into_iter()
            .chain(edit.map(|e| {
                fixes::watch_mark_changed(&listen.name).with_edits(vec![e], Applicability::Unsafe)
            }))
            .collect(),
    }
}

fn diagnostic(
    cx: &Context,
    func: FnRef,
    site: &SpawnSite,
    listen: &Listen,
    v: Verdict,
) -> Diagnostic {
    let mut labels = Vec::new();
    if let Some(first) = listen.via.first() {
        labels.push((
            first.loc,
            format!("the task waits inside `{}`", first.callee),
        ));
    }
    labels.push((listen.loc, v.text.clone()));
    let at = Place {
        primary: site.loc,
        primary_text: "the signal may fire before the task starts waiting".into(),
        identity: vec![cx.fn_name(func), site.spawner.clone(), listen.name.clone()],
    };
    finding(cx, at, labels, v)
}

/// A function's own wait, reported where it waits.
fn standalone(cx: &Context, func: FnRef, listen: &Listen, v: Verdict) -> Diagnostic {
    let at = Place {
        primary: listen.loc,
        primary_text: v.text.clone(),
        identity: vec![cx.fn_name(func), "wait".into(), listen.name.clone()],
    };
    finding(cx, at, Vec::new(), v)
}

/// Where a lossy-gate finding is reported and what identifies it.
struct Place {
    primary: Loc,
    primary_text: String,
    identity: Vec<String>,
}

fn finding(cx: &Context, at: Place, mut labels: Vec<(Loc, String)>, v: Verdict) -> Diagnostic {
    if let Some(s) = v.signal {
        labels.push(s);
    }
    explain::finding(
        cx,
        Finding {
            rule: RULE.id(),
            severity: v.severity,
            // A wait that blocks forever when the signal came first is the
            // damage itself; a bounded or once-checked one recovers.
            confidence: match v.severity {
                Severity::Error => Confidence::High,
                Severity::Warning => Confidence::Medium,
            },
            message: v.message,
            primary: at.primary,
            primary_text: at.primary_text,
            labels,
            notes: v.notes,
            fixes: v.fixes,
            identity: at.identity,
        },
    )
}
