//! Blanking: the text syn is shown, with the bodies, signature stubs
//! and opaque items of a file's [`Index`] blanked and every position
//! kept.

use super::{stub, Body, Index};

/// `text` with the interior of every body in `bodies` blanked: lines kept,
/// and on the closing brace's line as many spaces as it had characters,
/// so every position after a body is where it was.
pub fn blank(text: &str, bodies: &[Body]) -> String {
    blank_with_docs(text, bodies, &[])
}

/// [`blank`], and the doc comments at `docs` ([`Index::docs`]) made plain
/// comments (their third character becomes a space).
pub fn blank_with_docs(text: &str, bodies: &[Body], docs: &[usize]) -> String {
    blank_regions(text, bodies, &[], docs)
}

/// [`blank_with_docs`] of the index's bodies and docs, and the insides of
/// its opaque items ([`Index::opaque`]) blanked too.
pub fn blank_index(text: &str, index: &Index) -> String {
    blank_regions(text, &index.bodies, &index.opaque, &index.docs)
}

fn blank_regions(text: &str, bodies: &[Body], opaque: &[(usize, usize)], docs: &[usize]) -> String {
    let mut out = String::with_capacity(text.len() / 2);
    let mut at = 0;
    let mut docs = docs.iter().peekable();
    let mut opaque = opaque.iter().peekable();
    for b in bodies.iter().map(Some).chain([None]) {
        let next_body = b.map_or(usize::MAX, |b| b.open);
        while let Some(&(open, close)) = opaque.next_if(|(open, _)| *open < next_body) {
            while let Some(&d) = docs.next_if(|d| **d < open) {
                out.push_str(&text[at..d]);
                out.push(' ');
                at = d + 1;
            }
            while docs.next_if(|d| **d < close).is_some() {}
            out.push_str(&text[at..=open]);
            blank_gap(&text[open + 1..close], &mut out);
            at = close;
        }
        let Some(b) = b else { break };
        let first_blank = b.sig.as_ref().map_or(b.open, |s| s.name_end);
        while let Some(&d) = docs.next_if(|d| **d < first_blank) {
            out.push_str(&text[at..d]);
            out.push(' ');
            at = d + 1;
        }
        while docs.next_if(|d| **d < b.close).is_some() {}
        if let Some(sig) = &b.sig {
            stub::blank_signature(text, sig, &mut at, &mut out);
            blank_gap(&text[at..b.open], &mut out);
            at = b.open;
        }
        out.push_str(&text[at..=b.open]);
        let mut from = b.open + 1;
        for &(start, end) in &b.items {
            blank_gap(&text[from..start], &mut out);
            out.push_str(&text[start..end]);
            from = end;
        }
        blank_gap(&text[from..b.close], &mut out);
        at = b.close;
    }
    for &d in docs {
        out.push_str(&text[at..d]);
        out.push(' ');
        at = d + 1;
    }
    out.push_str(&text[at..]);
    out
}

/// Text that syn need not see: its line breaks, then as many spaces as
/// its last line has characters, so what follows stays in its column.
pub(super) fn blank_gap(gap: &str, out: &mut String) {
    let lines = gap.bytes().filter(|c| *c == b'\n').count();
    let last = gap.rsplit('\n').next().unwrap_or("");
    out.extend(std::iter::repeat('\n').take(lines));
    out.extend(std::iter::repeat(' ').take(last.chars().count()));
}
