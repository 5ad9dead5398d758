//! SL003 fixes: a shared value replaced where the task holds the old one
//! is changed in place instead, or published on a `watch` channel.

use super::format_stmts;
use crate::diagnostic::{Fix, FixStrategy};
use quote::{format_ident, quote};

/// Parse the right-hand side of an assignment statement (`self.x = v;`),
/// unwrapping an `Arc::new(..)`/`Rc::new(..)` around it.
pub fn assigned_value(stmt: &str) -> Option<(syn::Expr, syn::Expr)> {
    let stmt = stmt.trim().trim_end_matches(';');
    let syn::Expr::Assign(a) = syn::parse_str::<syn::Expr>(stmt).ok()? else {
        return None;
    };
    let inner = match &*a.right {
        syn::Expr::Call(c)
            if c.args.len() == 1
                && matches!(&*c.func, syn::Expr::Path(p)
                    if p.path.segments.len() >= 2
                        && p.path.segments.iter().rev().nth(1).is_some_and(|s| s.ident == "Arc" || s.ident == "Rc")
                        && p.path.segments.last().is_some_and(|s| s.ident == "new")) =>
        {
            c.args.first().cloned()?
        }
        other => other.clone(),
    };
    Some(((*a.left).clone(), inner))
}

/// SL003: keep one shared value and change it in place, so every holder of
/// the handle sees the new value.
pub fn mutate_in_place(field: &str, stmt: &str, value_type: Option<&str>) -> Option<Fix> {
    let (place, value) = assigned_value(stmt)?;
    let inner = value_type.unwrap_or("..");
    let decl = format!(
        "// declare `{field}: Arc<std::sync::RwLock<{inner}>>`, read it as `{field}.read().unwrap()` in the task,"
    );
    let code = format_stmts(quote! { *#place.write().unwrap() = #value; })?;
    Some(Fix {
        strategy: FixStrategy::MutateInPlace,
        title: format!(
            "change `{field}` through the handle the task already holds instead of replacing it"
        ),
        code: format!(
            "{decl}\n// and write through the lock instead of replacing the Arc:\n{code}"
        ),
        ..Fix::default()
    })
}

/// SL003 where the state already is `Arc<std::sync::RwLock<T>>` (or a
/// `Mutex`) and the statement replaces the whole `Arc` with a new lock:
/// the statement that writes the new value through the lock the task
/// already holds instead (`*self.routes.write().unwrap() = table;`).
/// `None` when the new value is not a new lock of that kind (or a
/// default) that can be unwrapped.
pub fn lock_in_place(stmt: &str, lock: &str) -> Option<String> {
    let (place, value) = assigned_value(stmt)?;
    let is_call_to = |e: &syn::Expr, ty: &str, f: &str| match e {
        syn::Expr::Call(c) => matches!(&*c.func, syn::Expr::Path(p)
            if p.path.segments.len() >= 2
                && p.path.segments.iter().rev().nth(1).is_some_and(|s| s.ident == ty)
                && p.path.segments.last().is_some_and(|s| s.ident == f)),
        _ => false,
    };
    let inner: syn::Expr = match &value {
        syn::Expr::Call(c) if c.args.len() == 1 && is_call_to(&value, lock, "new") => {
            c.args.first()?.clone()
        }
        syn::Expr::Call(c)
            if c.args.is_empty()
                && (is_call_to(&value, "Arc", "default")
                    || is_call_to(&value, "Default", "default")) =>
        {
            syn::parse_quote!(Default::default())
        }
        _ => return None,
    };
    let guard = match lock {
        "RwLock" => quote!(write),
        "Mutex" => quote!(lock),
        _ => return None,
    };
    format_stmts(quote! { *#place.#guard().unwrap() = #inner; })
}

/// SL003: publish new values on a `watch` channel the task reads.
pub fn watch_channel(field: &str, stmt: &str) -> Option<Fix> {
    let (_, value) = assigned_value(stmt)?;
    let tx = format_ident!("{}_tx", field);
    let rx = format_ident!("{}_rx", field);
    let f = format_ident!("{}", field);
    let create = format_stmts(quote! {
        let (#tx, #rx) = tokio::sync::watch::channel(#f.clone());
    })?;
    let read = format_stmts(quote! { let #f = #rx.borrow().clone(); })?;
    let send = format_stmts(quote! { self.#tx.send_replace(std::sync::Arc::new(#value)); })?;
    Some(Fix {
        strategy: FixStrategy::WatchChannel,
        title: format!("or send each new `{field}` over a `watch` channel the task reads"),
        code: format!(
            "// where the task is spawned; keep `{tx}` in the struct and move `{rx}` into the task:\n{create}\n\n// in the task, read the current value each time round:\n{read}\n\n// where `{field}` was replaced:\n{send}"
        ),
        ..Fix::default()
    })
}
