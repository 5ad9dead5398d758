//! Lowering: syn's syntax tree → [`FileFacts`]: items here, function
//! bodies in `expr.rs`, macro arguments in `macros.rs`.

mod expand;
mod expr;
mod macros;

use super::bodies::{Body, RawCall};
use super::*;
use crate::source::Span;
use expr::{between, lower_block, lower_expr, lower_pat, pm};

/// Extract the facts of a parsed file, every body lowered.
pub fn extract(file: &syn::File) -> FileFacts {
    extract_lazily(file, None)
}

/// Extract the facts of a file syn parsed with the bodies of `pending`
/// blanked ([`super::bodies`]): those bodies are left for later, their
/// calls taken from the body index. `pending` is the text syn would have
/// parsed whole, and the bodies found in it.
pub fn extract_lazily(file: &syn::File, pending: Option<(&Arc<str>, &[Body])>) -> FileFacts {
    let mut facts = FileFacts::default();
    let mut module = Vec::new();
    let mut cx = Cx {
        defs: expand::MacroDefs::collect(&file.items),
        pending,
        at: pending
            .into_iter()
            .flat_map(|(_, bodies)| bodies.iter().enumerate())
            .map(|(i, b)| ((b.line, b.column), i))
            .collect(),
        lazy: Vec::new(),
        test_mods: 0,
    };
    items(&file.items, &mut module, &mut facts, &mut cx, 0);
    // After all items: `use` declarations may follow the functions.
    for i in 0..facts.fns.len() {
        if !facts.fns[i].is_pending() {
            let c = callees(&facts.fns[i], &facts.uses);
            facts.fns[i].callees = c;
        }
    }
    for &(f, b) in &cx.lazy {
        let bodies = cx.pending.map_or(&[][..], |(_, b)| b);
        let c = raw_callees(&bodies[b].calls, &facts.fns[f], &facts.uses);
        facts.fns[f].callees = c;
    }
    for f in &mut facts.fns {
        f.may_update = match f.body.get() {
            Some(_) => !default_updates_of(f).is_empty(),
            None => cx
                .lazy_index(f)
                .is_some_and(|b| cx.pending.is_some_and(|(_, bodies)| bodies[b].updates)),
        };
    }
    facts
}

/// The `T { .., ..Default::default() }` / `..T::default()` struct updates
/// of a function's body, by type name (`Self` replaced by the impl's
/// type), in order.
pub fn default_updates_of(f: &FnFacts) -> Vec<(String, Span)> {
    let mut updates = Vec::new();
    for s in &f.body().stmts {
        let e = match s {
            Stmt::Let { init: Some(e), .. } | Stmt::Expr(e) => e,
            Stmt::Let { .. } => continue,
        };
        default_updates(e, f.owner.as_deref(), &mut updates);
    }
    updates
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

/// What lowering a file's items carries along.
struct Cx<'a> {
    defs: expand::MacroDefs,
    /// The text syn would have parsed, and the bodies left for later.
    pending: Option<(&'a Arc<str>, &'a [Body])>,
    /// Pending bodies by the position of their `{`.
    at: HashMap<(u32, u32), usize>,
    /// Functions whose body is pending, with their body's index.
    lazy: Vec<(usize, usize)>,
    /// `#[cfg(test)]` modules around the items being lowered.
    test_mods: u32,
}

impl Cx<'_> {
    /// The index of `f`'s pending body in the body index.
    fn lazy_index(&self, f: &FnFacts) -> Option<usize> {
        let lazy = f.lazy.as_ref()?;
        self.at.get(&(lazy.line, lazy.column)).copied()
    }

    /// Lower a function into `facts`, its body left for later when the
    /// body index has it (and syn saw it blanked).
    fn push_fn(
        &mut self,
        facts: &mut FileFacts,
        (sig, block): (&syn::Signature, &syn::Block),
        owner: Option<String>,
        trait_name: Option<String>,
        module: &[String],
    ) {
        let open = block.brace_token.span.open().start();
        let index = self
            .at
            .get(&(open.line as u32, open.column as u32))
            .copied();
        let pending = index.zip(self.pending);
        let blanked = block.stmts.iter().all(|s| matches!(s, syn::Stmt::Item(_)));
        // syn saw a stub of the signature whenever the index has one,
        // blanked body or not.
        let stub = pending.and_then(|(i, (_, bodies))| bodies[i].sig);
        let lazy = pending
            .filter(|_| blanked || stub.is_some())
            .map(|(i, (text, bodies))| {
                let b = &bodies[i];
                Box::new(LazyBody {
                    text: Arc::clone(text),
                    open: b.open,
                    close: b.close,
                    line: b.line,
                    column: b.column,
                    error: OnceLock::new(),
                    sig: stub,
                })
            });
        let lazy_body = blanked && lazy.is_some();
        let lower = (!lazy_body, stub.is_none());
        let mut lowered = lower_fn(sig, block, (owner, trait_name), module, lower);
        if let Some(i) = index.filter(|_| lazy_body) {
            self.lazy.push((facts.fns.len(), i));
        }
        lowered.lazy = lazy;
        lowered.test_only = self.test_mods > 0;
        facts.fns.push(lowered);
    }
}

fn items(
    list: &[syn::Item],
    module: &mut Vec<String>,
    facts: &mut FileFacts,
    cx: &mut Cx,
    depth: u32,
) {
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
                cx.push_fn(facts, (&f.sig, &f.block), None, None, module);
                nested_items(&f.block, module, facts, cx, depth);
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
                let impl_test = imp.attrs.iter().any(crate::facts::items::is_cfg_test);
                for ii in &imp.items {
                    if let syn::ImplItem::Fn(m) = ii {
                        let sig = (&m.sig, &m.block);
                        cx.push_fn(facts, sig, owner.clone(), trait_name.clone(), module);
                        let test =
                            impl_test || m.attrs.iter().any(crate::facts::items::is_cfg_test);
                        if let Some(f) = facts.fns.last_mut() {
                            f.test_only |= test;
                        }
                        nested_items(&m.block, module, facts, cx, depth);
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
            // An invocation of a macro this file defines: its expansion's
            // items, lowered in place.
            syn::Item::Macro(m) if depth < expand::MAX_DEPTH => {
                if let Some(expanded) = cx.defs.expand_items(&m.mac) {
                    items(&expanded, module, facts, cx, depth + 1);
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    let test = m.attrs.iter().any(crate::facts::items::is_cfg_test);
                    module.push(m.ident.to_string());
                    cx.test_mods += u32::from(test);
                    items(inner, module, facts, cx, depth);
                    cx.test_mods -= u32::from(test);
                    module.pop();
                }
            }
            _ => {}
        }
    }
}

/// Items declared inside function bodies (helper fns, local impls).
fn nested_items(
    block: &syn::Block,
    module: &mut Vec<String>,
    facts: &mut FileFacts,
    cx: &mut Cx,
    depth: u32,
) {
    let inner: Vec<syn::Item> = block
        .stmts
        .iter()
        .filter_map(|s| match s {
            syn::Stmt::Item(i) => Some(i.clone()),
            _ => None,
        })
        .collect();
    if !inner.is_empty() {
        items(&inner, module, facts, cx, depth);
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
    reduce_type(ty, false)
}

/// A return type, as [`type_info`] reduces it, but a tuple is its first
/// element (`(Self, Receiver<T>)`, `Result<(Self, Guard)>`): what a
/// constructor returning extra values constructs, with a `Tuple` wrapper
/// saying it comes first among others.
fn return_type_info(ty: &syn::Type) -> TypeInfo {
    reduce_type(ty, true)
}

fn reduce_type(ty: &syn::Type, tuple_head: bool) -> TypeInfo {
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
                                        let inner = reduce_type(&at.ty, tuple_head);
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
            // `Mutex<()>`: a lock that guards no data.
            syn::Type::Tuple(t) if t.elems.is_empty() => {
                info.core = Some("()".to_string());
                return info;
            }
            syn::Type::Tuple(t) if tuple_head => {
                info.wrappers.push("Tuple".to_string());
                ty = &t.elems[0];
            }
            _ => return info,
        }
    }
}

/// Lower a function item: its body now when `lower_body`, its
/// parameters and return type now when `lower_sig` (else syn saw a stub
/// and they are parsed when read: [`lazy_sig`]).
fn lower_fn(
    sig: &syn::Signature,
    body: &syn::Block,
    (owner, trait_name): (Option<String>, Option<String>),
    module: &[String],
    (lower_body, lower_sig): (bool, bool),
) -> FnFacts {
    let item_span = between(pm(sig.fn_token.span), pm(body.brace_token.span.close()));
    let body = if lower_body {
        OnceLock::from(lower_block(body, 0))
    } else {
        OnceLock::new()
    };
    let (receiver, lowered) = lower_signature(sig);
    FnFacts {
        name: sig.ident.to_string(),
        name_span: Span::from_pm2(sig.ident.span()),
        item_span,
        owner,
        trait_name,
        receiver,
        sig: if lower_sig {
            OnceLock::from(lowered)
        } else {
            OnceLock::new()
        },
        is_async: sig.asyncness.is_some(),
        module: module.to_vec(),
        callees: Vec::new(),
        body,
        lazy: None,
        may_update: false,
        test_only: false,
    }
}

/// How `self` is taken, the other parameters and the return type.
fn lower_signature(sig: &syn::Signature) -> (Receiver, SigFacts) {
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
        syn::ReturnType::Type(_, ty) => Some(return_type_info(ty)),
    };
    (receiver, SigFacts { params, ret })
}

/// The text of `len` bytes that sits at 1-based `line` and 0-based
/// `column` of its file, with as many line breaks and spaces before it,
/// so the spans syn gives it are the file's.
fn padded(text: &str, line: u32, column: u32) -> String {
    let mut padded = String::with_capacity(text.len() + line as usize + column as usize);
    padded.extend(std::iter::repeat('\n').take(line.saturating_sub(1) as usize));
    padded.extend(std::iter::repeat(' ').take(column as usize));
    padded.push_str(text);
    padded
}

/// Parse and lower the parameters and return type of a function whose
/// signature syn saw as a stub, from its text where it stands. A
/// signature syn rejects has none, and [`FnFacts::body_error`] says why.
pub(crate) fn lazy_sig(lazy: &LazyBody) -> SigFacts {
    let Some(stub) = lazy.sig else {
        return SigFacts::default();
    };
    let text = &lazy.text[stub.fn_at..lazy.open];
    let parse = <syn::Signature as syn::parse::Parse>::parse;
    parse_where_it_stands(lazy, text, (stub.line, stub.column), parse, |sig| {
        lower_signature(sig).1
    })
    .unwrap_or_default()
}

/// Parse and lower a pending body: syn sees it where it is in its file
/// (lines and columns before it kept as blank text), so its spans are the
/// file's.
pub(crate) fn lazy_body(lazy: &LazyBody) -> Block {
    let text = &lazy.text[lazy.open..=lazy.close];
    parse_where_it_stands(lazy, text, (lazy.line, lazy.column), fn_body, |block| {
        lower_block(block, 0)
    })
    .unwrap_or_default()
}

/// Parse `text`, which stands at 1-based `line` and 0-based `column` of
/// its file, with `parser`, and lower it; syn's message (or a caught
/// panic) is kept as the function's error and gives `None`.
fn parse_where_it_stands<T, O>(
    lazy: &LazyBody,
    text: &str,
    (line, column): (u32, u32),
    parser: fn(syn::parse::ParseStream) -> syn::Result<T>,
    lower: impl FnOnce(&T) -> O,
) -> Option<O> {
    let padded = padded(text, line, column);
    let lowered = crate::isolate::catch(|| match syn::parse::Parser::parse_str(parser, &padded) {
        Ok(tree) => Ok(lower(&tree)),
        Err(e) => {
            let at = e.span().start();
            Err((at.line as u32, at.column as u32 + 1, e.to_string()))
        }
    });
    // Spans were copied into our own positions (see `parse::parse_source_as`).
    proc_macro2::extra::invalidate_current_thread_spans();
    let error = match lowered {
        Ok(Ok(out)) => return Some(out),
        Ok(Err(e)) => e,
        Err(panic) => (
            line,
            column + 1,
            format!("internal error while parsing ({panic})"),
        ),
    };
    let _ = lazy.error.set(error);
    None
}

/// A function's block as syn parses it in an item: inner attributes
/// (`#![allow(..)]`) first, which `syn::Block`'s own parser rejects.
fn fn_body(input: syn::parse::ParseStream) -> syn::Result<syn::Block> {
    let content;
    let brace_token = syn::braced!(content in input);
    content.call(syn::Attribute::parse_inner)?;
    let stmts = content.call(syn::Block::parse_within)?;
    Ok(syn::Block { brace_token, stmts })
}

/// The calls the body index read in a pending body, as [`callees`] names
/// them.
fn raw_callees(calls: &[RawCall], f: &FnFacts, uses: &HashMap<String, Vec<String>>) -> Vec<Callee> {
    let mut out = Vec::new();
    let owner = f.owner.as_deref();
    for c in calls {
        match c {
            RawCall::Method(m) => out.push(Callee::Method(m.clone())),
            RawCall::Macro(m) => out.push(Callee::Free(m.clone())),
            RawCall::Path(q, name) => path_callee(q.as_deref(), name, owner, uses, &mut out),
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The calls of a body (see [`Expr::callees`]).
fn callees(f: &FnFacts, uses: &HashMap<String, Vec<String>>) -> Vec<Callee> {
    let mut out = Vec::new();
    let owner = f.owner.as_deref();
    for s in &f.body().stmts {
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

#[cfg(test)]
mod tests;
