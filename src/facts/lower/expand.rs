//! `macro_rules!` expansion at item position, for the macros a file defines
//! itself: `counter_cache!(PageHits, 300);` becomes the items of the arm it
//! matches, with `$name`/`$ttl` replaced by what the invocation passed, and
//! those items are lowered like any other. Real start-up code and serve
//! loops are often stamped out this way; without expansion the analysis
//! sees nothing of them.
//!
//! The matcher is a subset of `macro_rules!`: literal tokens, groups, and
//! fragments (`ident`, `tt`, `literal`, `lifetime`, `block` as one token
//! tree; `expr`, `ty`, `path`, `pat`, `stmt`, `item`, `meta`, `vis` up to
//! the pattern's next literal token). An arm with a repetition
//! (`$(..)*`) in its pattern or body is not expanded, and neither is a
//! macro defined in another file (its tokens carry that file's
//! positions). The tokens of the body keep their spans, so findings land
//! on the lines of the macro's definition; tokens passed in keep the
//! invocation's.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use std::collections::HashMap;

/// The `macro_rules!` macros of one file, by name: their arms.
#[derive(Default)]
pub(super) struct MacroDefs {
    by_name: HashMap<String, Vec<Arm>>,
    /// Expansions made so far in this file, against [`MAX_EXPANSIONS`].
    made: std::cell::Cell<u32>,
}

struct Arm {
    pattern: Vec<TokenTree>,
    body: TokenStream,
}

/// How deep expansions may nest (a macro whose body invokes another).
pub(super) const MAX_DEPTH: u32 = 4;

/// How many expansions one file may make: a macro whose body invokes
/// itself several times would otherwise grow without bound within the
/// depth limit.
const MAX_EXPANSIONS: u32 = 256;

impl MacroDefs {
    /// Every `macro_rules!` of `items`, nested modules included.
    pub(super) fn collect(items: &[syn::Item]) -> MacroDefs {
        let mut defs = MacroDefs::default();
        defs.add(items);
        defs
    }

    fn add(&mut self, items: &[syn::Item]) {
        for item in items {
            match item {
                syn::Item::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                    if let Some(name) = &m.ident {
                        self.by_name
                            .insert(name.to_string(), arms(m.mac.tokens.clone()));
                    }
                }
                syn::Item::Mod(m) => {
                    if let Some((_, inner)) = &m.content {
                        self.add(inner);
                    }
                }
                _ => {}
            }
        }
    }

    /// The items an invocation `name!(input)` expands to, when the file
    /// defines `name`, an arm matches and the result parses as items.
    pub(super) fn expand_items(&self, mac: &syn::Macro) -> Option<Vec<syn::Item>> {
        let name = mac.path.get_ident()?.to_string();
        let arms = self.by_name.get(&name)?;
        if self.made.get() >= MAX_EXPANSIONS {
            return None;
        }
        self.made.set(self.made.get() + 1);
        let input: Vec<TokenTree> = mac.tokens.clone().into_iter().collect();
        let out = arms.iter().find_map(|arm| {
            let mut binds = HashMap::new();
            matches(&arm.pattern, &input, &mut binds)
                .then(|| substitute(arm.body.clone(), &binds))
                .flatten()
        })?;
        syn::parse2::<syn::File>(out).ok().map(|f| f.items)
    }
}

/// The arms of a `macro_rules!` body: `(pattern) => { body };`…
fn arms(tokens: TokenStream) -> Vec<Arm> {
    let tts: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let (
        Some(TokenTree::Group(pat)),
        Some(TokenTree::Punct(eq)),
        Some(TokenTree::Punct(gt)),
        Some(TokenTree::Group(body)),
    ) = (tts.get(i), tts.get(i + 1), tts.get(i + 2), tts.get(i + 3))
    {
        if eq.as_char() != '=' || gt.as_char() != '>' {
            break;
        }
        out.push(Arm {
            pattern: pat.stream().into_iter().collect(),
            body: body.stream(),
        });
        i += 4;
        if matches!(tts.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
            i += 1;
        }
    }
    out
}

/// A fragment of a pattern: `$name:kind`.
fn fragment(pat: &[TokenTree], i: usize) -> Option<(String, String)> {
    match (pat.get(i), pat.get(i + 1), pat.get(i + 2), pat.get(i + 3)) {
        (
            Some(TokenTree::Punct(d)),
            Some(TokenTree::Ident(name)),
            Some(TokenTree::Punct(colon)),
            Some(TokenTree::Ident(kind)),
        ) if d.as_char() == '$' && colon.as_char() == ':' => {
            Some((name.to_string(), kind.to_string()))
        }
        _ => None,
    }
}

/// Whether `input` matches `pat` entirely, binding its fragments.
fn matches(
    pat: &[TokenTree],
    input: &[TokenTree],
    binds: &mut HashMap<String, Vec<TokenTree>>,
) -> bool {
    let (mut p, mut i) = (0, 0);
    while p < pat.len() {
        if let Some((name, kind)) = fragment(pat, p) {
            p += 4;
            let take = match kind.as_str() {
                "ident" | "tt" | "literal" | "block" => usize::from(i < input.len()),
                "lifetime" => 2.min(input.len() - i),
                "expr" | "ty" | "path" | "pat" | "pat_param" | "stmt" | "item" | "meta" | "vis" => {
                    let stop = pat.get(p).map(|t| t.to_string());
                    let n = input[i..]
                        .iter()
                        .position(|t| Some(t.to_string()) == stop)
                        .unwrap_or(input.len() - i);
                    if n == 0 && kind != "vis" {
                        return false;
                    }
                    n
                }
                _ => return false,
            };
            if take == 0 && kind != "vis" {
                return false;
            }
            binds.insert(name, input[i..i + take].to_vec());
            i += take;
            continue;
        }
        let want = &pat[p];
        if matches!(want, TokenTree::Punct(d) if d.as_char() == '$') {
            // `$(..)*` repetitions are not supported.
            return false;
        }
        let Some(got) = input.get(i) else {
            return false;
        };
        match (want, got) {
            (TokenTree::Group(a), TokenTree::Group(b)) => {
                if a.delimiter() != b.delimiter() {
                    return false;
                }
                let a: Vec<TokenTree> = a.stream().into_iter().collect();
                let b: Vec<TokenTree> = b.stream().into_iter().collect();
                if !matches(&a, &b, binds) {
                    return false;
                }
            }
            (a, b) if a.to_string() == b.to_string() => {}
            _ => return false,
        }
        p += 1;
        i += 1;
    }
    i == input.len()
}

/// The body with every `$name` replaced by its binding (an `expr` inside
/// an invisible group, so it keeps its precedence) and `$crate` by
/// `crate`; `None` for a repetition or an unknown `$`.
fn substitute(body: TokenStream, binds: &HashMap<String, Vec<TokenTree>>) -> Option<TokenStream> {
    let tts: Vec<TokenTree> = body.into_iter().collect();
    let mut out = Vec::with_capacity(tts.len());
    let mut i = 0;
    while i < tts.len() {
        match &tts[i] {
            TokenTree::Punct(d) if d.as_char() == '$' => {
                let Some(TokenTree::Ident(name)) = tts.get(i + 1) else {
                    return None;
                };
                let name = name.to_string();
                if name == "crate" {
                    out.push(TokenTree::Ident(proc_macro2::Ident::new("crate", d.span())));
                } else {
                    match binds.get(&name)?.as_slice() {
                        [one] => out.push(one.clone()),
                        many => out.push(TokenTree::Group(Group::new(
                            Delimiter::None,
                            many.iter().cloned().collect(),
                        ))),
                    }
                }
                i += 2;
            }
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), substitute(g.stream(), binds)?);
                inner.set_span(g.span());
                out.push(TokenTree::Group(inner));
                i += 1;
            }
            t => {
                out.push(t.clone());
                i += 1;
            }
        }
    }
    Some(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(src: &str) -> Option<String> {
        let file: syn::File = syn::parse_str(src).ok()?;
        let defs = MacroDefs::collect(&file.items);
        let syn::Item::Macro(call) = file.items.last()? else {
            return None;
        };
        let items = defs.expand_items(&call.mac)?;
        Some(
            items
                .iter()
                .map(|i| quote::quote!(#i).to_string())
                .collect::<Vec<_>>()
                .join(" "),
        )
    }

    #[test]
    fn fragments_are_substituted_in_the_matching_arm() {
        let got = expand(
            "macro_rules! m { (skip) => {}; ($name:ident, $v:expr) => { fn $name() -> u32 { $v } }; }\n\
             m!(answer, 40 + 2);",
        );
        assert_eq!(got.as_deref(), Some("fn answer () -> u32 { 40 + 2 }"));
    }

    #[test]
    fn literal_tokens_choose_the_arm() {
        let got = expand(
            "macro_rules! m { (a $n:ident) => { struct $n; }; (b $n:ident) => { enum $n {} }; }\n\
             m!(b Tag);",
        );
        assert_eq!(got.as_deref(), Some("enum Tag { }"));
    }

    #[test]
    fn repetitions_and_foreign_macros_are_not_expanded() {
        assert_eq!(
            expand("macro_rules! m { ($($i:item)*) => { $($i)* }; }\nm!(fn f() {});"),
            None
        );
        assert_eq!(expand("other!(fn f() {});"), None);
        assert_eq!(
            expand("macro_rules! m { (x) => { fn f() {} }; }\nm!(y);"),
            None
        );
    }

    #[test]
    fn odd_definitions_and_inputs_never_panic() {
        let cases = [
            "macro_rules! m { () => {}; }\nm!();",
            "macro_rules! m { ($) => {}; }\nm!(x);",
            "macro_rules! m { ($x:ident) => { fn $x() {} }; }\nm!();",
            "macro_rules! m { ($x:lifetime) => { struct S<$x>(&$x u8); }; }\nm!('a);",
            "macro_rules! m { ($x:lifetime) => {}; }\nm!(');",
            "macro_rules! m { ($x:expr) => { fn f() -> u8 { $y } }; }\nm!(1);",
            "macro_rules! m { ($x:vis fn) => { $x fn f() {} }; }\nm!(fn);",
            "macro_rules! m { ([$x:tt]) => { const C: u8 = $x; }; }\nm!([1]);",
            "macro_rules! m { ($x:tt) => { $crate::f!(); $ }; }\nm!(1);",
            "macro_rules! m { => {}; }\nm!();",
            "macro_rules! m { ($x:ty, $y:ty) => { type A = ($x, $y); }; }\nm!(u8, Vec<u8>);",
        ];
        for src in cases {
            let _ = expand(src);
        }
        assert_eq!(
            expand(
                "macro_rules! m { ($x:ty, $y:ty) => { type A = ($x, $y); }; }\nm!(u8, Vec<u8>);"
            )
            .as_deref(),
            Some("type A = (u8 , Vec < u8 >) ;")
        );
    }
}
