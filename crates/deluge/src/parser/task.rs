//! Bracketed tasks (`invokeUrl [...]`, `sendmail [...]`) and Zoho Creator statements.
//!
//! Task syntax follows Zoho's task pages (<https://www.zoho.com/deluge/help/webhook/invokeurl-api-task.html>,
//! <https://www.zoho.com/creator/help/script/fetch-and-email.html>): one `key: value` per line,
//! keys of several words (`reply to`, `content type`) or with dashes (`content-type`),
//! comma-separated values for one key (`to: "a@x.com", manager`), and a closing `]` that
//! needs no `;`. Creator's data statements
//! (<https://www.zoho.com/deluge/help/data-access.html>) parse into [`Expr::Unsupported`],
//! which fails at run time naming the statement.

use super::*;

/// Keys whose values Zoho writes as bare words (`type: POST`, `content-type: application/json`).
fn takes_bare_words(key: &str) -> bool {
    matches!(
        key,
        "type"
            | "method"
            | "content-type"
            | "content type"
            | "response-format"
            | "response format"
            | "response-decoding"
            | "format"
    )
}

/// The attachment forms of Zoho's send mail task (`file: x`, `template: T as PDF`, ...).
fn is_attachment_kind(word: &str) -> bool {
    ["file", "template", "view", "report", "records"]
        .iter()
        .any(|k| word.eq_ignore_ascii_case(k))
}

/// Bracketed tasks that exist in Zoho Creator but not in Cliq.
fn is_creator_task(lower: &str) -> bool {
    matches!(
        lower,
        "sendsms" | "pushnotify" | "sendpushnotification" | "postcomment"
    )
}

impl<'a> Parser<'a> {
    /// How many tokens, from `pos + at`, form a task key followed by `:`: words joined by
    /// `-` or by spaces on one line (`content-type`, `reply to`). `None` if no key starts there.
    fn key_len_at(&self, at: usize) -> Option<usize> {
        let first = self.toks.get(self.pos + at)?;
        if !matches!(first.tok, Tok::Ident(_)) {
            return None;
        }
        let mut n = 1;
        loop {
            let t = self.toks.get(self.pos + at + n)?;
            match &t.tok {
                Tok::Colon => return Some(n),
                Tok::Minus if matches!(self.peek_at(at + n + 1), Tok::Ident(_)) => n += 2,
                Tok::Ident(_) if t.line == first.line && n < 8 => n += 1,
                _ => return None,
            }
        }
    }

    /// `name [` after an identifier: a task when the bracket holds `key:` parameters (or
    /// the name is a known task), otherwise a Creator fetch `Form[criteria]`.
    pub(super) fn bracket_after_name(
        &mut self,
        name: &str,
        lower: &str,
        line: u32,
    ) -> PResult<Expr> {
        let known = matches!(lower, "invokeurl" | "sendmail") || is_creator_task(lower);
        if known || self.key_len_at(1).is_some() || *self.peek_at(1) == Tok::RBracket {
            return self.task(lower, line);
        }
        self.fetch(name, line)
    }

    /// `name [ key: value ... ]` with keys like `content-type` and values separated by
    /// newlines (commas also accepted).
    pub(super) fn task(&mut self, lower: &str, line: u32) -> PResult<Expr> {
        self.advance(); // [
        let mut params = Vec::new();
        loop {
            if self.eat(&Tok::RBracket) {
                self.task_end = self.pos;
                break;
            }
            let Some(len) = self.key_len_at(0) else {
                let found = self.peek().describe();
                return Err(self.error_here(format!(
                    "expected a task parameter such as 'url:' or ']', found {found}"
                )));
            };
            let key = self.task_key(len);
            self.expect(Tok::Colon, "':'")?;
            let mut values = vec![self.task_value(&key)?];
            // `to: "a@x.com", manager_email`: a comma not followed by a key adds a value. An
            // empty entry (`to: a , , b`, as a script saved by Zoho's editor has it) is skipped.
            while self.eat(&Tok::Comma) {
                while self.eat(&Tok::Comma) {}
                let attachment = key == "attachments"
                    && *self.peek_at(1) == Tok::Colon
                    && matches!(self.peek(), Tok::Ident(w) if is_attachment_kind(w));
                if *self.peek() == Tok::RBracket || (self.key_len_at(0).is_some() && !attachment) {
                    break;
                }
                values.push(self.task_value(&key)?);
            }
            let value = if values.len() == 1 {
                values.pop().unwrap_or(Expr::Const(Const::Null))
            } else {
                expr::list_literal(values)
            };
            params.push((key.into_boxed_str(), value));
        }
        if is_creator_task(lower) {
            return Ok(Expr::Unsupported {
                what: lower.into(),
                line,
            });
        }
        let kind = match lower {
            "invokeurl" => TaskKind::InvokeUrl,
            "sendmail" => TaskKind::SendMail,
            other => TaskKind::Other(other.into()),
        };
        Ok(Expr::Task { kind, params, line })
    }

    /// Consumes a key of `len` tokens and returns it lower-cased (`reply to`, `content-type`).
    fn task_key(&mut self, len: usize) -> String {
        let mut key = String::new();
        let mut dash = false;
        for _ in 0..len {
            match self.advance() {
                Tok::Ident(w) => {
                    if !key.is_empty() && !dash {
                        key.push(' ');
                    }
                    key.push_str(&w.to_ascii_lowercase());
                    dash = false;
                }
                _ => {
                    key.push('-');
                    dash = true;
                }
            }
        }
        key
    }

    /// One value of a task parameter.
    fn task_value(&mut self, key: &str) -> PResult<Expr> {
        // `attachments: file: report` (also `template: T as PDF`, `view: V as CSV`).
        if key == "attachments"
            && matches!(self.peek(), Tok::Ident(w) if is_attachment_kind(w))
            && *self.peek_at(1) == Tok::Colon
        {
            let Tok::Ident(kind) = self.advance() else {
                return Err(self.error_here("expected an attachment kind"));
            };
            self.advance(); // :
            // Creator's `template:` and `view:` name a template or report in bare words.
            let value = match self.bare_words(true) {
                Some(words) if !kind.eq_ignore_ascii_case("file") => text(&words),
                _ => self.expr()?,
            };
            let mut entries = vec![(
                Expr::Const(Const::Text(Arc::from(kind.to_ascii_lowercase()))),
                value,
            )];
            if is_kw(self.peek(), "as") && matches!(self.peek_at(1), Tok::Ident(_)) {
                self.advance();
                if let Tok::Ident(format) = self.advance() {
                    entries.push((Expr::Const(Const::Text(Arc::from("format"))), text(format)));
                }
            }
            return Ok(Expr::MapLit(entries));
        }
        if takes_bare_words(key)
            && let Some(words) = self.bare_words(false)
        {
            return Ok(text(&words));
        }
        self.expr()
    }

    /// A run of bare words on one line (`POST`, `application/json`, `Plain Text`) that ends
    /// the line (or meets `]`, `,` or, with `stop_at_as`, the word `as`), consumed and returned as written. A single word that
    /// names a variable already assigned is left to be read as that variable.
    fn bare_words(&mut self, stop_at_as: bool) -> Option<String> {
        let start = *self.toks.get(self.pos)?;
        let Tok::Ident(first) = start.tok else {
            return None;
        };
        let line = start.line;
        let mut n = 0;
        let mut out = String::new();
        let mut prev_end = start.column;
        loop {
            let t = *self.toks.get(self.pos + n)?;
            if t.line != line
                || matches!(t.tok, Tok::RBracket | Tok::Comma | Tok::Eof)
                || (stop_at_as && is_kw(&t.tok, "as"))
            {
                break;
            }
            let piece: &str = match t.tok {
                Tok::Ident(w) | Tok::Int(w) | Tok::Dec(w) => w,
                Tok::Slash => "/",
                Tok::Minus => "-",
                Tok::Plus => "+",
                Tok::Dot => ".",
                Tok::Semi => ";",
                Tok::Assign => "=",
                // `template: Invoice_Template:Orders id as PDF` (a template of a form).
                Tok::Colon if stop_at_as => ":",
                _ => return None,
            };
            if n > 0 && t.column > prev_end {
                out.push(' ');
            }
            out.push_str(piece);
            prev_end = t.end_column;
            n += 1;
        }
        if n == 1 && self.slots.contains_key(first) {
            return None;
        }
        for _ in 0..n {
            self.advance();
        }
        // `type: POST;`: a stray `;` ends the value.
        while out.ends_with(';') {
            out.pop();
        }
        Some(out)
    }

    /// `Form[criteria] [sort by field [asc|desc]] [range from a to b]`.
    fn fetch(&mut self, name: &str, line: u32) -> PResult<Expr> {
        self.advance(); // [
        let at = self.here();
        let saved = std::mem::replace(&mut self.cond, true);
        let criteria = self.expr();
        self.cond = saved;
        // `items[0]`: indexing from other languages, not a Creator criteria.
        if let Ok(Expr::Const(Const::Number(i))) = &criteria {
            self.errors.push(Diagnostic {
                line: at.0,
                column: at.1,
                message: format!(
                    "Deluge has no '[index]' access; write {name}.get({i}) (a '[...]' after a name is a Creator record fetch)"
                ),
            });
            return Err(Fail);
        }
        criteria?;
        self.expect(Tok::RBracket, "']' to close the criteria")?;
        if is_kw(self.peek(), "sort") && is_kw(self.peek_at(1), "by") {
            self.advance();
            self.advance();
            self.expr()?;
            if is_kw(self.peek(), "asc") || is_kw(self.peek(), "desc") {
                self.advance();
            }
        }
        if is_kw(self.peek(), "range") && is_kw(self.peek_at(1), "from") {
            self.advance();
            self.advance();
            self.expr()?;
            if !is_kw(self.peek(), "to") {
                let found = self.peek().describe();
                return Err(self.error_here(format!("expected 'to', found {found}")));
            }
            self.advance();
            self.expr()?;
        }
        Ok(Expr::Unsupported {
            what: format!("fetch records {name}[...]").into(),
            line,
        })
    }

    /// `insert into Form [ field = value ... ]`, after `insert`.
    pub(super) fn insert_into(&mut self, line: u32) -> PResult<Expr> {
        self.advance(); // into
        let Tok::Ident(form) = self.advance() else {
            self.pos -= 1;
            let found = self.peek().describe();
            return Err(self.error_here(format!("expected a form name, found {found}")));
        };
        self.expect(Tok::LBracket, "'['")?;
        loop {
            if self.eat(&Tok::RBracket) {
                self.task_end = self.pos;
                break;
            }
            if !matches!(self.peek(), Tok::Ident(_)) {
                let found = self.peek().describe();
                return Err(self.error_here(format!("expected a field name or ']', found {found}")));
            }
            self.advance();
            if !self.eat(&Tok::Assign) {
                self.expect(Tok::Colon, "'=' after the field name")?;
            }
            self.expr()?;
            self.eat(&Tok::Comma);
        }
        Ok(Expr::Unsupported {
            what: format!("insert into {form}").into(),
            line,
        })
    }

    /// `delete from Form[criteria]`, after `delete`.
    pub(super) fn delete_from(&mut self, line: u32) -> PResult<Expr> {
        self.advance(); // from
        let Tok::Ident(form) = self.advance() else {
            self.pos -= 1;
            let found = self.peek().describe();
            return Err(self.error_here(format!("expected a form name, found {found}")));
        };
        self.expect(Tok::LBracket, "'['")?;
        let saved = std::mem::replace(&mut self.cond, true);
        let criteria = self.expr();
        self.cond = saved;
        criteria?;
        self.expect(Tok::RBracket, "']' to close the criteria")?;
        Ok(Expr::Unsupported {
            what: format!("delete from {form}").into(),
            line,
        })
    }

    /// `thisapp.name(...)` / `thisapp.a.b(...)`: a Creator application call.
    pub(super) fn thisapp(&mut self, line: u32) -> PResult<Expr> {
        let mut path = String::from("thisapp");
        while *self.peek() == Tok::Dot {
            let Tok::Ident(part) = *self.peek_at(1) else {
                break;
            };
            self.advance();
            self.advance();
            path.push('.');
            path.push_str(part);
            if *self.peek() == Tok::LParen {
                self.call_args()?;
                break;
            }
        }
        Ok(Expr::Unsupported {
            what: path.into(),
            line,
        })
    }

    /// Creator's form statements, after their first word: `alert expr;`, `cancel submit;`,
    /// `show field;` (also `hide`, `clear`, `enable`, `disable`), `field:ui.add(...)`.
    /// `None` when the statement is not one of them.
    pub(super) fn creator_statement(&mut self, lower: &str, line: u32) -> Option<PResult<Stmt>> {
        let next = self.peek_at(1);
        let starts_value = matches!(
            next,
            Tok::Ident(_) | Tok::Text(_) | Tok::Int(_) | Tok::Dec(_) | Tok::LParen
        );
        let what: String = match lower {
            "alert" if starts_value => "alert".into(),
            "cancel" if is_kw(next, "submit") || is_kw(next, "delete") => {
                let Tok::Ident(w) = next else {
                    return None;
                };
                format!("cancel {}", w.to_ascii_lowercase())
            }
            "show" | "hide" | "clear" | "enable" | "disable" if matches!(next, Tok::Ident(_)) => {
                lower.into()
            }
            _ if *next == Tok::Colon && is_kw(self.peek_at(2), "ui") => {
                return Some(self.ui_call(line));
            }
            _ => return None,
        };
        Some(self.creator_tail(what, line))
    }

    /// The rest of `alert expr;`, `cancel submit;`, `hide field;` after the first word.
    fn creator_tail(&mut self, what: String, line: u32) -> PResult<Stmt> {
        self.advance();
        let what = if what.starts_with("cancel") {
            self.advance();
            what
        } else {
            let e = self.expr()?;
            match (&what[..], e) {
                ("alert", _) => what,
                (_, Expr::Var { slot, .. }) => {
                    let field = self.names.get(slot as usize).cloned().unwrap_or_default();
                    format!("{what} {field}")
                }
                _ => what,
            }
        };
        self.end_statement()?;
        Ok(Stmt::Expr(
            Expr::Unsupported {
                what: what.into(),
                line,
            },
            line,
        ))
    }

    /// `field:ui.add(...)` (also `ui.append`, `ui.remove`).
    fn ui_call(&mut self, line: u32) -> PResult<Stmt> {
        let Tok::Ident(field) = self.advance() else {
            return Err(self.error_here("expected a field name"));
        };
        self.ui_call_after(field.to_string(), line)
    }

    /// `:ui.add(...)` after the field (`Field` or `input.Field`) has been read.
    pub(super) fn ui_call_after(&mut self, field: String, line: u32) -> PResult<Stmt> {
        self.advance(); // :
        self.advance(); // ui
        let mut what = format!("{field}:ui");
        while self.eat(&Tok::Dot) {
            let Tok::Ident(m) = self.advance() else {
                self.pos -= 1;
                let found = self.peek().describe();
                return Err(self.error_here(format!("expected a function name, found {found}")));
            };
            what.push('.');
            what.push_str(m);
            if *self.peek() == Tok::LParen {
                self.call_args()?;
            }
        }
        self.end_statement()?;
        Ok(Stmt::Expr(
            Expr::Unsupported {
                what: what.into(),
                line,
            },
            line,
        ))
    }
}

fn text(s: &str) -> Expr {
    Expr::Const(Const::Text(Arc::from(s)))
}
