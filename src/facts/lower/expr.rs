//! Lowering of function bodies: statements, expressions, patterns, and
//! the spans of what they cover.

use super::super::*;
use super::macros::macro_args;
use super::type_info;
use crate::source::Span;

/// Nesting beyond this depth is lowered as opaque: no real code nests
/// deeper, and it bounds the recursion of every later stage.
const MAX_DEPTH: u32 = 256;

pub(super) fn lower_block(block: &syn::Block, depth: u32) -> Block {
    lower_stmts(
        &block.stmts,
        Span::from_pm2(block.brace_token.span.join()),
        depth,
    )
}

pub(super) fn lower_stmts(stmts: &[syn::Stmt], span: Span, depth: u32) -> Block {
    let mut out = Vec::with_capacity(stmts.len());
    for stmt in stmts {
        match stmt {
            syn::Stmt::Local(local) => {
                let (pat, ty) = match &local.pat {
                    syn::Pat::Type(pt) => (lower_pat(&pt.pat), Some(type_info(&pt.ty))),
                    p => (lower_pat(p), None),
                };
                out.push(Stmt::Let {
                    pat,
                    ty,
                    init: local.init.as_ref().map(|i| lower_expr(&i.expr, depth + 1)),
                    diverge: local
                        .init
                        .as_ref()
                        .and_then(|i| i.diverge.as_ref())
                        .map(|(_, e)| match lower_expr(e, depth + 1) {
                            Expr::Block(b) => b,
                            other => Block {
                                stmts: vec![Stmt::Expr(other)],
                                span: Span::default(),
                            },
                        }),
                    span: between(pm(local.let_token.span), pm(local.semi_token.spans[0])),
                });
            }
            syn::Stmt::Expr(e, _) => out.push(Stmt::Expr(lower_expr(e, depth + 1))),
            syn::Stmt::Macro(m) => out.push(Stmt::Expr(lower_macro(&m.mac, depth + 1))),
            syn::Stmt::Item(_) => {}
        }
    }
    Block { stmts: out, span }
}

fn lower_macro(mac: &syn::Macro, depth: u32) -> Expr {
    let name = mac
        .path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    Expr::Macro {
        args: macro_args(mac, depth),
        name,
        span: macro_span(mac),
    }
}

/// Lower a pattern.
pub(super) fn lower_pat(pat: &syn::Pat) -> Pat {
    match pat {
        syn::Pat::Ident(i) => match &i.subpat {
            Some((_, sub)) => lower_pat(sub),
            None => Pat::Ident {
                name: i.ident.to_string(),
                mutable: i.mutability.is_some(),
            },
        },
        syn::Pat::TupleStruct(ts) => Pat::Destructure {
            path: last_segment(&ts.path),
            elems: ts.elems.iter().map(lower_pat).collect(),
        },
        syn::Pat::Struct(s) => Pat::Destructure {
            path: last_segment(&s.path),
            elems: s.fields.iter().map(|f| lower_pat(&f.pat)).collect(),
        },
        syn::Pat::Tuple(t) => Pat::Tuple(t.elems.iter().map(lower_pat).collect()),
        syn::Pat::Reference(r) => lower_pat(&r.pat),
        syn::Pat::Type(t) => lower_pat(&t.pat),
        syn::Pat::Paren(p) => lower_pat(&p.pat),
        syn::Pat::Slice(s) => Pat::Tuple(s.elems.iter().map(lower_pat).collect()),
        _ => Pat::Other,
    }
}

fn last_segment(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

fn boxed(e: &syn::Expr, depth: u32) -> Box<Expr> {
    Box::new(lower_expr(e, depth + 1))
}

fn all(
    list: impl IntoIterator<Item = impl std::borrow::Borrow<syn::Expr>>,
    depth: u32,
) -> Vec<Expr> {
    list.into_iter()
        .map(|e| lower_expr(e.borrow(), depth + 1))
        .collect()
}

// Spans are computed from the tokens at a node's two ends and from the
// already-lowered children. syn's `Spanned::span()` would re-tokenize the
// whole subtree at every node, which is quadratic in nesting depth.

pub(super) fn pm(s: proc_macro2::Span) -> Span {
    Span::from_pm2(s)
}

/// From the start of `first` to the end of `last`.
pub(super) fn between(first: Span, last: Span) -> Span {
    Span {
        start: first.start,
        end: last.end,
    }
}

/// The start of a lowered child, or of a fallback token.
fn start_of(child: &Expr, fallback: proc_macro2::Span) -> Span {
    child.span().unwrap_or_else(|| pm(fallback))
}

/// The last token of a block-like expression (which our tree does not
/// give a span of its own); other expressions fall back to syn.
fn end_of(e: &syn::Expr) -> proc_macro2::Span {
    match e {
        syn::Expr::Loop(l) => l.body.brace_token.span.close(),
        syn::Expr::While(w) => w.body.brace_token.span.close(),
        syn::Expr::ForLoop(f) => f.body.brace_token.span.close(),
        syn::Expr::Block(b) => b.block.brace_token.span.close(),
        syn::Expr::Unsafe(u) => u.block.brace_token.span.close(),
        syn::Expr::Match(m) => m.brace_token.span.close(),
        syn::Expr::If(i) => match &i.else_branch {
            Some((_, e)) => end_of(e),
            None => i.then_branch.brace_token.span.close(),
        },
        other => syn::spanned::Spanned::span(other),
    }
}

fn path_span(path: &syn::Path) -> Span {
    let first = path
        .leading_colon
        .map(|c| c.spans[0])
        .or_else(|| path.segments.first().map(|s| s.ident.span()));
    let last = path.segments.last().map(|s| s.ident.span());
    match (first, last) {
        (Some(f), Some(l)) => between(pm(f), pm(l)),
        _ => Span::default(),
    }
}

fn delimiter_close(d: &syn::MacroDelimiter) -> proc_macro2::Span {
    match d {
        syn::MacroDelimiter::Paren(p) => p.span.close(),
        syn::MacroDelimiter::Brace(b) => b.span.close(),
        syn::MacroDelimiter::Bracket(b) => b.span.close(),
    }
}

pub(super) fn macro_span(mac: &syn::Macro) -> Span {
    between(path_span(&mac.path), pm(delimiter_close(&mac.delimiter)))
}

/// Lower an expression.
pub(super) fn lower_expr(expr: &syn::Expr, depth: u32) -> Expr {
    if depth > MAX_DEPTH {
        return Expr::Other(Vec::new());
    }
    use syn::Expr as E;
    match expr {
        E::Path(p) => Expr::Path {
            segs: p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect(),
            span: path_span(&p.path),
        },
        E::Lit(l) => Expr::Lit(lit_kind(&l.lit)),
        E::Field(_) | E::Index(_) | E::MethodCall(_) | E::Call(_) | E::Struct(_) => {
            lower_place_or_call(expr, depth)
        }
        E::Closure(_) | E::Async(_) | E::Block(_) | E::Unsafe(_) | E::Const(_) | E::TryBlock(_) => {
            lower_body(expr, depth)
        }
        E::If(_) | E::Let(_) | E::Match(_) | E::While(_) | E::Loop(_) | E::ForLoop(_) => {
            lower_control(expr, depth)
        }
        E::Return(_) | E::Break(_) | E::Continue(_) => lower_jump(expr, depth),
        _ => lower_operation(expr, depth),
    }
}

/// Zero literals (`0`, `0.0`, `false`, `""`) are placeholders.
fn lit_kind(lit: &syn::Lit) -> LitKind {
    match lit {
        syn::Lit::Int(i) if i.base10_digits() == "0" => LitKind::Zero,
        syn::Lit::Float(f)
            if f.base10_digits()
                .trim_matches(|c| c == '0' || c == '.')
                .is_empty() =>
        {
            LitKind::Zero
        }
        syn::Lit::Bool(b) if !b.value => LitKind::Zero,
        syn::Lit::Str(s) if s.value().is_empty() => LitKind::Zero,
        _ => LitKind::Value,
    }
}

/// Fields, indexing, calls and struct literals.
fn lower_place_or_call(expr: &syn::Expr, depth: u32) -> Expr {
    use syn::Expr as E;
    match expr {
        E::Field(f) => {
            let (name, end) = match &f.member {
                syn::Member::Named(i) => (i.to_string(), i.span()),
                syn::Member::Unnamed(i) => (i.index.to_string(), i.span),
            };
            let base = boxed(&f.base, depth);
            let span = between(start_of(&base, f.dot_token.span), pm(end));
            Expr::Field { base, name, span }
        }
        E::Index(i) => {
            let base = boxed(&i.expr, depth);
            let close = i.bracket_token.span.close();
            let span = between(start_of(&base, close), pm(close));
            Expr::Index {
                base,
                index: boxed(&i.index, depth),
                span,
            }
        }
        E::MethodCall(m) => {
            let mut recv = boxed(&m.receiver, depth);
            if let Some(selected) = type_selected(m) {
                // `state.borrow::<Workers>()` and `state.borrow::<Config>()`
                // are two values of a type map: the type is part of the
                // place, as a field name would be.
                let span = between(start_of(&recv, m.method.span()), pm(m.method.span()));
                recv = Box::new(Expr::Field {
                    base: recv,
                    name: selected,
                    span,
                });
            }
            let close = m.paren_token.span.close();
            let span = between(start_of(&recv, m.method.span()), pm(close));
            Expr::MethodCall {
                recv,
                method: m.method.to_string(),
                args: all(&m.args, depth),
                span,
                method_span: pm(m.method.span()),
            }
        }
        E::Call(c) => {
            let func = boxed(&c.func, depth);
            let close = c.paren_token.span.close();
            let span = between(start_of(&func, close), pm(close));
            Expr::Call {
                func,
                args: all(&c.args, depth),
                span,
            }
        }
        E::Struct(s) => lower_struct(s, depth),
        _ => Expr::Other(Vec::new()),
    }
}

fn lower_struct(s: &syn::ExprStruct, depth: u32) -> Expr {
    Expr::Struct {
        name: last_segment(&s.path),
        fields: s
            .fields
            .iter()
            .map(|f| {
                let name = match &f.member {
                    syn::Member::Named(i) => i.to_string(),
                    syn::Member::Unnamed(i) => i.index.to_string(),
                };
                (name, lower_expr(&f.expr, depth + 1))
            })
            .collect(),
        rest: s.rest.as_ref().map(|r| boxed(r, depth)),
        span: between(path_span(&s.path), pm(s.brace_token.span.close())),
    }
}

/// Closures, async blocks and plain blocks.
fn lower_body(expr: &syn::Expr, depth: u32) -> Expr {
    use syn::Expr as E;
    match expr {
        E::Closure(c) => {
            let body = boxed(&c.body, depth);
            let first = c
                .asyncness
                .map(|t| t.span)
                .or(c.capture.map(|t| t.span))
                .unwrap_or(c.or1_token.span);
            let span = match body.span() {
                Some(b) => between(pm(first), b),
                None => between(pm(first), pm(end_of(&c.body))),
            };
            Expr::Closure {
                is_move: c.capture.is_some(),
                params: c.inputs.iter().map(lower_pat).collect(),
                body,
                span,
            }
        }
        E::Async(a) => Expr::Async {
            is_move: a.capture.is_some(),
            body: lower_block(&a.block, depth + 1),
            span: between(pm(a.async_token.span), pm(a.block.brace_token.span.close())),
        },
        E::Block(b) => Expr::Block(lower_block(&b.block, depth + 1)),
        E::Unsafe(u) => Expr::Block(lower_block(&u.block, depth + 1)),
        E::Const(c) => Expr::Block(lower_block(&c.block, depth + 1)),
        E::TryBlock(t) => Expr::Block(lower_block(&t.block, depth + 1)),
        _ => Expr::Other(Vec::new()),
    }
}

/// `if`, `if let`, `match` and the loops.
fn lower_control(expr: &syn::Expr, depth: u32) -> Expr {
    use syn::Expr as E;
    match expr {
        E::If(i) => Expr::If {
            cond: boxed(&i.cond, depth),
            then: lower_block(&i.then_branch, depth + 1),
            els: i.else_branch.as_ref().map(|(_, e)| boxed(e, depth)),
        },
        E::Let(l) => Expr::Let {
            pat: lower_pat(&l.pat),
            expr: boxed(&l.expr, depth),
        },
        E::Match(m) => Expr::Match {
            scrutinee: boxed(&m.expr, depth),
            arms: m.arms.iter().map(|a| lower_arm(a, depth)).collect(),
        },
        E::While(w) => Expr::While {
            cond: boxed(&w.cond, depth),
            body: lower_block(&w.body, depth + 1),
        },
        E::Loop(l) => Expr::Loop {
            body: lower_block(&l.body, depth + 1),
        },
        E::ForLoop(f) => Expr::For {
            pat: lower_pat(&f.pat),
            iter: boxed(&f.expr, depth),
            body: lower_block(&f.body, depth + 1),
        },
        _ => Expr::Other(Vec::new()),
    }
}

/// A match arm; its guard is folded in front of the body.
fn lower_arm(a: &syn::Arm, depth: u32) -> Arm {
    let body = lower_expr(&a.body, depth + 1);
    let body = match &a.guard {
        Some((_, g)) => Expr::Other(vec![lower_expr(g, depth + 1), body]),
        None => body,
    };
    Arm {
        pat: lower_pat(&a.pat),
        body,
    }
}

/// `return`, `break`, `continue`.
fn lower_jump(expr: &syn::Expr, depth: u32) -> Expr {
    use syn::Expr as E;
    match expr {
        E::Return(r) => Expr::Jump {
            value: r.expr.as_ref().map(|e| boxed(e, depth)),
            span: Span::from_pm2(r.return_token.span),
        },
        E::Break(b) => Expr::Jump {
            value: b.expr.as_ref().map(|e| boxed(e, depth)),
            span: Span::from_pm2(b.break_token.span),
        },
        E::Continue(c) => Expr::Jump {
            value: None,
            span: Span::from_pm2(c.continue_token.span),
        },
        _ => Expr::Other(Vec::new()),
    }
}

/// Awaits, `?`, operators, assignments, macros and the collections of
/// children (tuples, arrays, ranges).
fn lower_operation(expr: &syn::Expr, depth: u32) -> Expr {
    use syn::Expr as E;
    match expr {
        E::Await(a) => {
            let base = boxed(&a.base, depth);
            let span = between(start_of(&base, a.await_token.span), pm(a.await_token.span));
            Expr::Await { base, span }
        }
        E::Try(t) => Expr::Try {
            base: boxed(&t.expr, depth),
        },
        E::Unary(u) => match u.op {
            syn::UnOp::Deref(_) => Expr::Deref {
                base: boxed(&u.expr, depth),
            },
            _ => Expr::Not {
                base: boxed(&u.expr, depth),
            },
        },
        E::Reference(r) => Expr::Ref {
            base: boxed(&r.expr, depth),
        },
        E::RawAddr(r) => Expr::Ref {
            base: boxed(&r.expr, depth),
        },
        E::Assign(a) => assign(&a.left, &a.right, a.eq_token.span, false, depth),
        E::Binary(b) if is_compound_assign(&b.op) => assign(
            &b.left,
            &b.right,
            syn::spanned::Spanned::span(&b.op),
            true,
            depth,
        ),
        E::Binary(b) => Expr::Other(vec![
            lower_expr(&b.left, depth + 1),
            lower_expr(&b.right, depth + 1),
        ]),
        E::Paren(p) => lower_expr(&p.expr, depth + 1),
        E::Group(g) => lower_expr(&g.expr, depth + 1),
        E::Cast(c) => lower_expr(&c.expr, depth + 1),
        E::Macro(m) => lower_macro(&m.mac, depth + 1),
        E::Tuple(t) => Expr::Other(all(&t.elems, depth)),
        E::Array(a) => Expr::Other(all(&a.elems, depth)),
        E::Repeat(r) => Expr::Other(vec![lower_expr(&r.expr, depth + 1)]),
        E::Range(r) => Expr::Other(
            r.start
                .iter()
                .chain(r.end.iter())
                .map(|e| lower_expr(e, depth + 1))
                .collect(),
        ),
        E::Yield(y) => Expr::Other(y.expr.iter().map(|e| lower_expr(e, depth + 1)).collect()),
        _ => Expr::Other(Vec::new()),
    }
}

/// `lhs = rhs`, spanning from the target's first token (including a
/// leading `*` or `&`) to the end of the value.
fn assign(
    left: &syn::Expr,
    right: &syn::Expr,
    op: proc_macro2::Span,
    compound: bool,
    depth: u32,
) -> Expr {
    let lhs = boxed(left, depth);
    let rhs = boxed(right, depth);
    let first = match left {
        syn::Expr::Unary(u) => pm(match u.op {
            syn::UnOp::Deref(t) => t.span,
            syn::UnOp::Not(t) => t.span,
            syn::UnOp::Neg(t) => t.span,
            _ => op,
        }),
        syn::Expr::Reference(r) => pm(r.and_token.span),
        _ => start_of(&lhs, op),
    };
    let last = rhs.span().unwrap_or_else(|| pm(op));
    Expr::Assign {
        lhs,
        rhs,
        span: between(first, last),
        compound,
    }
}

fn is_compound_assign(op: &syn::BinOp) -> bool {
    use syn::BinOp as B;
    matches!(
        op,
        B::AddAssign(_)
            | B::SubAssign(_)
            | B::MulAssign(_)
            | B::DivAssign(_)
            | B::RemAssign(_)
            | B::BitXorAssign(_)
            | B::BitAndAssign(_)
            | B::BitOrAssign(_)
            | B::ShlAssign(_)
            | B::ShrAssign(_)
    )
}

/// Accessors of a type map (`OpState`, `http::Extensions`, an `AnyMap`, an
/// ECS world): the turbofish picks *which* value they return.
const TYPE_SELECTORS: &[&str] = &[
    "borrow",
    "borrow_mut",
    "try_borrow",
    "try_borrow_mut",
    "get",
    "get_mut",
    "try_get",
    "resource",
    "resource_mut",
    "take",
];

/// `<T>` for `x.borrow::<T>()` and the other type-map accessors, called
/// with no arguments: the value the type selects.
fn type_selected(m: &syn::ExprMethodCall) -> Option<String> {
    let method = m.method.to_string();
    if !m.args.is_empty() || !TYPE_SELECTORS.contains(&method.as_str()) {
        return None;
    }
    let turbofish = m.turbofish.as_ref()?;
    let tokens = quote::ToTokens::to_token_stream(&turbofish.args).to_string();
    Some(format!("<{}>", tokens.replace(' ', "")))
}
