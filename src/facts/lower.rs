//! Lowering: syn's syntax tree → [`FileFacts`].

use super::*;
use crate::source::Span;

/// Nesting beyond this depth is lowered as opaque: no real code nests
/// deeper, and it bounds the recursion of every later stage.
const MAX_DEPTH: u32 = 256;

/// A macro's arguments, lowered where they parse, so the analysis sees
/// accesses inside `format!`, `assert!`, logging macros and block-bodied
/// macros. The tokens are read once as a list of expressions separated by
/// `,`, `;` or `=>`; a piece that is no expression is skipped up to the next
/// separator, which also covers key-value logging (`info!("msg"; "k" =>
/// v)`). Brace-bodied macros holding statements are parsed as a block.
fn macro_args(mac: &syn::Macro, depth: u32) -> Vec<Expr> {
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
        while !input.is_empty() {
            let fork = input.fork();
            match fork.parse::<syn::Expr>() {
                // A block needs no separator after it: `select!` arms are
                // `pat = fut => { .. }` one after the other.
                Ok(e) if at_separator(&fork) || matches!(e, syn::Expr::Block(_)) => {
                    input.advance_to(&fork);
                    out.push(e);
                }
                _ => {
                    while !at_separator(input) {
                        input.parse::<proc_macro2::TokenTree>()?;
                    }
                }
            }
            if input.peek(syn::Token![=>]) {
                input.parse::<syn::Token![=>]>()?;
            } else if !input.is_empty() {
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

/// Extract the facts of a parsed file.
pub fn extract(file: &syn::File) -> FileFacts {
    let mut facts = FileFacts::default();
    let mut module = Vec::new();
    items(&file.items, &mut module, &mut facts);
    // After all items: `use` declarations may follow the functions.
    for i in 0..facts.fns.len() {
        let c = callees(&facts.fns[i], &facts.uses);
        facts.fns[i].callees = c;
    }
    let mut updates = Vec::new();
    for f in &facts.fns {
        for s in &f.body.stmts {
            let e = match s {
                Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => e,
                Stmt::Let { .. } => continue,
            };
            default_updates(e, f.owner.as_deref(), &mut updates);
        }
    }
    facts.default_updates = updates;
    facts
}

/// `T { .., ..Default::default() }` / `..T::default()` struct updates,
/// by the type name (`Self` replaced by the impl's type).
fn default_updates(e: &Expr, owner: Option<&str>, out: &mut Vec<(String, Span)>) {
    if let Expr::Struct {
        name,
        rest: Some(rest),
        span,
        ..
    } = e
    {
        if let Expr::Call { func, args, .. } = &**rest {
            if let Expr::Path { segs, .. } = &**func {
                if args.is_empty() && segs.last().is_some_and(|l| l == "default") {
                    let ty = if name == "Self" {
                        owner.unwrap_or(name)
                    } else {
                        name
                    };
                    out.push((ty.to_string(), *span));
                }
            }
        }
    }
    e.for_each_child(|c| default_updates(c, owner, out));
}

fn items(list: &[syn::Item], module: &mut Vec<String>, facts: &mut FileFacts) {
    for item in list {
        match item {
            syn::Item::Use(u) => uses(&u.tree, &mut Vec::new(), facts),
            syn::Item::Struct(s) => {
                let fields = s
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let name = f
                            .ident
                            .as_ref()
                            .map(|i| i.to_string())
                            .unwrap_or_else(|| i.to_string());
                        (name, type_info(&f.ty))
                    })
                    .collect();
                facts.structs.push(StructFacts {
                    name: s.ident.to_string(),
                    fields,
                });
            }
            syn::Item::Fn(f) => {
                let lowered = lower_fn(&f.sig, &f.block, None, None, module);
                facts.fns.push(lowered);
                nested_items(&f.block, module, facts);
            }
            syn::Item::Impl(imp) => {
                let owner = match &*imp.self_ty {
                    syn::Type::Path(tp) => tp.path.segments.last().map(|s| s.ident.to_string()),
                    _ => None,
                };
                let trait_name = imp
                    .trait_
                    .as_ref()
                    .and_then(|(_, p, _)| p.segments.last().map(|s| s.ident.to_string()));
                for ii in &imp.items {
                    if let syn::ImplItem::Fn(m) = ii {
                        let lowered =
                            lower_fn(&m.sig, &m.block, owner.clone(), trait_name.clone(), module);
                        facts.fns.push(lowered);
                        nested_items(&m.block, module, facts);
                    }
                }
            }
            syn::Item::Static(st) => facts.statics.push(StaticFacts {
                name: st.ident.to_string(),
                ty: type_info(&st.ty),
                init: lower_expr(&st.expr, 0),
            }),
            syn::Item::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                // A crate's own `spawn!` wrapper: its body names a spawner.
                let body = m.mac.tokens.to_string();
                if let Some(name) = &m.ident {
                    if body.contains("spawn") {
                        facts.spawn_macros.push(name.to_string());
                    }
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    module.push(m.ident.to_string());
                    items(inner, module, facts);
                    module.pop();
                }
            }
            _ => {}
        }
    }
}

/// Items declared inside function bodies (helper fns, local impls).
fn nested_items(block: &syn::Block, module: &mut Vec<String>, facts: &mut FileFacts) {
    let inner: Vec<syn::Item> = block
        .stmts
        .iter()
        .filter_map(|s| match s {
            syn::Stmt::Item(i) => Some(i.clone()),
            _ => None,
        })
        .collect();
    if !inner.is_empty() {
        items(&inner, module, facts);
    }
}

fn uses(tree: &syn::UseTree, prefix: &mut Vec<String>, facts: &mut FileFacts) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            uses(&p.tree, prefix, facts);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last() {
                    facts.uses.insert(last.clone(), prefix.clone());
                }
            } else {
                let mut full = prefix.clone();
                full.push(name.clone());
                facts.uses.insert(name, full);
            }
        }
        syn::UseTree::Rename(r) => {
            let mut full = prefix.clone();
            let name = r.ident.to_string();
            if name != "self" {
                full.push(name);
            }
            facts.uses.insert(r.rename.to_string(), full);
        }
        syn::UseTree::Glob(_) => facts.globs.push(prefix.clone()),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                uses(t, prefix, facts);
            }
        }
    }
}

const WRAPPERS: &[&str] = &[
    "Arc",
    "Rc",
    "Box",
    "Pin",
    "Option",
    "Result",
    "Mutex",
    "RwLock",
    "RefCell",
    "Cell",
    "OnceLock",
    "OnceCell",
    "Weak",
    "ArcSwap",
    "ArcSwapOption",
    "Lazy",
    "LazyLock",
    "ManuallyDrop",
    "Cow",
    "Vec",
    "VecDeque",
    "JoinHandle",
];

/// Reduce a type to its wrappers and core name.
pub fn type_info(ty: &syn::Type) -> TypeInfo {
    let mut info = TypeInfo::default();
    let mut ty = ty;
    loop {
        match ty {
            syn::Type::Reference(r) => ty = &r.elem,
            syn::Type::Paren(p) => ty = &p.elem,
            syn::Type::Group(g) => ty = &g.elem,
            syn::Type::Path(tp) => {
                let Some(last) = tp.path.segments.last() else {
                    return info;
                };
                let name = last.ident.to_string();
                if name == "Self" {
                    info.is_self = true;
                    info.core = Some(name);
                    return info;
                }
                if WRAPPERS.contains(&name.as_str()) {
                    if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                        if let Some(syn::GenericArgument::Type(inner)) = args.args.first() {
                            info.wrappers.push(name);
                            ty = inner;
                            continue;
                        }
                    }
                }
                info.core = Some(name);
                info.path = tp
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                return info;
            }
            syn::Type::ImplTrait(it) => {
                // `impl Future<Output = Self>`: look through to the output.
                for b in &it.bounds {
                    if let syn::TypeParamBound::Trait(t) = b {
                        if let Some(seg) = t.path.segments.last() {
                            if let syn::PathArguments::AngleBracketed(a) = &seg.arguments {
                                for arg in &a.args {
                                    if let syn::GenericArgument::AssocType(at) = arg {
                                        info.wrappers.push(seg.ident.to_string());
                                        let inner = type_info(&at.ty);
                                        info.wrappers.extend(inner.wrappers);
                                        info.core = inner.core;
                                        info.is_self = inner.is_self;
                                        info.path = inner.path;
                                        return info;
                                    }
                                }
                            }
                        }
                    }
                }
                return info;
            }
            _ => return info,
        }
    }
}

fn lower_fn(
    sig: &syn::Signature,
    body: &syn::Block,
    owner: Option<String>,
    trait_name: Option<String>,
    module: &[String],
) -> FnFacts {
    let item_span = between(pm(sig.fn_token.span), pm(body.brace_token.span.close()));
    let body = lower_block(body, 0);
    let mut receiver = Receiver::None;
    let mut params = Vec::new();
    for input in &sig.inputs {
        match input {
            syn::FnArg::Receiver(r) => {
                receiver = if r.reference.is_some() {
                    if r.mutability.is_some() {
                        Receiver::RefMut
                    } else {
                        Receiver::Ref
                    }
                } else if r.colon_token.is_some() && matches!(&*r.ty, syn::Type::Reference(_)) {
                    Receiver::Ref
                } else {
                    Receiver::Value
                };
            }
            syn::FnArg::Typed(t) => params.push(Param {
                pat: lower_pat(&t.pat),
                ty: type_info(&t.ty),
            }),
        }
    }
    let ret = match &sig.output {
        syn::ReturnType::Default => None,
        syn::ReturnType::Type(_, ty) => Some(type_info(ty)),
    };
    FnFacts {
        name: sig.ident.to_string(),
        name_span: Span::from_pm2(sig.ident.span()),
        item_span,
        owner,
        trait_name,
        receiver,
        params,
        ret,
        is_async: sig.asyncness.is_some(),
        module: module.to_vec(),
        callees: Vec::new(),
        body,
    }
}

/// The calls of a body (see [`Expr::callees`]).
fn callees(f: &FnFacts, uses: &HashMap<String, Vec<String>>) -> Vec<Callee> {
    let mut out = Vec::new();
    let owner = f.owner.as_deref();
    for s in &f.body.stmts {
        match s {
            Stmt::Let { init, diverge, .. } => {
                if let Some(i) = init {
                    i.callees(owner, uses, &mut out);
                }
                for d in diverge.iter().flat_map(|d| &d.stmts) {
                    if let Stmt::Expr(e) | Stmt::Let { init: Some(e), .. } = d {
                        e.callees(owner, uses, &mut out);
                    }
                }
            }
            Stmt::Expr(e) => e.callees(owner, uses, &mut out),
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn lower_block(block: &syn::Block, depth: u32) -> Block {
    lower_stmts(
        &block.stmts,
        Span::from_pm2(block.brace_token.span.join()),
        depth,
    )
}

fn lower_stmts(stmts: &[syn::Stmt], span: Span, depth: u32) -> Block {
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
pub fn lower_pat(pat: &syn::Pat) -> Pat {
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

fn pm(s: proc_macro2::Span) -> Span {
    Span::from_pm2(s)
}

/// From the start of `first` to the end of `last`.
fn between(first: Span, last: Span) -> Span {
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

fn macro_span(mac: &syn::Macro) -> Span {
    between(path_span(&mac.path), pm(delimiter_close(&mac.delimiter)))
}

/// Lower an expression.
pub fn lower_expr(expr: &syn::Expr, depth: u32) -> Expr {
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
        E::Lit(l) => Expr::Lit(match &l.lit {
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
        }),
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
            let recv = boxed(&m.receiver, depth);
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
        E::Struct(s) => Expr::Struct {
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
        },
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
            arms: m
                .arms
                .iter()
                .map(|a| {
                    let body = lower_expr(&a.body, depth + 1);
                    let body = match &a.guard {
                        Some((_, g)) => Expr::Other(vec![lower_expr(g, depth + 1), body]),
                        None => body,
                    };
                    Arm {
                        pat: lower_pat(&a.pat),
                        body,
                    }
                })
                .collect(),
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
