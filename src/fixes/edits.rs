//! Fixes as text edits: where each goes, and whether it is safe to apply
//! without reading it (the statements it crosses cannot change what the
//! task or the caller does).

use crate::diagnostic::{Applicability, Edit};
use crate::source::{byte_offset, FileId, Span, Text};

use super::scan::{
    crossing_applicability, crossing_applicability_in, declared_names, names_outside_tasks,
    outer_names, written_names, Crossing,
};

/// The edits that apply a reorder mechanically: the spawn statement (the
/// whole lines of the statement holding the spawn call — a method chain
/// ending in it, or a `let` binding its handle), and with it the lines from
/// `first` when given (the `let` that makes the task's handle), move to just
/// after the initializing statement — or after the statement of the
/// spawn's block that holds it (an `if` around the write). Only when the
/// statements are in one block at one indentation, the initialization
/// comes later, and nothing in between uses a name the moved lines bind;
/// otherwise `None` (the fix stays a snippet).
///
/// Safe when the statements the spawn crosses (the initialization
/// included) cannot see the difference: see [`crossing_applicability_in`];
/// `crossing.captures` are the names the task takes.
pub fn reorder_edits(
    source: Text,
    file: FileId,
    call: Span,
    write: Span,
    crossing: Crossing,
    first: Option<Span>,
) -> Option<(Vec<Edit>, Applicability)> {
    let text = source.as_str();
    let (call_start, b) = (source.offset(call.start), source.offset(call.end));
    // The statement holding the call: a method chain (`Builder::new()
    // .name(..).spawn(..)`) or a `let` binding its value.
    let (a, spawn_line) = own_line_statement(text, call_start, b)?;
    let indent = &text[spawn_line..a];
    if text[a..call_start].trim_start().starts_with("let ")
        && bound_name(&text[a..call_start]).is_none()
    {
        return None;
    }
    let (wa, wb) = (source.offset(write.start), source.offset(write.end));
    // A spawn in a `for` loop at the write's indentation: the loop moves.
    let looped = enclosing_for(text, spawn_line, indent, wa);
    let (a, spawn_line, indent) = match looped {
        Some((line, loop_indent)) => (line + loop_indent.len(), line, loop_indent),
        None => (a, spawn_line, indent),
    };
    let from = match (first, looped) {
        (Some(_), Some(_)) => return None,
        (Some(f), None) => handle_line(text, source.offset(f.start), a, spawn_line, indent)?,
        (None, _) => spawn_line,
    };
    // The statement may go on after the call (`.expect(..)`, `?`).
    let semi = match looped {
        Some(_) => block_statement_end(text, a)?,
        None => statement_end(text, b)?,
    };
    let line_end = line_end(text, semi);
    if wa < line_end || wb < wa {
        return None;
    }
    let write_end = statement_after(text, line_end, wa, wb, indent)?;
    let moved_text = &text[from..line_end];
    let crossed = &text[line_end..write_end];
    // Same block: braces in what the spawn crosses balance and never close
    // the block the spawn sits in.
    if !balanced(crossed) {
        return None;
    }
    // A name the moved lines bind must not be used before its new place.
    if declared_names(moved_text)
        .iter()
        .any(|name| mentions(crossed, name))
    {
        return None;
    }
    let mut moved = moved_text.to_string();
    if !text[..write_end].ends_with('\n') {
        moved.insert(0, '\n');
    }
    // Names the moved statements use outside the task's body (a builder's
    // arguments, the spawner's receiver) must not be touched by what they
    // cross either: a move of them there would no longer compile.
    // A name the crossed code assigns or binds anew is the state being
    // initialized or replaced: reading its new value is the fix.
    // A name the block uses again after the write, and the crossed code
    // does not assign, is one the crossed code only reads or mutates
    // through (the original would not compile had it moved it), when no
    // name the crossed code binds lives on to hold a borrow of it: the
    // task, or the call, taking it later takes the same value or handle.
    let written = written_names(crossed);
    let rest = block_rest(text, write_end);
    let bindings_end = declared_names(crossed).iter().all(|n| !mentions(rest, n));
    let lives_on = |n: &String| bindings_end && !written.contains(n) && mentions(rest, n);
    let mut seen: Vec<String> = crossing
        .captures
        .iter()
        .filter(|n| !lives_on(n))
        .cloned()
        .collect();
    // A loop's body runs here, outside its task: its names count too.
    let moved_names = match looped {
        Some(_) => names_outside_tasks(moved_text, crossing.spawners),
        None => outer_names(moved_text),
    };
    seen.extend(
        moved_names
            .into_iter()
            .filter(|n| !written.contains(n) && !lives_on(n)),
    );
    let mut applicability = crossing_applicability_in(
        crossed,
        Crossing {
            captures: &seen,
            ..crossing
        },
    );
    // A spawn statement that can leave early (`spawn(..)?`) would now do
    // so after the statements it moved past have run.
    if crossing_applicability(&text[a..semi], &[]) == Applicability::Unsafe
        && text[b..semi].contains('?')
    {
        applicability = Applicability::Unsafe;
    }
    let edits = move_lines(source, file, from, line_end, write_end, moved);
    Some((edits, applicability))
}

/// The `for` statement that holds the spawn statement on `spawn_line`
/// (indented `indent`) when the write at byte `wa` stands at that loop's
/// indentation: the loop's line and indentation. The loop must hold the
/// spawn's line within its braces and end before the write.
fn enclosing_for<'t>(
    text: &'t str,
    spawn_line: usize,
    indent: &str,
    wa: usize,
) -> Option<(usize, &'t str)> {
    let write_line = line_start(text, wa);
    let write_indent = &text[write_line..write_line + leading_blanks(&text[write_line..])];
    if write_indent.len() >= indent.len() {
        return None;
    }
    let mut line = spawn_line;
    while line > 0 {
        line = line_start(text, line - 1);
        let blanks = leading_blanks(&text[line..]);
        let content = &text[line + blanks..];
        if content.starts_with('\n') || blanks > write_indent.len() {
            continue;
        }
        if blanks < write_indent.len() || !content.starts_with("for ") {
            return None;
        }
        let end = block_statement_end(text, line + blanks)?;
        return (end > spawn_line && end <= wa).then_some((line, &text[line..line + blanks]));
    }
    None
}

fn leading_blanks(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// The rest of the block that `at` lies in: from `at` to its closing
/// brace (or the end of the text).
fn block_rest(text: &str, at: usize) -> &str {
    let mut depth = 0i64;
    for (i, c) in text[at..].char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth < 0 {
                    return &text[at..at + i];
                }
            }
            _ => {}
        }
    }
    &text[at..]
}

/// Move the whole lines `from..to` to `at` (a line start, or the end of
/// the text): their deletion and their insertion, as written, ending in a
/// newline.
fn move_lines(
    source: Text,
    file: FileId,
    from: usize,
    to: usize,
    at: usize,
    text: String,
) -> Vec<Edit> {
    let mut text = text;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let point = source.pos_at(at);
    vec![
        Edit {
            file,
            span: Span {
                start: source.pos_at(from),
                end: source.pos_at(to),
            },
            text: String::new(),
        },
        Edit {
            file,
            span: Span {
                start: point,
                end: point,
            },
            text,
        },
    ]
}

/// The line where the handle's `let` at byte `f` starts, when it may move
/// with the spawn statement at `a` (line `spawn_line`): same indentation,
/// same block, and nothing but comments between the two.
fn handle_line(text: &str, f: usize, a: usize, spawn_line: usize, indent: &str) -> Option<usize> {
    let f = statement_start(text, f);
    let line = line_start(text, f);
    if f > a || &text[line..f] != indent || !balanced(&text[line..spawn_line]) {
        return None;
    }
    let first_end = statement_end(text, f)?;
    let next = text[first_end..]
        .find('\n')
        .map_or(text.len(), |i| first_end + i + 1);
    (skip_blank(text, next) == a).then_some(line)
}

/// Where the statement ends (just past its line) that starts, after
/// `after`, at the spawn's indentation and holds the write at `wa..wb`: the
/// write itself when it stands at that indentation, else the statement
/// around it (`if let Ok(d) = dir { cfg = .. }`). `None` if there is none
/// in the same block.
fn statement_after(text: &str, after: usize, wa: usize, wb: usize, indent: &str) -> Option<usize> {
    let write_line = line_start(text, wa);
    if &text[write_line..wa] == indent {
        let end = line_end(text, wb);
        let rest = text[wb..end].trim();
        let ends = rest.starts_with(';')
            || (rest.is_empty() && text[..wb].trim_end().ends_with([';', '}']));
        return ends.then_some(end);
    }
    // The write's own line when its statement starts there, at the
    // spawn's indentation (`let _ = CONFIG.set(..)`), else the nearest
    // line above the write at that indentation.
    let at_indent = |l: usize| {
        let blanks = leading_blanks(&text[l..]);
        blanks == indent.len() && !text[l + blanks..].starts_with(['\n', '}'])
    };
    let mut line = write_line;
    while !at_indent(line) {
        if line <= after {
            return None;
        }
        line = line_start(text, line - 1);
    }
    if !text[line..].starts_with(indent) || !balanced(&text[after..line]) {
        return None;
    }
    let end = block_statement_end(text, line + indent.len())?;
    (end > wb).then(|| line_end(text, end))
}

/// Just past the end of the statement starting at `start`: its `;` outside
/// brackets, or the `}` that closes its last block (unless `else`, a method
/// or `?` goes on after it).
fn block_statement_end(text: &str, start: usize) -> Option<usize> {
    let mut depth = 0i64;
    for (i, c) in text[start..].char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
                let after = start + i + 1;
                let next = text[skip_blank(text, after)..].chars().next();
                let goes_on = text[skip_blank(text, after)..].starts_with("else")
                    || matches!(next, Some('.' | '?' | ';' | ')' | ','));
                if depth == 0 && c == '}' && !goes_on {
                    return Some(after);
                }
            }
            ';' if depth == 0 => return Some(start + i + 1),
            _ => {}
        }
    }
    None
}

/// Apply edits to the text of one file (edits of other files are ignored).
/// Edits must not overlap; `None` if they do.
pub fn apply_edits(text: &str, file: FileId, edits: &[Edit]) -> Option<String> {
    let mut ranges: Vec<(usize, usize, &str)> = edits
        .iter()
        .filter(|e| e.file == file)
        .map(|e| {
            (
                byte_offset(text, e.span.start),
                byte_offset(text, e.span.end),
                e.text.as_str(),
            )
        })
        .collect();
    ranges.sort_by_key(|r| (r.0, r.1));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (a, b, new) in ranges {
        if a < at || b < a {
            return None;
        }
        out.push_str(&text[at..a]);
        out.push_str(new);
        at = b;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// Where a subscription inside a task can move to: before the spawn.
pub struct Hoist<'a> {
    /// The whole spawn call.
    pub call: Span,
    /// The task expression (closure or async block).
    pub task: Span,
    /// The subscribing expression (`bus.subscribe()`).
    pub subscribe: Span,
    /// Where the spawning function ends.
    pub fn_end: Span,
    /// Names the task captures.
    pub captures: &'a [String],
}

/// The edits that hoist a task's `let rx = sender.subscribe();` out of the
/// task to the line before the spawn, unchanged: only when it is a
/// one-line statement at the top of a `move` task's body (not in a loop or
/// branch), the sender is a captured name or `self`, nothing in the task
/// before it mentions either name, and the receiver's name is not used
/// after the spawn (the hoisted `let` would shadow it there). Then the
/// receiver only starts listening earlier, which is the fix: safe.
pub fn hoist_subscribe_edits(source: Text, file: FileId, h: &Hoist) -> Option<Vec<Edit>> {
    let text = source.as_str();
    let at = |p| source.offset(p);
    let (ca, ta, tb, sa, sb) = (
        at(h.call.start),
        at(h.task.start),
        at(h.task.end),
        at(h.subscribe.start),
        at(h.subscribe.end),
    );
    let fn_end = at(h.fn_end.end);
    if !(ca <= ta && ta < sa && sa < sb && sb <= tb && tb <= fn_end) {
        return None;
    }
    // The spawn's line starts a statement: a `let` fits before it.
    let spawn_line = line_start(text, ca);
    let lead = &text[spawn_line..ca];
    let indent = &lead[..lead.len() - lead.trim_start().len()];
    if !starts_statement(text, spawn_line) || lead.trim_start().starts_with(['.', ')', ']']) {
        return None;
    }
    // `let <name> = <subscribe>;` on one line.
    let stmt_start = line_start(text, sa);
    let head = text[stmt_start..sa].trim();
    let name = head
        .strip_prefix("let ")?
        .strip_suffix('=')?
        .trim()
        .trim_start_matches("mut ")
        .split(':')
        .next()?
        .trim();
    if !is_ident(name) {
        return None;
    }
    let stmt_end = line_end(text, sb);
    let tail = text[sb..stmt_end].trim();
    let after_semi = tail.strip_prefix(';')?.trim();
    if !(after_semi.is_empty() || after_semi.starts_with("//")) {
        return None;
    }
    // At the top of a `move` task's body.
    let open = ta + text[ta..sa].find('{')?;
    let task_head = &text[ta..open];
    if !mentions(task_head, "move")
        || ["loop", "while", "for", "if", "match"]
            .iter()
            .any(|k| mentions(task_head, k))
    {
        return None;
    }
    if !balanced(&text[open + 1..stmt_start]) {
        return None;
    }
    let sender = text[sa..sb].trim_start();
    let root: String = sender
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if !(root == "self" || h.captures.contains(&root)) {
        return None;
    }
    let before = &text[open + 1..stmt_start];
    if mentions(before, name) || mentions(before, &root) || mentions(&text[tb..fn_end], name) {
        return None;
    }
    let moved = format!("{indent}{}", text[stmt_start..stmt_end].trim_start());
    Some(move_lines(
        source, file, stmt_start, stmt_end, spawn_line, moved,
    ))
}

/// The statement `stmt` (whole lines) moved to just before the statement
/// `before`, earlier in the same block: a subscription moved above the
/// action whose events it must see. Only when both stand alone on their
/// lines at one indentation, nothing between them declares a name the
/// moved statement uses, and nothing between them uses the name it binds;
/// then only the order of the two changes: safe.
pub fn move_before_edits(
    source: Text,
    file: FileId,
    stmt: Span,
    before: Span,
) -> Option<Vec<Edit>> {
    let text = source.as_str();
    let (sa, sb) = (source.offset(stmt.start), source.offset(stmt.end));
    let ba = source.offset(before.start);
    let (stmt_line, before_line) = (line_start(text, sa), line_start(text, ba));
    let indent = &text[stmt_line..sa];
    if !(before_line < stmt_line && indent.trim().is_empty() && &text[before_line..ba] == indent) {
        return None;
    }
    let stmt_end = line_end(text, sb);
    let moved = &text[stmt_line..stmt_end];
    if !text[sa..sb].trim_end().ends_with(';') && !text[sb..stmt_end].trim_start().starts_with(';')
    {
        return None;
    }
    let crossed = &text[before_line..stmt_line];
    if !balanced(crossed) {
        return None;
    }
    let declared = declared_names(crossed);
    let binds = bound_name(&text[sa..sb]);
    if declared.iter().any(|d| mentions(moved, d))
        || binds.is_some_and(|b| mentions(crossed, b))
        || (binds.is_none() && !declared.is_empty())
    {
        return None;
    }
    Some(move_lines(
        source,
        file,
        stmt_line,
        stmt_end,
        before_line,
        moved.to_string(),
    ))
}

/// The `;` ending the statement that goes on at byte `at`: the first one
/// outside brackets; `None` if a block closes first.
pub(super) fn statement_end(text: &str, at: usize) -> Option<usize> {
    let mut depth = 0i64;
    for (i, c) in text[at..].char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return None,
            ')' | ']' | '}' => depth -= 1,
            ';' if depth == 0 => return Some(at + i),
            _ => {}
        }
    }
    None
}

/// Where the statement holding byte `at` starts: after the nearest `;`,
/// `{` or `}` before it that is not inside brackets (read backwards, so a
/// method chain's receiver and a `let` belong to it), blanks skipped.
pub(super) fn statement_start(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0i64;
    let mut i = at;
    while i > 0 {
        let c = bytes[i - 1];
        match c {
            b')' | b']' => depth += 1,
            b'(' | b'[' => depth -= 1,
            b';' | b'{' | b'}' if depth == 0 => break,
            _ => {}
        }
        if depth < 0 {
            return at;
        }
        i -= 1;
    }
    i + (text[i..at].len() - text[i..at].trim_start().len())
}

/// The name a `let NAME = …` statement binds.
pub(super) fn bound_name(stmt: &str) -> Option<&str> {
    let rest = stmt.trim_start().strip_prefix("let ")?.trim_start();
    let rest = rest.strip_prefix("mut ").unwrap_or(rest).trim_start();
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// Whether the line at `line` begins a statement: what precedes it
/// (blank space aside) ends a statement or opens a block.
pub(super) fn starts_statement(text: &str, line: usize) -> bool {
    text[..line]
        .trim_end()
        .chars()
        .next_back()
        .map_or(true, |c| matches!(c, ';' | '{' | '}'))
}

/// The first byte at or after `at` that is neither blank nor in a line
/// comment.
pub(super) fn skip_blank(text: &str, mut at: usize) -> usize {
    loop {
        let rest = &text[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if !trimmed.starts_with("//") {
            return at;
        }
        at += trimmed.find('\n').unwrap_or(trimmed.len());
    }
}

/// Lines with the first line's indentation removed from each.
pub(super) fn dedent(text: &str) -> String {
    let indent = text.len() - text.trim_start().len();
    let pad = &text[..indent];
    text.lines()
        .map(|l| l.strip_prefix(pad).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The start of the line holding byte `at`.
pub(super) fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Past the line break that ends the line holding byte `at`.
pub(super) fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// The statement holding the call `call_a..call_b`, when it starts its own
/// line: the statement's start and its line's start (between them, the
/// indentation).
pub(super) fn own_line_statement(
    text: &str,
    call_a: usize,
    call_b: usize,
) -> Option<(usize, usize)> {
    let a = statement_start(text, call_a);
    let line = line_start(text, a);
    (a < call_b && text[line..a].trim().is_empty()).then_some((a, line))
}

pub(super) fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// `text` holds `word` as a whole identifier.
pub fn mentions(text: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// Braces in `text` balance and never close more than they opened: a
/// statement after it sits in the same block as one before it.
pub(super) fn balanced(text: &str) -> bool {
    let mut depth = 0i64;
    for b in text.bytes() {
        match b {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

/// The edits that move a spawn out of the `new_cyclic` closure it sits in
/// (at `cyclic`, the function's tail expression) to after the value is
/// built: `let this = Arc::new_cyclic(..);`, then `let weak =
/// Arc::downgrade(&this);`, the spawn unchanged, and `this`. Safe when
/// every name the task captures but the `Weak` is one the closure neither
/// binds nor assigns (so it is the same value after `new_cyclic`
/// returns); otherwise unsafe, to be checked by building.
pub fn spawn_after_cyclic_edits(
    source: Text,
    file: FileId,
    cyclic: Span,
    spawn: Span,
    weak: &str,
    captures: &[String],
) -> Option<(Vec<Edit>, Applicability)> {
    let text = source.as_str();
    let (ca, cb) = (source.offset(cyclic.start), source.offset(cyclic.end));
    let (sa, sb) = (source.offset(spawn.start), source.offset(spawn.end));
    if !(ca < sa && sb < cb) {
        return None;
    }
    let call = &text[ca..cb];
    let path = call.get(..call.find("::new_cyclic")?)?.trim();
    let outer = &text[line_start(text, ca)..ca];
    if !outer.trim().is_empty() || !text[skip_blank(text, cb)..].starts_with('}') {
        return None;
    }
    if mentions(call, "this") || !is_ident(weak) {
        return None;
    }
    // The spawn: a statement of its own, directly in the closure's body.
    let open = ca + call.find('{')?;
    let spawn_line = line_start(text, sa);
    let inner = &text[spawn_line..sa];
    let semi = skip_blank(text, sb);
    if !inner.trim().is_empty() || !text[semi..].starts_with(';') || open >= sa {
        return None;
    }
    if !balanced(&text[open + 1..spawn_line]) {
        return None;
    }
    let spawn_end = text[semi..].find('\n').map(|i| semi + i + 1)?;
    // Names the closure binds before the spawn (a runtime handle, a clone)
    // do not exist after `new_cyclic` returns; the `Weak` is made anew.
    let spawn_text = &text[spawn_line..spawn_end];
    if declared_names(&text[open + 1..spawn_line])
        .iter()
        .any(|n| n != weak && mentions(spawn_text, n))
    {
        return None;
    }
    let extra = inner.strip_prefix(outer)?;
    let mut moved = String::new();
    for line in text[spawn_line..spawn_end].lines() {
        moved.push_str(line.strip_prefix(extra).unwrap_or(line));
        moved.push('\n');
    }
    let at = |b| source.pos_at(b);
    let point = |b| Span {
        start: at(b),
        end: at(b),
    };
    let edits = vec![
        Edit {
            file,
            span: point(ca),
            text: "let this = ".to_string(),
        },
        Edit {
            file,
            span: Span {
                start: at(spawn_line),
                end: at(spawn_end),
            },
            text: String::new(),
        },
        Edit {
            file,
            span: point(cb),
            text: format!(";\n{outer}let {weak} = {path}::downgrade(&this);\n{moved}{outer}this"),
        },
    ];
    // Every other name the task captures must mean the same after
    // `new_cyclic` returns: one the closure neither binds nor assigns (a
    // parameter, a local made before) is the same value there.
    let closure = &text[open + 1..cb];
    let rebound: Vec<String> = written_names(closure);
    let same_outside = captures.iter().all(|c| c == weak || !rebound.contains(c));
    let applicability = if same_outside {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    Some((edits, applicability))
}

/// What the code looks like once `edits` (all in one file) are applied:
/// the whole lines from the first edit to the end of the last, as the
/// user's own text with the edits in it, the common indentation removed.
/// The fix shows this instead of a reformatted snippet, so a task inside
/// a macro (`tokio::select!`) reads as written. `None` for edits that
/// overlap or span files, and for a pure deletion.
pub fn preview(source: Text, edits: &[Edit]) -> Option<String> {
    let file = edits.first()?.file;
    if edits.iter().any(|e| e.file != file) {
        return None;
    }
    let text = source.as_str();
    let fixed = apply_edits(text, file, edits)?;
    let mut ranges: Vec<(usize, usize, usize)> = edits
        .iter()
        .map(|e| {
            (
                source.offset(e.span.start),
                source.offset(e.span.end),
                e.text.len(),
            )
        })
        .collect();
    ranges.sort_unstable();
    let first = ranges.first()?.0;
    let (&(last_start, _, last_len), before) = ranges.split_last()?;
    // Where the last edit's new text ends in the fixed text: shifted by
    // what every earlier edit added or removed.
    let shift: isize = before
        .iter()
        .map(|&(a, b, n)| n as isize - (b - a) as isize)
        .sum();
    let end_in_fixed = (last_start as isize + shift).max(0) as usize + last_len;
    let start = line_start(&fixed, first.min(fixed.len()));
    let end_in_fixed = end_in_fixed.min(fixed.len());
    // An edit that ends a line ends the region there; else the region
    // runs to the end of the line the edit ends in.
    let end = if fixed[..end_in_fixed].ends_with('\n') {
        end_in_fixed - 1
    } else {
        fixed[end_in_fixed..]
            .find('\n')
            .map_or(fixed.len(), |i| end_in_fixed + i)
    };
    let region = fixed.get(start..end.max(start))?;
    // Blank lines at either end are not part of it.
    let lines: Vec<&str> = region.lines().collect();
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    let last = lines.iter().rposition(|l| !l.trim().is_empty())?;
    let lines = &lines[first..=last];
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    Some(
        lines
            .iter()
            .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

#[cfg(test)]
#[path = "edits_tests.rs"]
mod tests;
