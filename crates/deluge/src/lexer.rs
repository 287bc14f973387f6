//! Lexer: source text to tokens with 1-based line/column positions. Never panics; bad
//! characters and unterminated literals become diagnostics and the scan continues.
//!
//! Tokens borrow their text from the source (nothing is allocated per token); the scan runs
//! over bytes with ASCII fast paths, and columns count characters, as editors show them.

use std::borrow::Cow;

use crate::Diagnostic;

/// The text of a quoted literal as written between its quotes, and whether it holds a
/// backslash that [`Lit::text`] must interpret.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lit<'a> {
    raw: &'a str,
    escaped: bool,
    double: bool,
}

impl<'a> Lit<'a> {
    /// The literal's value: escapes interpreted, borrowed when there are none.
    pub fn text(&self) -> Cow<'a, str> {
        if !self.escaped {
            return Cow::Borrowed(self.raw);
        }
        Cow::Owned(if self.double {
            unescape_double(self.raw)
        } else {
            unescape_single(self.raw)
        })
    }
}

/// `"..."`: the JSON-like escapes; unknown escapes keep the backslash (regex patterns such
/// as `"\d"`).
fn unescape_double(raw: &str) -> String {
    let mut s = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            s.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => s.push('\n'),
            Some('t') => s.push('\t'),
            Some('r') => s.push('\r'),
            Some('b') => s.push('\u{8}'),
            Some('f') => s.push('\u{c}'),
            Some(c @ ('"' | '\\' | '/' | '\'')) => s.push(c),
            Some(c) => {
                s.push('\\');
                s.push(c);
            }
            None => s.push('\\'),
        }
    }
    s
}

/// `'It\'s'`: a backslash escapes a quote or a backslash; others are kept.
fn unescape_single(raw: &str) -> String {
    let mut s = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&n @ ('\'' | '\\')) = chars.peek()
        {
            chars.next();
            s.push(n);
            continue;
        }
        s.push(c);
    }
    s
}

/// A token kind. Identifiers keep their spelling; keywords are recognised by the parser
/// (case-insensitively), since Deluge keywords double as ordinary names in places.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tok<'a> {
    Ident(&'a str),
    Text(Lit<'a>),
    /// Digits of an integer literal (range-checked by the parser).
    Int(&'a str),
    /// Text of a decimal literal, e.g. `0.99` (or `.5`).
    Dec(&'a str),
    /// Contents of a single-quoted literal: a date-time when it has a date's shape, otherwise
    /// text (the parser decides, see `DECISIONS.md`).
    Date(Lit<'a>),
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Semi,
    Colon,
    Dot,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    Assign,
    PlusAssign,
    MinusAssign,
    StarAssign,
    SlashAssign,
    PercentAssign,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    AndAnd,
    OrOr,
    Eof,
}

impl Tok<'_> {
    /// How the token reads in error messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("'{s}'"),
            Tok::Text(_) => "text literal".into(),
            Tok::Int(s) | Tok::Dec(s) => format!("number {s}"),
            Tok::Date(_) => "quoted literal".into(),
            Tok::Eof => "end of script".into(),
            other => format!("'{}'", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::Semi => ";",
            Tok::Colon => ":",
            Tok::Dot => ".",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::Bang => "!",
            Tok::Assign => "=",
            Tok::PlusAssign => "+=",
            Tok::MinusAssign => "-=",
            Tok::StarAssign => "*=",
            Tok::SlashAssign => "/=",
            Tok::PercentAssign => "%=",
            Tok::Eq => "==",
            Tok::Ne => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
            _ => "?",
        }
    }
}

/// A token and where it starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Token<'a> {
    pub tok: Tok<'a>,
    pub line: u32,
    pub column: u32,
    /// Position just after the token's last character.
    pub end_line: u32,
    pub end_column: u32,
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    /// Byte offset and column of a known position on the current line; columns further on
    /// are counted from there, so each byte is counted once.
    col_at: usize,
    col: u32,
    tokens: Vec<Token<'a>>,
    errors: Vec<Diagnostic>,
}

/// Splits `source` into tokens (always ending with `Eof`), plus any lexical errors.
pub fn lex(source: &str) -> (Vec<Token<'_>>, Vec<Diagnostic>) {
    let mut lx = Lexer {
        src: source,
        bytes: source.as_bytes(),
        pos: 0,
        line: 1,
        col_at: 0,
        col: 1,
        // At most one token per three bytes in typical scripts: no reallocation.
        tokens: Vec::with_capacity(source.len() / 3 + 8),
        errors: Vec::new(),
    };
    lx.run();
    let (line, column) = lx.here();
    lx.tokens.push(Token {
        tok: Tok::Eof,
        line,
        column,
        end_line: line,
        end_column: column,
    });
    (lx.tokens, lx.errors)
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl<'a> Lexer<'a> {
    /// Line and column of the cursor.
    #[inline(always)]
    fn here(&mut self) -> (u32, u32) {
        let counted = &self.bytes[self.col_at.min(self.pos)..self.pos];
        // Characters, not bytes: every byte but UTF-8 continuation bytes starts one.
        let chars = if counted.iter().all(u8::is_ascii) {
            counted.len()
        } else {
            counted.iter().filter(|&&b| (b as i8) >= -0x40).count()
        };
        self.col += u32::try_from(chars).unwrap_or(u32::MAX);
        self.col_at = self.pos;
        (self.line, self.col)
    }

    /// Moves past a newline at the cursor.
    fn newline(&mut self) {
        self.pos += 1;
        self.line += 1;
        self.col_at = self.pos;
        self.col = 1;
    }

    fn peek_byte(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    /// The character at the cursor (for the rare non-ASCII byte).
    fn char_here(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn error(&mut self, line: u32, column: u32, message: impl Into<String>) {
        self.errors.push(Diagnostic {
            line,
            column,
            message: message.into(),
        });
    }

    fn run(&mut self) {
        while let Some(b) = self.peek_byte(0) {
            match b {
                b'\n' => {
                    self.newline();
                    continue;
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => {
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            let start = self.pos;
            let (line, column) = self.here();
            let tok = match b {
                b'/' => match self.peek_byte(1) {
                    Some(b'/') => {
                        while let Some(c) = self.peek_byte(0) {
                            if c == b'\n' {
                                break;
                            }
                            self.pos += 1;
                        }
                        continue;
                    }
                    Some(b'*') => {
                        self.pos += 2;
                        self.block_comment(line, column);
                        continue;
                    }
                    Some(b'=') => {
                        self.pos += 2;
                        Tok::SlashAssign
                    }
                    _ => {
                        self.pos += 1;
                        Tok::Slash
                    }
                },
                b'"' => {
                    self.pos += 1;
                    Tok::Text(self.double_quoted(line, column))
                }
                b'\'' => {
                    self.pos += 1;
                    Tok::Date(self.single_quoted(line, column))
                }
                b'0'..=b'9' => self.number(start),
                // `.5` is a decimal unless the dot follows a value (`x.5` stays a member access).
                b'.' if self.dot_starts_decimal() => {
                    self.pos += 1;
                    self.digits();
                    Tok::Dec(&self.src[start..self.pos])
                }
                b if b.is_ascii_alphabetic() || b == b'_' => {
                    self.ident();
                    Tok::Ident(&self.src[start..self.pos])
                }
                b if b.is_ascii() => {
                    self.pos += 1;
                    match self.punct(b) {
                        Some(t) => t,
                        None => {
                            let c = char::from(b);
                            self.error(line, column, format!("unexpected character '{c}'"));
                            continue;
                        }
                    }
                }
                _ => {
                    let Some(c) = self.char_here() else {
                        // Not at a character boundary: cannot happen for a `&str`; skip.
                        self.pos += 1;
                        continue;
                    };
                    if c.is_whitespace() {
                        self.pos += c.len_utf8();
                        continue;
                    }
                    if is_ident_start(c) {
                        self.ident();
                        Tok::Ident(&self.src[start..self.pos])
                    } else {
                        self.pos += c.len_utf8();
                        self.error(line, column, format!("unexpected character '{c}'"));
                        continue;
                    }
                }
            };
            let (end_line, end_column) = self.here();
            self.tokens.push(Token {
                tok,
                line,
                column,
                end_line,
                end_column,
            });
        }
    }

    /// After `/*`: to the closing `*/` (or an error at the opening one).
    fn block_comment(&mut self, line: u32, column: u32) {
        while let Some(b) = self.peek_byte(0) {
            match b {
                b'\n' => self.newline(),
                b'*' if self.peek_byte(1) == Some(b'/') => {
                    self.pos += 2;
                    return;
                }
                _ => self.pos += 1,
            }
        }
        self.error(line, column, "unterminated block comment");
    }

    /// An identifier's remaining characters.
    fn ident(&mut self) {
        while let Some(b) = self.peek_byte(0) {
            if b.is_ascii_alphanumeric() || b == b'_' {
                self.pos += 1;
            } else if b.is_ascii() {
                return;
            } else {
                match self.char_here() {
                    Some(c) if is_ident_continue(c) => self.pos += c.len_utf8(),
                    _ => return,
                }
            }
        }
    }

    /// Whether a `.` at the cursor begins a decimal such as `.5`: a digit follows and the
    /// previous token cannot be the receiver of a method call.
    fn dot_starts_decimal(&self) -> bool {
        if !self.peek_byte(1).is_some_and(|c| c.is_ascii_digit()) {
            return false;
        }
        !matches!(
            self.tokens.last().map(|t| &t.tok),
            Some(
                Tok::Ident(_)
                    | Tok::Text(_)
                    | Tok::Int(_)
                    | Tok::Dec(_)
                    | Tok::Date(_)
                    | Tok::RParen
                    | Tok::RBracket
                    | Tok::RBrace
            )
        )
    }

    fn punct(&mut self, c: u8) -> Option<Tok<'a>> {
        let next = self.peek_byte(0);
        let two = |lx: &mut Self, t: Tok<'a>| {
            lx.pos += 1;
            Some(t)
        };
        match (c, next) {
            (b'+', Some(b'=')) => two(self, Tok::PlusAssign),
            (b'-', Some(b'=')) => two(self, Tok::MinusAssign),
            (b'*', Some(b'=')) => two(self, Tok::StarAssign),
            (b'%', Some(b'=')) => two(self, Tok::PercentAssign),
            (b'=', Some(b'=')) => {
                self.pos += 1;
                if self.peek_byte(0) == Some(b'=') {
                    let (line, column) = self.here();
                    self.pos += 1;
                    self.error(
                        line,
                        column.saturating_sub(2),
                        "'===' is not Deluge; compare with '=='",
                    );
                }
                Some(Tok::Eq)
            }
            (b'!', Some(b'=')) => two(self, Tok::Ne),
            (b'<', Some(b'=')) => two(self, Tok::Le),
            (b'>', Some(b'=')) => two(self, Tok::Ge),
            (b'<', Some(b'>')) => two(self, Tok::Ne),
            (b'&', Some(b'&')) => two(self, Tok::AndAnd),
            (b'|', Some(b'|')) => two(self, Tok::OrOr),
            (b'(', _) => Some(Tok::LParen),
            (b')', _) => Some(Tok::RParen),
            (b'{', _) => Some(Tok::LBrace),
            (b'}', _) => Some(Tok::RBrace),
            (b'[', _) => Some(Tok::LBracket),
            (b']', _) => Some(Tok::RBracket),
            (b',', _) => Some(Tok::Comma),
            (b';', _) => Some(Tok::Semi),
            (b':', _) => Some(Tok::Colon),
            (b'.', _) => Some(Tok::Dot),
            (b'+', _) => Some(Tok::Plus),
            (b'-', _) => Some(Tok::Minus),
            (b'*', _) => Some(Tok::Star),
            (b'%', _) => Some(Tok::Percent),
            (b'!', _) => Some(Tok::Bang),
            (b'=', _) => Some(Tok::Assign),
            (b'<', _) => Some(Tok::Lt),
            (b'>', _) => Some(Tok::Gt),
            _ => None,
        }
    }

    /// After the opening `"`: to the closing one. Text may span lines.
    fn double_quoted(&mut self, line: u32, column: u32) -> Lit<'a> {
        let start = self.pos;
        let mut escaped = false;
        loop {
            match self.peek_byte(0) {
                None => {
                    self.error(line, column, "unterminated text literal");
                    return Lit {
                        raw: &self.src[start..],
                        escaped,
                        double: true,
                    };
                }
                Some(b'"') => {
                    let raw = &self.src[start..self.pos];
                    self.pos += 1;
                    return Lit {
                        raw,
                        escaped,
                        double: true,
                    };
                }
                Some(b'\\') => {
                    escaped = true;
                    match self.peek_byte(1) {
                        None => {
                            self.pos += 1;
                        }
                        Some(b'\n') => {
                            self.pos += 1;
                            self.newline();
                        }
                        // The escaped character may be multi-byte: step over all of it.
                        Some(_) => {
                            self.pos += 1;
                            let n = self.char_here().map_or(1, char::len_utf8);
                            self.pos += n;
                        }
                    }
                }
                Some(b'\n') => self.newline(),
                Some(_) => self.pos += 1,
            }
        }
    }

    /// After the opening `'`: to the closing one, on the same line.
    fn single_quoted(&mut self, line: u32, column: u32) -> Lit<'a> {
        let start = self.pos;
        let mut escaped = false;
        loop {
            match self.peek_byte(0) {
                None | Some(b'\n') => {
                    self.error(
                        line,
                        column,
                        "unterminated quoted literal (missing closing ')",
                    );
                    let raw = &self.src[start..self.pos];
                    if self.peek_byte(0).is_some() {
                        self.newline();
                    }
                    return Lit {
                        raw,
                        escaped,
                        double: false,
                    };
                }
                Some(b'\'') => {
                    let raw = &self.src[start..self.pos];
                    self.pos += 1;
                    return Lit {
                        raw,
                        escaped,
                        double: false,
                    };
                }
                Some(b'\\') if matches!(self.peek_byte(1), Some(b'\'' | b'\\')) => {
                    escaped = true;
                    self.pos += 2;
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn digits(&mut self) {
        while self.peek_byte(0).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn number(&mut self, start: usize) -> Tok<'a> {
        self.digits();
        // A '.' followed by a digit makes a decimal; otherwise it is a method call
        // (`24.isNumber()`).
        if self.peek_byte(0) == Some(b'.') && self.peek_byte(1).is_some_and(|c| c.is_ascii_digit())
        {
            self.pos += 1;
            self.digits();
            return Tok::Dec(&self.src[start..self.pos]);
        }
        Tok::Int(&self.src[start..self.pos])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok<'_>> {
        lex(src).0.into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn lexes_numbers_and_method_on_literal() {
        assert_eq!(
            kinds("24.isNumber() 0.5 (.5)"),
            vec![
                Tok::Int("24"),
                Tok::Dot,
                Tok::Ident("isNumber"),
                Tok::LParen,
                Tok::RParen,
                Tok::Dec("0.5"),
                Tok::LParen,
                Tok::Dec(".5"),
                Tok::RParen,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn positions_and_errors() {
        let (toks, errs) = lex("a\n  \"x");
        assert_eq!((toks[1].line, toks[1].column), (2, 3));
        assert_eq!(errs.len(), 1);
        let (_, errs) = lex("a # b ` c");
        assert_eq!(errs.len(), 2);
    }

    #[test]
    fn columns_count_characters_and_text_spans_lines() {
        let (toks, errs) = lex("é = \"a\nb\"; ü\u{a0}x");
        assert!(errs.is_empty(), "{errs:?}");
        // `é` is one column wide although two bytes long.
        assert_eq!((toks[1].line, toks[1].column), (1, 3));
        assert_eq!((toks[3].line, toks[3].column), (2, 3));
        assert_eq!((toks[4].line, toks[4].column), (2, 5));
        // A no-break space separates like a space.
        assert_eq!(toks[5].tok, Tok::Ident("x"));
        assert_eq!((toks[5].line, toks[5].column), (2, 7));
        assert_eq!((toks[2].end_line, toks[2].end_column), (2, 3));
    }

    #[test]
    fn escapes_are_interpreted_only_when_asked() {
        let toks = kinds(r#""a\"b\n\d" 'It\'s \x'"#);
        let (Tok::Text(t), Tok::Date(d)) = (toks[0], toks[1]) else {
            panic!("{toks:?}");
        };
        assert_eq!(t.text(), "a\"b\n\\d");
        assert_eq!(d.text(), "It's \\x");
        let plain = kinds(r#""plain""#);
        assert!(matches!(plain[0], Tok::Text(l) if matches!(l.text(), Cow::Borrowed("plain"))));
    }
}
