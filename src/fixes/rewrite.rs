//! Fixes as text edits that rewrite in place: a method renamed, an `if`
//! turned into a `while`, a line added after a subscription, a statement
//! replaced.

use super::edits::{balanced, bound_name, dedent, is_ident, line_start, mentions, skip_blank};
use super::scan::declared_names;
use crate::diagnostic::Edit;
use crate::source::{FileId, Span, Text};

/// The edit that renames the method called at `call` (its last
/// `.from(` in the call's text) to `to`: `notify_waiters` → `notify_one`.
pub fn rename_method_edit(
    source: Text,
    file: FileId,
    call: Span,
    from: &str,
    to: &str,
) -> Option<Edit> {
    let (a, b) = (source.offset(call.start), source.offset(call.end));
    let text = source.as_str().get(a..b)?;
    let at = a + text.rfind(&format!(".{from}"))? + 1;
    if !source[at + from.len()..].trim_start().starts_with('(') {
        return None;
    }
    Some(Edit {
        file,
        span: Span {
            start: source.pos_at(at),
            end: source.pos_at(at + from.len()),
        },
        text: to.to_string(),
    })
}

/// The edit that turns `if <cond> { guard = cvar.wait(guard)…; }` (or
/// `cvar.wait(&mut guard);`, parking_lot's form) into a `while`: the wait
/// at `wait` must be the block's only statement, hand the guard back to
/// the name the condition reads, and the `if` must have no `else`. Then
/// the condition is re-checked after every wakeup, which is what the
/// `if` meant: safe.
///
/// Returns the edit and the `if` statement's text as written.
pub fn if_to_while_edit(source: Text, file: FileId, wait: Span) -> Option<(Edit, String)> {
    let text = source.as_str();
    let (wa, wb) = (source.offset(wait.start), source.offset(wait.end));
    let call = text.get(wa..wb)?;
    let arg = call.rsplit_once(".wait(")?.1;
    let arg = arg.split(')').next()?.trim();
    let wait_line = line_start(text, wa);
    let lead = text[wait_line..wa].trim();
    let guard = match arg.strip_prefix("&mut ") {
        Some(g) if lead.is_empty() => g.trim(),
        Some(_) => return None,
        None if lead.strip_suffix('=').map(str::trim) == Some(arg) => arg,
        None => return None,
    };
    if !is_ident(guard) {
        return None;
    }
    // The block around the wait, and the `if` that opens it.
    let open = text[..wait_line].rfind('{')?;
    let stmt_start = wait_line + (text[wait_line..].len() - text[wait_line..].trim_start().len());
    // Only comments may come before the wait in the block.
    if skip_blank(text, open + 1) != stmt_start {
        return None;
    }
    let if_line = line_start(text, open);
    let head = text[if_line..open].trim_start();
    let cond = head.strip_prefix("if ")?;
    if cond.trim_start().starts_with("let ") || !mentions(cond, guard) {
        return None;
    }
    let stmt_end = wb + text[wb..].find(';')? + 1;
    let close = skip_blank(text, stmt_end);
    if !text[close..].starts_with('}') || !balanced(&text[open + 1..close]) {
        return None;
    }
    if text[skip_blank(text, close + 1)..].starts_with("else") {
        return None;
    }
    let at = if_line + (text[if_line..open].len() - head.len());
    let edit = Edit {
        file,
        span: Span {
            start: source.pos_at(at),
            end: source.pos_at(at + 2),
        },
        text: "while".to_string(),
    };
    Some((edit, dedent(&text[if_line..=close])))
}

/// The edit that marks a freshly subscribed `watch` receiver's current
/// value as unseen (`rx.mark_changed();` on the line after the
/// subscription at `subscribed`), so its first `changed()` returns at once
/// with the value sent before it subscribed. The task then acts on a value
/// it used to skip, which may be the initial one: unsafe.
pub fn mark_changed_edit(source: Text, file: FileId, subscribed: Span, rx: &str) -> Option<Edit> {
    let text = source.as_str();
    let (sa, sb) = (
        source.offset(subscribed.start),
        source.offset(subscribed.end),
    );
    let line = line_start(text, sa);
    let end = text[sb..].find('\n').map(|i| sb + i + 1)?;
    let stmt = text[line..end].trim();
    let indent = &text[line..line + (text[line..end].len() - text[line..end].trim_start().len())];
    let code = stmt.split("//").next().unwrap_or(stmt).trim_end();
    if !(stmt.starts_with("let mut ") && code.ends_with(';') && bound_name(stmt) == Some(rx)) {
        return None;
    }
    let at = source.pos_at(end);
    Some(Edit {
        file,
        span: Span { start: at, end: at },
        text: format!("{indent}{rx}.mark_changed();\n"),
    })
}

/// The edit that replaces the statement starting at `stmt` (through the
/// `;` ending the line its span ends on) with `code`, indented as the
/// statement was. `None` unless the statement starts its line and ends
/// with `;` there.
pub fn replace_statement_edit(source: Text, file: FileId, stmt: Span, code: &str) -> Option<Edit> {
    let text = source.as_str();
    let (a, b) = (source.offset(stmt.start), source.offset(stmt.end));
    let line = line_start(text, a);
    let indent = &text[line..a];
    if !indent.trim().is_empty() {
        return None;
    }
    let semi = skip_blank(text, b);
    let end = if text[b..].trim_start().starts_with(';') {
        b + text[b..].find(';')? + 1
    } else if text[..b].ends_with(';') {
        b
    } else {
        return None;
    };
    if semi > end {
        return None;
    }
    let new = code
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    Some(Edit {
        file,
        span: Span {
            start: stmt.start,
            end: source.pos_at(end),
        },
        text: new,
    })
}

/// The offset just past the `}` that closes the `{` at `open` (the end
/// of the text when it is unbalanced).
fn block_end(text: &str, open: usize) -> usize {
    let mut depth = 0i64;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + i + 1;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// The edits that register for a `Notify` before a function checks its
/// condition: at the top of the block holding `recv.notified().await;`,
/// `let mut notified = std::pin::pin!(recv.notified());` and
/// `notified.as_mut().enable();`, and the wait becomes `notified.await`.
/// Only when the wait is a statement of its own, the block declares
/// nothing the receiver uses before it, and the block uses no other
/// `notified`. Then a `notify_waiters` sent while the condition is checked
/// reaches the future instead of nobody: safe.
pub fn enable_first_edits(source: Text, file: FileId, call: Span) -> Option<Vec<Edit>> {
    let text = source.as_str();
    let (ca, cb) = (source.offset(call.start), source.offset(call.end));
    let call_text = text.get(ca..cb)?;
    let recv = call_text.strip_suffix(".notified()")?.trim();
    // A place (`self.idle`, `shared.notify`, a tuple field `self.0`), not
    // a temporary: the pinned future borrows it for the whole block.
    let field =
        |seg: &str| is_ident(seg) || (!seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()));
    let mut segs = recv.split('.').map(str::trim);
    if !segs.next().is_some_and(is_ident) || !segs.all(field) {
        return None;
    }
    let line = line_start(text, ca);
    let indent = &text[line..ca];
    if !indent.trim().is_empty() || !text[cb..].starts_with(".await") {
        return None;
    }
    let after = skip_blank(text, cb + ".await".len());
    if !text[after..].starts_with(';') {
        return None;
    }
    // The block the wait is a statement of.
    let mut depth = 0i64;
    let mut open = None;
    for (i, c) in text[..line].char_indices().rev() {
        match c {
            '}' => depth += 1,
            '{' if depth == 0 => {
                open = Some(i);
                break;
            }
            '{' => depth -= 1,
            _ => {}
        }
    }
    let open = open?;
    let body = text[open + 1..].find('\n').map(|n| open + 1 + n + 1)?;
    if !text[open + 1..body].trim().is_empty() || body > line {
        return None;
    }
    let before = &text[body..line];
    let recv_names: Vec<&str> = recv
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let declared = declared_names(before);
    // The new name must be free in the block (not elsewhere in the file:
    // a doc comment further down may say "notified").
    let block = &text[open..block_end(text, open)];
    if recv_names.iter().any(|n| declared.iter().any(|d| d == n))
        || standalone_word(block, "notified")
    {
        return None;
    }
    let point = source.pos_at(body);
    Some(vec![
        Edit {
            file,
            span: Span {
                start: point,
                end: point,
            },
            text: format!(
                "{indent}let mut notified = std::pin::pin!({recv}.notified());\n{indent}notified.as_mut().enable();\n"
            ),
        },
        Edit {
            file,
            span: call,
            text: "notified".to_string(),
        },
    ])
}

/// `text` uses `word` as an identifier that is not a method name (not
/// right after a `.`).
fn standalone_word(text: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(|c| is_word(c) || c == '.') && !after.is_some_and(is_word)
    })
}
