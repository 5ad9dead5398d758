//! A lexical pre-scan that bounds how deep syn (and everything after it)
//! will recurse on a file, before syn sees it.
//!
//! syn's parser recurses once per level of most constructs — brackets,
//! generic arguments, reference and pointer types, `fn` types, closures,
//! prefix operators, `else if` — and the trees it builds are dropped,
//! lowered and interpreted recursively, so a left-deep `1+1+…+1` is as
//! deep as its length. Counting brackets alone misses all of these, and
//! counting brackets inside strings and comments skips innocent files.
//!
//! The measure is an upper bound on that recursion: every token counts
//! one level, and the count restarts where syn's recursion ends — after a
//! `;`, a `,` or a `=>`, and after a `}` that ends a statement, item or
//! arm. A bracket group adds one level to everything inside it. Unmatched
//! `<` survive a `,` (`A<B, C<D, …>>` nests). Strings, chars, lifetimes
//! and comments are skipped as the lexer does.

/// Nesting (in the measure above) beyond which a file is reported instead
/// of parsed. Real code stays far below it (see BENCHMARKS.md, "nesting
/// of real code"); the worker stack is sized so that every construct at
/// this depth parses, lowers and drops with room to spare.
pub const MAX_NESTING: u32 = 3000;

/// Where a file first nests too deeply, and in what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    /// 1-based line.
    pub line: u32,
    /// 1-based character column.
    pub column: u32,
    /// The construct whose nesting crossed the limit, in words.
    pub construct: &'static str,
}

/// The deepest nesting of `text` in the measure above: for surveys of real
/// code that the limit is chosen from.
pub fn deepest(text: &str) -> u32 {
    let mut scanner = Scanner::new(text.as_bytes(), u32::MAX);
    while scanner.i < scanner.b.len() {
        if let Some(token) = scanner.next_token() {
            scanner.account(token);
        }
    }
    scanner.deepest
}

/// One open bracket group.
#[derive(Clone)]
struct Frame {
    /// Nesting at the group's opening bracket, itself included.
    base: u32,
    /// Tokens since the last point where recursion ends, in this group.
    count: u32,
    /// For each unmatched `<` in this group since the last statement end,
    /// the count where it opened: a `,` inside `A<B, C>` (or `for<'a, 'b>`)
    /// ends an element of that list, not the chain around it.
    angles: Vec<u32>,
    /// The same for a closure's open parameter list `|a, b|` (a single `|`
    /// opens one, the next closes it).
    pipes: Vec<u32>,
    /// A `}` just closed a block in this group: the next token starts a
    /// new statement unless it continues an expression (`else`, `.`, …).
    after_block: bool,
}

impl Frame {
    fn new(base: u32) -> Frame {
        Frame {
            base,
            count: 0,
            angles: Vec::new(),
            pipes: Vec::new(),
            after_block: false,
        }
    }

    /// Where a `,` restarts the count: at the innermost open list of this
    /// group, else at the group's start.
    fn after_comma(&self) -> u32 {
        let angle = self.angles.last().copied().unwrap_or(0);
        let pipe = self.pipes.last().copied().unwrap_or(0);
        angle.max(pipe)
    }
}

/// The first place `text` nests deeper than [`MAX_NESTING`], if any.
pub fn check(text: &str) -> Option<TooDeep> {
    Scanner::new(text.as_bytes(), MAX_NESTING)
        .run()
        .map(|(at, construct)| {
            let before = &text.as_bytes()[..at];
            let line = before.iter().filter(|b| **b == b'\n').count() as u32 + 1;
            let line_start = before
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |n| n + 1);
            // `at` is always at a token's first byte, so a char boundary.
            let column = text
                .get(line_start..at)
                .map_or(0, |s| s.chars().count() as u32)
                + 1;
            TooDeep {
                line,
                column,
                construct,
            }
        })
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    stack: Vec<Frame>,
    /// The last token that names a construct (not a word or bracket).
    last: Token,
    /// The nesting that ends the scan.
    limit: u32,
    /// The deepest nesting seen so far.
    deepest: u32,
}

impl<'a> Scanner<'a> {
    fn new(b: &'a [u8], limit: u32) -> Scanner<'a> {
        Scanner {
            b,
            i: 0,
            stack: vec![Frame::new(0)],
            last: Token::Other,
            limit,
            deepest: 0,
        }
    }

    fn peek(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }

    fn top(&mut self) -> &mut Frame {
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    /// Offset and construct of the first token past the limit.
    fn run(mut self) -> Option<(usize, &'static str)> {
        while self.i < self.b.len() {
            let start = self.i;
            let Some(token) = self.next_token() else {
                continue;
            };
            if let Some(construct) = self.account(token) {
                return Some((start, construct));
            }
        }
        None
    }

    /// Count one token; the construct named when the limit is crossed.
    fn account(&mut self, token: Token) -> Option<&'static str> {
        let (after_block, base) = (self.top().after_block, self.top().base);
        if after_block && !token.continues_expression() {
            *self.top() = Frame::new(base);
        }
        self.top().after_block = false;
        match token {
            Token::Open => {
                let depth = self.bump()?;
                self.stack.push(Frame::new(depth));
                return (depth > self.limit).then(|| self.name(token, depth));
            }
            Token::Close(brace) => {
                if self.stack.len() > 1 {
                    self.stack.pop();
                    self.top().after_block = brace;
                }
                return None;
            }
            Token::Separator => {
                let f = self.top();
                f.count = f.after_comma();
                return None;
            }
            Token::ArmArrow | Token::Semi => {
                let base = self.top().base;
                *self.top() = Frame::new(base);
                return None;
            }
            Token::Lt => {
                let f = self.top();
                f.angles.push(f.count);
            }
            Token::Gt(n) => {
                let f = self.top();
                let keep = f.angles.len().saturating_sub(n as usize);
                f.angles.truncate(keep);
            }
            Token::Pipe => {
                let f = self.top();
                if f.pipes.pop().is_none() {
                    f.pipes.push(f.count);
                }
            }
            _ => {}
        }
        let depth = self.bump()?;
        if depth > self.limit {
            return Some(self.name(token, depth));
        }
        if !matches!(token, Token::Other | Token::As) {
            self.last = token;
        }
        None
    }

    /// The construct to blame for reaching `depth` at `token`: brackets when
    /// they make most of it, else the token — or, at a word, the last
    /// token that names a construct (`*const` is blamed on `*`).
    fn name(&self, token: Token, depth: u32) -> &'static str {
        match token {
            Token::Open if self.stack.len() as u32 * 2 > depth => "brackets `(`, `[` and `{`",
            Token::Open | Token::Other | Token::As => self.last.construct(),
            _ => token.construct(),
        }
    }

    /// One more level in the current group; the nesting reached.
    fn bump(&mut self) -> Option<u32> {
        let f = self.top();
        f.count = f.count.saturating_add(1);
        let depth = f.base.saturating_add(f.count);
        self.deepest = self.deepest.max(depth);
        Some(depth)
    }

    /// Lex one token at `self.i` (advancing past it); `None` for
    /// whitespace and comments.
    fn next_token(&mut self) -> Option<Token> {
        let c = self.peek(0);
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                self.i += 1;
                None
            }
            b'/' if self.peek(1) == b'/' => {
                self.skip_line();
                None
            }
            b'/' if self.peek(1) == b'*' => {
                self.skip_block_comment();
                None
            }
            b'"' => {
                self.i += 1;
                self.skip_quoted(b'"');
                Some(Token::Other)
            }
            b'\'' => {
                self.skip_char_or_lifetime();
                Some(Token::Other)
            }
            b'(' | b'[' | b'{' => {
                self.i += 1;
                Some(Token::Open)
            }
            b')' | b']' => {
                self.i += 1;
                Some(Token::Close(false))
            }
            b'}' => {
                self.i += 1;
                Some(Token::Close(true))
            }
            _ if c == b'_' || c.is_ascii_alphanumeric() || c >= 0x80 => Some(self.word()),
            _ => Some(self.punct()),
        }
    }

    fn skip_line(&mut self) {
        while self.i < self.b.len() && self.b[self.i] != b'\n' {
            self.i += 1;
        }
    }

    /// Block comments nest in Rust.
    fn skip_block_comment(&mut self) {
        self.i += 2;
        let mut depth = 1u32;
        while self.i < self.b.len() && depth > 0 {
            if self.peek(0) == b'/' && self.peek(1) == b'*' {
                depth += 1;
                self.i += 2;
            } else if self.peek(0) == b'*' && self.peek(1) == b'/' {
                depth -= 1;
                self.i += 2;
            } else {
                self.i += 1;
            }
        }
    }

    /// Past the closing `quote` of a literal whose opening quote is consumed.
    fn skip_quoted(&mut self, quote: u8) {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            self.i += if c == b'\\' { 2 } else { 1 };
            if c == quote {
                return;
            }
        }
    }

    /// `'a'`, `'\n'`, `'\u{..}'` or a lifetime / label `'a`.
    fn skip_char_or_lifetime(&mut self) {
        self.i += 1;
        if self.peek(0) == b'\\' {
            self.skip_quoted(b'\'');
            return;
        }
        // One (possibly multi-byte) character, then a closing quote: a char.
        let width = crate::lex::utf8_width(self.peek(0));
        if self.peek(width) == b'\'' {
            self.i += width + 1;
            return;
        }
        while self.i < self.b.len() && is_ident_byte(self.b[self.i]) {
            self.i += 1;
        }
    }

    /// An identifier, keyword or number — or the prefix of a byte, C or raw
    /// string, which is skipped whole.
    fn word(&mut self) -> Token {
        let start = self.i;
        while self.i < self.b.len() && is_ident_byte(self.b[self.i]) {
            self.i += 1;
        }
        let word = &self.b[start..self.i];
        match (word, self.peek(0)) {
            (b"r" | b"br" | b"cr", b'"' | b'#') => self.skip_raw_string(),
            (b"b" | b"c", b'"') => {
                self.i += 1;
                self.skip_quoted(b'"');
            }
            (b"b", b'\'') => {
                self.i += 1;
                self.skip_quoted(b'\'');
            }
            (b"fn", _) => return Token::Fn,
            (b"else", _) => return Token::Else,
            (b"as", _) => return Token::As,
            _ => {}
        }
        Token::Other
    }

    /// `r#"…"#` with any number of `#` (the `r` is consumed).
    fn skip_raw_string(&mut self) {
        let mut hashes = 0;
        while self.peek(0) == b'#' {
            hashes += 1;
            self.i += 1;
        }
        if self.peek(0) != b'"' {
            return; // a raw identifier `r#name`
        }
        self.i += 1;
        while self.i < self.b.len() {
            if self.b[self.i] == b'"' && (1..=hashes).all(|k| self.peek(k) == b'#') {
                self.i += 1 + hashes;
                return;
            }
            self.i += 1;
        }
    }

    fn punct(&mut self) -> Token {
        let (c, next) = (self.peek(0), self.peek(1));
        self.i += 1;
        match (c, next) {
            (b'=', b'>') => {
                self.i += 1;
                Token::ArmArrow
            }
            (b'-', b'>') => {
                self.i += 1;
                Token::Arrow
            }
            (b'>', b'>') => {
                self.i += 1;
                Token::Gt(2)
            }
            (b'<', b'<' | b'=') | (b'>', b'=') => {
                self.i += 1;
                Token::Operator
            }
            (b'<', _) => Token::Lt,
            (b'>', _) => Token::Gt(1),
            (b';', _) => Token::Semi,
            (b',', _) => Token::Separator,
            (b'&' | b'*', _) => Token::Pointer,
            (b'|', _) => Token::Pipe,
            (b'.', _) => Token::Dot,
            (b'#', _) => Token::Other,
            _ => Token::Operator,
        }
    }
}

/// What the measure distinguishes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    Open,
    /// A closing bracket; `true` for `}`.
    Close(bool),
    /// `,`: ends an argument, a field or an element.
    Separator,
    /// `;`: ends a statement or item.
    Semi,
    /// `=>`: ends a match arm's pattern.
    ArmArrow,
    Lt,
    Gt(u32),
    Arrow,
    Pointer,
    Pipe,
    Dot,
    Fn,
    Else,
    As,
    Operator,
    Other,
}

impl Token {
    /// Whether this token, right after a `}`, continues the expression the
    /// block belongs to (`} else {`, `}.await`, `} + x`) instead of
    /// starting a new statement.
    fn continues_expression(self) -> bool {
        matches!(
            self,
            Token::Else
                | Token::As
                | Token::Dot
                | Token::Operator
                | Token::Pointer
                | Token::Pipe
                | Token::Lt
                | Token::Gt(_)
        )
    }

    fn construct(self) -> &'static str {
        match self {
            Token::Lt | Token::Gt(_) => "generic arguments `<…>`",
            Token::Arrow | Token::Fn => "`fn` types or return types `->`",
            Token::Pointer => "references, pointers or `&`/`*` operators",
            Token::Pipe => "closures `|…|`",
            Token::Dot => "a method or field chain `.`",
            Token::Else => "an `else if` chain",
            Token::Operator | Token::As => "an operator chain",
            _ => "a chain of tokens with no `;` or `,`",
        }
    }
}

fn is_ident_byte(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(prefix: &str, unit: &str, n: usize, suffix: &str) -> String {
        format!("{prefix}{}{suffix}", unit.repeat(n))
    }

    #[test]
    fn brackets_in_strings_chars_and_comments_do_not_count() {
        let n = MAX_NESTING as usize + 10;
        let open = "{".repeat(n);
        let srcs = [
            format!("// {open}\nfn main() {{}}\n"),
            format!("/* /* {open} */ */ fn main() {{}}\n"),
            format!("const S: &str = \"{open}\\\"{open}\";\n"),
            format!("const S: &[u8] = br##\"{open}\"#{open}\"##;\n"),
            format!("const S: &[u8] = b\"{open}\";\n"),
            format!("fn f<'a>(x: &'a u8) -> char {{ '{{' }} // {open}\n"),
        ];
        for src in srcs {
            assert_eq!(check(&src), None, "{src:.80}");
        }
    }

    #[test]
    fn each_recursive_construct_is_measured() {
        let n = MAX_NESTING as usize + 1;
        let cases = [
            (deep("type T = ", "Vec<", n, "u8"), "generic"),
            (deep("type T = ", "& ", n, "u8;"), "references"),
            (deep("type T = ", "*const ", n, "u8;"), "references"),
            (deep("type T = ", "fn() -> ", n, "u8;"), "fn"),
            (deep("fn f() { let _ = ", "|| ", n, "1; }"), "closures"),
            (deep("fn f() { let _ = 1", "+1", n, "; }"), "operator"),
            (deep("fn f() { let _ = x", ".f()", n, "; }"), "method"),
            (deep("fn f() { ", "if a {} else ", n, "{} }"), "else"),
            (deep("fn f() { let _ = ", "(", n, ""), "brackets"),
            (deep("type T = ", "A<B, ", n, ""), "generic"),
            (deep("fn f() { let _ = ", "-", n, "1; }"), "operator"),
            // Found by fuzzing: a `,` inside a closure's parameters or a
            // `for<..>` binder does not end the chain syn recurses on.
            (deep("fn f(){", "|a,|", n, "0;}"), "closures"),
            (
                deep("fn f(){", "move |a: u8, b: u8| ", n, "0;}"),
                "closures",
            ),
            (deep("type T=", "for<'a,>fn()->", n, "();"), "generic"),
        ];
        for (src, construct) in cases {
            let found = check(&src).unwrap_or_else(|| panic!("not too deep: {src:.40}"));
            assert!(found.construct.contains(construct), "{src:.40}: {found:?}");
        }
    }

    #[test]
    fn sequences_of_items_statements_arms_and_elements_do_not_nest() {
        let n = MAX_NESTING as usize * 3;
        let cases = [
            deep("", "fn f() {}\n", n, ""),
            deep("fn f() { ", "let x = a + b; ", n, "}"),
            deep("fn f() { match x { ", "A => {} ", n, "} }"),
            deep("const A: [u8; 9] = [", "1 + 2, ", n, "];"),
            deep("fn f() { ", "if a < b { c() } ", n, "}"),
            deep("struct S { ", "#[a] f: Vec<Vec<u8>>, ", n, "}"),
            deep("impl S { ", "fn f(&self) -> Option<&u8> { None } ", n, "}"),
        ];
        for src in cases {
            assert_eq!(check(&src), None, "{src:.60}");
        }
    }

    #[test]
    fn the_position_is_the_token_past_the_limit() {
        let src = format!("fn f() {{\n  x({}", "(".repeat(5000));
        let found = check(&src).expect("too deep");
        // `fn` 1, `f` 2, `()` 3, the body's `{` 4, `x` 5: the k-th `(` is
        // level 5 + k, and sits at column 3 + k.
        let k = MAX_NESTING + 1 - 5;
        assert_eq!((found.line, found.column), (2, 3 + k));
    }

    #[test]
    fn non_ascii_and_unterminated_input_does_not_panic() {
        for src in [
            "'", "\"", "r#\"", "/*", "b'", "'é", "é'x", "\u{0}", "}}})))", "r##",
        ] {
            let _ = check(src);
        }
    }
}
