//! Expressions: precedence levels, postfix calls, literals and identifiers.

use super::*;

impl<'a> Parser<'a> {
    // ---- expressions ----

    pub(super) fn expr(&mut self) -> PResult<Expr> {
        // A lone literal or name before a separator (list elements, call arguments, map
        // values) needs no precedence climbing: parse it directly.
        let lone = match self.peek() {
            Tok::Int(_) | Tok::Dec(_) | Tok::Text(_) | Tok::Date(_) => matches!(
                self.peek_at(1),
                Tok::Comma | Tok::RParen | Tok::RBrace | Tok::RBracket | Tok::Semi | Tok::Colon
            ),
            Tok::Ident(_) => matches!(
                self.peek_at(1),
                Tok::Comma | Tok::RParen | Tok::RBrace | Tok::RBracket | Tok::Semi
            ),
            _ => false,
        };
        if lone {
            return self.primary();
        }
        self.enter()?;
        let r = self.or_expr();
        self.leave();
        r
    }

    /// Parses a left-associative chain of `&&` or `||`; each link counts as one level of
    /// nesting since these stay binary nodes.
    #[inline(always)]
    pub(super) fn chain(
        &mut self,
        next: impl Fn(&mut Self) -> PResult<Expr>,
        op_of: impl Fn(&Tok<'_>) -> Option<Option<BinOp>>,
        build: impl Fn(Option<BinOp>, Expr, Expr, u32) -> Expr,
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
    #[inline(always)]
    pub(super) fn op_chain(
        &mut self,
        next: impl Fn(&mut Self) -> PResult<Expr>,
        op_of: impl Fn(&Tok<'_>) -> Option<BinOp>,
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

    pub(super) fn or_expr(&mut self) -> PResult<Expr> {
        self.chain(
            Self::and_expr,
            |t| (*t == Tok::OrOr).then_some(None),
            |_, l, r, line| Expr::Or(Box::new(l), Box::new(r), line),
        )
    }

    pub(super) fn and_expr(&mut self) -> PResult<Expr> {
        self.chain(
            Self::eq_expr,
            |t| (*t == Tok::AndAnd).then_some(None),
            |_, l, r, line| Expr::And(Box::new(l), Box::new(r), line),
        )
    }

    pub(super) fn eq_expr(&mut self) -> PResult<Expr> {
        if self.cond {
            // `if(status = "Open")`: inside a condition `=` compares, as Zoho's editor writes it.
            return self.op_chain(Self::rel_expr, |t| match t {
                Tok::Eq | Tok::Assign => Some(BinOp::Eq),
                Tok::Ne => Some(BinOp::Ne),
                _ => None,
            });
        }
        self.op_chain(Self::rel_expr, |t| match t {
            Tok::Eq => Some(BinOp::Eq),
            Tok::Ne => Some(BinOp::Ne),
            _ => None,
        })
    }

    pub(super) fn rel_expr(&mut self) -> PResult<Expr> {
        let left = self.op_chain(Self::add_expr, |t| match t {
            Tok::Lt => Some(BinOp::Lt),
            Tok::Le => Some(BinOp::Le),
            Tok::Gt => Some(BinOp::Gt),
            Tok::Ge => Some(BinOp::Ge),
            _ => None,
        })?;
        // `x in list` / `x not in list`: membership, as `list.contains(x)`.
        let negated = is_kw(self.peek(), "not") && is_kw(self.peek_at(1), "in");
        if !negated && !is_kw(self.peek(), "in") {
            return Ok(left);
        }
        let line = self.line();
        self.advance();
        if negated {
            self.advance();
        }
        let list = self.add_expr()?;
        let contains = Expr::Method {
            recv: Box::new(list),
            fast: FastMethod::None,
            name: self.intern("contains"),
            args: vec![left],
            line,
        };
        Ok(if negated {
            Expr::Unary(UnOp::Not, Box::new(contains), line)
        } else {
            contains
        })
    }

    pub(super) fn add_expr(&mut self) -> PResult<Expr> {
        self.op_chain(Self::mul_expr, |t| match t {
            Tok::Plus => Some(BinOp::Add),
            Tok::Minus => Some(BinOp::Sub),
            _ => None,
        })
    }

    pub(super) fn mul_expr(&mut self) -> PResult<Expr> {
        self.op_chain(Self::unary, |t| match t {
            Tok::Star => Some(BinOp::Mul),
            Tok::Slash => Some(BinOp::Div),
            Tok::Percent => Some(BinOp::Mod),
            _ => None,
        })
    }

    pub(super) fn unary(&mut self) -> PResult<Expr> {
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
            && matches!(self.peek(), Tok::Int(d) if *d == "9223372036854775808")
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

    pub(super) fn postfix(&mut self) -> PResult<Expr> {
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
                    name: self.intern("get"),
                    args: vec![Expr::Const(Const::Text(name.into()))],
                    line,
                };
                continue;
            }
            let args = self.call_args()?;
            let name = self.intern(name);
            e = Expr::Method {
                recv: Box::new(e),
                fast: FastMethod::from_name(&name),
                name,
                args,
                line,
            };
        }
        Ok(e)
    }

    /// `( arg, ... )` where an argument may be a `key : value` pair.
    pub(super) fn call_args(&mut self) -> PResult<Vec<Expr>> {
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

    pub(super) fn primary(&mut self) -> PResult<Expr> {
        let line = self.line();
        match self.advance() {
            Tok::Int(digits) => match digits.parse::<i64>() {
                Ok(n) => Ok(Expr::Const(Const::Number(n))),
                Err(_) => {
                    Err(self.error_prev(format!("number {digits} is out of the 64-bit range")))
                }
            },
            Tok::Dec(text) => match if text.starts_with('.') {
                format!("0{text}").parse::<Decimal>()
            } else {
                text.parse::<Decimal>()
            } {
                Ok(d) => Ok(Expr::Const(Const::Decimal(d))),
                Err(_) => Err(self.error_prev(format!("decimal {text} is out of range"))),
            },
            Tok::Text(s) => Ok(Expr::Const(Const::Text(Arc::from(s.text())))),
            Tok::Date(s) => {
                let s = s.text();
                // `'Approved'`, `''`, `'12'`: single quotes around anything but a date are text.
                if !has_date_shape(&s) {
                    return Ok(Expr::Const(Const::Text(Arc::from(s))));
                }
                match parse_date_literal(&s) {
                    Ok(Value::Date(d)) => Ok(Expr::Const(Const::Date(d))),
                    Ok(Value::DateTime(d)) => Ok(Expr::Const(Const::DateTime(d))),
                    Ok(_) => Ok(Expr::Const(Const::Null)),
                    Err(msg) => Err(self.error_prev(msg)),
                }
            }
            Tok::LParen => {
                let e = self.expr()?;
                self.expect(Tok::RParen, "')'")?;
                Ok(e)
            }
            Tok::LBrace => self.brace_literal(),
            Tok::LBracket => self.bracket_list(),
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

    /// `[a, b, ...]`: a JSON-style list literal (Zoho's Cliq samples write handler replies
    /// this way), the same LIST as `{a, b, ...}`.
    pub(super) fn bracket_list(&mut self) -> PResult<Expr> {
        self.enter()?;
        let mut items = ListItems::default();
        let r = loop {
            if self.eat(&Tok::RBracket) {
                break Ok(items.finish());
            }
            match self.expr() {
                Ok(e) => items.push(e),
                Err(f) => break Err(f),
            }
            if self.eat(&Tok::Comma) {
                continue;
            }
            if self.eat(&Tok::RBracket) {
                break Ok(items.finish());
            }
            let found = self.peek().describe();
            break Err(self.error_here(format!("expected ',' or ']', found {found}")));
        };
        self.leave();
        r
    }

    pub(super) fn brace_literal(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = self.brace_literal_inner();
        self.leave();
        r
    }

    pub(super) fn brace_literal_inner(&mut self) -> PResult<Expr> {
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
        let mut items = ListItems::default();
        items.push(first);
        while self.eat(&Tok::Comma) {
            if *self.peek() == Tok::RBrace {
                break;
            }
            items.push(self.expr()?);
        }
        self.expect(Tok::RBrace, "',' or '}'")?;
        Ok(items.finish())
    }

    pub(super) fn identifier(&mut self, name: &'a str, line: u32) -> PResult<Expr> {
        // Keywords are compared in place: a lower-cased copy is made only for calls.
        let is = |kw: &str| name.eq_ignore_ascii_case(kw);
        if is("true") {
            return Ok(Expr::Const(Const::Bool(true)));
        }
        if is("false") {
            return Ok(Expr::Const(Const::Bool(false)));
        }
        if is("null") {
            return Ok(Expr::Const(Const::Null));
        }
        match self.peek() {
            Tok::LBracket => {
                let lower = name.to_ascii_lowercase();
                return self.bracket_after_name(name, &lower, line);
            }
            Tok::Ident(w) if is("insert") && w.eq_ignore_ascii_case("into") => {
                return self.insert_into(line);
            }
            Tok::Ident(w) if is("delete") && w.eq_ignore_ascii_case("from") => {
                return self.delete_from(line);
            }
            Tok::Dot if is("thisapp") => return self.thisapp(line),
            Tok::Colon if is("list") => {
                self.advance();
                let Tok::Ident(ty) = self.advance() else {
                    self.pos -= 1;
                    return Err(self.error_here("expected an element type after 'List:'"));
                };
                let Some(elem) = ElemType::from_name(ty) else {
                    self.pos -= 1;
                    return Err(self.error_here(format!("unknown list element type '{ty}'")));
                };
                let args = self.call_args()?;
                return Ok(Expr::NewList(Some(elem), args));
            }
            Tok::Dot if is("zoho") => return self.zoho(line),
            Tok::LParen => {}
            _ => {
                if is_reserved(name) {
                    self.pos -= 1;
                    return Err(self.error_here(format!("unexpected reserved word '{name}'")));
                }
                let slot = self.slot(name);
                return Ok(Expr::Var { slot, line });
            }
        }
        let lower = name.to_ascii_lowercase();
        // In `if(condition, a, b)` a `=` compares, as in an `if` statement.
        let saved = self.cond;
        self.cond = saved || lower == "if";
        let args = self.call_args();
        self.cond = saved;
        let args = args?;
        Ok(match lower.as_str() {
            "openurl" => Expr::Unsupported {
                what: "openUrl".into(),
                line,
            },
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
                name: self.intern(&lower),
                args,
                line,
            },
        })
    }

    pub(super) fn error_at(&mut self, line: u32, message: &str) -> Fail {
        self.errors.push(Diagnostic {
            line,
            column: 1,
            message: message.into(),
        });
        Fail
    }

    /// `zoho.a.b` (system variable) or `zoho.a.b(args)` (task or function).
    pub(super) fn zoho(&mut self, line: u32) -> PResult<Expr> {
        let mut path = String::from("zoho");
        while *self.peek() == Tok::Dot {
            let Tok::Ident(part) = *self.peek_at(1) else {
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
}

/// A list literal: [`Expr::ConstList`] when every element is a literal.
pub(super) fn list_literal(items: Vec<Expr>) -> Expr {
    let mut list = ListItems::default();
    for e in items {
        list.push(e);
    }
    list.finish()
}

/// The elements of a list literal as they are parsed: literals are kept as constants (long
/// literal lists need no expression per element) until the first other element.
enum ListItems {
    Consts(Vec<Const>),
    Exprs(Vec<Expr>),
}

impl Default for ListItems {
    fn default() -> Self {
        ListItems::Consts(Vec::new())
    }
}

impl ListItems {
    fn push(&mut self, e: Expr) {
        match (&mut *self, e) {
            (ListItems::Consts(cs), Expr::Const(c)) => cs.push(c),
            (ListItems::Consts(cs), e) => {
                let mut es: Vec<Expr> = std::mem::take(cs).into_iter().map(Expr::Const).collect();
                es.push(e);
                *self = ListItems::Exprs(es);
            }
            (ListItems::Exprs(es), e) => es.push(e),
        }
    }

    fn finish(self) -> Expr {
        match self {
            ListItems::Consts(cs) => Expr::ConstList(cs.into()),
            ListItems::Exprs(es) => Expr::ListLit(es),
        }
    }
}
