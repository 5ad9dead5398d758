//! Generated data tables, blanked before parsing: a bracketed run of
//! literals (`[0x0041, 0x0042, …]`, `[("a", 1), ("b", 2), …]`) holds no
//! name, call or spawn, so its facts are nothing but literal nodes — yet a
//! 2.5 MB table costs syn 121 MiB and most of a second (tikv's collation
//! data). Its characters are replaced by spaces before syn sees the file,
//! keeping every line break and every character column, so each span
//! after it is where it was and the file's facts are those of an empty
//! array. Comments inside are kept (a suppression there still counts).
//!
//! Exact by construction: only tokens that cannot name anything are
//! blanked (numbers, strings, chars, `true`/`false`, `-`, `,`, nested
//! brackets and parentheses); one identifier, path, operator or block in
//! a region keeps it whole. `--exhaustive` parses the text as written,
//! and the tests prove both give the same findings.

use crate::lex;

/// Regions shorter than this stay: blanking them saves nothing.
pub const MIN_TABLE_BYTES: usize = 16 * 1024;

/// `text` with its data tables blanked, or `None` when it has none.
pub fn blank(text: &str) -> Option<String> {
    // A table is longer than most files: those need no scan.
    if text.len() < MIN_TABLE_BYTES {
        return None;
    }
    let regions = tables(text.as_bytes());
    if regions.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (a, b) in regions {
        out.push_str(&text[at..a]);
        blank_into(&text[a..b], &mut out);
        at = b;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// Every character but line breaks and comments becomes one space. A
/// literal is blanked whole, so a `/*` or `//` inside a string is text,
/// not a comment to keep.
fn blank_into(region: &str, out: &mut String) {
    let b = region.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if let Some(end) = comment_end(b, i) {
            out.push_str(&region[i..end]);
            i = end;
            continue;
        }
        if let Some(end) = literal_end(b, i).filter(|&end| end > i) {
            let end = end.min(b.len());
            for c in region[i..end].chars() {
                out.push(if c == '\n' || c == '\r' { c } else { ' ' });
            }
            i = end;
            continue;
        }
        let width = lex::utf8_width(b[i]);
        out.push(if b[i] == b'\n' || b[i] == b'\r' {
            b[i] as char
        } else {
            ' '
        });
        i += width;
    }
}

/// The byte ranges (inside the brackets) of the literal-only bracketed
/// regions of at least [`MIN_TABLE_BYTES`], outermost only.
fn tables(b: &[u8]) -> Vec<(usize, usize)> {
    // Open brackets and parentheses: (is a `[`, start). A name or operator
    // taints every open group at once, and groups opened since are pure, so
    // the pure ones are those from `pure_from` up: tainting is O(1).
    let mut open: Vec<(bool, usize)> = Vec::new();
    let mut pure_from = 0;
    let mut found: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match CLASS[c as usize] {
            Class::Blank => i += 1,
            Class::Open => {
                open.push((c == b'[', i + 1));
                i += 1;
            }
            Class::Close => {
                if let Some((square, start)) = open.pop() {
                    let pure = open.len() >= pure_from;
                    if square && pure && i - start >= MIN_TABLE_BYTES {
                        found.retain(|&(a, _)| a < start);
                        found.push((start, i));
                    }
                }
                pure_from = pure_from.min(open.len());
                i += 1;
            }
            Class::Digit | Class::Quote => match literal_end(b, i) {
                Some(end) => i = end,
                // A lifetime.
                None => {
                    pure_from = open.len();
                    i += 1;
                }
            },
            Class::Word => {
                if let Some(end) = literal_end(b, i) {
                    i = end;
                    continue;
                }
                let end = word_end(b, i);
                if !matches!(&b[i..end], b"true" | b"false") {
                    pure_from = open.len();
                }
                i = end;
            }
            Class::Slash => match comment_end(b, i) {
                Some(end) => i = end,
                None => {
                    pure_from = open.len();
                    i += 1;
                }
            },
            Class::Other => {
                pure_from = open.len();
                i += 1;
            }
        }
    }
    found
}

/// What a byte starts, for the table scan.
#[derive(Clone, Copy)]
enum Class {
    /// Whitespace, `,` and `-`: allowed in a table.
    Blank,
    Open,
    Close,
    /// A number.
    Digit,
    /// A string or char literal (or a lifetime).
    Quote,
    /// A name, a keyword, or a prefixed literal (`b"x"`, `r#"x"#`).
    Word,
    /// A comment, or a division.
    Slash,
    /// Any other operator or delimiter: not in a table.
    Other,
}

const CLASS: [Class; 256] = {
    let mut t = [Class::Other; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0c | b',' | b'-' => Class::Blank,
            b'[' | b'(' => Class::Open,
            b']' | b')' => Class::Close,
            b'0'..=b'9' => Class::Digit,
            b'"' | b'\'' => Class::Quote,
            b'a'..=b'z' | b'A'..=b'Z' | b'_' | 0x80..=0xff => Class::Word,
            b'/' => Class::Slash,
            _ => Class::Other,
        };
        c += 1;
    }
    t
};

/// The end of a comment starting at `i`.
fn comment_end(b: &[u8], i: usize) -> Option<usize> {
    match (b.get(i), b.get(i + 1)) {
        (Some(b'/'), Some(b'/')) => Some(
            b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |n| i + n),
        ),
        (Some(b'/'), Some(b'*')) => Some(lex::block_comment_end(b, i)),
        _ => None,
    }
}

/// The end of a number, string, byte string, raw string or char literal
/// starting at `i` (a lifetime is none).
fn literal_end(b: &[u8], i: usize) -> Option<usize> {
    let c = b[i];
    if c.is_ascii_digit() {
        let mut j = i + 1;
        while j < b.len()
            && (b[j].is_ascii_alphanumeric()
                || b[j] == b'_'
                || (b[j] == b'.' && b.get(j + 1).is_some_and(u8::is_ascii_digit)))
        {
            j += 1;
        }
        return Some(j);
    }
    match c {
        b'"' => Some(lex::string_end(b, i + 1)),
        b'\'' => Some(lex::char_end(b, i)).filter(|&end| end > i + 1),
        b'b' if b.get(i + 1) == Some(&b'\'') => {
            Some(lex::char_end(b, i + 1)).filter(|&end| end > i + 2)
        }
        b'r' | b'b' | b'c' => {
            let (hashes, at) = lex::raw_string_start(b, i)?;
            Some(lex::raw_string_end(b, at, hashes))
        }
        _ => None,
    }
}

fn word_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 0x80) {
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(items: &str, n: usize) -> String {
        vec![items; n].join(", ")
    }

    #[test]
    fn a_literal_table_is_blanked_keeping_lines_and_columns() {
        let body = table(
            "0x0041, -2, 3.5e1, \"é\", b'x', '\\'', '\\u{41}', true",
            600,
        );
        let text =
            format!("static T: &[Row] = &[\n{body}, // a comment\n(1, 2)];\nfn after() {{}}\n");
        let blanked = blank(&text).expect("a table");
        assert_eq!(blanked.lines().count(), text.lines().count());
        for (a, b) in text.lines().zip(blanked.lines()) {
            assert_eq!(a.chars().count(), b.chars().count());
        }
        assert!(blanked.contains("// a comment"));
        assert!(blanked.ends_with("];\nfn after() {}\n"));
        assert!(!blanked.contains("0x0041"));
        assert!(syn::parse_file(&blanked).is_ok());
    }

    #[test]
    fn comment_markers_inside_strings_of_a_table_are_blanked_as_text() {
        let rows = table("r#\"/* outer /* inner */ x\"#, \"// y\", \"*/\",", 2000);
        let src = format!("static T: &[&str] = &[\n{rows}];\nfn after() {{}}\n");
        let blanked = blank(&src).expect("a table");
        assert!(syn::parse_file(&blanked).is_ok());
        assert!(!blanked.contains("inner"));
        assert_eq!(blanked.len(), src.len());
    }

    #[test]
    fn a_name_anywhere_in_the_region_keeps_it() {
        for odd in [
            "spawn(x)",
            "X::Y",
            "a + b",
            "{ 1 }",
            "&1",
            "'a: loop {}",
            "1..2",
        ] {
            let body = table("1, 2, 3", 1200);
            let text = format!("const T: [u8; 3] = [{body}, {odd}];\n");
            assert_eq!(blank(&text), None, "{odd}");
        }
    }

    #[test]
    fn small_tables_and_strings_holding_brackets_stay() {
        assert_eq!(blank("const T: [u8; 3] = [1, 2, 3];\n"), None);
        let body = table("\"] spawn [\"", 2000);
        let text = format!("const S: &[&str] = &[{body}];\n");
        let blanked = blank(&text).expect("a table of strings");
        assert!(!blanked.contains("spawn"));
        let body = table("r#\"] \"spawn\" [\"#, br\"x\"", 1500);
        let text = format!("const R: &[&str] = &[{body}];\n");
        assert!(!blank(&text)
            .expect("a table of raw strings")
            .contains("spawn"));
    }

    #[test]
    fn only_the_outermost_pure_region_is_recorded() {
        let inner = format!("[{}]", table("1", 9000));
        let text = format!("const T: [[u8; 9000]; 2] = [{inner}, {inner}];\n");
        let blanked = blank(&text).unwrap();
        assert!(blanked.starts_with("const T: [[u8; 9000]; 2] = [ "));
        assert!(blanked.trim_end().ends_with("];"));
    }
}
