//! Shared wording: turns a window (spawn, access, initialization) into a
//! rustc-style diagnostic with labels, notes and fixes.

use super::crossing::{self, CrossingFacts};
use super::Context;
use crate::analysis::trace::{
    Access, AccessKind, Capture, CtorTrace, Placeholder, Root, SpawnSite, Write,
};
use crate::diagnostic::{
    stable_hash, Applicability, Confidence, Diagnostic, Edit, Fix, Label, Severity,
};
use crate::fixes::{self, FixInput};
use crate::model::FnRef;
use crate::rule::RuleId;
use crate::source::Loc;

/// The ends of one window and what the rule calls it.
pub struct Window<'a> {
    /// The rule.
    pub rule: RuleId,
    /// Escalated severity.
    pub severity: Severity,
    /// How sure the analysis is.
    pub confidence: Confidence,
    /// The constructor.
    pub ctor: &'a CtorTrace,
    /// The spawn.
    pub site: &'a SpawnSite,
    /// The task's first exposed access.
    pub access: &'a Access,
    /// The initialization.
    pub write: &'a Write,
    /// For SL002: the load-like method.
    pub load: Option<FnRef>,
}

fn label(loc: Loc, message: String, primary: bool) -> Label {
    Label {
        file: loc.file,
        span: loc.span,
        message,
        primary,
    }
}

fn placeholder_words(p: Option<Placeholder>) -> &'static str {
    match p {
        Some(Placeholder::Absent) => "still `None`",
        Some(Placeholder::Empty) => "still empty",
        Some(Placeholder::Default) => "still at its default",
        _ => "not yet initialized",
    }
}

/// The captured binding through which the task reaches the accessed state,
/// with the `let` that bound it: a handle to the state itself (or to state
/// holding it), else a handle to the type that owns it.
fn capture_of<'s>(site: &'s SpawnSite, access: &Access) -> Option<(&'s Capture, Loc)> {
    let bound = || site.captures.iter().filter(|c| c.decl.is_some());
    let holds = |c: &&Capture| c.key.as_ref().is_some_and(|k| k.overlaps(&access.key));
    let owns = |c: &&Capture| match (&access.key.root, c.handle_type()) {
        (Root::Type(t), Some(h)) => t.name == h,
        _ => false,
    };
    let c = bound().find(holds).or_else(|| bound().find(owns))?;
    Some((c, c.decl?))
}

/// The names a window's wording uses.
struct Names {
    /// `Type::new`.
    ctor: String,
    /// `new`.
    ctor_short: String,
    /// The state the task uses too early.
    field: String,
    /// `still `None``, `still empty`, ….
    state: &'static str,
    /// The load-like method (SL002).
    load: Option<String>,
    /// Where the initialization is seen from the constructor: the call
    /// that leads to it, or the write itself.
    write_loc: Loc,
}

impl Names {
    fn of(cx: &Context, w: &Window) -> Names {
        let ca = w.ctor;
        Names {
            ctor: cx.fn_name(ca.ctor),
            ctor_short: cx.model.func(ca.ctor).name.clone(),
            field: ca.key_name(&w.access.key),
            state: placeholder_words(ca.placeholder(&w.access.key)),
            load: w.load.map(|m| cx.model.func(m).name.clone()),
            write_loc: w.write.via.first().map(|v| v.loc).unwrap_or(w.write.loc),
        }
    }
}

/// The confidence of a window from how the task reaches the state: a panic
/// or an access before the first await is high; a delayed read, or a
/// tolerance that drops received work, medium.
pub fn window_confidence(a: &Access) -> Confidence {
    match a.kind {
        AccessKind::Panicky(_) => Confidence::High,
        AccessKind::Plain if !a.delayed => Confidence::High,
        AccessKind::Plain => Confidence::Medium,
        AccessKind::Tolerant { .. } => Confidence::Medium,
    }
}

/// Build the diagnostic for a window.
pub fn diagnostic(cx: &Context, w: Window) -> Diagnostic {
    let n = Names::of(cx, &w);
    let (ctor, field) = (&n.ctor, &n.field);
    let message = match &n.load {
        Some(load) => format!(
            "task spawned in `{ctor}` uses `{field}` before `{}::{load}` initializes it",
            w.ctor.ty.name
        ),
        None => format!(
            "task spawned in `{ctor}` uses `{field}` before `{}` initializes it",
            n.ctor_short
        ),
    };
    let fingerprint = stable_hash(&[
        w.rule.code(),
        cx.stable_path(w.site.loc.file),
        ctor,
        &w.site.spawner,
        field,
        n.load.as_deref().unwrap_or(""),
    ]);
    Diagnostic {
        rule: w.rule,
        severity: w.severity,
        confidence: w.confidence,
        message,
        file: w.site.loc.file,
        span: w.site.loc.span,
        labels: window_labels(&w, &n),
        notes: window_notes(&w, &n),
        fixes: previewed(cx, window_fixes(cx, &w, &n)),
        fingerprint,
    }
}

/// A fix that is applied as edits shows the code as the edits leave it,
/// in the user's own formatting ([`fixes::preview`]), not a snippet built
/// apart from them.
fn previewed(cx: &Context, fixes: Vec<Fix>) -> Vec<Fix> {
    fixes
        .into_iter()
        .map(|mut f| {
            let shown = f
                .edits
                .first()
                .and_then(|e| cx.source(e.file))
                .and_then(|s| fixes::preview(s, &f.edits));
            if let Some(code) = shown {
                f.code = code;
            }
            f
        })
        .collect()
}

/// The spawn, the capture, the call path, the access and the
/// initialization.
fn window_labels(w: &Window, n: &Names) -> Vec<Label> {
    let (field, state, ctor_short) = (&n.field, n.state, &n.ctor_short);
    let mut labels = vec![label(
        w.site.loc,
        "the task may run from here on".into(),
        true,
    )];
    if let Some((capture, decl)) = capture_of(w.site, w.access) {
        let text = match capture.handle_type() {
            Some(ty) => format!("`{}` hands this `{ty}` to the task", capture.name),
            None => format!("`{}` shares `{field}` with the task", capture.name),
        };
        labels.push(label(decl, text, false));
    }
    for via in &w.site.via {
        labels.push(label(
            via.loc,
            format!("`{ctor_short}` starts the task through `{}`", via.callee),
            false,
        ));
    }
    if let Some(first) = w.access.via.first() {
        labels.push(label(
            first.loc,
            format!("the task reaches `{field}` through `{}`", first.callee),
            false,
        ));
    }
    let access_text = match &w.access.kind {
        AccessKind::Panicky(how) => format!("panics ({how}) while `{field}` is {state}"),
        AccessKind::Plain => format!("reads `{field}` while it is {state}"),
        AccessKind::Tolerant { .. } => format!("skips the work while `{field}` is {state}"),
    };
    labels.push(label(w.access.loc, access_text, false));
    if let AccessKind::Tolerant { lossy: Some(drop) } = &w.access.kind {
        if *drop != w.access.loc {
            labels.push(label(
                *drop,
                "the message already received is dropped on this path".into(),
                false,
            ));
        }
    }
    let write_text = match &n.load {
        Some(load) => format!("initialized here, in `{load}`, after `{ctor_short}` has returned"),
        None => "initialized here, after the task may already run".to_string(),
    };
    if n.load.is_none() && n.write_loc != w.write.loc {
        labels.push(label(
            n.write_loc,
            format!("`{ctor_short}` initializes `{field}` through this call, after the spawn"),
            false,
        ));
    }
    labels.push(label(w.write.loc, write_text, false));
    labels
}

/// How immediately the task reaches the state, and what tolerance loses.
fn window_notes(w: &Window, n: &Names) -> Vec<String> {
    let field = &n.field;
    let mut notes = Vec::new();
    let entry = w
        .access
        .via
        .last()
        .map(|v| format!("`{}`", v.callee))
        .unwrap_or_else(|| "the task".into());
    if w.access.after_first_tick.is_some() {
        notes.push(format!(
            "an `interval`'s first `tick()` completes immediately, so {entry} reaches `{field}` as soon as the task is first polled"
        ));
    } else if !w.access.delayed {
        notes.push(format!(
            "{entry} reaches `{field}` before its first await or sleep, so the window is hit whenever the task is scheduled before `{}` finishes",
            n.load.clone().unwrap_or_else(|| n.ctor_short.clone())
        ));
    } else {
        notes.push(format!(
            "the task waits before touching `{field}`, which narrows the window but does not close it: nothing orders it after the initialization"
        ));
    }
    if let AccessKind::Tolerant { lossy: Some(_) } = &w.access.kind {
        notes.push(format!(
            "the task tolerates a missing `{field}` by skipping the work, so every message received before initialization is lost"
        ));
    }
    notes
}

/// Reorder (SL001), gate, start method and typestate, in the code's names.
fn window_fixes(cx: &Context, w: &Window, n: &Names) -> Vec<Fix> {
    let ca = w.ctor;
    let ty = ca.ty.name.as_str();
    let names = |own: bool| -> Vec<String> {
        w.site
            .captures
            .iter()
            .filter(|c| (c.handle_type() == Some(ty)) == own)
            .map(|c| c.name.clone())
            .collect()
    };
    let input = FixInput {
        runtime: w.site.runtime,
        type_name: ty.to_string(),
        ctor: n.ctor_short.clone(),
        field: n.field.clone(),
        load: n.load.clone(),
        spawner_text: cx.slice(w.site.call),
        task_text: cx.slice(w.site.task),
        write_text: cx
            .source(w.write.loc.file)
            .and_then(|s| fixes::statement_at(s, n.write_loc.span)),
        self_handles: names(true),
        other_captures: names(false),
        load_text: w.load.and_then(|m| {
            cx.slice(Loc {
                file: m.file,
                span: cx.model.func(m).item_span,
            })
        }),
    };
    let mut out: Vec<Fix> = Vec::new();
    if n.load.is_none() {
        if let Some(mut fix) = fixes::reorder(&input) {
            if let Some((edits, applicability)) = reorder_in_ctor(cx, w, n) {
                fix = fix.with_edits(edits, applicability);
            }
            out.push(fix);
        }
    }
    out.extend(fixes::gate(&input));
    out.extend(fixes::start_method(&input));
    out.extend(fixes::typestate(&input));
    out
}

/// The reorder as edits in the function where the paths to the spawn and
/// to the initialization part (the constructor, or a function both go
/// through): its statement that spawns — the spawn itself, or the call
/// that leads to it when the spawn is all the called function does —
/// moves past the statement that initializes.
fn reorder_in_ctor(cx: &Context, w: &Window, n: &Names) -> Option<(Vec<Edit>, Applicability)> {
    let (spawn_via, write_via) = (&w.site.via, &w.write.via);
    let shared = spawn_via
        .iter()
        .zip(write_via)
        .take_while(|(a, b)| a.loc == b.loc)
        .count();
    let write = write_via.get(shared).map_or(w.write.loc, |v| v.loc);
    let (moved, captured): (Loc, Vec<String>) = match &spawn_via[shared..] {
        [] => (
            w.site.call,
            w.site.captures.iter().map(|c| c.name.clone()).collect(),
        ),
        [call] if spawns_only(cx, w.site) => (call.loc, Vec::new()),
        _ => return None,
    };
    let file = write.file;
    if moved.file != file || n.load.is_some() {
        return None;
    }
    // The function both statements stand in.
    let from = match shared {
        0 => w.ctor.ctor,
        _ => holder(cx, write)?,
    };
    let facts = CrossingFacts::of(cx, Some(from));
    let ran = crossing::ran(w.ctor);
    let waits = |call: fixes::Call| crossing::callee_waits(cx, from, &ran, call);
    fixes::reorder_edits(
        cx.source(file)?,
        file,
        moved.span,
        write.span,
        facts.crossing(&captured, &waits),
        None,
    )
}

/// The innermost function whose item holds `loc`.
fn holder(cx: &Context, loc: Loc) -> Option<FnRef> {
    cx.model
        .all_fns()
        .filter(|f| f.file == loc.file)
        .filter(|f| {
            let s = cx.model.func(*f).item_span;
            s.start <= loc.span.start && loc.span.end <= s.end
        })
        .max_by_key(|f| cx.model.func(*f).item_span.start)
}

/// Whether the function holding the spawn does nothing but spawn: its
/// body is the spawn call alone.
fn spawns_only(cx: &Context, site: &SpawnSite) -> bool {
    let call = site.call;
    let texts = holder(cx, call).and_then(|f| {
        let span = cx.model.func(f).item_span;
        Some((
            cx.slice(Loc {
                file: call.file,
                span,
            })?,
            cx.slice(call)?,
        ))
    });
    texts.is_some_and(|(item, call)| fixes::body_is_only(&item, &call))
}

/// A finding that is not a spawn-to-initialization window (SL003–SL007):
/// the rule says what each place means.
pub struct Finding {
    /// The rule.
    pub rule: RuleId,
    /// Severity.
    pub severity: Severity,
    /// How sure the analysis is.
    pub confidence: Confidence,
    /// One sentence.
    pub message: String,
    /// The spawn call: the primary span.
    pub primary: Loc,
    /// What the primary label says.
    pub primary_text: String,
    /// Secondary labels.
    pub labels: Vec<(Loc, String)>,
    /// Notes.
    pub notes: Vec<String>,
    /// Fixes.
    pub fixes: Vec<Fix>,
    /// What identifies the finding apart from positions.
    pub identity: Vec<String>,
}

/// Build the diagnostic for a [`Finding`].
pub fn finding(cx: &Context, f: Finding) -> Diagnostic {
    let mut labels = vec![label(f.primary, f.primary_text, true)];
    for (loc, text) in f.labels {
        if loc != f.primary {
            labels.push(label(loc, text, false));
        }
    }
    let mut parts: Vec<&str> = vec![f.rule.code(), cx.stable_path(f.primary.file)];
    parts.extend(f.identity.iter().map(String::as_str));
    let fingerprint = stable_hash(&parts);
    Diagnostic {
        rule: f.rule,
        severity: f.severity,
        confidence: f.confidence,
        message: f.message,
        file: f.primary.file,
        span: f.primary.span,
        labels,
        notes: f.notes,
        fixes: previewed(cx, f.fixes),
        fingerprint,
    }
}
