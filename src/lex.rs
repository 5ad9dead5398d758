//! Lexical primitives shared by the scans that run before or instead of
//! syn (module declarations, the nesting pre-scan, data tables): where a
//! comment, string, raw string or char literal starting at a byte ends.
//! Byte-level, total on any input (an unterminated literal ends at the end
//! of the text).

/// Past the end of a (nested) block comment opening at `at`.
pub fn block_comment_end(b: &[u8], at: usize) -> usize {
    let mut depth = 0;
    let mut i = at;
    while i + 1 < b.len() {
        if b[i] == b'/' && b[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// Past the closing quote of a string whose contents start at `at`.
pub fn string_end(b: &[u8], mut at: usize) -> usize {
    while at < b.len() {
        match b[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    b.len()
}

/// `r"`, `r#"`, `br"`, `cr#"`: the number of `#` and where the contents
/// start.
pub fn raw_string_start(b: &[u8], at: usize) -> Option<(usize, usize)> {
    if at > 0 && (b[at - 1] == b'_' || b[at - 1].is_ascii_alphanumeric()) {
        return None;
    }
    let mut i = at;
    if b[i] == b'b' || b[i] == b'c' {
        i += 1;
        if b.get(i) == Some(&b'"') {
            return Some((usize::MAX, i + 1));
        }
    }
    if b.get(i) != Some(&b'r') {
        return None;
    }
    i += 1;
    let hashes = b[i..].iter().take_while(|c| **c == b'#').count();
    (b.get(i + hashes) == Some(&b'"')).then_some((hashes, i + hashes + 1))
}

/// Past a raw string's end (`usize::MAX` hashes: an ordinary byte/C string).
pub fn raw_string_end(b: &[u8], at: usize, hashes: usize) -> usize {
    if hashes == usize::MAX {
        return string_end(b, at);
    }
    let mut i = at;
    while i < b.len() {
        if b[i] == b'"'
            && b[i + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == b'#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    b.len()
}

/// Past a char literal (`'x'`, `'\n'`, `'\u{..}'`), or just past the quote
/// of a lifetime (`'a`).
pub fn char_end(b: &[u8], at: usize) -> usize {
    match (b.get(at + 1), b.get(at + 2)) {
        (Some(b'\\'), _) => {
            // Past the escaped character itself (`'\''`), to the closing quote.
            let mut i = at + 3;
            while i < b.len() && b[i] != b'\'' && b[i] != b'\n' {
                i += 1;
            }
            i + 1
        }
        (Some(_), Some(b'\'')) => at + 3,
        _ => {
            // A multi-byte char: `'é'`.
            let s = std::str::from_utf8(&b[at + 1..(at + 6).min(b.len())]).unwrap_or("");
            match s.char_indices().nth(1) {
                Some((n, '\'')) if s.chars().next().is_some_and(|c| !c.is_ascii()) => {
                    at + 1 + n + 1
                }
                _ => at + 1,
            }
        }
    }
}

/// Byte length of the UTF-8 character starting with `b` (1 for ASCII and
/// for bytes that cannot start one).
pub fn utf8_width(b: u8) -> usize {
    match b {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Whether `text` may hold the keyword `kw` followed by the byte `next`
/// (`let (`), with only whitespace or comments between them. Over-approximate
/// on purpose: an occurrence inside a string or comment counts too, so a
/// `false` is proof the token pair is not in the code.
pub fn may_hold_keyword_then(text: &str, kw: &str, next: u8) -> bool {
    let b = text.as_bytes();
    let is_ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
    memchr::memmem::find_iter(b, kw.as_bytes()).any(|at| {
        let end = at + kw.len();
        if (at > 0 && is_ident(b[at - 1])) || b.get(end).is_some_and(|&c| is_ident(c)) {
            return false;
        }
        let mut i = end;
        loop {
            match (b.get(i), b.get(i + 1)) {
                (Some(c), _) if c.is_ascii_whitespace() => i += 1,
                (Some(b'/'), Some(b'/')) => {
                    i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n)
                }
                (Some(b'/'), Some(b'*')) => i = block_comment_end(b, i),
                (Some(&c), _) => return c == next,
                (None, _) => return false,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::may_hold_keyword_then as holds;

    #[test]
    fn a_keyword_then_a_byte_is_found_past_whitespace_and_comments() {
        assert!(holds("let (a, b) = f();", "let", b'('));
        assert!(holds("x;\n    let\n\t(a, b) = f();", "let", b'('));
        assert!(holds("let /* why */ (a, b) = f();", "let", b'('));
        assert!(holds("let // why\n (a, b) = f();", "let", b'('));
        assert!(holds("{let(a,b)=f();}", "let", b'('));
    }

    #[test]
    fn other_words_and_other_bytes_are_not_the_keyword_then_the_byte() {
        assert!(!holds("let a = (1, 2);", "let", b'('));
        assert!(!holds("outlet (a, b)", "let", b'('));
        assert!(!holds("let_it(a, b)", "let", b'('));
        assert!(!holds("let", "let", b'('));
        assert!(!holds("let /* never closed", "let", b'('));
        assert!(!holds("", "let", b'('));
    }
}
