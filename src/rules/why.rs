//! `--explain-site FILE:LINE`: for every spawn on a line, why it was or was
//! not reported — the function that starts it, what the task reaches and
//! how, which gate or tolerant access keeps it quiet, what initializes the
//! state after the spawn, and the findings (kept or suppressed).

use super::{exposed, Context};
use crate::analysis::trace::{Access, AccessKind, CtorTrace, Key, SpawnSite, Write};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Loc};
use std::fmt::Write as _;

/// The findings a spawn got: those reported and those a suppression or
/// baseline dropped.
pub struct Outcome<'a> {
    /// Reported findings.
    pub reported: &'a [Diagnostic],
    /// Findings before suppression and baselines.
    pub found: &'a [Diagnostic],
}

/// The explanation of every spawn at `file:line` that the analysis saw.
pub fn explain(cx: &Context, file: FileId, line: u32, outcome: &Outcome) -> Vec<String> {
    let at = |loc: &Loc| loc.file == file && loc.span.start.line == line;
    let mut out = Vec::new();
    for ca in cx.ctors() {
        for site in ca.spawns.iter().filter(|s| at(&s.loc)) {
            let who = format!("constructor `{}`", cx.fn_name(ca.ctor));
            out.push(site_text(cx, site, &who, Some(ca), outcome));
        }
    }
    let seen: Vec<Loc> = cx
        .ctors()
        .iter()
        .flat_map(|ca| ca.spawns.iter().map(|s| s.loc))
        .collect();
    for (f, sites) in cx.tasks() {
        // A constructor's spawn is explained above, with more to say.
        for site in sites
            .iter()
            .filter(|s| at(&s.loc) && !seen.contains(&s.loc))
        {
            let who = format!("function `{}`", cx.fn_name(*f));
            out.push(site_text(cx, site, &who, None, outcome));
        }
    }
    out
}

fn place(cx: &Context, loc: Loc) -> String {
    format!("{}:{}", cx.path(loc.file), loc.span.start.line)
}

fn key_text(key: &Key, ca: Option<&CtorTrace>) -> String {
    use crate::analysis::trace::Root;
    match (ca, key.path.last(), &key.root) {
        (Some(ca), ..) => format!("`{}`", ca.key_name(key)),
        (None, Some(last), _) => format!("`{last}`"),
        (None, None, Root::Type(t)) => format!("a `{}`", t.name),
        (None, None, Root::Static(s)) => format!("`{s}`"),
        (None, None, _) => "a local".to_string(),
    }
}

fn site_text(
    cx: &Context,
    site: &SpawnSite,
    who: &str,
    ca: Option<&CtorTrace>,
    outcome: &Outcome,
) -> String {
    let mut t = String::new();
    let kind = match site.runtime {
        crate::analysis::trace::Runtime::Thread => "a thread",
        crate::analysis::trace::Runtime::Async => "an async task",
    };
    let _ = writeln!(
        t,
        "{}: `{}` starts {kind}",
        place(cx, site.loc),
        site.spawner
    );
    let _ = writeln!(t, "  started by the {who}");
    for via in &site.via {
        let _ = writeln!(t, "    through `{}` at {}", via.callee, place(cx, via.loc));
    }
    if site.joined {
        let _ = writeln!(
            t,
            "  joined before the next statement: fork-join, not a window"
        );
    }
    captures(&mut t, site, ca);
    accesses(cx, &mut t, site, ca);
    if let Some(ca) = ca {
        later_writes(cx, &mut t, site, ca);
    }
    for l in &site.listens {
        let ack = if l.acknowledged {
            " (acknowledged to the spawner, which waits for it)"
        } else {
            ""
        };
        let _ = writeln!(
            t,
            "  listens: {:?} on `{}` at {}{ack}",
            l.kind,
            l.name,
            place(cx, l.loc)
        );
    }
    findings(cx, &mut t, site, outcome);
    t
}

fn captures(t: &mut String, site: &SpawnSite, ca: Option<&CtorTrace>) {
    if site.captures.is_empty() {
        let _ = writeln!(t, "  captures nothing from the spawning function");
        return;
    }
    for c in &site.captures {
        let what = match (&c.key, c.handle_type()) {
            (_, Some(ty)) => format!("a handle to `{ty}`"),
            (Some(k), None) => key_text(k, ca),
            (None, None) => "nothing the analysis follows".to_string(),
        };
        let mut notes = Vec::new();
        if c.channel_end {
            notes.push("a channel end");
        } else if c.is_handle {
            notes.push("its own handle");
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join(", "))
        };
        let _ = writeln!(t, "  captures `{}`: {what}{notes}", c.name);
    }
}

fn access_text(cx: &Context, a: &Access) -> String {
    let how = match &a.kind {
        AccessKind::Panicky(p) => format!("panics on absence ({p})"),
        AccessKind::Plain => "reads".to_string(),
        AccessKind::Tolerant { lossy: None } => "tolerates absence".to_string(),
        AccessKind::Tolerant { lossy: Some(_) } => {
            "tolerates absence but drops a received message".to_string()
        }
    };
    let when = match (a.gate, a.delayed) {
        (Some(g), _) => format!("after waiting on the gate at {}: quiet", place(cx, g)),
        (None, true) => "after an await or sleep".to_string(),
        (None, false) => "before its first await".to_string(),
    };
    let verdict = if exposed(a) { "exposed" } else { "not exposed" };
    format!("{how} at {}, {when} ({verdict})", place(cx, a.loc))
}

fn accesses(cx: &Context, t: &mut String, site: &SpawnSite, ca: Option<&CtorTrace>) {
    if site.accesses.is_empty() {
        let _ = writeln!(t, "  the task touches no state the analysis follows");
        return;
    }
    let _ = writeln!(t, "  the task reaches:");
    for a in site.accesses.iter().take(12) {
        let placeholder = ca
            .and_then(|ca| ca.placeholder(&a.key))
            .filter(|p| p.is_placeholder())
            .map(|p| format!(" (initially {})", format!("{p:?}").to_lowercase()))
            .unwrap_or_default();
        let _ = writeln!(
            t,
            "    {}{placeholder}: {}",
            key_text(&a.key, ca),
            access_text(cx, a)
        );
    }
    if site.accesses.len() > 12 {
        let _ = writeln!(t, "    … and {} more", site.accesses.len() - 12);
    }
}

fn write_text(cx: &Context, w: &Write, ca: &CtorTrace) -> String {
    let replaces = if w.replaces { " (replaces it)" } else { "" };
    format!(
        "{} by `{}` at {}{replaces}",
        key_text(&w.key, Some(ca)),
        w.what,
        place(cx, w.loc)
    )
}

/// What writes the reached state after the spawn: later in the
/// constructor, or in a method that can run after it.
fn later_writes(cx: &Context, t: &mut String, site: &SpawnSite, ca: &CtorTrace) {
    let touches = |w: &Write| site.accesses.iter().any(|a| w.key.overlaps(&a.key));
    let i = ca.spawns.iter().position(|s| std::ptr::eq(s, site));
    let pos = i.and_then(|i| ca.spawn_position(i)).unwrap_or(0);
    // As SL001 reads them: not on an arm the spawn excludes, not through a
    // lock taken before it.
    let in_ctor: Vec<&Write> = i
        .into_iter()
        .flat_map(|i| ca.writes_after(i))
        .filter(|w| touches(w) && !w.locked_before(pos))
        .collect();
    for w in in_ctor.iter().take(6) {
        let _ = writeln!(t, "  written after the spawn: {}", write_text(cx, w, ca));
    }
    for m in &ca.later_methods {
        let name = &cx.model.func(*m).name;
        let load = if cx.catalog.is_load_like(name) {
            "load-like"
        } else {
            "not load-like"
        };
        for w in cx
            .method_effects(&ca.ty, *m)
            .writes
            .iter()
            .filter(|w| touches(w))
            .take(3)
        {
            let _ = writeln!(
                t,
                "  written later in `{name}` ({load}): {}",
                write_text(cx, w, ca)
            );
        }
    }
    if in_ctor.is_empty()
        && !ca
            .later_methods
            .iter()
            .any(|m| cx.method_effects(&ca.ty, *m).writes.iter().any(touches))
    {
        let _ = writeln!(
            t,
            "  nothing writes what the task reaches after the spawn: no window"
        );
    }
}

fn findings(cx: &Context, t: &mut String, site: &SpawnSite, outcome: &Outcome) {
    let here = |d: &&Diagnostic| d.file == site.loc.file && d.span == site.loc.span;
    let reported: Vec<&Diagnostic> = outcome.reported.iter().filter(here).collect();
    for d in &reported {
        let _ = writeln!(
            t,
            "  reported: {}[{}] ({} confidence): {}",
            d.severity.as_str(),
            d.code(),
            d.confidence.as_str(),
            d.message
        );
    }
    for d in outcome.found.iter().filter(here) {
        if !reported.iter().any(|r| r.rule == d.rule) {
            let _ = writeln!(
                t,
                "  found but not reported (suppressed or baselined): {}[{}]",
                d.severity.as_str(),
                d.code()
            );
        }
    }
    if reported.is_empty() && !outcome.found.iter().any(|d| here(&d)) {
        let _ = writeln!(t, "  no finding: no rule saw an exposed access meet a later initialization, replacement or lossy listen");
    }
    let _ = cx;
}
