//! What a fix's statements do, read from their tokens: the names they
//! bind, assign and use, and whether moving code past them is safe.

use crate::diagnostic::Applicability;

/// The variables `text` uses outside brace blocks (a task's body is one):
/// identifiers not after `.`/`::` and not called as functions or macros,
/// keywords aside.
pub(super) fn outer_names(text: &str) -> Vec<String> {
    used_names(text, None)
}

/// The variables `text` uses anywhere but in the arguments of a call of
/// `spawners` (a task's body, which runs on its own), as [`outer_names`]
/// reads them.
pub(super) fn names_outside_tasks(text: &str, spawners: &[String]) -> Vec<String> {
    used_names(text, Some(spawners))
}

/// The variables `text` uses outside brace blocks (`spawners: None`) or
/// outside the arguments of calls of `spawners`.
fn used_names(text: &str, spawners: Option<&[String]>) -> Vec<String> {
    use proc_macro2::{Delimiter, TokenStream, TokenTree};
    fn walk(tokens: TokenStream, spawners: Option<&[String]>, out: &mut Vec<String>) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        // The argument group of a spawner call: the task's own code.
        let mut task_args = false;
        for (i, tt) in tokens.iter().enumerate() {
            match tt {
                TokenTree::Group(_) if std::mem::take(&mut task_args) => {}
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace && spawners.is_none() => {}
                TokenTree::Group(g) => walk(g.stream(), spawners, out),
                TokenTree::Ident(id) => {
                    let prev = i.checked_sub(1).and_then(|j| tokens.get(j));
                    let next = tokens.get(i + 1);
                    let after_path = matches!(prev, Some(TokenTree::Punct(p)) if p.as_char() == '.' || p.as_char() == ':');
                    let with_args = matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
                    let called = with_args
                        || matches!(next, Some(TokenTree::Punct(p)) if p.as_char() == '!' || p.as_char() == ':');
                    let name = id.to_string();
                    task_args = with_args && spawners.is_some_and(|s| s.contains(&name));
                    let keyword = matches!(
                        name.as_str(),
                        "let"
                            | "mut"
                            | "move"
                            | "async"
                            | "ref"
                            | "self"
                            | "Self"
                            | "loop"
                            | "in"
                            | "for"
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
    if let Ok(tokens) = text.parse::<TokenStream>() {
        walk(tokens, spawners, &mut out);
    }
    out
}

/// The names `text`'s statements assign (`name = …`, `*name = …`,
/// `name += …`) or bind
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
        // `=`, or a compound assignment (`+=`, `<<=`); not `==`, `<=`, `>=`, `!=`.
        let op: String = rest
            .chars()
            .take_while(|c| "+-*/%^&|<>=".contains(*c))
            .collect();
        let assigns = op == "="
            || (op.len() >= 2 && op.ends_with('=') && !matches!(op.as_str(), "==" | "<=" | ">="));
        if !name.is_empty() && assigns {
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

/// What the code a statement moves past may touch, beyond its own text.
#[derive(Clone, Copy, Default)]
pub struct Crossing<'a> {
    /// Names the moved statement's task or arguments use: the crossed code
    /// must not name them.
    pub captures: &'a [String],
    /// Values a `for` loop runs over to the end without waiting: the
    /// function's slice, array and `Vec` parameters ([`bounded_params`]).
    pub bounded: &'a [String],
    /// Whether a same-crate function of this name, called in the crossed
    /// code, may wait or loop (its body does, see [`body_may_wait`]);
    /// `None` reads no callee.
    pub callee_waits: Option<&'a dyn Fn(Call) -> bool>,
    /// Calls that start a task with their arguments (`spawn`): the task's
    /// body runs on its own, not in the crossed code.
    pub spawners: &'a [String],
    /// Calls that join the tasks spawned inside them (`scope`): there a
    /// task's body is waited for.
    pub scopes: &'a [String],
}

/// A call as written: how a callee is named decides which functions it
/// can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call<'a> {
    /// `x.name(..)`: a method taking `self`.
    Method(&'a str),
    /// `Q::name(..)`: `Q`'s associated function, or a module's function;
    /// `None` when the qualifier is not a plain name (`Vec::<T>::new`).
    Path(Option<&'a str>, &'a str),
    /// `name(..)`: a free function.
    Free(&'a str),
}

/// Whether moving a statement (a spawn, a subscription) past `crossed`
/// leaves behaviour otherwise unchanged: `crossed` names none of
/// `captures` (a move, a shadowing or a use of a `Copy` value would see the
/// difference), waits for nothing another task does, and cannot leave the
/// function early (`?`, `return`, `break`, `continue`), which would skip
/// what moved. Anything else, or text that does not lex, is unsafe.
pub fn crossing_applicability(crossed: &str, captures: &[String]) -> Applicability {
    crossing_applicability_in(
        crossed,
        Crossing {
            captures,
            ..Crossing::default()
        },
    )
}

/// [`crossing_applicability`] with what the crossed code's loops run over
/// and what its calls do ([`Crossing`]).
pub fn crossing_applicability_in(crossed: &str, cx: Crossing) -> Applicability {
    let Ok(tokens) = crossed.parse::<proc_macro2::TokenStream>() else {
        return Applicability::Unsafe;
    };
    let tokens: Vec<_> = tokens.into_iter().collect();
    if crosses_cleanly(&tokens, cx, Leaving::Refused) {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    }
}

/// Whether a function body (the text of the whole item) may wait for
/// another task or loop without a bound: what moving a spawn past a call
/// of it would risk. Its own `return` and `?` leave only it.
pub fn body_may_wait(item: &str, outer: Crossing) -> bool {
    let Ok(tokens) = item.parse::<proc_macro2::TokenStream>() else {
        return true;
    };
    let tokens: Vec<_> = tokens.into_iter().collect();
    let Some(proc_macro2::TokenTree::Group(body)) = tokens.last() else {
        return true;
    };
    let bounded = bounded_params(item);
    let cx = Crossing {
        captures: &[],
        bounded: &bounded,
        ..outer
    };
    let body: Vec<_> = body.stream().into_iter().collect();
    !crosses_cleanly(&body, cx, Leaving::Allowed)
}

/// The parameters of the function item `item` whose type is a slice, an
/// array or a `Vec` (by value or reference): a `for` over one of them ends
/// and never waits.
pub fn bounded_params(item: &str) -> Vec<String> {
    use proc_macro2::{Delimiter, TokenTree};
    let Ok(tokens) = item.parse::<proc_macro2::TokenStream>() else {
        return Vec::new();
    };
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let Some(params) = tokens.iter().find_map(|t| match t {
        TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis => Some(g.stream()),
        _ => None,
    }) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let params: Vec<TokenTree> = params.into_iter().collect();
    for param in params.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
        let Some(colon) = param
            .iter()
            .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ':'))
        else {
            continue;
        };
        // The type without references, `mut` and lifetimes (`'a` lexes
        // as a `'` and a name).
        let mut ty: Vec<&TokenTree> = Vec::new();
        let mut lifetime = false;
        for t in &param[colon + 1..] {
            let skip = lifetime
                || matches!(t, TokenTree::Punct(p) if p.as_char() == '&' || p.as_char() == '\'')
                || matches!(t, TokenTree::Ident(i) if i == "mut");
            lifetime = matches!(t, TokenTree::Punct(p) if p.as_char() == '\'');
            if !skip {
                ty.push(t);
            }
        }
        let bounded = match ty.first() {
            Some(TokenTree::Group(g)) => g.delimiter() == Delimiter::Bracket,
            Some(TokenTree::Ident(i)) => i == "Vec",
            _ => false,
        };
        if let (true, [TokenTree::Ident(name)]) = (bounded, &param[..colon]) {
            out.push(name.to_string());
        }
    }
    out
}

/// Whether the code scanned may leave the function it sits in: refused in
/// the crossed statements (it would skip what moved), allowed in a
/// callee's body (it leaves only the callee).
#[derive(Clone, Copy, PartialEq)]
enum Leaving {
    Refused,
    Allowed,
}

fn crosses_cleanly(tokens: &[proc_macro2::TokenTree], cx: Crossing, leaving: Leaving) -> bool {
    use proc_macro2::{Delimiter, TokenTree};
    // After `.` or `::`: a method or path segment, not a variable.
    let mut after_dot = false;
    let mut i = 0;
    while let Some(tt) = tokens.get(i) {
        let dot = matches!(tt, TokenTree::Punct(p) if p.as_char() == '.' || p.as_char() == ':');
        let next = tokens.get(i + 1);
        let called =
            matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
        match tt {
            TokenTree::Group(g) => {
                let inner: Vec<_> = g.stream().into_iter().collect();
                if !crosses_cleanly(&inner, cx, leaving) {
                    return false;
                }
            }
            TokenTree::Ident(id) => {
                let name = id.to_string();
                // A spawned task's body runs on its own, not here: only
                // the names it takes matter. Inside a scope that joins
                // its tasks, it runs before the scope returns.
                if called && cx.scopes.contains(&name) {
                    if let Some(TokenTree::Group(args)) = next {
                        let args: Vec<_> = args.stream().into_iter().collect();
                        let joined = Crossing {
                            spawners: &[],
                            ..cx
                        };
                        if !crosses_cleanly(&args, joined, leaving) {
                            return false;
                        }
                        after_dot = false;
                        i += 2;
                        continue;
                    }
                }
                if called && cx.spawners.contains(&name) {
                    if let Some(TokenTree::Group(args)) = next {
                        if names_any(args.stream(), cx.captures) {
                            return false;
                        }
                        after_dot = false;
                        i += 2;
                        continue;
                    }
                }
                let leaves = matches!(name.as_str(), "return" | "break" | "continue");
                // A loop may wait for what the task does (a counter only
                // it moves), unless it runs over a range or a slice.
                let loops = matches!(name.as_str(), "loop" | "while")
                    || (name == "for" && !bounded_for(&tokens[i + 1..], cx.bounded));
                let waits =
                    after_dot && WAITS.contains(&name.as_str()) && !awaits_a_lock(tokens, i);
                let callee_waits = called
                    && cx.callee_waits.is_some_and(|w| {
                        let q = call_qualifier(tokens, i);
                        w(match &q {
                            None => Call::Method(&name),
                            Some(None) => Call::Free(&name),
                            Some(Some(q)) if q.is_empty() => Call::Path(None, &name),
                            Some(Some(q)) => Call::Path(Some(q), &name),
                        })
                    });
                if (leaves && leaving == Leaving::Refused)
                    || loops
                    || waits
                    || callee_waits
                    || (!after_dot && cx.captures.contains(&name))
                {
                    return false;
                }
            }
            TokenTree::Punct(p) if p.as_char() == '?' && leaving == Leaving::Refused => {
                return false
            }
            _ => {}
        }
        after_dot = dot;
        i += 1;
    }
    true
}

/// How the call at `tokens[i]` names its callee, from the tokens before
/// it: `None` for a method, `Some(None)` for a free function,
/// `Some(Some(q))` for a path with the qualifier `q` (empty when it is not
/// a plain name).
fn call_qualifier(tokens: &[proc_macro2::TokenTree], i: usize) -> Option<Option<String>> {
    use proc_macro2::TokenTree;
    let punct = |k: usize, c: char| {
        i.checked_sub(k)
            .is_some_and(|j| matches!(&tokens[j], TokenTree::Punct(p) if p.as_char() == c))
    };
    if punct(1, '.') {
        return None;
    }
    if punct(1, ':') {
        let q = i.checked_sub(3).and_then(|j| match &tokens[j] {
            TokenTree::Ident(q) => Some(q.to_string()),
            _ => None,
        });
        return Some(Some(q.unwrap_or_default()));
    }
    Some(None)
}

/// Whether the `await` at `tokens[i]` awaits a lock (`.lock().await`,
/// `.read().await`, `.write().await`): like a blocking `lock()`, it waits
/// for the lock's holders, not for a task yet to start.
fn awaits_a_lock(tokens: &[proc_macro2::TokenTree], i: usize) -> bool {
    use proc_macro2::TokenTree;
    let at = |k: usize| i.checked_sub(k).map(|j| &tokens[j]);
    matches!(at(0), Some(TokenTree::Ident(a)) if a == "await")
        && matches!(at(2), Some(TokenTree::Group(g)) if g.stream().is_empty())
        && matches!(at(3), Some(TokenTree::Ident(m)) if matches!(m.to_string().as_str(), "lock" | "read" | "write"))
        && matches!(at(4), Some(TokenTree::Punct(p)) if p.as_char() == '.')
}

/// Whether a `for` loop, given the tokens after `for`, runs over a range
/// (`0..n`) or over one of the `bounded` values (`&rules`,
/// `rules.iter()`): it ends without waiting for anything.
fn bounded_for(after_for: &[proc_macro2::TokenTree], bounded: &[String]) -> bool {
    use proc_macro2::{Delimiter, TokenTree};
    let Some(at_in) = after_for
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "in"))
    else {
        return false;
    };
    let iterable: Vec<&TokenTree> = after_for[at_in + 1..]
        .iter()
        .take_while(|t| !matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
        .collect();
    let range = iterable.windows(2).any(|w| {
        matches!((w[0], w[1]), (TokenTree::Punct(a), TokenTree::Punct(b)) if a.as_char() == '.' && b.as_char() == '.')
    });
    if range {
        return true;
    }
    let words: Vec<String> = iterable
        .iter()
        .filter(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == '&' || p.as_char() == '.'))
        .filter(|t| !matches!(t, TokenTree::Ident(i) if i == "mut"))
        .filter(|t| !matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis && g.stream().is_empty()))
        .map(|t| t.to_string())
        .collect();
    match words.as_slice() {
        [name] => bounded.contains(name),
        [name, method] => {
            bounded.contains(name) && matches!(method.as_str(), "iter" | "iter_mut" | "into_iter")
        }
        _ => false,
    }
}

/// Whether `tokens` name a variable of `names` anywhere (not after `.` or
/// `::`).
fn names_any(tokens: proc_macro2::TokenStream, names: &[String]) -> bool {
    use proc_macro2::TokenTree;
    let mut after_dot = false;
    for tt in tokens {
        match &tt {
            TokenTree::Group(g) if names_any(g.stream(), names) => return true,
            TokenTree::Ident(i) if !after_dot && names.contains(&i.to_string()) => return true,
            _ => {}
        }
        after_dot = matches!(&tt, TokenTree::Punct(p) if p.as_char() == '.' || p.as_char() == ':');
    }
    false
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

/// Whether the body of the function item `item` holds nothing but the
/// expression `call` (as its one statement or its value): a call of that
/// function does only what `call` does.
pub fn body_is_only(item: &str, call: &str) -> bool {
    use proc_macro2::{Delimiter, TokenStream, TokenTree};
    let (Ok(item), Ok(call)) = (item.parse::<TokenStream>(), call.parse::<TokenStream>()) else {
        return false;
    };
    let Some(TokenTree::Group(body)) = item.into_iter().last() else {
        return false;
    };
    if body.delimiter() != Delimiter::Brace {
        return false;
    }
    let mut body: Vec<TokenTree> = body.stream().into_iter().collect();
    if matches!(body.last(), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
        body.pop();
    }
    body.into_iter().collect::<TokenStream>().to_string() == call.to_string()
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
