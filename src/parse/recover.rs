//! Item-level recovery: when syn rejects a file, analyze the items that do
//! parse, as rust-analyzer would, instead of dropping the whole file.
//!
//! Old code is the usual reason a file fails: a 2015-edition trait object
//! (`Box<FnBox() + Send>`) or a syntax newer than our syn, in one item. The
//! rest of the file (the start-up function, the worker loop) is ordinary
//! Rust and is what the rules need. The file is still reported as not
//! parsing; only the item that fails is lost.

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// The items of `text` that parse on their own, or `None` when the text
/// does not even split into tokens (an unbalanced delimiter, an
/// unterminated literal): then nothing can be salvaged.
///
/// Spans are the file's own: pieces are cut from one token stream of the
/// whole text, so every position is where the user wrote it.
pub fn salvage(text: &str) -> Option<syn::File> {
    let tokens: TokenStream = text.parse().ok()?;
    let items = split(tokens).into_iter().filter_map(item).collect();
    Some(syn::File {
        shebang: None,
        attrs: Vec::new(),
        items,
    })
}

/// One piece as an item; an `impl` block that fails as a whole keeps the
/// associated items that parse.
fn item(piece: Vec<TokenTree>) -> Option<syn::Item> {
    let stream: TokenStream = piece.iter().cloned().collect();
    if let Ok(item) = syn::parse2::<syn::Item>(stream) {
        return Some(item);
    }
    impl_with_salvaged_body(piece).map(syn::Item::Impl)
}

/// `impl … { body }` whose body holds an item syn rejects: the header with
/// the associated items that parse on their own.
fn impl_with_salvaged_body(mut piece: Vec<TokenTree>) -> Option<syn::ItemImpl> {
    let is_impl = piece
        .iter()
        .any(|t| matches!(t, TokenTree::Ident(i) if i == "impl"));
    let body = match piece.pop()? {
        TokenTree::Group(g) if is_impl && g.delimiter() == Delimiter::Brace => g,
        _ => return None,
    };
    let mut header: TokenStream = piece.into_iter().collect();
    header.extend([TokenTree::Group(proc_macro2::Group::new(
        Delimiter::Brace,
        TokenStream::new(),
    ))]);
    let mut imp = syn::parse2::<syn::ItemImpl>(header).ok()?;
    imp.items = split(body.stream())
        .into_iter()
        .filter_map(|p| syn::parse2::<syn::ImplItem>(p.into_iter().collect()).ok())
        .collect();
    Some(imp)
}

/// Cut a stream of items into one token run per item: an item ends at a
/// `;` or at a `{ … }` body (with a `;` right after it, as in
/// `const X: T = T { .. };`). A brace group followed by an operator or a
/// `>` (`X<{ N }>`, `{ 1 } + 2`) is inside the item, not its end. Inner
/// attributes (`#![…]`) are dropped: they belong to the file.
fn split(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut pieces = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tt) = iter.next() {
        let ends = match &tt {
            TokenTree::Punct(p) if p.as_char() == ';' => true,
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => match iter.peek() {
                Some(TokenTree::Punct(p)) if p.as_char() == ';' => {
                    current.push(tt);
                    if let Some(semi) = iter.next() {
                        current.push(semi);
                    }
                    pieces.push(std::mem::take(&mut current));
                    continue;
                }
                Some(TokenTree::Punct(p)) => p.as_char() == '#',
                _ => true,
            },
            // `#![attr]`: an inner attribute, the file's own.
            TokenTree::Group(g)
                if g.delimiter() == Delimiter::Bracket && is_inner_attr_start(&current) =>
            {
                current.clear();
                continue;
            }
            _ => false,
        };
        current.push(tt);
        if ends {
            pieces.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// The run so far is exactly `# !`.
fn is_inner_attr_start(current: &[TokenTree]) -> bool {
    matches!(current, [TokenTree::Punct(a), TokenTree::Punct(b)] if a.as_char() == '#' && b.as_char() == '!')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        let file = salvage(text).expect("tokenizes");
        let mut out = Vec::new();
        for item in file.items {
            match item {
                syn::Item::Fn(f) => out.push(f.sig.ident.to_string()),
                syn::Item::Struct(s) => out.push(s.ident.to_string()),
                syn::Item::Const(c) => out.push(c.ident.to_string()),
                syn::Item::Impl(i) => {
                    for it in i.items {
                        if let syn::ImplItem::Fn(f) = it {
                            out.push(format!("impl::{}", f.sig.ident));
                        }
                    }
                }
                _ => out.push("other".into()),
            }
        }
        out
    }

    #[test]
    fn a_failing_item_costs_only_itself() {
        let src = "#![allow(dead_code)]\n\
                   struct Task { f: Box<FnBox(&mut u8) + Send> }\n\
                   const N: usize = { 1 } + 2;\n\
                   const S: Point = Point { x: 1 };\n\
                   #[inline] fn ok() -> usize { N }\n\
                   fn generic() -> Arr<{ 3 }> { todo!() }\n";
        assert_eq!(names(src), ["N", "S", "ok", "generic"]);
    }

    #[test]
    fn an_impl_keeps_the_methods_that_parse() {
        let src = "impl Pool {\n\
                   fn run(&self) { self.go(); }\n\
                   fn bad(&self) -> Box<Fn() + Send> { x }\n\
                   fn stop(&self) {}\n\
                   }\n";
        assert_eq!(names(src), ["impl::run", "impl::stop"]);
    }

    #[test]
    fn unbalanced_text_salvages_nothing() {
        assert!(salvage("fn f() { (").is_none());
    }

    #[test]
    fn positions_are_the_files_own() {
        let file = salvage("struct Bad(Box<Fn() + Send>);\n\nfn later() {}\n").expect("tokenizes");
        let syn::Item::Fn(f) = &file.items[0] else {
            panic!("expected the fn");
        };
        assert_eq!(f.sig.ident.span().start().line, 3);
    }
}
