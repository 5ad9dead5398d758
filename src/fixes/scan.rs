//! What a fix's statements do, read from their tokens: the names they
//! bind, assign and use, and whether moving code past them is safe.

use crate::diagnostic::Applicability;

/// The variables `text` uses outside brace blocks (a task's body is one):
/// identifiers not after `.`/`::` and not called as functions or macros,
/// keywords aside.
pub(super) fn outer_names(text: &str) -> Vec<String> {
    use proc_macro2::{Delimiter, TokenTree};
    fn walk(tokens: proc_macro2::TokenStream, out: &mut Vec<String>) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, tt) in tokens.iter().enumerate() {
            match tt {
                TokenTree::Group(g) if g.delimiter() != Delimiter::Brace => walk(g.stream(), out),
                TokenTree::Ident(id) => {
                    let prev = i.checked_sub(1).and_then(|j| tokens.get(j));
                    let next = tokens.get(i + 1);
                    let after_path = matches!(prev, Some(TokenTree::Punct(p)) if p.as_char() == '.' || p.as_char() == ':');
                    let called = matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
                        || matches!(next, Some(TokenTree::Punct(p)) if p.as_char() == '!' || p.as_char() == ':');
                    let name = id.to_string();
                    let keyword = matches!(
                        name.as_str(),
                        "let" | "mut" | "move" | "async" | "ref" | "self" | "Self" | "loop" | "in"
                    );
                    if !after_path && !called && !keyword && !out.contains(&name) {
                        out.push(name);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(tokens) = text.parse::<proc_macro2::TokenStream>() {
        walk(tokens, &mut out);
    }
    out
}

/// The names `text`'s statements assign (`name = …`, `*name = …`) or bind
/// with a top-level `let`.
pub(super) fn written_names(text: &str) -> Vec<String> {
    let mut out = declared_names(text);
    for stmt in text.split([';', '{', '}']) {
        let stmt = stmt.trim_start().trim_start_matches('*');
        let name: String = stmt
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let rest = stmt[name.len()..].trim_start();
        if !name.is_empty() && rest.starts_with('=') && !rest.starts_with("==") {
            out.push(name);
        }
    }
    out
}

/// Methods that wait for something another thread or task does: a spawn
/// moved past one of them could be what that wait was waiting for.
const WAITS: &[&str] = &[
    "await",
    "recv",
    "recv_timeout",
    "blocking_recv",
    "join",
    "wait",
    "wait_while",
    "wait_timeout",
    "wait_timeout_while",
    "changed",
    "notified",
    "acquire",
    "park",
    "block_on",
    // A bounded channel's `send` waits for the receiver; a channel drained
    // by a `for` loop is caught as a loop.
    "send",
];

/// Whether moving a statement (a spawn, a subscription) past `crossed`
/// leaves behaviour otherwise unchanged: `crossed` names none of
/// `captures` (a move, a shadowing or a use of a `Copy` value would see the
/// difference), waits for nothing another task does, and cannot leave the
/// function early (`?`, `return`, `break`, `continue`), which would skip
/// what moved. Anything else, or text that does not lex, is unsafe.
pub fn crossing_applicability(crossed: &str, captures: &[String]) -> Applicability {
    let Ok(tokens) = crossed.parse::<proc_macro2::TokenStream>() else {
        return Applicability::Unsafe;
    };
    if crosses_cleanly(tokens, captures) {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    }
}

fn crosses_cleanly(tokens: proc_macro2::TokenStream, captures: &[String]) -> bool {
    use proc_macro2::TokenTree;
    // After `.` or `::`: a method or path segment, not a variable.
    let mut after_dot = false;
    for tt in tokens {
        let dot = matches!(&tt, TokenTree::Punct(p) if p.as_char() == '.' || p.as_char() == ':');
        match &tt {
            TokenTree::Group(g) if !crosses_cleanly(g.stream(), captures) => return false,
            TokenTree::Ident(i) => {
                let name = i.to_string();
                // A loop may wait for what the task does (a counter only it
                // moves); leaving early skips what moved.
                let leaves_or_loops = matches!(
                    name.as_str(),
                    "return" | "break" | "continue" | "loop" | "while" | "for"
                );
                let waits = after_dot && WAITS.contains(&name.as_str());
                if leaves_or_loops || waits || (!after_dot && captures.contains(&name)) {
                    return false;
                }
            }
            TokenTree::Punct(p) if p.as_char() == '?' => return false,
            _ => {}
        }
        after_dot = dot;
    }
    true
}

/// The names the top-level `let` statements of `text` bind (the first
/// identifier of each pattern); `let`s inside blocks (a task's body) bind
/// nothing outside them.
pub(super) fn declared_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0i64;
    for (i, c) in text.char_indices() {
        match c {
            '{' | '(' | '[' => depth += 1,
            '}' | ')' | ']' => depth -= 1,
            'l' if depth == 0
                && text[i..].starts_with("let ")
                && !text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') =>
            {
                // Every name of the pattern (`let (s, bucket) = ..`); a
                // type's words too, which only refuses more.
                let pattern = &text[i + 4..];
                let pattern = &pattern[..pattern.find(['=', ';']).unwrap_or(pattern.len())];
                for word in pattern.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                    if !word.is_empty() && !matches!(word, "mut" | "ref") {
                        names.push(word.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    names
}
