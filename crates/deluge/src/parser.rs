//! Parser: tokens to the resolved tree. Recursive descent with conventional precedence
//! (postfix, unary, `* / %`, `+ -`, relational, equality, `&&`, `||`). Variables are
//! resolved to slots as they are met (a script is one flat scope). Errors are collected,
//! the parser resynchronises at the next `;` or `}`, and nesting is capped so hostile input
//! cannot overflow the stack.

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::Diagnostic;
use crate::ast::{BinOp, Const, Expr, FastMethod, Slot, Stmt, TaskKind, UnOp};
use crate::dates::parse_date_literal;
use crate::lexer::{Tok, Token, lex};
use crate::value::{ElemType, Value};

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

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    errors: Vec<Diagnostic>,
    slots: HashMap<String, Slot>,
    names: Vec<String>,
    depth: usize,
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
        slots: HashMap::new(),
        names: Vec::new(),
        depth: 0,
    };
    let body = p.block_body(true);
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

fn is_kw(tok: &Tok, kw: &str) -> bool {
    matches!(tok, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> &Tok {
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

    /// Consumes the current token and returns it (moved out, not cloned: a consumed token
    /// is only looked at again for its position, after an error).
    fn advance(&mut self) -> Tok {
        let tok = match self.toks.get_mut(self.pos) {
            Some(t) if t.tok != Tok::Eof => std::mem::replace(&mut t.tok, Tok::Semi),
            _ => Tok::Eof,
        };
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

    fn expect(&mut self, tok: Tok, what: &str) -> PResult<()> {
        if *self.peek() == tok {
            self.advance();
            Ok(())
        } else {
            let found = self.peek().describe();
            Err(self.error_here(format!("expected {what}, found {found}")))
        }
    }

    fn eat(&mut self, tok: &Tok) -> bool {
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

    fn slot(&mut self, name: &str) -> Slot {
        if let Some(s) = self.slots.get(name) {
            return *s;
        }
        let s = Slot::try_from(self.names.len()).unwrap_or(Slot::MAX);
        self.names.push(name.to_string());
        self.slots.insert(name.to_string(), s);
        s
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

    /// Statements until `}` (or end of input at top level).
    fn block_body(&mut self, top: bool) -> Vec<Stmt> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                Tok::Eof => {
                    if !top {
                        self.error_here("expected '}', found end of script");
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
        self.expect(Tok::LBrace, "'{'")?;
        self.enter()?;
        let body = self.block_body(false);
        self.leave();
        self.expect(Tok::RBrace, "'}'")?;
        Ok(body)
    }

    /// A missing `;` is reported just after the previous token, where it belongs.
    fn end_statement(&mut self) -> PResult<()> {
        if self.eat(&Tok::Semi) {
            return Ok(());
        }
        let found = self.peek().describe();
        let (line, column) = match self.pos.checked_sub(1).and_then(|i| self.toks.get(i)) {
            Some(t) => (t.end_line, t.end_column),
            None => self.here(),
        };
        self.errors.push(Diagnostic {
            line,
            column,
            message: format!("expected ';', found {found}"),
        });
        Err(Fail)
    }

    fn statement(&mut self) -> PResult<Stmt> {
        let line = self.line();
        let lower = match self.peek() {
            // Statement keywords are short; only they need a lower-cased copy.
            Tok::Ident(word) if word.len() <= 8 => word.to_ascii_lowercase(),
            Tok::Ident(_) => String::new(),
            _ => {
                let e = self.expr()?;
                self.end_statement()?;
                return Ok(Stmt::Expr(e, line));
            }
        };
        // The token after the first word, classified without cloning it.
        let next = match self.peek_at(1) {
            Tok::Ident(w) if w.eq_ignore_ascii_case("each") => Tok::Ident("each".into()),
            Tok::Ident(_) | Tok::Text(_) | Tok::Int(_) | Tok::Dec(_) | Tok::Date(_) => Tok::Comma,
            other => other.clone(),
        };
        match lower.as_str() {
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
            // `info.get(...)`: a variable named `info` (Cliq's message-action samples read one).
            "info" if !is_assign_op(&next) && next != Tok::Dot => {
                self.advance();
                let e = self.expr()?;
                self.end_statement()?;
                return Ok(Stmt::Info(e, line));
            }
            _ => {}
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
            if is_reserved(&lower) {
                return Err(self.error_here(format!("'{word}' is a reserved word")));
            }
            let slot = self.slot(&word);
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
        if is_assign_op(self.peek()) {
            return Err(self.error_here("only a variable can be assigned to"));
        }
        self.end_statement()?;
        Ok(Stmt::Expr(e, line))
    }

    fn if_statement(&mut self) -> PResult<Stmt> {
        let line = self.line();
        let mut branches = Vec::new();
        let mut otherwise = None;
        self.advance(); // if
        loop {
            self.expect(Tok::LParen, "'('")?;
            let cond = self.expr()?;
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
        let Tok::Ident(var) = self.peek().clone() else {
            let found = self.peek().describe();
            return Err(self.error_here(format!("expected a loop variable, found {found}")));
        };
        self.advance();
        if !is_kw(self.peek(), "in") {
            let found = self.peek().describe();
            return Err(self.error_here(format!("expected 'in', found {found}")));
        }
        self.advance();
        let slot = self.slot(&var);
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
        let Tok::Ident(var) = self.peek().clone() else {
            let found = self.peek().describe();
            return Err(self.error_here(format!("expected an error variable, found {found}")));
        };
        self.advance();
        self.expect(Tok::RParen, "')'")?;
        let slot = self.slot(&var);
        let catch = self.block()?;
        Ok(Stmt::Try {
            body,
            slot,
            catch,
            line,
        })
    }

    // ---- expressions ----

    fn expr(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = self.or_expr();
        self.leave();
        r
    }

    /// Parses a left-associative chain of `&&` or `||`; each link counts as one level of
    /// nesting since these stay binary nodes.
    fn chain(
        &mut self,
        next: fn(&mut Self) -> PResult<Expr>,
        op_of: fn(&Tok) -> Option<Option<BinOp>>,
        build: fn(Option<BinOp>, Expr, Expr, u32) -> Expr,
    ) -> PResult<Expr> {
        let mut left = next(self)?;
        let mut links = 0;
        while let Some(op) = op_of(self.peek()) {
            let line = self.line();
            self.advance();
            links += 1;
            if self.depth + links > MAX_DEPTH {
                return Err(
                    self.error_here(format!("expression nests deeper than {MAX_DEPTH} levels"))
                );
            }
            let right = next(self)?;
            left = build(op, left, right, line);
        }
        Ok(left)
    }

    /// Parses a left-associative chain of arithmetic or comparison operators into one flat
    /// node.
    fn op_chain(
        &mut self,
        next: fn(&mut Self) -> PResult<Expr>,
        op_of: fn(&Tok) -> Option<BinOp>,
    ) -> PResult<Expr> {
        let first = next(self)?;
        let mut rest = Vec::new();
        while let Some(op) = op_of(self.peek()) {
            let line = self.line();
            self.advance();
            if rest.len() >= MAX_CHAIN {
                return Err(self.error_here(format!("more than {MAX_CHAIN} operators in a row")));
            }
            rest.push((op, next(self)?, line));
        }
        if rest.len() == 1
            && let Some((op, right, line)) = rest.pop()
        {
            return Ok(Expr::Binary(op, Box::new(first), Box::new(right), line));
        }
        Ok(if rest.is_empty() {
            first
        } else {
            Expr::Chain(Box::new(first), rest)
        })
    }

    fn or_expr(&mut self) -> PResult<Expr> {
        self.chain(
            Self::and_expr,
            |t| (*t == Tok::OrOr).then_some(None),
            |_, l, r, line| Expr::Or(Box::new(l), Box::new(r), line),
        )
    }

    fn and_expr(&mut self) -> PResult<Expr> {
        self.chain(
            Self::eq_expr,
            |t| (*t == Tok::AndAnd).then_some(None),
            |_, l, r, line| Expr::And(Box::new(l), Box::new(r), line),
        )
    }

    fn eq_expr(&mut self) -> PResult<Expr> {
        self.op_chain(Self::rel_expr, |t| match t {
            Tok::Eq => Some(BinOp::Eq),
            Tok::Ne => Some(BinOp::Ne),
            _ => None,
        })
    }

    fn rel_expr(&mut self) -> PResult<Expr> {
        self.op_chain(Self::add_expr, |t| match t {
            Tok::Lt => Some(BinOp::Lt),
            Tok::Le => Some(BinOp::Le),
            Tok::Gt => Some(BinOp::Gt),
            Tok::Ge => Some(BinOp::Ge),
            _ => None,
        })
    }

    fn add_expr(&mut self) -> PResult<Expr> {
        self.op_chain(Self::mul_expr, |t| match t {
            Tok::Plus => Some(BinOp::Add),
            Tok::Minus => Some(BinOp::Sub),
            _ => None,
        })
    }

    fn mul_expr(&mut self) -> PResult<Expr> {
        self.op_chain(Self::unary, |t| match t {
            Tok::Star => Some(BinOp::Mul),
            Tok::Slash => Some(BinOp::Div),
            Tok::Percent => Some(BinOp::Mod),
            _ => None,
        })
    }

    fn unary(&mut self) -> PResult<Expr> {
        let line = self.line();
        let op = match self.peek() {
            Tok::Minus => UnOp::Neg,
            Tok::Plus => UnOp::Plus,
            Tok::Bang => UnOp::Not,
            _ => return self.postfix(),
        };
        self.advance();
        // The one literal whose magnitude only fits negated.
        if op == UnOp::Neg
            && matches!(self.peek(), Tok::Int(d) if d == "9223372036854775808")
            && *self.peek_at(1) != Tok::Dot
        {
            self.advance();
            return Ok(Expr::Const(Const::Number(i64::MIN)));
        }
        self.enter()?;
        let operand = self.unary();
        self.leave();
        let operand = operand?;
        // Fold negative literals so `-9223372036854775808` and `-5` are constants.
        if op == UnOp::Neg {
            match &operand {
                Expr::Const(Const::Number(n)) => {
                    if let Some(v) = n.checked_neg() {
                        return Ok(Expr::Const(Const::Number(v)));
                    }
                }
                Expr::Const(Const::Decimal(d)) => return Ok(Expr::Const(Const::Decimal(-*d))),
                _ => {}
            }
        }
        Ok(Expr::Unary(op, Box::new(operand), line))
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let mut e = self.primary()?;
        let mut links = 0;
        while *self.peek() == Tok::Dot {
            let line = self.line();
            self.advance();
            if !matches!(self.peek(), Tok::Ident(_)) {
                let found = self.peek().describe();
                return Err(self.error_here(format!("expected a function name, found {found}")));
            }
            let Tok::Ident(name) = self.advance() else {
                return Err(self.error_here("expected a function name"));
            };
            links += 1;
            if self.depth + links > MAX_DEPTH {
                return Err(
                    self.error_here(format!("expression nests deeper than {MAX_DEPTH} levels"))
                );
            }
            if *self.peek() != Tok::LParen {
                // `form.values`: a key of a map read without `get` (Cliq's form samples). It is
                // exactly `form.get("values")`, so it shares that call's evaluation.
                e = Expr::Method {
                    recv: Box::new(e),
                    fast: FastMethod::from_name("get"),
                    name: "get".into(),
                    args: vec![Expr::Const(Const::Text(name.into()))],
                    line,
                };
                continue;
            }
            let args = self.call_args()?;
            let name = name.to_ascii_lowercase();
            e = Expr::Method {
                recv: Box::new(e),
                fast: FastMethod::from_name(&name),
                name: name.into(),
                args,
                line,
            };
        }
        Ok(e)
    }

    /// `( arg, ... )` where an argument may be a `key : value` pair.
    fn call_args(&mut self) -> PResult<Vec<Expr>> {
        self.expect(Tok::LParen, "'('")?;
        let mut args = Vec::new();
        if self.eat(&Tok::RParen) {
            return Ok(args);
        }
        loop {
            let a = self.expr()?;
            if self.eat(&Tok::Colon) {
                let v = self.expr()?;
                args.push(Expr::Pair(Box::new(a), Box::new(v)));
            } else {
                args.push(a);
            }
            if self.eat(&Tok::Comma) {
                continue;
            }
            self.expect(Tok::RParen, "',' or ')'")?;
            return Ok(args);
        }
    }

    fn primary(&mut self) -> PResult<Expr> {
        let line = self.line();
        match self.advance() {
            Tok::Int(digits) => match digits.parse::<i64>() {
                Ok(n) => Ok(Expr::Const(Const::Number(n))),
                Err(_) => {
                    self.pos -= 1;
                    Err(self.error_here(format!("number {digits} is out of the 64-bit range")))
                }
            },
            Tok::Dec(text) => match text.parse::<Decimal>() {
                Ok(d) => Ok(Expr::Const(Const::Decimal(d))),
                Err(_) => {
                    self.pos -= 1;
                    Err(self.error_here(format!("decimal {text} is out of range")))
                }
            },
            Tok::Text(s) => Ok(Expr::Const(Const::Text(Arc::from(s)))),
            Tok::Date(s) => match parse_date_literal(&s) {
                Ok(Value::Date(d)) => Ok(Expr::Const(Const::Date(d))),
                Ok(Value::DateTime(d)) => Ok(Expr::Const(Const::DateTime(d))),
                Ok(_) => Ok(Expr::Const(Const::Null)),
                Err(msg) => {
                    self.pos -= 1;
                    Err(self.error_here(msg))
                }
            },
            Tok::LParen => {
                let e = self.expr()?;
                self.expect(Tok::RParen, "')'")?;
                Ok(e)
            }
            Tok::LBrace => self.brace_literal(),
            Tok::Ident(name) => self.identifier(name, line),
            other => {
                self.pos -= 1;
                Err(self.error_here(format!(
                    "expected an expression, found {}",
                    other.describe()
                )))
            }
        }
    }

    fn brace_literal(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = self.brace_literal_inner();
        self.leave();
        r
    }

    fn brace_literal_inner(&mut self) -> PResult<Expr> {
        // `{}` is an empty KEY-VALUE (see DECISIONS.md).
        if self.eat(&Tok::RBrace) {
            return Ok(Expr::MapLit(Vec::new()));
        }
        let first = self.expr()?;
        if self.eat(&Tok::Colon) {
            let v = self.expr()?;
            let mut entries = vec![(first, v)];
            while self.eat(&Tok::Comma) {
                if *self.peek() == Tok::RBrace {
                    break;
                }
                let k = self.expr()?;
                self.expect(Tok::Colon, "':'")?;
                let v = self.expr()?;
                entries.push((k, v));
            }
            self.expect(Tok::RBrace, "',' or '}'")?;
            return Ok(Expr::MapLit(entries));
        }
        let mut items = vec![first];
        while self.eat(&Tok::Comma) {
            if *self.peek() == Tok::RBrace {
                break;
            }
            items.push(self.expr()?);
        }
        self.expect(Tok::RBrace, "',' or '}'")?;
        Ok(Expr::ListLit(items))
    }

    fn identifier(&mut self, name: String, line: u32) -> PResult<Expr> {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "true" => return Ok(Expr::Const(Const::Bool(true))),
            "false" => return Ok(Expr::Const(Const::Bool(false))),
            "null" => return Ok(Expr::Const(Const::Null)),
            _ => {}
        }
        match self.peek() {
            Tok::LBracket => return self.task(&lower, line),
            Tok::Colon if lower == "list" => {
                self.advance();
                let Tok::Ident(ty) = self.advance() else {
                    self.pos -= 1;
                    return Err(self.error_here("expected an element type after 'List:'"));
                };
                let Some(elem) = ElemType::from_name(&ty) else {
                    self.pos -= 1;
                    return Err(self.error_here(format!("unknown list element type '{ty}'")));
                };
                let args = self.call_args()?;
                return Ok(Expr::NewList(Some(elem), args));
            }
            Tok::Dot if lower == "zoho" => return self.zoho(line),
            Tok::LParen => {}
            _ => {
                let info_variable = lower == "info" && *self.peek() == Tok::Dot;
                if is_reserved(&lower)
                    && !matches!(lower.as_str(), "now" | "today")
                    && !info_variable
                {
                    self.pos -= 1;
                    return Err(self.error_here(format!("unexpected reserved word '{name}'")));
                }
                let slot = self.slot(&name);
                return Ok(Expr::Var { slot, line });
            }
        }
        let args = self.call_args()?;
        Ok(match lower.as_str() {
            "if" => {
                let [c, a, b]: [Expr; 3] = args.try_into().map_err(|_| {
                    self.error_at(line, "if(condition, value, otherwise) takes 3 arguments")
                })?;
                Expr::Cond(Box::new(c), Box::new(a), Box::new(b), line)
            }
            "ifnull" => {
                let [a, b]: [Expr; 2] = args.try_into().map_err(|_| {
                    self.error_at(line, "ifnull(value, fallback) takes 2 arguments")
                })?;
                Expr::IfNull(Box::new(a), Box::new(b))
            }
            "list" => Expr::NewList(None, args),
            "map" => {
                if args.len() > 1 {
                    return Err(self.error_at(line, "Map() takes at most 1 argument"));
                }
                Expr::NewMap(args.into_iter().next().map(Box::new), line)
            }
            "collection" => Expr::NewCollection(args, line),
            _ => Expr::Call {
                name: lower.into(),
                args,
                line,
            },
        })
    }

    fn error_at(&mut self, line: u32, message: &str) -> Fail {
        self.errors.push(Diagnostic {
            line,
            column: 1,
            message: message.into(),
        });
        Fail
    }

    /// `zoho.a.b` (system variable) or `zoho.a.b(args)` (task or function).
    fn zoho(&mut self, line: u32) -> PResult<Expr> {
        let mut path = String::from("zoho");
        while *self.peek() == Tok::Dot {
            let Tok::Ident(part) = self.peek_at(1).clone() else {
                break;
            };
            self.advance();
            self.advance();
            path.push('.');
            path.push_str(&part.to_ascii_lowercase());
            if *self.peek() == Tok::LParen {
                let args = self.call_args()?;
                return Ok(Expr::Call {
                    name: path.into(),
                    args,
                    line,
                });
            }
        }
        if path == "zoho" {
            return Err(self.error_here("expected a name after 'zoho.'"));
        }
        Ok(Expr::Zoho {
            name: path["zoho.".len()..].into(),
            line,
        })
    }

    /// `name [ key: value ... ]` with keys like `content-type` and values separated by
    /// newlines (commas also accepted).
    fn task(&mut self, lower: &str, line: u32) -> PResult<Expr> {
        self.advance(); // [
        let mut params = Vec::new();
        loop {
            if self.eat(&Tok::RBracket) {
                break;
            }
            let Tok::Ident(first) = self.peek().clone() else {
                let found = self.peek().describe();
                return Err(self.error_here(format!("expected a task parameter, found {found}")));
            };
            self.advance();
            let mut key = first.to_ascii_lowercase();
            while *self.peek() == Tok::Minus {
                let Tok::Ident(part) = self.peek_at(1).clone() else {
                    break;
                };
                self.advance();
                self.advance();
                key.push('-');
                key.push_str(&part.to_ascii_lowercase());
            }
            self.expect(Tok::Colon, "':'")?;
            // Bare words such as `type: POST` or `response-format: TEXT` are text.
            let bare = matches!(self.peek(), Tok::Ident(_))
                && matches!(
                    self.peek_at(1),
                    Tok::Ident(_) | Tok::RBracket | Tok::Comma | Tok::Eof
                )
                && matches!(
                    key.as_str(),
                    "type" | "response-format" | "response-decoding" | "method" | "format"
                );
            let value = if bare {
                let Tok::Ident(word) = self.advance() else {
                    return Err(self.error_here("expected a value"));
                };
                Expr::Const(Const::Text(Arc::from(word)))
            } else {
                self.expr()?
            };
            params.push((key.into_boxed_str(), value));
            self.eat(&Tok::Comma);
        }
        let kind = match lower {
            "invokeurl" => TaskKind::InvokeUrl,
            "sendmail" => TaskKind::SendMail,
            other => TaskKind::Other(other.into()),
        };
        Ok(Expr::Task { kind, params, line })
    }
}

fn is_assign_op(t: &Tok) -> bool {
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
fn is_reserved(lower: &str) -> bool {
    matches!(
        lower,
        "true"
            | "false"
            | "null"
            | "if"
            | "else"
            | "for"
            | "each"
            | "in"
            | "return"
            | "break"
            | "continue"
            | "try"
            | "catch"
            | "info"
            | "ifnull"
            | "zoho"
            | "thisapp"
            | "void"
    )
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
