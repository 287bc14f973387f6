//! Bracketed tasks (`invokeUrl [...]`, `sendmail [...]`) and Zoho Creator statements.

use super::*;

impl Parser {
    /// `name [ key: value ... ]` with keys like `content-type` and values separated by
    /// newlines (commas also accepted).
    pub(super) fn task(&mut self, lower: &str, line: u32) -> PResult<Expr> {
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
