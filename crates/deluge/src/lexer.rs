//! Lexer: source text to tokens with 1-based line/column positions. Never panics; bad
//! characters and unterminated literals become diagnostics and the scan continues.

use crate::Diagnostic;

/// A token kind. Identifiers keep their spelling; keywords are recognised by the parser
/// (case-insensitively), since Deluge keywords double as ordinary names in places.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Text(String),
    /// Digits of an integer literal (range-checked by the parser).
    Int(String),
    /// Text of a decimal literal, e.g. `0.99`.
    Dec(String),
    /// Contents of a single-quoted literal: a date-time when it has a date's shape, otherwise
    /// text (the parser decides, see `DECISIONS.md`).
    Date(String),
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

impl Tok {
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
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub line: u32,
    pub column: u32,
    /// Position just after the token's last character.
    pub end_line: u32,
    pub end_column: u32,
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: u32,
    column: u32,
    tokens: Vec<Token>,
    errors: Vec<Diagnostic>,
}

/// Splits `source` into tokens (always ending with `Eof`), plus any lexical errors.
pub fn lex(source: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lx = Lexer {
        chars: source.chars().peekable(),
        line: 1,
        column: 1,
        tokens: Vec::with_capacity(source.len() / 3),
        errors: Vec::new(),
    };
    lx.run();
    let (line, column) = (lx.line, lx.column);
    lx.tokens.push(Token {
        tok: Tok::Eof,
        line,
        column,
        end_line: line,
        end_column: column,
    });
    (lx.tokens, lx.errors)
}

impl Lexer<'_> {
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn error(&mut self, line: u32, column: u32, message: impl Into<String>) {
        self.errors.push(Diagnostic {
            line,
            column,
            message: message.into(),
        });
    }

    fn run(&mut self) {
        while let Some(c) = self.peek() {
            let (line, column) = (self.line, self.column);
            if c.is_whitespace() {
                self.bump();
                continue;
            }
            let tok = match c {
                '/' => {
                    self.bump();
                    match self.peek() {
                        Some('/') => {
                            while let Some(c) = self.peek() {
                                if c == '\n' {
                                    break;
                                }
                                self.bump();
                            }
                            continue;
                        }
                        Some('*') => {
                            self.bump();
                            let mut closed = false;
                            while let Some(c) = self.bump() {
                                if c == '*' && self.peek() == Some('/') {
                                    self.bump();
                                    closed = true;
                                    break;
                                }
                            }
                            if !closed {
                                self.error(line, column, "unterminated block comment");
                            }
                            continue;
                        }
                        Some('=') => {
                            self.bump();
                            Tok::SlashAssign
                        }
                        _ => Tok::Slash,
                    }
                }
                '"' => {
                    self.bump();
                    self.text(line, column)
                }
                '\'' => {
                    self.bump();
                    self.date(line, column)
                }
                c if c.is_ascii_digit() => self.number(),
                // `.5` is a decimal unless the dot follows a value (`x.5` stays a member access).
                '.' if self.dot_starts_decimal() => {
                    self.bump();
                    match self.number() {
                        Tok::Int(digits) => Tok::Dec(format!("0.{digits}")),
                        other => other,
                    }
                }
                c if c.is_alphabetic() || c == '_' => {
                    let mut s = String::new();
                    while let Some(c) = self.peek() {
                        if c.is_alphanumeric() || c == '_' {
                            s.push(c);
                            self.bump();
                        } else {
                            break;
                        }
                    }
                    Tok::Ident(s)
                }
                _ => {
                    self.bump();
                    match self.punct(c) {
                        Some(t) => t,
                        None => {
                            self.error(line, column, format!("unexpected character '{c}'"));
                            continue;
                        }
                    }
                }
            };
            self.tokens.push(Token {
                tok,
                line,
                column,
                end_line: self.line,
                end_column: self.column,
            });
        }
    }

    /// Whether a `.` at the cursor begins a decimal such as `.5`: a digit follows and the
    /// previous token cannot be the receiver of a method call.
    fn dot_starts_decimal(&self) -> bool {
        let mut ahead = self.chars.clone();
        ahead.next();
        if !ahead.peek().is_some_and(|c| c.is_ascii_digit()) {
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

    fn punct(&mut self, c: char) -> Option<Tok> {
        let next = self.peek();
        let two = |lx: &mut Self, t: Tok| {
            lx.bump();
            Some(t)
        };
        match (c, next) {
            ('+', Some('=')) => two(self, Tok::PlusAssign),
            ('-', Some('=')) => two(self, Tok::MinusAssign),
            ('*', Some('=')) => two(self, Tok::StarAssign),
            ('%', Some('=')) => two(self, Tok::PercentAssign),
            ('=', Some('=')) => {
                self.bump();
                if self.peek() == Some('=') {
                    let (line, column) = (self.line, self.column.saturating_sub(2));
                    self.bump();
                    self.error(line, column, "'===' is not Deluge; compare with '=='");
                }
                Some(Tok::Eq)
            }
            ('!', Some('=')) => two(self, Tok::Ne),
            ('<', Some('=')) => two(self, Tok::Le),
            ('>', Some('=')) => two(self, Tok::Ge),
            ('<', Some('>')) => two(self, Tok::Ne),
            ('&', Some('&')) => two(self, Tok::AndAnd),
            ('|', Some('|')) => two(self, Tok::OrOr),
            ('(', _) => Some(Tok::LParen),
            (')', _) => Some(Tok::RParen),
            ('{', _) => Some(Tok::LBrace),
            ('}', _) => Some(Tok::RBrace),
            ('[', _) => Some(Tok::LBracket),
            (']', _) => Some(Tok::RBracket),
            (',', _) => Some(Tok::Comma),
            (';', _) => Some(Tok::Semi),
            (':', _) => Some(Tok::Colon),
            ('.', _) => Some(Tok::Dot),
            ('+', _) => Some(Tok::Plus),
            ('-', _) => Some(Tok::Minus),
            ('*', _) => Some(Tok::Star),
            ('%', _) => Some(Tok::Percent),
            ('!', _) => Some(Tok::Bang),
            ('=', _) => Some(Tok::Assign),
            ('<', _) => Some(Tok::Lt),
            ('>', _) => Some(Tok::Gt),
            _ => None,
        }
    }

    fn text(&mut self, line: u32, column: u32) -> Tok {
        let mut s = String::new();
        loop {
            match self.bump() {
                None => {
                    self.error(line, column, "unterminated text literal");
                    break;
                }
                Some('"') => break,
                Some('\\') => match self.bump() {
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some('r') => s.push('\r'),
                    Some('b') => s.push('\u{8}'),
                    Some('f') => s.push('\u{c}'),
                    Some('"') => s.push('"'),
                    Some('\\') => s.push('\\'),
                    Some('/') => s.push('/'),
                    Some('\'') => s.push('\''),
                    // Unknown escapes keep the backslash (regex patterns such as "\d").
                    Some(c) => {
                        s.push('\\');
                        s.push(c);
                    }
                    None => {
                        self.error(line, column, "unterminated text literal");
                        break;
                    }
                },
                Some(c) => s.push(c),
            }
        }
        Tok::Text(s)
    }

    fn date(&mut self, line: u32, column: u32) -> Tok {
        let mut s = String::new();
        loop {
            match self.bump() {
                None | Some('\n') => {
                    self.error(
                        line,
                        column,
                        "unterminated quoted literal (missing closing ')",
                    );
                    break;
                }
                Some('\'') => break,
                // `'It\'s'`: a backslash escapes a quote or a backslash; others are kept.
                Some('\\') if matches!(self.peek(), Some('\'' | '\\')) => {
                    if let Some(c) = self.bump() {
                        s.push(c);
                    }
                }
                Some(c) => s.push(c),
            }
        }
        Tok::Date(s)
    }

    fn number(&mut self) -> Tok {
        let mut s = String::new();
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() {
                s.push(c);
                self.bump();
            } else {
                break;
            }
        }
        // A '.' followed by a digit makes a decimal; otherwise it is a method call
        // (`24.isNumber()`).
        if self.peek() == Some('.') {
            let mut ahead = self.chars.clone();
            ahead.next();
            if ahead.peek().is_some_and(|c| c.is_ascii_digit()) {
                s.push('.');
                self.bump();
                while let Some(c) = self.peek() {
                    if c.is_ascii_digit() {
                        s.push(c);
                        self.bump();
                    } else {
                        break;
                    }
                }
                return Tok::Dec(s);
            }
        }
        Tok::Int(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        lex(src).0.into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn lexes_numbers_and_method_on_literal() {
        assert_eq!(
            kinds("24.isNumber() 0.5"),
            vec![
                Tok::Int("24".into()),
                Tok::Dot,
                Tok::Ident("isNumber".into()),
                Tok::LParen,
                Tok::RParen,
                Tok::Dec("0.5".into()),
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
}
