//! Macro arguments: lowered where they parse.

use super::super::*;
use super::expr::{lower_expr, lower_stmts, macro_span};
use crate::source::Span;

/// A macro's arguments, lowered where they parse, so the analysis sees
/// accesses inside `format!`, `assert!`, logging macros and block-bodied
/// macros. The tokens are read once as a list of expressions separated by
/// `,`, `;` or `=>`; a piece that is no expression is skipped up to the next
/// separator, which also covers key-value logging (`info!("msg"; "k" =>
/// v)`). Brace-bodied macros holding statements are parsed as a block.
/// Pieces of a macro's arguments that fail to parse as expressions before
/// the rest is given up on.
const MAX_FAILED_PIECES: usize = 16;

pub(super) fn macro_args(mac: &syn::Macro, depth: u32) -> Vec<Expr> {
    use syn::parse::discouraged::Speculative;
    use syn::parse::{ParseStream, Parser};
    if matches!(mac.delimiter, syn::MacroDelimiter::Brace(_)) {
        if let Ok(stmts) = syn::Block::parse_within.parse2(mac.tokens.clone()) {
            if stmts.iter().any(|s| !matches!(s, syn::Stmt::Expr(_, None))) {
                let block = lower_stmts(&stmts, macro_span(mac), depth + 1);
                return vec![Expr::Block(block)];
            }
        }
    }
    let pieces = |input: ParseStream| -> syn::Result<Vec<syn::Expr>> {
        let at_separator = |input: ParseStream| {
            input.is_empty()
                || input.peek(syn::Token![,])
                || input.peek(syn::Token![;])
                || input.peek(syn::Token![=>])
        };
        let mut out = Vec::new();
        let mut failed = 0;
        while !input.is_empty() {
            // Each failed attempt re-parses up to the next separator, which
            // may sit inside what failed (`|a, b| |a, b| …`): past a few
            // failures the rest is not expressions, and retrying at every
            // `,` would make a long argument quadratic (found by fuzzing).
            if failed > MAX_FAILED_PIECES {
                break;
            }
            let fork = input.fork();
            match fork.parse::<syn::Expr>() {
                // A block needs no separator after it: `select!` arms are
                // `pat = fut => { .. }` one after the other.
                Ok(e) if at_separator(&fork) || matches!(e, syn::Expr::Block(_)) => {
                    input.advance_to(&fork);
                    out.push(e);
                }
                _ => {
                    failed += 1;
                    while !at_separator(input) {
                        input.parse::<proc_macro2::TokenTree>()?;
                    }
                }
            }
            // Step over the separator; a block that ended a piece without
            // one is followed directly by the next piece (the next arm's
            // `_`), which must not be stepped over.
            if input.peek(syn::Token![=>]) {
                input.parse::<syn::Token![=>]>()?;
            } else if at_separator(input) && !input.is_empty() {
                input.parse::<proc_macro2::TokenTree>()?;
            }
        }
        Ok(out)
    };
    let Ok(list) = pieces.parse2(mac.tokens.clone()) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(list.len());
    for e in &list {
        // `format!("{name}")` reads `name` through the string literal.
        if let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) = e
        {
            let span = Span::from_pm2(s.span());
            for name in inline_format_args(&s.value()) {
                out.push(Expr::Path {
                    segs: vec![name],
                    span,
                });
            }
            continue;
        }
        out.push(lower_expr(e, depth + 1));
    }
    out
}

/// Identifiers captured inline by a format string: `{name}`, `{name:?}`.
fn inline_format_args(fmt: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = fmt;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if rest.starts_with('{') {
            rest = &rest[1..];
            continue;
        }
        let end = rest.find(['}', ':']).unwrap_or(rest.len());
        let name = &rest[..end];
        if !name.is_empty()
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push(name.to_string());
        }
        rest = &rest[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args_of(src: &str) -> usize {
        let mac: syn::Macro = syn::parse_str(src).expect("a macro call");
        macro_args(&mac, 0).len()
    }

    #[test]
    fn pieces_that_are_not_expressions_are_skipped() {
        assert_eq!(args_of("m!(a, @, b)"), 2);
    }

    /// `select!` arms with block bodies follow each other without a
    /// separator: the arm after a `{}` body keeps its pattern and future.
    #[test]
    fn select_arms_after_a_block_body_are_kept() {
        // `_ = a.tick()`, `{}`, `_ = b.notified()`, `{ return; }`
        let src = "select! { _ = a.tick() => {} _ = b.notified() => { return; } }";
        assert_eq!(args_of(src), 4);
    }

    /// Retrying after every failed piece made `|a, b| |a, b| …` quadratic
    /// (a fuzzing timeout): past a bound, the rest is given up on.
    #[test]
    fn failures_are_bounded() {
        let failing = "@, ".repeat(MAX_FAILED_PIECES + 1);
        assert_eq!(args_of(&format!("m!({failing}x)")), 0);
        let few = "@, ".repeat(MAX_FAILED_PIECES);
        assert_eq!(args_of(&format!("m!({few}x)")), 1);
    }
}
