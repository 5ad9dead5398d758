//! Pending bodies: a function body the parse stage left unparsed
//! ([`super::bodies`]) is parsed and lowered the first time the analysis
//! reads it.

use super::{bodies::SigStub, lower, Block, FnFacts, Param, SigFacts, TypeInfo};
use std::sync::{Arc, OnceLock};

impl FnFacts {
    /// The body: parsed and lowered the first time it is read when the
    /// parse stage left it for later. A body syn rejects is empty, and
    /// [`FnFacts::body_error`] says why.
    pub fn body(&self) -> &Block {
        self.body.get_or_init(|| match &self.lazy {
            Some(lazy) => lower::lazy_body(lazy),
            None => Block::default(),
        })
    }

    /// Parameters other than `self`: lowered the first time they (or the
    /// return type) are read when the parse stage showed syn a stub of
    /// the signature ([`super::bodies::SigStub`]).
    pub fn params(&self) -> &[Param] {
        &self.sig().params
    }

    /// The return type, if any (see [`FnFacts::params`]).
    pub fn ret(&self) -> Option<&TypeInfo> {
        self.sig().ret.as_ref()
    }

    fn sig(&self) -> &SigFacts {
        self.sig.get_or_init(|| match &self.lazy {
            Some(lazy) => lower::lazy_sig(lazy),
            None => SigFacts::default(),
        })
    }

    /// Whether the body is still unparsed.
    pub fn is_pending(&self) -> bool {
        self.body.get().is_none()
    }

    /// The body, owned.
    pub fn into_body(self) -> Block {
        self.force();
        self.body.into_inner().unwrap_or_default()
    }

    /// Bytes of source a pending body holds (0 once parsed).
    pub fn pending_len(&self) -> usize {
        match &self.lazy {
            Some(l) if self.is_pending() => l.close + 1 - l.open,
            _ => 0,
        }
    }

    /// Parse a pending body now (`--exhaustive`).
    pub fn force(&self) {
        let _ = self.sig();
        let _ = self.body();
    }

    /// Whether the body may hold what `holds` looks for in its text: for a
    /// body the parse stage left pending (parsed since or not), `holds` of
    /// its source text, which is all the body lowers from; for any other
    /// body, `true`. Lets a pass skip parsing a body whose text proves it
    /// cannot match, with the same answer in every mode.
    pub fn body_text_may(&self, holds: impl FnOnce(&str) -> bool) -> bool {
        match &self.lazy {
            Some(l) => holds(&l.text[l.open..=l.close]),
            None => true,
        }
    }

    /// Whether the parameters and return type may hold what `holds` looks
    /// for in their text: for a signature the parse stage showed syn as a
    /// stub, `holds` of its source text; for any other, `true`. Like
    /// [`FnFacts::body_text_may`], the same answer in every mode.
    pub fn sig_text_may(&self, holds: impl FnOnce(&str) -> bool) -> bool {
        match self.lazy.as_ref().and_then(|l| Some((l, l.sig?))) {
            Some((l, stub)) => holds(&l.text[stub.fn_at..l.open]),
            None => true,
        }
    }

    /// syn's message for a lazily parsed body it rejected: line, column
    /// (1-based) and text.
    pub fn body_error(&self) -> Option<&(u32, u32, String)> {
        self.lazy.as_ref()?.error.get()
    }
}

/// A function body (and, when syn saw a stub of it, the signature) the
/// parse stage left unparsed: the file's text as syn would have seen it,
/// shared by all its pending bodies, and where the body is in it.
#[derive(Debug)]
pub struct LazyBody {
    pub(super) text: Arc<str>,
    pub(super) open: usize,
    pub(super) close: usize,
    pub(super) line: u32,
    pub(super) column: u32,
    pub(super) error: OnceLock<(u32, u32, String)>,
    /// The signature syn saw as a stub, parsed from `text` when read.
    pub(super) sig: Option<SigStub>,
}
