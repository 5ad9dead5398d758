//! Signature stubs: what syn needs of an indexed function's signature to
//! lower the item (its name, qualifiers and receiver) is kept, the rest
//! (generics, the other parameters, the return type, the `where` clause)
//! is blanked like the body and parsed only when the analysis reads it
//! ([`crate::facts::FnFacts::params`]). Most signatures are never read:
//! the analysis follows few of a crate's functions.

use super::{Items, Tok};

/// Where an indexed function's signature is, and what its stub keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigStub {
    /// Byte offset of the `fn` keyword.
    pub fn_at: usize,
    /// 1-based line of the `fn` keyword.
    pub line: u32,
    /// 0-based character column of the `fn` keyword.
    pub column: u32,
    /// Byte offset just past the function's name: blanking starts here.
    pub name_end: usize,
    /// Byte offset of the parameter list's `(`.
    pub open: usize,
    /// Byte offset where the receiver ends (the `,` or `)` after it), or
    /// just past the `(` when there is none: `open + 1 .. kept` stays.
    pub kept: usize,
    /// Byte offset of the parameter list's `)`.
    pub close: usize,
}

impl Items<'_> {
    /// The stub of the signature from the `fn` at token `fn_tok` to the
    /// body's `{` at token `open_tok`; `None` when the scan cannot tell
    /// its parts apart (then syn sees the signature as written).
    pub(super) fn sig_stub(&mut self, fn_tok: usize, open_tok: usize) -> Option<SigStub> {
        let name = fn_tok + 1;
        let Tok::Ident(_, name_end) = self.toks.get(name)?.1 else {
            return None;
        };
        let mut k = name + 1;
        if matches!(self.toks.get(k)?.1, Tok::Punct(b'<')) {
            k = self.past_angles(k)?;
        }
        if k >= open_tok || !matches!(self.toks[k].1, Tok::Open(b'(')) {
            return None;
        }
        let close_tok = self.past_group(k + 1)? - 1;
        let kept = self.receiver_end(k + 1, close_tok)?;
        let fn_at = self.toks[fn_tok].0 as usize;
        let (line, column) = self.position(fn_at);
        Some(SigStub {
            fn_at,
            line,
            column,
            name_end: name_end as usize,
            open: self.toks[k].0 as usize,
            kept,
            close: self.toks[close_tok].0 as usize,
        })
    }

    /// Where the `self` parameter starting at token `first` ends (the byte
    /// of the `,` or `)` after it), just past the `(` when the first
    /// parameter is not `self`, `None` when attributes make it unclear.
    fn receiver_end(&self, first: usize, close: usize) -> Option<usize> {
        let byte = |k: usize| self.text.as_bytes()[self.toks[k].0 as usize];
        let mut k = first;
        if matches!(self.toks[k].1, Tok::Punct(b'#')) {
            return None;
        }
        if matches!(self.toks[k].1, Tok::Op) && byte(k) == b'&' {
            k += 1;
            if matches!(self.toks[k].1, Tok::Lit) && byte(k) == b'\'' {
                k += 1;
            }
        }
        if self.ident(k) == Some("mut") {
            k += 1;
        }
        if self.ident(k) != Some("self") || k >= close {
            return Some(self.toks[first].0 as usize);
        }
        // `self: Box<Self>`, `self: Pin<&mut Self>`: on to the first comma
        // outside brackets and angles.
        let mut angles = 0usize;
        k += 1;
        while k < close {
            match self.toks[k].1 {
                Tok::Open(_) => {
                    k = self.past_group(k + 1)?;
                    continue;
                }
                Tok::Punct(b'<') => angles += 1,
                Tok::Punct(b'>') => angles = angles.checked_sub(1)?,
                Tok::Op if angles == 0 && byte(k) == b',' => break,
                _ => {}
            }
            k += 1;
        }
        Some(self.toks[k].0 as usize)
    }
}

/// Append `text` from `*at` to the body's `{` with the signature `stub`
/// blanked: the parameter list's parentheses and the receiver between
/// them stay where they are, everything else after the name becomes
/// blank text with its lines kept.
pub(super) fn blank_signature(text: &str, stub: &SigStub, at: &mut usize, out: &mut String) {
    out.push_str(&text[*at..stub.name_end]);
    super::blank_gap(&text[stub.name_end..stub.open], out);
    out.push_str(&text[stub.open..stub.kept]);
    super::blank_gap(&text[stub.kept..stub.close], out);
    out.push(')');
    *at = stub.close + 1;
}
