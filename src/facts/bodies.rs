//! The body index: one byte-level pass over a file that finds the body of
//! every item-level function (free, in an `impl`, a `trait` or an inline
//! `mod`) and the calls it names, so syn can parse the file with those
//! bodies blanked and each body be parsed later, only if the analysis
//! reads it ([`crate::facts::FnFacts::body`]).
//!
//! Exact by construction where it matters: a body's calls, which reach
//! and every pass's prefilter read, come from this scan in every mode
//! (`--exhaustive` only parses the bodies at once), and they are a
//! superset of what syn's tree names (every `name(`, `.name(`, `A::name(`
//! and `name!` in the body, macro arguments and nested closures
//! included), as is whether it may hold a `..Default::default()` struct
//! update. Items among a body's statements (`fn`, `impl`, `struct`,
//! `static`, `use`, `mod`, `macro_rules!`), which lowering lifts into the
//! file's facts, are kept when the body is blanked, so syn still sees
//! them; a body whose items the scan cannot delimit is not indexed and is
//! parsed with the file. Anything the scan cannot follow (unbalanced
//! delimiters) leaves the file unindexed, parsed whole.

use crate::lex;

mod blank;
mod stub;
use blank::blank_gap;
pub use blank::{blank, blank_index, blank_with_docs};
pub use stub::SigStub;

/// One function body the scan found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// Byte offset of the opening `{`.
    pub open: usize,
    /// Byte offset of the matching `}`.
    pub close: usize,
    /// 1-based line of the opening `{`.
    pub line: u32,
    /// 0-based character column of the opening `{` (proc-macro2's).
    pub column: u32,
    /// The calls it names, in order, repeats kept.
    pub calls: Vec<RawCall>,
    /// It may hold a `..Default::default()` / `..T::default()` struct
    /// update (a `..` directly before a call of a path ending in
    /// `default`).
    pub updates: bool,
    /// Byte ranges of the items among its statements (`use`, `fn`,
    /// `impl`, `struct`, `static`, `mod`, `macro_rules!`, with their
    /// attributes), which lowering lifts into the file's facts: they stay
    /// when the body is blanked.
    pub items: Vec<(usize, usize)>,
    /// The function's signature, when syn can be shown a stub of it
    /// ([`stub`]): its generics, parameters other than `self` and return
    /// type are then parsed only when read.
    pub sig: Option<SigStub>,
}

/// A call as written in a body, before `Self` and `use` aliases are
/// resolved ([`crate::facts::Callee`] is what it becomes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawCall {
    /// `x.name(..)`, `x.name::<T>(..)`.
    Method(String),
    /// `name(..)`, `a::b::name(..)`: the segment before the name, if any.
    Path(Option<String>, String),
    /// `name!(..)`, `a::name![..]`, `name! {..}`.
    Macro(String),
}

/// What the scan found in a file.
#[derive(Debug, Default)]
pub struct Index {
    /// The bodies worth parsing later, in order.
    pub bodies: Vec<Body>,
    /// Where the doc comments outside function bodies and macro input are
    /// (the byte of their third character: `///`, `//!`, `/**`, `/*!`):
    /// syn turns each into an attribute that no fact reads.
    pub docs: Vec<usize>,
    /// The braces (byte offsets of `{` and `}`) of the item-level `enum`,
    /// `union` and `trait` items, whose insides no fact reads: blanked
    /// like a body, so syn skips them ([`blank_index`]).
    pub opaque: Vec<(usize, usize)>,
}

/// The body index of `text`; empty when the file cannot be followed.
pub fn index(text: &str) -> Index {
    let Some((tokens, docs)) = tokenize(text.as_bytes()) else {
        return Index::default();
    };
    let mut items = Items::new(text, &tokens);
    if items.items(false).is_none() {
        return Index::default();
    }
    let quiet = std::mem::take(&mut items.quiet);
    let mut regions = quiet.iter().peekable();
    let docs = docs
        .into_iter()
        .filter(|&(_, t)| {
            while regions.next_if(|(_, close)| *close < t).is_some() {}
            regions.peek().map_or(true, |(open, _)| t <= *open)
        })
        .map(|(at, _)| at)
        .collect();
    Index {
        bodies: items.bodies,
        docs,
        opaque: items.opaque,
    }
}

/// The bodies of `text` worth parsing later, in order ([`index`]).
pub fn scan(text: &str) -> Vec<Body> {
    index(text).bodies
}

/// A lexical token: its kind and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// An identifier or keyword (`r#` stripped), by byte range.
    Ident(u32, u32),
    /// `(`, `[`, `{`.
    Open(u8),
    /// `)`, `]`, `}`.
    Close(u8),
    /// `::`.
    PathSep,
    /// `..`, `...`, `..=`.
    DotDot,
    /// `->`.
    Arrow,
    /// `!=`, `==`, `<=`, `>=`, `=>`, `&&`, `||`, `<<`, `>>=`… : operators
    /// that are not a lone `!`, `.`, `<`, `>` or `;`.
    Op,
    /// A single punctuation byte the scan reads: `.`, `!`, `<`, `>`, `;`, `#`.
    Punct(u8),
    /// A literal or lifetime: never a name.
    Lit,
}

/// Tokens with their byte offsets, and each doc comment's third byte with
/// the number of tokens before it; `None` when delimiters do not balance,
/// or the text is too long for the 32-bit offsets that keep a token in 16
/// bytes (a file of 4 GiB is parsed whole).
#[allow(clippy::type_complexity)]
fn tokenize(b: &[u8]) -> Option<(Vec<(u32, Tok)>, Vec<(usize, usize)>)> {
    u32::try_from(b.len()).ok()?;
    let mut out = Vec::with_capacity(b.len() / 6);
    let mut docs = Vec::new();
    let mut depth: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                if is_doc(b, i, b'/') {
                    docs.push((i + 2, out.len()));
                }
                i = b[i..]
                    .iter()
                    .position(|x| *x == b'\n')
                    .map_or(b.len(), |p| i + p);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                if is_doc(b, i, b'*') {
                    docs.push((i + 2, out.len()));
                }
                i = lex::block_comment_end(b, i);
                continue;
            }
            b'"' => {
                i = lex::string_end(b, i + 1);
                Tok::Lit
            }
            b'\'' => {
                i = lex::char_end(b, i);
                if i == start + 1 {
                    // A lifetime or label: its name is no identifier.
                    while i < b.len() && is_ident_byte(b[i]) {
                        i += 1;
                    }
                }
                Tok::Lit
            }
            b'(' | b'[' | b'{' => {
                depth.push(c);
                i += 1;
                Tok::Open(c)
            }
            b')' | b']' | b'}' => {
                let open = depth.pop()?;
                if closer(open) != c {
                    return None;
                }
                i += 1;
                Tok::Close(c)
            }
            b'0'..=b'9' => {
                while i < b.len() && is_ident_byte(b[i]) {
                    i += 1;
                }
                Tok::Lit
            }
            _ if is_ident_start(c) => {
                if let Some((hashes, body)) = lex::raw_string_start(b, i) {
                    i = lex::raw_string_end(b, body, hashes);
                    Tok::Lit
                } else if c == b'b' && b.get(i + 1) == Some(&b'\'') {
                    i = lex::char_end(b, i + 1);
                    Tok::Lit
                } else {
                    let mut s = i;
                    if c == b'r' && b.get(i + 1) == Some(&b'#') {
                        s = i + 2;
                    }
                    i = s;
                    while i < b.len() && (is_ident_byte(b[i]) || b[i] >= 0x80) {
                        i += 1;
                    }
                    Tok::Ident(s as u32, i as u32)
                }
            }
            _ => {
                let (tok, len) = punct(&b[i..]);
                i += len;
                tok
            }
        };
        out.push((start as u32, tok));
    }
    depth.is_empty().then_some((out, docs))
}

/// Whether the comment at `i` (`//` or `/*`, `kind` its second byte) is a
/// doc comment: `///` but not `////`, `/**` but not `/**/` or `/***`, or
/// an inner `//!` / `/*!`.
fn is_doc(b: &[u8], i: usize, kind: u8) -> bool {
    match (b.get(i + 2), b.get(i + 3)) {
        (Some(b'!'), _) => true,
        (Some(c), next) if *c == kind => {
            next != Some(&kind) && !(kind == b'*' && next == Some(&b'/'))
        }
        _ => false,
    }
}

fn closer(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

fn is_ident_start(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphabetic() || c >= 0x80
}

fn is_ident_byte(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphanumeric()
}

/// The punctuation token at the start of `b`, and its length.
fn punct(b: &[u8]) -> (Tok, usize) {
    let next = b.get(1).copied();
    match (b[0], next) {
        (b':', Some(b':')) => (Tok::PathSep, 2),
        (b'.', Some(b'.')) => {
            let len = if matches!(b.get(2), Some(b'.' | b'=')) {
                3
            } else {
                2
            };
            (Tok::DotDot, len)
        }
        (b'-', Some(b'>')) => (Tok::Arrow, 2),
        (b'!' | b'=' | b'<' | b'>', Some(b'=')) | (b'=', Some(b'>')) => (Tok::Op, 2),
        (b'.' | b'!' | b'<' | b'>' | b';' | b'#', _) => (Tok::Punct(b[0]), 1),
        _ => (Tok::Op, lex::utf8_width(b[0]).min(b.len())),
    }
}

/// What the item being read at item level is, from its first keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Fn,
    /// `impl`, `trait`, `mod` blocks: items inside.
    Container,
    /// `extern` (a block of items, or `extern "C" fn`).
    Extern,
    /// Anything else (`static`, `use`, macros…): its braces are skipped
    /// whole.
    Other,
    /// `struct`: braces skipped, but the doc comments on its fields are
    /// plain text to the facts.
    Data,
    /// `enum`, `union`, `trait`: nothing inside is a fact ([`Index::opaque`]).
    Opaque,
}

/// The item-level walk over a file's tokens.
struct Items<'a> {
    text: &'a str,
    toks: &'a [(u32, Tok)],
    at: usize,
    bodies: Vec<Body>,
    /// A byte offset and its line, where the last position was taken.
    cursor: (usize, u32),
    /// Token ranges (open, close) whose doc comments stay: function
    /// bodies, macro input, initializers. In order, disjoint.
    quiet: Vec<(usize, usize)>,
    /// The token of the `fn` keyword of the item being read.
    fn_tok: Option<usize>,
    /// See [`Index::opaque`].
    opaque: Vec<(usize, usize)>,
    /// The names of the file's own `macro_rules!` (an invocation of one is
    /// expanded in place, so its input is read).
    defined: Vec<&'a str>,
}

impl<'a> Items<'a> {
    fn new(text: &'a str, toks: &'a [(u32, Tok)]) -> Items<'a> {
        Items {
            text,
            toks,
            at: 0,
            bodies: Vec::new(),
            cursor: (0, 1),
            quiet: Vec::new(),
            fn_tok: None,
            opaque: Vec::new(),
            defined: macro_names(text, toks),
        }
    }

    fn ident(&self, k: usize) -> Option<&'a str> {
        match self.toks.get(k)?.1 {
            Tok::Ident(s, e) => Some(&self.text[s as usize..e as usize]),
            _ => None,
        }
    }

    /// Items until the closing brace of their container (`nested`) or the
    /// end of the file.
    fn items(&mut self, nested: bool) -> Option<()> {
        let mut kind: Option<Kind> = None;
        while let Some(&(_, tok)) = self.toks.get(self.at) {
            match tok {
                Tok::Ident(..) => {
                    let word = self.ident(self.at).unwrap_or("");
                    let bang = matches!(self.toks.get(self.at + 1), Some((_, Tok::Punct(b'!'))));
                    if bang && kind.is_none() {
                        if let Some(braced) = self.opaque_invocation(word) {
                            // `m!(..);` ends at its `;`, `m! {..}` here.
                            kind = (!braced).then_some(Kind::Other);
                            continue;
                        }
                    }
                    kind = match (kind, word) {
                        (None | Some(Kind::Extern), "fn") if !bang => {
                            self.fn_tok = Some(self.at);
                            Some(Kind::Fn)
                        }
                        (None, "impl" | "mod") => Some(Kind::Container),
                        (None, "trait" | "enum" | "union") => Some(Kind::Opaque),
                        (None, "extern") => Some(Kind::Extern),
                        (None, "struct") => Some(Kind::Data),
                        (None, "static" | "type" | "use") => Some(Kind::Other),
                        (None, _) if bang => Some(Kind::Other),
                        (k, _) => k,
                    };
                    self.at += 1;
                }
                Tok::Open(b'{') => {
                    self.at += 1;
                    match kind.take() {
                        Some(Kind::Fn) => self.body()?,
                        Some(Kind::Container | Kind::Extern) => self.items(true)?,
                        Some(Kind::Data) => self.skip_group()?,
                        Some(Kind::Opaque) => {
                            let open = self.toks[self.at - 1].0 as usize;
                            self.skip_group()?;
                            let close = self.toks[self.at - 1].0 as usize;
                            self.opaque.push((open, close));
                        }
                        _ => self.skip_quiet_group()?,
                    }
                }
                Tok::Open(_) => {
                    self.at += 1;
                    self.skip_quiet_group()?;
                }
                Tok::Close(b'}') if nested => {
                    self.at += 1;
                    return Some(());
                }
                Tok::Close(_) => return None,
                Tok::Punct(b';') => {
                    kind = None;
                    self.at += 1;
                }
                _ => self.at += 1,
            }
        }
        (!nested).then_some(())
    }

    /// At an item-level invocation `word!(..)` of a macro the file does
    /// not define: its input is no fact (lowering expands only the file's
    /// own `macro_rules!`; an `impl` reads only its functions), so it is
    /// marked opaque and skipped, and whether it was braced. `None`, and
    /// nothing read, otherwise.
    fn opaque_invocation(&mut self, word: &str) -> Option<bool> {
        let group = self.at + 2;
        let defined = word == "macro_rules" || self.defined.contains(&word);
        let Tok::Open(delimiter) = self.toks.get(group)?.1 else {
            return None;
        };
        if defined {
            return None;
        }
        self.at = group + 1;
        self.skip_quiet_group()?;
        let close = self.toks[self.at - 1].0 as usize;
        self.opaque.push((self.toks[group].0 as usize, close));
        Some(delimiter == b'{')
    }

    /// Past the close of the group whose opening was just read.
    fn skip_group(&mut self) -> Option<()> {
        self.at = self.past_group(self.at)?;
        Some(())
    }

    /// [`Items::skip_group`], for a group whose doc comments stay (macro
    /// input, initializers).
    fn skip_quiet_group(&mut self) -> Option<()> {
        let open = self.at - 1;
        self.skip_group()?;
        self.quiet.push((open, self.at - 1));
        Some(())
    }

    /// A function body whose `{` was just read: its calls, and whether it
    /// can be left for later.
    fn body(&mut self) -> Option<()> {
        let open_tok = self.at - 1;
        let open = self.toks[open_tok].0 as usize;
        let sig = self.fn_tok.take().and_then(|f| self.sig_stub(f, open_tok));
        let mut calls = Vec::new();
        let (mut eager, mut updates) = (false, false);
        let mut items = Vec::new();
        let mut depth = 1usize;
        while let Some(&(_, tok)) = self.toks.get(self.at) {
            match tok {
                Tok::Open(_) => depth += 1,
                Tok::Close(_) => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                // An attribute (`#[cfg(..)]`, `#![allow(..)]`) calls nothing.
                Tok::Punct(b'#') => {
                    let bang = matches!(self.toks.get(self.at + 1), Some((_, Tok::Punct(b'!'))));
                    let group = self.at + 1 + usize::from(bang);
                    if matches!(self.toks.get(group), Some((_, Tok::Open(b'[')))) {
                        self.at = self.past_group(group + 1)?;
                        continue;
                    }
                }
                Tok::Ident(..) => {
                    let word = self.ident(self.at).unwrap_or("");
                    if depth == 1 && NESTED_ITEM.contains(&word) {
                        match self.nested_item(open_tok, word) {
                            Some(range) => items.push(range),
                            // Not at a statement's start: a `fn()` type or
                            // a `use<..>` bound; anything else is not
                            // followed.
                            None => eager |= !matches!(word, "fn" | "use" | "static"),
                        }
                    }
                    if let Some(next) = self.path_call(&mut calls, &mut updates) {
                        self.at = next;
                        continue;
                    }
                }
                _ => {}
            }
            self.at += 1;
        }
        let close = self.toks.get(self.at)?.0 as usize;
        self.quiet.push((open_tok, self.at));
        self.at += 1;
        if !eager {
            let (line, column) = self.position(open);
            self.bodies.push(Body {
                open,
                close,
                line,
                column,
                calls,
                updates,
                items,
                sig,
            });
        }
        Some(())
    }

    /// The byte range of the item whose keyword `word` is the current
    /// token, when it starts a statement of the body opened at token
    /// `open` (after its attributes and qualifiers); `None` otherwise.
    fn nested_item(&self, open: usize, word: &str) -> Option<(usize, usize)> {
        let start = self.statement_start(open, self.at)?;
        let end = self.item_end(self.at, word)?;
        Some((self.toks[start].0 as usize, self.toks[end].0 as usize + 1))
    }

    /// The first token of the statement whose token `k` is preceded only
    /// by attributes and qualifiers (`pub(..)`, `unsafe`, `async`,
    /// `const`, `extern "C"`), or `None` if something else precedes it.
    fn statement_start(&self, open: usize, mut k: usize) -> Option<usize> {
        let mut start = k;
        while k > open {
            let prev = k - 1;
            match self.toks[prev].1 {
                Tok::Punct(b';') | Tok::Close(b'}') => return Some(start),
                _ if prev == open => return Some(start),
                Tok::Close(b']') => {
                    let group = self.group_start(prev)?;
                    let pound = group.checked_sub(1)?;
                    if !matches!(self.toks[pound].1, Tok::Punct(b'#')) {
                        return None;
                    }
                    k = pound;
                }
                Tok::Close(b')') => {
                    let group = self.group_start(prev)?;
                    (self.ident(group.checked_sub(1)?) == Some("pub")).then_some(())?;
                    k = group;
                }
                Tok::Lit if self.ident(prev.checked_sub(1)?) == Some("extern") => k = prev,
                Tok::Ident(..) if QUALIFIERS.contains(&self.ident(prev).unwrap_or("")) => k = prev,
                _ => return None,
            }
            start = k;
        }
        None
    }

    /// The opening token of the group that the token `close` closes.
    fn group_start(&self, close: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut k = close;
        loop {
            match self.toks[k].1 {
                Tok::Close(_) => depth += 1,
                Tok::Open(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(k);
                    }
                }
                _ => {}
            }
            k = k.checked_sub(1)?;
        }
    }

    /// The last token (`;` or `}`) of the item whose keyword `word` is
    /// token `k`.
    fn item_end(&self, k: usize, word: &str) -> Option<usize> {
        let braced = matches!(word, "fn" | "impl" | "mod" | "macro_rules" | "struct");
        let mut i = k + 1;
        while let Some(&(_, tok)) = self.toks.get(i) {
            match tok {
                Tok::Punct(b';') => return Some(i),
                Tok::Open(b'{') if braced => return Some(self.past_group(i + 1)? - 1),
                Tok::Open(_) => i = self.past_group(i + 1)?,
                Tok::Close(_) => return None,
                _ => i += 1,
            }
        }
        None
    }

    /// At an identifier: read the path it starts (`a::b::<T>::c`), and if
    /// it is called (`(`) or invoked (`!`), record the call. Returns the
    /// token after the path (the call's `(` is left to the caller's walk,
    /// so calls in its arguments are read too).
    fn path_call(&self, calls: &mut Vec<RawCall>, updates: &mut bool) -> Option<usize> {
        let first = self.at;
        let after_dot = first > 0 && matches!(self.toks[first - 1].1, Tok::Punct(b'.'));
        let after_rest = first > 0 && matches!(self.toks[first - 1].1, Tok::DotDot);
        let mut segs: Vec<&str> = vec![self.ident(first)?];
        let mut k = first + 1;
        while let Some(Tok::PathSep) = self.toks.get(k).map(|t| t.1) {
            match self.toks.get(k + 1).map(|t| t.1) {
                Some(Tok::Ident(..)) => {
                    segs.push(self.ident(k + 1)?);
                    k += 2;
                }
                Some(Tok::Punct(b'<')) => k = self.past_angles(k + 1)?,
                _ => break,
            }
        }
        // `<T as Trait>::f(..)`: syn's path is `Trait::f`, so the type
        // before the `>` qualifies it too.
        let qself = (first >= 2
            && matches!(self.toks[first - 1].1, Tok::PathSep)
            && matches!(self.toks[first - 2].1, Tok::Punct(b'>')))
        .then(|| self.ident(first - 3))
        .flatten();
        let name = *segs.last()?;
        match self.toks.get(k).map(|t| t.1) {
            Some(Tok::Open(b'(')) if !KEYWORDS.contains(&name) => {
                let call = if after_dot && segs.len() == 1 {
                    RawCall::Method(name.to_string())
                } else {
                    let qualifier = segs.len().checked_sub(2).map(|q| segs[q].to_string());
                    RawCall::Path(qualifier, name.to_string())
                };
                *updates |= after_rest && name == "default";
                if let (Some(q), 1) = (qself, segs.len()) {
                    calls.push(RawCall::Path(Some(q.to_string()), name.to_string()));
                }
                calls.push(call);
            }
            Some(Tok::Punct(b'!'))
                if matches!(self.toks.get(k + 1).map(|t| t.1), Some(Tok::Open(_))) =>
            {
                calls.push(RawCall::Macro(name.to_string()));
            }
            _ => {}
        }
        (k > first + 1).then_some(k)
    }

    /// 1-based line and 0-based character column of byte `at`, counted on
    /// from the last position taken (bodies come in order).
    fn position(&mut self, at: usize) -> (u32, u32) {
        let (from, line) = self.cursor;
        let line = line + self.text[from..at].bytes().filter(|c| *c == b'\n').count() as u32;
        self.cursor = (at, line);
        let line_start = self.text[..at].rfind('\n').map_or(0, |p| p + 1);
        (line, self.text[line_start..at].chars().count() as u32)
    }

    /// Past the `>` closing the turbofish `<` at token `k`.
    fn past_angles(&self, k: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut i = k;
        while let Some(&(_, tok)) = self.toks.get(i) {
            match tok {
                Tok::Punct(b'<') => depth += 1,
                Tok::Punct(b'>') => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                // `::<(A, B)>`, `::<[u8; 4]>`, `::<fn(u8)>`: a group inside.
                Tok::Open(b'(' | b'[') => {
                    i = self.past_group(i + 1)?;
                    continue;
                }
                Tok::Open(_) | Tok::Close(_) | Tok::Punct(b';') => return None,
                _ => {}
            }
            i += 1;
        }
        None
    }
}

impl Items<'_> {
    /// Past the close of the group opened just before token `k`.
    fn past_group(&self, mut k: usize) -> Option<usize> {
        let mut depth = 1usize;
        while let Some(&(_, tok)) = self.toks.get(k) {
            k += 1;
            match tok {
                Tok::Open(_) => depth += 1,
                Tok::Close(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(k);
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// The names every `macro_rules! name` of the file defines, wherever it
/// stands.
fn macro_names<'a>(text: &'a str, toks: &[(u32, Tok)]) -> Vec<&'a str> {
    if !text.contains("macro_rules") {
        return Vec::new();
    }
    let name = |k: usize| match toks.get(k).map(|t| t.1) {
        Some(Tok::Ident(s, e)) => Some(&text[s as usize..e as usize]),
        _ => None,
    };
    (0..toks.len())
        .filter(|&k| name(k) == Some("macro_rules"))
        .filter(|&k| matches!(toks.get(k + 1).map(|t| t.1), Some(Tok::Punct(b'!'))))
        .filter_map(|k| name(k + 2))
        .collect()
}

/// Keywords in a body that start an item lowering lifts into the file's
/// facts (`facts::lower`'s nested items).
const NESTED_ITEM: &[&str] = &[
    "fn",
    "impl",
    "struct",
    "static",
    "use",
    "mod",
    "macro_rules",
];

/// What may stand between a statement's start and an item's keyword.
const QUALIFIERS: &[&str] = &["pub", "unsafe", "async", "const", "extern", "default"];

/// Keywords that a `(` may follow without being a call.
const KEYWORDS: &[&str] = &[
    "if", "while", "match", "return", "in", "for", "loop", "else", "let", "move", "break", "as",
    "mut", "ref", "async", "await", "unsafe", "yield", "where", "dyn", "impl", "fn",
];

#[cfg(test)]
mod tests;
