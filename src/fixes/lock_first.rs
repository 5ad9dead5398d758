//! SL001, a task's handle (or its registry entry) inserted into a locked
//! map only after the spawn: take the map's lock before the spawn and
//! insert under it. Whoever looks in the map meanwhile (an unregister, the
//! task's own clean-up) then waits for the insert instead of finding
//! nothing.

use super::edits::{
    balanced, bound_name, is_ident, line_end, line_start, mentions, move_before_edits,
    own_line_statement, skip_blank, statement_end, statement_start,
};
use super::scan::{crossing_applicability, declared_names};
use crate::diagnostic::{Applicability, Edit};
use crate::source::{FileId, Span, Text};

/// The edits that take the lock of the map the insert at `insert` (the
/// whole `recv.insert(..)` call) writes into before the spawn statement
/// holding the call at `spawn`, in the same block at one indentation:
///
/// - the receiver is a guard bound after the spawn (`let mut running =
///   self.running.lock().await;`): that `let` moves above the spawn;
/// - the receiver is the lock itself (`self.jobs.lock().unwrap().insert(..)`):
///   a guard with a fresh name is taken above the spawn, the insert goes
///   through it, and the guard is dropped right after the insert, where the
///   temporary one was.
///
/// Safe when the lock is taken by a plain chain (`a.b.lock()`, then only
/// `.unwrap()`, `.expect("..")`, `.await`), the spawn statement outside its
/// task waits for nothing, and nothing else runs between the spawn and the
/// insert (it would now run under the lock). `None` when the shape is not
/// one of these or a name the lock needs is bound only after the spawn.
pub fn lock_first_edits(
    source: Text,
    file: FileId,
    spawn: Span,
    insert: Span,
) -> Option<(Vec<Edit>, Applicability)> {
    let text = source.as_str();
    let (call_a, call_b) = (source.offset(spawn.start), source.offset(spawn.end));
    let (a, spawn_line) = own_line_statement(text, call_a, call_b)?;
    let indent = &text[spawn_line..a];
    let semi = statement_end(text, call_b)?;
    let spawn_end = line_end(text, semi);
    let (ia, ib) = (source.offset(insert.start), source.offset(insert.end));
    let dot = insert_dot(text, ia, ib)?;
    let is = statement_start(text, ia);
    let insert_line = line_start(text, is);
    if insert_line < spawn_end
        || &text[insert_line..is] != indent
        || !balanced(&text[spawn_end..insert_line])
    {
        return None;
    }
    let quiet_spawn = spawn_waits_for_nothing(text, a, call_a, call_b, semi);
    let receiver = text[ia..dot].trim();
    let span_of = |from: usize, to: usize| Span {
        start: source.pos_at(from),
        end: source.pos_at(to),
    };
    if is_ident(receiver) {
        // The guard's `let`, the first statement after the spawn.
        let l = skip_blank(text, spawn_end);
        let let_end = statement_end(text, l)?;
        let stmt = &text[l..let_end];
        let init = stmt.split_once('=')?.1;
        if bound_name(stmt) != Some(receiver)
            || &text[line_start(text, l)..l] != indent
            || lock_chain(init).is_none()
        {
            return None;
        }
        let edits = move_before_edits(source, file, span_of(l, let_end + 1), span_of(a, a))?;
        return Some((edits, applicability(quiet_spawn)));
    }
    let field = lock_chain(receiver)?;
    if declared_names(&text[a..is])
        .iter()
        .any(|d| mentions(receiver, d))
    {
        return None;
    }
    let guard = fresh_name(text, &format!("{field}_guard"));
    let insert_end = line_end(text, statement_end(text, dot)?);
    let compact: String = receiver.split_whitespace().collect();
    let point = |at: usize| span_of(at, at);
    let edits = vec![
        Edit {
            file,
            span: point(spawn_line),
            text: format!("{indent}let mut {guard} = {compact};\n"),
        },
        Edit {
            file,
            span: span_of(ia, dot),
            text: guard.clone(),
        },
        Edit {
            file,
            span: point(insert_end),
            text: format!("{indent}drop({guard});\n"),
        },
    ];
    let nothing_between = skip_blank(text, spawn_end) == is;
    Some((edits, applicability(quiet_spawn && nothing_between)))
}

fn applicability(safe: bool) -> Applicability {
    if safe {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    }
}

/// Just past the line holding byte `at`.
/// The `.` before `insert` in the call `ia..ib`: the last `.` outside
/// brackets, followed by `insert(`.
fn insert_dot(text: &str, ia: usize, ib: usize) -> Option<usize> {
    let mut depth = 0i64;
    let mut found = None;
    for (i, c) in text[ia..ib].char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '.' if depth == 0 => {
                let rest = text[ia + i + 1..].trim_start();
                if rest.starts_with("insert")
                    && rest["insert".len()..].trim_start().starts_with('(')
                {
                    found = Some(ia + i);
                }
            }
            _ => {}
        }
    }
    found
}

/// The field a plain lock chain locks (`self.jobs.lock().unwrap()` →
/// `jobs`): a path of names, one `.lock()` or `.write()`, then only
/// `.unwrap()`, `.expect("..")` or `.await`. `None` for anything else — a
/// call that could do more than take the lock.
fn lock_chain(expr: &str) -> Option<String> {
    let compact: String = expr.split_whitespace().collect();
    let compact = compact.trim_end_matches(';');
    let compact = compact.strip_prefix('&').unwrap_or(compact);
    let mut parts = compact.split('.');
    let mut last = parts.next().filter(|p| is_ident(p))?.to_string();
    let mut field = None;
    for part in parts {
        match (field.is_some(), part) {
            (false, "lock()" | "write()") => field = Some(last.clone()),
            (false, p) if is_ident(p) => last = p.to_string(),
            // A tuple field: the guard is named after what holds it.
            (false, p) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => {}
            (true, "unwrap()" | "await") => {}
            (true, p) if p.starts_with("expect(\"") && p.ends_with("\")") => {}
            _ => return None,
        }
    }
    field.filter(|f| f != "self")
}

/// Whether the spawn statement, its task aside (the spawn's argument list,
/// which runs elsewhere), waits for nothing and cannot leave early in a
/// way the lock would see: a `?` after the spawn returns with the guard
/// dropped, as the insert was never reached before either. `call_a..call_b`
/// is the spawn call, or only its callee (`tokio::spawn`).
fn spawn_waits_for_nothing(
    text: &str,
    a: usize,
    call_a: usize,
    call_b: usize,
    semi: usize,
) -> bool {
    let after = &text[call_b..semi];
    let outside = match after.trim_start().strip_prefix('(') {
        Some(rest) => {
            let Some(close) = group_end(rest) else {
                return false;
            };
            format!("{}{}", &text[a..call_b], &rest[close..])
        }
        None => {
            let call = &text[call_a..call_b];
            let Some(args) = last_group_start(call) else {
                return false;
            };
            format!("{}{}{after}", &text[a..call_a], &call[..args])
        }
    };
    crossing_applicability(&outside.replace('?', ""), &[]) == Applicability::Safe
}

/// Just past the `)` that closes a group whose `(` came right before
/// `rest`.
fn group_end(rest: &str) -> Option<usize> {
    let mut depth = 1i64;
    for (i, c) in rest.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Where the call's last argument list opens: the `(` matching its final
/// `)`.
fn last_group_start(call: &str) -> Option<usize> {
    let call = call.trim_end();
    if !call.ends_with(')') {
        return None;
    }
    let mut depth = 0i64;
    for (i, c) in call.char_indices().rev() {
        match c {
            ')' | ']' | '}' => depth += 1,
            '(' | '[' | '{' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `base`, or `base_2`, `base_3`…: the first the file never mentions.
fn fresh_name(text: &str, base: &str) -> String {
    let mut name = base.to_string();
    let mut n = 2;
    while mentions(text, &name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::lock_chain;

    #[test]
    fn a_lock_chain_takes_a_lock_and_nothing_else() {
        assert_eq!(
            lock_chain("self.jobs.lock().unwrap()").as_deref(),
            Some("jobs")
        );
        assert_eq!(
            lock_chain("self.running.lock().await").as_deref(),
            Some("running")
        );
        assert_eq!(
            lock_chain("self.inner.0.write()\n    .expect(\"poisoned\")").as_deref(),
            Some("inner")
        );
        assert_eq!(lock_chain("self.jobs.lock().unwrap().entry(k)"), None);
        assert_eq!(lock_chain("self.jobs()"), None);
        assert_eq!(lock_chain("self.registry().lock().unwrap()"), None);
        assert_eq!(
            lock_chain("self.map.read().unwrap()"),
            None,
            "a read guard cannot insert"
        );
    }
}
