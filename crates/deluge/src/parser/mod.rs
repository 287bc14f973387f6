//! Parser: tokens to the resolved tree. Recursive descent with conventional precedence
//! (postfix, unary, `* / %`, `+ -`, relational, equality, `&&`, `||`). Variables are
//! resolved to slots as they are met (a script is one flat scope). Errors are collected,
//! the parser resynchronises at the next `;` or `}`, and nesting is capped so hostile input
//! cannot overflow the stack.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::Diagnostic;
use crate::ast::{BinOp, Const, Expr, FastMethod, Slot, Stmt, TaskKind, UnOp};
use crate::dates::{has_date_shape, parse_date_literal};
use crate::lexer::{Tok, Token, lex};
use crate::value::{ElemType, Value};

mod expr;
mod task;

/// Deepest nesting of expressions and blocks (including left-nested operator chains).
pub const MAX_DEPTH: usize = 100;

/// Longest operator chain (`a + b + c ...`) in one expression.
pub const MAX_CHAIN: usize = 50_000;

/// Most diagnostics reported for one script.
const MAX_ERRORS: usize = 100;

/// Output of a successful parse.
pub struct Parsed {
    pub body: Vec<Stmt>,
    pub names: Vec<String>,
}

struct Parser<'a> {
    toks: Vec<Token<'a>>,
    pos: usize,
    errors: Vec<Diagnostic>,
    slots: foldhash::HashMap<String, Slot>,
    /// One shared copy of each function and method name (lower-cased).
    interned: foldhash::HashSet<Arc<str>>,
    names: Vec<String>,
    depth: usize,
    /// Inside a condition (`if(...)`, fetch criteria), where `=` compares like `==`.
    cond: bool,
    /// Token position just after the `]` closing the latest bracketed task, where a
    /// statement may end without `;`.
    task_end: usize,
    /// Lines of the `{` of the blocks being parsed, innermost last (for "not closed" hints).
    open_braces: Vec<u32>,
}

/// Marker: an error was recorded; the caller should resynchronise.
struct Fail;

type PResult<T> = Result<T, Fail>;

/// Parses a whole script.
pub fn parse(source: &str) -> Result<Parsed, Vec<Diagnostic>> {
    let (toks, lex_errors) = lex(source);
    let mut p = Parser {
        toks,
        pos: 0,
        errors: lex_errors,
        slots: foldhash::HashMap::default(),
        interned: foldhash::HashSet::default(),
        names: Vec::new(),
        depth: 0,
        cond: false,
        task_end: usize::MAX,
        open_braces: Vec::new(),
    };
    let body = match p.function_header() {
        Some(body) => body,
        None => p.block_body(true),
    };
    if p.errors.is_empty() {
        Ok(Parsed {
            body,
            names: p.names,
        })
    } else {
        p.errors.sort_by_key(|d| (d.line, d.column));
        p.errors.truncate(MAX_ERRORS);
        Err(p.errors)
    }
}

fn is_kw(tok: &Tok<'_>, kw: &str) -> bool {
    matches!(tok, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &Tok<'a> {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> &Tok<'a> {
        let i = (self.pos + n).min(self.toks.len().saturating_sub(1));
        self.toks.get(i).map_or(&Tok::Eof, |t| &t.tok)
    }

    fn here(&self) -> (u32, u32) {
        let i = self.pos.min(self.toks.len().saturating_sub(1));
        self.toks.get(i).map_or((1, 1), |t| (t.line, t.column))
    }

    fn line(&self) -> u32 {
        self.here().0
    }

    /// Consumes the current token and returns it (tokens borrow the source: a copy is cheap).
    fn advance(&mut self) -> Tok<'a> {
        let tok = self.toks.get(self.pos).map_or(Tok::Eof, |t| t.tok);
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        tok
    }

    fn error_here(&mut self, message: impl Into<String>) -> Fail {
        let (line, column) = self.here();
        if self.errors.len() <= MAX_ERRORS {
            self.errors.push(Diagnostic {
                line,
                column,
                message: message.into(),
            });
        }
        Fail
    }

    /// An error at the token just consumed (a bad literal); parsing resumes after it.
    fn error_prev(&mut self, message: impl Into<String>) -> Fail {
        self.pos = self.pos.saturating_sub(1);
        let fail = self.error_here(message);
        self.pos += 1;
        fail
    }

    fn expect(&mut self, tok: Tok<'_>, what: &str) -> PResult<()> {
        if *self.peek() == tok {
            self.advance();
            Ok(())
        } else {
            let found = self.peek().describe();
            let mut hint = mistake_hint(self.peek(), self.peek_at(1));
            // `if (x == 1)) {`: the condition's parentheses are closed once too often.
            if hint.is_empty() && tok == Tok::LBrace && *self.peek() == Tok::RParen {
                hint = " (one ')' too many?)";
            }
            Err(self.error_here(format!("expected {what}, found {found}{hint}")))
        }
    }

    fn eat(&mut self, tok: &Tok<'_>) -> bool {
        if self.peek() == tok {
            self.advance();
            true
        } else {
            false
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// `name` lower-cased, as the one shared copy of it.
    fn intern(&mut self, name: &str) -> Arc<str> {
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            return self.intern(&name.to_ascii_lowercase());
        }
        if let Some(s) = self.interned.get(name) {
            return s.clone();
        }
        let s: Arc<str> = Arc::from(name);
        self.interned.insert(s.clone());
        s
    }

    fn slot(&mut self, name: &str) -> Slot {
        if let Some(s) = self.slots.get(name) {
            return *s;
        }
        let s = Slot::try_from(self.names.len()).unwrap_or(Slot::MAX);
        self.names.push(name.to_string());
        self.slots.insert(name.to_string(), s);
        s
    }

    /// After a loop header Deluge does not have (`while (...) { ... }`), skips the header and
    /// its block so the block's contents are not reported as errors of their own.
    fn skip_header_and_block(&mut self) {
        // Skips one balanced group opened by the current token (`(`, `[` or `{`).
        fn skip_group(p: &mut Parser<'_>) {
            let mut depth = 0usize;
            loop {
                match p.advance() {
                    Tok::LParen | Tok::LBracket | Tok::LBrace => depth += 1,
                    Tok::RParen | Tok::RBracket | Tok::RBrace => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return;
                        }
                    }
                    Tok::Eof => return,
                    _ => {}
                }
            }
        }
        // A `{` right after a value (`)`, a name, a literal) opens the loop's block; after
        // `in`, an operator or `,` it is a list literal in the header.
        let mut after_value = false;
        loop {
            match self.peek() {
                Tok::Eof | Tok::Semi => return,
                Tok::LBrace if after_value => break,
                Tok::LParen | Tok::LBracket | Tok::LBrace => {
                    skip_group(self);
                    after_value = true;
                }
                Tok::Ident(w) => {
                    after_value = !w.eq_ignore_ascii_case("in") && !w.eq_ignore_ascii_case("each");
                    self.advance();
                }
                Tok::Text(_) | Tok::Int(_) | Tok::Dec(_) | Tok::Date(_) => {
                    after_value = true;
                    self.advance();
                }
                _ => {
                    after_value = false;
                    self.advance();
                }
            }
        }
        skip_group(self);
    }

    /// Skips to just after the next `;` or to the next `}` / end, to resume after an error.
    fn synchronize(&mut self) {
        let mut braces = 0usize;
        loop {
            match self.peek() {
                Tok::Eof => return,
                Tok::Semi if braces == 0 => {
                    self.advance();
                    return;
                }
                Tok::LBrace => braces += 1,
                Tok::RBrace => {
                    if braces == 0 {
                        return;
                    }
                    braces -= 1;
                    if braces == 0 {
                        self.advance();
                        return;
                    }
                }
                _ => {}
            }
            self.advance();
        }
    }

    /// A script saved with its function header, as CRM, Books and Creator show it:
    /// `string button.getTotal(String leadID) { ... }` or `void automation.f(int id) { ... }`.
    /// The parameters are input variables and the block is the script. `None` (nothing
    /// consumed) when the script does not start with a header.
    fn function_header(&mut self) -> Option<Vec<Stmt>> {
        const TYPES: &[&str] = &[
            "string",
            "text",
            "int",
            "bigint",
            "long",
            "decimal",
            "float",
            "bool",
            "boolean",
            "map",
            "list",
            "void",
            "date",
            "datetime",
            "collection",
            "file",
        ];
        let Tok::Ident(ty) = self.peek() else {
            return None;
        };
        if !TYPES.iter().any(|t| ty.eq_ignore_ascii_case(t)) {
            return None;
        }
        // type name(.name)* (
        let mut n = 1;
        loop {
            if !matches!(self.peek_at(n), Tok::Ident(_)) {
                return None;
            }
            n += 1;
            match self.peek_at(n) {
                Tok::Dot => n += 1,
                Tok::LParen => break,
                _ => return None,
            }
        }
        for _ in 0..=n {
            self.advance();
        }
        let header = (|| -> PResult<Vec<Stmt>> {
            if !self.eat(&Tok::RParen) {
                loop {
                    // `String leadID`, `int id`, `map data` (the type is optional).
                    if matches!(self.peek_at(1), Tok::Ident(_)) {
                        self.advance();
                    }
                    let Tok::Ident(param) = self.advance() else {
                        self.pos -= 1;
                        let found = self.peek().describe();
                        return Err(self.error_here(format!("expected a parameter, found {found}")));
                    };
                    self.slot(param);
                    if self.eat(&Tok::Comma) {
                        continue;
                    }
                    self.expect(Tok::RParen, "',' or ')' after a parameter")?;
                    break;
                }
            }
            let body = self.block()?;
            if *self.peek() != Tok::Eof {
                let found = self.peek().describe();
                return Err(self.error_here(format!(
                    "expected the end of the script after the function's closing '}}', found {found}"
                )));
            }
            Ok(body)
        })();
        Some(header.unwrap_or_default())
    }

    /// Statements until `}` (or end of input at top level).
    fn block_body(&mut self, top: bool) -> Vec<Stmt> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                Tok::Eof => {
                    if !top {
                        let message = match self.open_braces.last() {
                            Some(line) => format!(
                                "expected '}}', found end of script (the '{{' on line {line} is not closed)"
                            ),
                            None => "expected '}', found end of script".to_string(),
                        };
                        self.error_here(message);
                    }
                    return out;
                }
                Tok::RBrace => {
                    if top {
                        self.error_here("unexpected '}'");
                        self.advance();
                        continue;
                    }
                    return out;
                }
                Tok::Semi => {
                    self.advance();
                }
                _ => {
                    let start = self.pos;
                    match self.statement() {
                        Ok(s) => out.push(s),
                        Err(Fail) => {
                            self.synchronize();
                            if self.pos == start {
                                self.advance();
                            }
                        }
                    }
                }
            }
        }
    }

    fn block(&mut self) -> PResult<Vec<Stmt>> {
        let line = self.line();
        self.expect(Tok::LBrace, "'{'")?;
        self.enter()?;
        self.open_braces.push(line);
        let body = self.block_body(false);
        self.open_braces.pop();
        self.leave();
        if *self.peek() == Tok::Eof {
            // `block_body` already reported the missing `}`.
            return Err(Fail);
        }
        self.expect(Tok::RBrace, "'}'")?;
        Ok(body)
    }

    /// A missing `;` is reported just after the previous token, where it belongs.
    fn end_statement(&mut self) -> PResult<()> {
        if self.eat(&Tok::Semi) {
            return Ok(());
        }
        // `sendmail [ ... ]` and `x = invokeUrl [ ... ]` may end at their `]`, as Zoho's
        // editor saves them.
        if self.pos == self.task_end {
            return Ok(());
        }
        let found = self.peek().describe();
        let (line, column) = match self.pos.checked_sub(1).and_then(|i| self.toks.get(i)) {
            Some(t) => (t.end_line, t.end_column),
            None => self.here(),
        };
        let habit = mistake_hint(self.peek(), self.peek_at(1));
        let hint = match self.peek() {
            _ if !habit.is_empty() => habit.to_string(),
            Tok::RParen => " (one ')' too many?)".to_string(),
            Tok::Assign => " ('=' assigns a variable; compare with '==')".to_string(),
            Tok::RBracket => " (one ']' too many?)".to_string(),
            Tok::RBrace | Tok::Eof => String::new(),
            _ if self.line() > line => {
                format!(" (is a ';' missing at the end of line {line}?)")
            }
            _ => String::new(),
        };
        self.errors.push(Diagnostic {
            line,
            column,
            message: format!("expected ';', found {found}{hint}"),
        });
        Err(Fail)
    }

    fn statement(&mut self) -> PResult<Stmt> {
        let line = self.line();
        // Statement keywords are short ASCII words: the first word is lower-cased into a
        // small buffer (longer or non-ASCII words cannot be keywords and read as "").
        let mut buf = [0u8; 8];
        let lower: &str = match self.peek() {
            Tok::Ident(word) if word.len() <= buf.len() && word.is_ascii() => {
                let n = word.len();
                buf[..n].copy_from_slice(word.as_bytes());
                buf[..n].make_ascii_lowercase();
                std::str::from_utf8(&buf[..n]).unwrap_or("")
            }
            Tok::Ident(_) => "",
            _ => {
                let e = self.expr()?;
                self.end_statement()?;
                return Ok(Stmt::Expr(e, line));
            }
        };
        // The token after the first word, classified without cloning it.
        let next = match self.peek_at(1) {
            Tok::Ident(w) if w.eq_ignore_ascii_case("each") => Tok::Ident("each"),
            Tok::Ident(_) | Tok::Text(_) | Tok::Int(_) | Tok::Dec(_) | Tok::Date(_) => Tok::Comma,
            other => *other,
        };
        if let Some(message) = statement_mistake(lower, &next, self.peek_at(2)) {
            let fail = self.error_here(message);
            if matches!(lower, "while" | "do" | "for") {
                // The loop is reported once; its block is not parsed on its own.
                self.skip_header_and_block();
                return Ok(Stmt::Expr(Expr::Const(Const::Null), line));
            }
            return Err(fail);
        }
        match lower {
            "if" if next == Tok::LParen => return self.if_statement(),
            "for" if is_kw(&next, "each") => return self.for_each(),
            "try" if next == Tok::LBrace => return self.try_catch(),
            "break" if next == Tok::Semi => {
                self.advance();
                self.advance();
                return Ok(Stmt::Break(line));
            }
            "continue" if next == Tok::Semi => {
                self.advance();
                self.advance();
                return Ok(Stmt::Continue(line));
            }
            "return" => {
                self.advance();
                if self.eat(&Tok::Semi) {
                    return Ok(Stmt::Return(None, line));
                }
                let e = self.expr()?;
                self.end_statement()?;
                return Ok(Stmt::Return(Some(e), line));
            }
            // `info.get(...)`, `info = ...`: a variable named `info` (Cliq's message-action
            // samples read one).
            "info" if !is_assign_op(&next) && next != Tok::Dot => {
                self.advance();
                let e = self.expr()?;
                self.end_statement()?;
                return Ok(Stmt::Info(e, line));
            }
            _ => {}
        }
        if !is_assign_op(&next)
            && let Some(stmt) = self.creator_statement(lower, line)
        {
            return stmt;
        }
        if is_assign_op(&next) {
            let Tok::Ident(word) = self.advance() else {
                return Err(self.error_here("expected a variable"));
            };
            let op = match self.advance() {
                Tok::PlusAssign => Some(BinOp::Add),
                Tok::MinusAssign => Some(BinOp::Sub),
                Tok::StarAssign => Some(BinOp::Mul),
                Tok::SlashAssign => Some(BinOp::Div),
                Tok::PercentAssign => Some(BinOp::Mod),
                _ => None,
            };
            if is_reserved(lower) {
                return Err(self.error_here(format!("'{word}' is a reserved word")));
            }
            let slot = self.slot(word);
            let value = self.expr()?;
            self.end_statement()?;
            return Ok(Stmt::Assign {
                slot,
                op,
                value,
                line,
            });
        }
        let e = self.expr()?;
        // `input.Field:ui.add(...)`: Creator's picklist update on a field read through `input`.
        if *self.peek() == Tok::Colon && is_kw(self.peek_at(1), "ui") {
            let field = match &e {
                Expr::Method {
                    recv, args, name, ..
                } if &**name == "get" => match (&**recv, args.as_slice()) {
                    (Expr::Var { slot, .. }, [Expr::Const(Const::Text(f))]) => {
                        let record = self.names.get(*slot as usize).cloned().unwrap_or_default();
                        format!("{record}.{f}")
                    }
                    _ => "field".to_string(),
                },
                _ => "field".to_string(),
            };
            return self.ui_call_after(field, line);
        }
        if is_assign_op(self.peek()) {
            return self.field_assignment(e, line);
        }
        if let Expr::Binary(BinOp::Eq, left, _, _) = &e
            && matches!(**left, Expr::Var { .. })
        {
            return Err(self
                .error_here("a comparison ('==') alone is not a statement; to assign, write '='"));
        }
        self.end_statement()?;
        Ok(Stmt::Expr(e, line))
    }

    /// `rec.field = value;` / `input.field = value;`: Creator's record update, parsed and
    /// failing at run time. Any other target cannot be assigned to.
    fn field_assignment(&mut self, target: Expr, line: u32) -> PResult<Stmt> {
        let field = self.field_path(&target);
        let Some(field) = field else {
            return Err(self.error_here(
                "only a variable can be assigned to (use put(key, value) to change a map)",
            ));
        };
        self.advance(); // = or +=, ...
        self.expr()?;
        self.end_statement()?;
        let what = match field.split_once('.') {
            Some((record, name)) if !name.contains('.') => format!(
                "record update '{field} = ...' (to change a map, write {record}.put(\"{name}\", value))"
            ),
            _ => format!("record update '{field} = ...'"),
        };
        Ok(Stmt::Expr(
            Expr::Unsupported {
                what: what.into(),
                line,
            },
            line,
        ))
    }

    /// `rec.field` or `input.Address.city` (a field of a field) as written, for a Creator
    /// record update; `None` for any other target.
    fn field_path(&self, target: &Expr) -> Option<String> {
        let Expr::Method {
            recv, name, args, ..
        } = target
        else {
            return None;
        };
        let [Expr::Const(Const::Text(f))] = args.as_slice() else {
            return None;
        };
        if &**name != "get" {
            return None;
        }
        let record = match &**recv {
            Expr::Var { slot, .. } => self.names.get(*slot as usize)?.clone(),
            inner => self.field_path(inner)?,
        };
        Some(format!("{record}.{f}"))
    }

    fn if_statement(&mut self) -> PResult<Stmt> {
        let line = self.line();
        let mut branches = Vec::new();
        let mut otherwise = None;
        self.advance(); // if
        loop {
            self.expect(Tok::LParen, "'('")?;
            let saved = std::mem::replace(&mut self.cond, true);
            let cond = self.expr();
            self.cond = saved;
            let cond = cond?;
            self.expect(Tok::RParen, "')'")?;
            let body = self.block()?;
            branches.push((cond, body));
            if is_kw(self.peek(), "else") {
                self.advance();
                if is_kw(self.peek(), "if") {
                    self.advance();
                    continue;
                }
                otherwise = Some(self.block()?);
            }
            break;
        }
        Ok(Stmt::If {
            branches,
            otherwise,
            line,
        })
    }

    fn for_each(&mut self) -> PResult<Stmt> {
        let line = self.line();
        self.advance(); // for
        self.advance(); // each
        let index = is_kw(self.peek(), "index") && matches!(self.peek_at(1), Tok::Ident(_));
        if index {
            self.advance();
        }
        let Tok::Ident(var) = *self.peek() else {
            let found = self.peek().describe();
            return Err(self.error_here(format!("expected a loop variable, found {found}")));
        };
        self.advance();
        if !is_kw(self.peek(), "in") {
            let found = self.peek().describe();
            return Err(self.error_here(format!("expected 'in', found {found}")));
        }
        self.advance();
        let slot = self.slot(var);
        let iter = self.expr()?;
        let body = self.block()?;
        Ok(Stmt::ForEach {
            slot,
            index,
            iter,
            body,
            line,
        })
    }

    fn try_catch(&mut self) -> PResult<Stmt> {
        let line = self.line();
        self.advance(); // try
        let body = self.block()?;
        if !is_kw(self.peek(), "catch") {
            let found = self.peek().describe();
            return Err(self.error_here(format!("expected 'catch', found {found}")));
        }
        self.advance();
        self.expect(Tok::LParen, "'('")?;
        let Tok::Ident(var) = *self.peek() else {
            let found = self.peek().describe();
            return Err(self.error_here(format!("expected an error variable, found {found}")));
        };
        self.advance();
        self.expect(Tok::RParen, "')'")?;
        let slot = self.slot(var);
        let catch = self.block()?;
        Ok(Stmt::Try {
            body,
            slot,
            catch,
            line,
        })
    }
}

/// A hint for a token that is likely a habit from another language (`and`, `or`, `===`).
fn mistake_hint(tok: &Tok<'_>, next: &Tok<'_>) -> &'static str {
    match tok {
        Tok::Ident(w) if w.eq_ignore_ascii_case("and") => " (Deluge writes 'and' as '&&')",
        Tok::Ident(w) if w.eq_ignore_ascii_case("or") => " (Deluge writes 'or' as '||')",
        Tok::Assign if *next == Tok::Assign => " (Deluge compares with '==', not '===')",
        Tok::Eq if *next == Tok::Assign => " (Deluge compares with '==', not '===')",
        _ => "",
    }
}

/// A statement that starts the way another language would (`while`, `for x in`, `x++`,
/// `var x = ...`, a stray `else`), explained in Deluge's terms.
fn statement_mistake(lower: &str, next: &Tok<'_>, after: &Tok<'_>) -> Option<String> {
    let next_is_word = *next == Tok::Comma; // the caller folds any value token into `,`
    Some(match lower {
        "while" | "do" if matches!(next, Tok::LParen | Tok::LBrace) => {
            "Deluge has no 'while' loop; loop over a list with 'for each item in list { ... }'"
                .into()
        }
        "for" if next_is_word || *next == Tok::LParen => {
            "expected 'each' after 'for': Deluge loops are written 'for each item in list { ... }'"
                .into()
        }
        "var" | "let" | "const" | "def" if next_is_word => {
            format!("Deluge has no '{lower}' declarations; assign directly, as in 'name = value;'")
        }
        "else" => "'else' must follow the '}' that closes an 'if' block".into(),
        _ if *next == Tok::Plus && *after == Tok::Plus => {
            "Deluge has no '++'; write 'x = x + 1;' or 'x += 1;'".into()
        }
        _ if *next == Tok::Minus && *after == Tok::Minus => {
            "Deluge has no '--'; write 'x = x - 1;' or 'x -= 1;'".into()
        }
        _ => return None,
    })
}

fn is_assign_op(t: &Tok<'_>) -> bool {
    matches!(
        t,
        Tok::Assign
            | Tok::PlusAssign
            | Tok::MinusAssign
            | Tok::StarAssign
            | Tok::SlashAssign
            | Tok::PercentAssign
    )
}

/// Words that cannot be variable names (Zoho's keyword list plus statement words).
const RESERVED: &[&str] = &[
    "true", "false", "null", "if", "else", "for", "each", "in", "return", "break", "continue",
    "try", "catch", "ifnull", "zoho", "thisapp", "void",
];

/// Whether `word`, in any case, is a reserved word.
fn is_reserved(word: &str) -> bool {
    word.len() <= 8 && RESERVED.iter().any(|k| word.eq_ignore_ascii_case(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_error_with_position() {
        let errs = parse("a = ;\nb = 1;\nc = (2;\nd = 3").err().unwrap();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert_eq!((errs[0].line, errs[0].column), (1, 5));
        assert_eq!(errs[1].line, 3);
        assert_eq!(errs[2].line, 4);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = format!("x = {}1{};", "(".repeat(5000), ")".repeat(5000));
        assert!(parse(&src).is_err());
        let src = format!("x = 1{};", " + 1".repeat(5000));
        assert!(parse(&src).is_ok());
        let src = format!("x = true{};", " && true".repeat(5000));
        assert!(parse(&src).is_err());
        let src = format!("x = {};", "-".repeat(5000));
        assert!(parse(&src).is_err());
        let src = "if(true){".repeat(3000);
        assert!(parse(&src).is_err());
    }

    #[test]
    fn task_syntax() {
        let p = parse(
            "r = invokeUrl [\n url: \"http://x\"\n type: POST\n content-type: \"a/b\"\n headers: {\"a\":\"b\"}\n];",
        )
        .ok()
        .unwrap();
        let Stmt::Assign {
            value: Expr::Task { params, .. },
            ..
        } = &p.body[0]
        else {
            panic!("not a task");
        };
        let keys: Vec<&str> = params.iter().map(|(k, _)| &**k).collect();
        assert_eq!(keys, ["url", "type", "content-type", "headers"]);
    }
}
