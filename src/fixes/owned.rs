//! SL007's register-first fix for a task: the `Notified` the task waits on
//! is created before the spawn, as an owned future (`notified_owned`, tokio
//! 1.47), and moved in — `notify_waiters` reaches a `Notified` from the
//! moment it is created, polled or not, so a signal sent before the task
//! first runs is no longer lost. In a loop the task re-arms it as soon as
//! it fires, before the work the signal asks for, so a signal sent during
//! that work is kept too.

use super::edits::{is_ident, line_start, mentions, skip_blank, starts_statement};
use crate::diagnostic::Edit;
use crate::source::{FileId, Span, Text};

/// Where the owned `Notified` goes.
pub struct OwnedNotified {
    /// The whole spawn call.
    pub spawn: Span,
    /// The task's `n.notified()`.
    pub call: Span,
    /// The spawning function.
    pub function: Span,
    /// Whether the call sits in a loop of the task.
    pub in_loop: bool,
}

/// The edits, or `None` when they would not fit: the receiver must be a
/// local of the spawning function declared as an `Arc` (`let n =
/// Arc::clone(..)` or `Arc::new(..)`) before the spawn, the spawn must
/// start a statement, and in a loop the wait must be an `.await;`
/// statement or a `select!` arm with a block, where the re-arm goes.
pub fn owned_notified_edits(source: Text, file: FileId, o: &OwnedNotified) -> Option<Vec<Edit>> {
    let text = source.as_str();
    let at = |p| source.offset(p);
    let (fa, fb) = (at(o.function.start), at(o.function.end));
    let (sa, ca, cb) = (at(o.spawn.start), at(o.call.start), at(o.call.end));
    if !(fa <= sa && sa < ca && cb <= fb) {
        return None;
    }
    let n = text.get(ca..cb)?.strip_suffix(".notified()")?.trim();
    let var = format!("{n}_notified");
    if !is_ident(n) || !declared_as_arc(&text[fa..sa], n) || mentions(&text[fa..fb], &var) {
        return None;
    }
    let spawn_line = line_start(text, sa);
    let lead = &text[spawn_line..sa];
    let indent = &lead[..lead.len() - lead.trim_start().len()];
    if !starts_statement(text, spawn_line) || lead.trim_start().starts_with(['.', ')', ']']) {
        return None;
    }
    let edit = |a: usize, b: usize, new: String| Edit {
        file,
        span: Span {
            start: source.pos_at(a),
            end: source.pos_at(b),
        },
        text: new,
    };
    let owned = format!("{n}.clone().notified_owned()");
    if !o.in_loop {
        return Some(vec![
            edit(
                spawn_line,
                spawn_line,
                format!("{indent}let {var} = {owned};\n"),
            ),
            edit(ca, cb, var),
        ]);
    }
    let rearm = format!("{var}.set({owned});");
    let rearm_edit = rearm_after(text, cb, &rearm)?;
    Some(vec![
        edit(
            spawn_line,
            spawn_line,
            format!("{indent}let mut {var} = Box::pin({owned});\n"),
        ),
        edit(ca, cb, format!("{var}.as_mut()")),
        edit(rearm_edit.0, rearm_edit.1, rearm_edit.2),
    ])
}

/// `let n = Arc::clone(..)` / `Arc::new(..)` (or `mut n`) in `before`.
fn declared_as_arc(before: &str, n: &str) -> bool {
    [format!("let {n} ="), format!("let mut {n} =")]
        .iter()
        .any(|head| {
            before.match_indices(head.as_str()).any(|(i, _)| {
                let init = &before[i + head.len()..];
                let init = &init[..init.find(';').unwrap_or(init.len())];
                let init = init.trim_start();
                [
                    "Arc::clone(",
                    "Arc::new(",
                    "std::sync::Arc::clone(",
                    "std::sync::Arc::new(",
                ]
                .iter()
                .any(|p| init.starts_with(p))
            })
        })
}

/// Where the re-arm goes after the wait ending at byte `end`: after its
/// `.await;` statement, or first in its `select!` arm's block. The edit as
/// (from, to, text).
fn rearm_after(text: &str, end: usize, rearm: &str) -> Option<(usize, usize, String)> {
    let line = line_start(text, end);
    let indent: String = text[line..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    if let Some(rest) = text[end..].strip_prefix(".await") {
        let semi = end + ".await".len() + (rest.len() - rest.trim_start().len());
        if !text[semi..].starts_with(';') {
            return None;
        }
        let eol = text[semi..].find('\n').map(|i| semi + i + 1)?;
        if !text[semi + 1..eol].trim().is_empty() {
            return None;
        }
        return Some((eol, eol, format!("{indent}{rearm}\n")));
    }
    let arrow = skip_blank(text, end);
    let body = skip_blank(text, arrow + text[arrow..].strip_prefix("=>").map(|_| 2)?);
    if !text[body..].starts_with('{') {
        return None;
    }
    let inner = skip_blank(text, body + 1);
    if text[inner..].starts_with('}') && !text[body + 1..inner].contains('\n') {
        // `=> {}`
        return Some((body, inner + 1, format!("{{ {rearm} }}")));
    }
    if !text[body + 1..inner].contains('\n') {
        return None;
    }
    let at = body + 1;
    Some((at, at, format!("\n{indent}    {rearm}")))
}
