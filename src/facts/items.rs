//! Item line ranges (fn, impl, mod, trait), `#[cfg_attr(spawnlint,
//! allow(..))]` attributes and `#[cfg(test)]` modules: what inline
//! suppression and `include-tests` need from the syntax tree.

use super::{AllowAttr, ItemRange, Items};
use syn::spanned::Spanned as _;

/// Walk a file's items (not function bodies).
pub fn extract(file: &syn::File) -> Items {
    let mut out = Items {
        first_item_line: file
            .items
            .iter()
            .find(|i| !matches!(i, syn::Item::Use(_) | syn::Item::ExternCrate(_)))
            .map(|i| start_line(attrs_of(i), keyword_line(i)))
            .unwrap_or(u32::MAX),
        ..Items::default()
    };
    for a in allows(&file.attrs, true) {
        out.allows.push(AllowAttr {
            line: a.0,
            names: a.1,
            range: None,
        });
    }
    items(&file.items, &mut out);
    out
}

fn items(list: &[syn::Item], out: &mut Items) {
    for item in list {
        let (attrs, end) = match item {
            syn::Item::Fn(f) => (&f.attrs, f.block.brace_token.span.close()),
            syn::Item::Impl(i) => (&i.attrs, i.brace_token.span.close()),
            syn::Item::Trait(t) => (&t.attrs, t.brace_token.span.close()),
            syn::Item::Mod(m) => match &m.content {
                Some((brace, _)) => (&m.attrs, brace.span.close()),
                None => continue,
            },
            _ => continue,
        };
        let range = ItemRange {
            start: start_line(attrs, keyword_line(item)),
            end: end.end().line as u32,
        };
        record(attrs, range, out);
        match item {
            syn::Item::Impl(i) => {
                for ii in &i.items {
                    if let syn::ImplItem::Fn(f) = ii {
                        let range = ItemRange {
                            start: start_line(&f.attrs, f.sig.fn_token.span.start().line as u32),
                            end: f.block.brace_token.span.close().end().line as u32,
                        };
                        record(&f.attrs, range, out);
                    }
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    items(inner, out);
                }
            }
            _ => {}
        }
    }
}

fn record(attrs: &[syn::Attribute], range: ItemRange, out: &mut Items) {
    out.ranges.push(range);
    if attrs.iter().any(is_cfg_test) {
        out.test_ranges.push(range);
    }
    for (line, names) in allows(attrs, false) {
        out.allows.push(AllowAttr {
            line,
            names,
            range: Some(range),
        });
    }
    // `#![cfg_attr(spawnlint, allow(..))]` inside a module covers it too.
    for (line, names) in allows(attrs, true) {
        out.allows.push(AllowAttr {
            line,
            names,
            range: Some(range),
        });
    }
}

/// First line of an item: its first attribute (doc comments included) or
/// its keyword line.
fn start_line(attrs: &[syn::Attribute], keyword: u32) -> u32 {
    attrs
        .iter()
        .map(|a| a.pound_token.span.start().line as u32)
        .chain(std::iter::once(keyword))
        .min()
        .unwrap_or(keyword)
}

fn attrs_of(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Fn(f) => &f.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Mod(m) => &m.attrs,
        syn::Item::Trait(t) => &t.attrs,
        syn::Item::Struct(s) => &s.attrs,
        syn::Item::Enum(e) => &e.attrs,
        syn::Item::Const(c) => &c.attrs,
        syn::Item::Static(s) => &s.attrs,
        syn::Item::Type(t) => &t.attrs,
        syn::Item::Macro(m) => &m.attrs,
        _ => &[],
    }
}

/// The line of an item's first token after its attributes.
fn keyword_line(item: &syn::Item) -> u32 {
    let span = match item {
        syn::Item::Fn(f) => vis_or(&f.vis, f.sig.fn_token.span),
        syn::Item::Impl(i) => i.impl_token.span,
        syn::Item::Mod(m) => vis_or(&m.vis, m.mod_token.span),
        syn::Item::Trait(t) => vis_or(&t.vis, t.trait_token.span),
        syn::Item::Struct(s) => vis_or(&s.vis, s.struct_token.span),
        syn::Item::Enum(e) => vis_or(&e.vis, e.enum_token.span),
        // Rare at the top of a file; one `span()` call is affordable.
        other => other.span(),
    };
    span.start().line as u32
}

fn vis_or(vis: &syn::Visibility, kw: proc_macro2::Span) -> proc_macro2::Span {
    match vis {
        syn::Visibility::Public(p) => p.span,
        syn::Visibility::Restricted(r) => r.pub_token.span,
        syn::Visibility::Inherited => kw,
    }
}

/// Whether an attribute is `#[cfg(test)]`.
pub(crate) fn is_cfg_test(a: &syn::Attribute) -> bool {
    a.path().is_ident("cfg")
        && a.parse_args::<syn::Ident>()
            .map(|i| i == "test")
            .unwrap_or(false)
}

/// `cfg_attr(spawnlint, allow(a, b))` attributes (outer, or inner when
/// `inner`): their line and the names listed (underscores read as dashes).
fn allows(attrs: &[syn::Attribute], inner: bool) -> Vec<(u32, Vec<String>)> {
    let mut out = Vec::new();
    for a in attrs {
        if matches!(a.style, syn::AttrStyle::Inner(_)) != inner || !a.path().is_ident("cfg_attr") {
            continue;
        }
        let Ok(list) = a.parse_args_with(
            syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let mut metas = list.iter();
        if !metas.next().is_some_and(|m| m.path().is_ident("spawnlint")) {
            continue;
        }
        for m in metas {
            if !m.path().is_ident("allow") {
                continue;
            }
            let names = match m {
                syn::Meta::List(l) => l
                    .parse_args_with(
                        syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                    )
                    .map(|ps| {
                        ps.iter()
                            .map(|p| {
                                p.segments
                                    .iter()
                                    .map(|s| s.ident.to_string())
                                    .collect::<Vec<_>>()
                                    .join("::")
                                    .replace('_', "-")
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            out.push((a.pound_token.span.start().line as u32, names));
        }
    }
    out
}
