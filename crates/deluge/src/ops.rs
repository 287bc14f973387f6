//! Operators: arithmetic, concatenation, comparison and logic on values (<https://www.zoho.com/deluge/help/>).

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::ast::{BinOp, UnOp};
use crate::error::{ErrorKind, RuntimeError};
use crate::value::Value;

fn arith_error(msg: impl Into<String>) -> RuntimeError {
    RuntimeError::new(ErrorKind::Arithmetic, msg)
}

fn overflow() -> RuntimeError {
    arith_error("number overflow: the result is outside the 64-bit range")
}

fn as_decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => Some(Decimal::from(*n)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

/// Whole-number fast path for the evaluator: `None` when the general path must decide
/// (overflow, division by zero), so errors are produced in one place.
#[inline]
pub fn int_fast(op: BinOp, x: i64, y: i64) -> Option<Value> {
    Some(match op {
        BinOp::Add => Value::Number(x.checked_add(y)?),
        BinOp::Sub => Value::Number(x.checked_sub(y)?),
        BinOp::Mul => Value::Number(x.checked_mul(y)?),
        BinOp::Div => Value::Number(x.checked_div(y)?),
        BinOp::Mod => Value::Number(x.checked_rem(y)?),
        BinOp::Eq => Value::Bool(x == y),
        BinOp::Ne => Value::Bool(x != y),
        BinOp::Lt => Value::Bool(x < y),
        BinOp::Le => Value::Bool(x <= y),
        BinOp::Gt => Value::Bool(x > y),
        BinOp::Ge => Value::Bool(x >= y),
    })
}

/// Applies a binary operator. `max_text` caps the length of a concatenation.
pub fn binary(op: BinOp, a: &Value, b: &Value, max_text: usize) -> Result<Value, RuntimeError> {
    use Value::{Decimal as D, Number as N};
    match op {
        BinOp::Add => match (a, b) {
            (N(x), N(y)) => x.checked_add(*y).map(N).ok_or_else(overflow),
            (N(_) | D(_), N(_) | D(_)) => decimal_op(a, b, Decimal::checked_add),
            (Value::Text(_), _) | (_, Value::Text(_)) => concat(a, b, max_text),
            _ => Err(operand_error("+", a, b)),
        },
        BinOp::Sub => match (a, b) {
            (N(x), N(y)) => x.checked_sub(*y).map(N).ok_or_else(overflow),
            (N(_) | D(_), N(_) | D(_)) => decimal_op(a, b, Decimal::checked_sub),
            _ => Err(operand_error("-", a, b)),
        },
        BinOp::Mul => match (a, b) {
            (N(x), N(y)) => x.checked_mul(*y).map(N).ok_or_else(overflow),
            (N(_) | D(_), N(_) | D(_)) => decimal_op(a, b, Decimal::checked_mul),
            _ => Err(operand_error("*", a, b)),
        },
        BinOp::Div => match (a, b) {
            (N(_), N(0)) | (D(_), N(0)) => Err(arith_error("division by zero")),
            // Whole numbers divide like Java longs: truncating (see DECISIONS.md).
            (N(x), N(y)) => x.checked_div(*y).map(N).ok_or_else(overflow),
            (N(_) | D(_), N(_) | D(_)) => {
                if as_decimal(b).is_some_and(|d| d.is_zero()) {
                    return Err(arith_error("division by zero"));
                }
                decimal_op(a, b, Decimal::checked_div)
            }
            _ => Err(operand_error("/", a, b)),
        },
        BinOp::Mod => match (a, b) {
            (N(_) | D(_), N(0)) => Err(arith_error("division by zero")),
            (N(x), N(y)) => x.checked_rem(*y).map(N).ok_or_else(overflow),
            (N(_) | D(_), N(_) | D(_)) => {
                if as_decimal(b).is_some_and(|d| d.is_zero()) {
                    return Err(arith_error("division by zero"));
                }
                decimal_op(a, b, Decimal::checked_rem)
            }
            _ => Err(operand_error("%", a, b)),
        },
        BinOp::Eq => Ok(Value::Bool(a.loose_eq(b))),
        BinOp::Ne => Ok(Value::Bool(!a.loose_eq(b))),
        BinOp::Lt => compare(a, b, "<").map(|o| Value::Bool(o == Ordering::Less)),
        BinOp::Le => compare(a, b, "<=").map(|o| Value::Bool(o != Ordering::Greater)),
        BinOp::Gt => compare(a, b, ">").map(|o| Value::Bool(o == Ordering::Greater)),
        BinOp::Ge => compare(a, b, ">=").map(|o| Value::Bool(o != Ordering::Less)),
    }
}

fn compare(a: &Value, b: &Value, sym: &str) -> Result<Ordering, RuntimeError> {
    a.compare(b).ok_or_else(|| operand_error(sym, a, b))
}

fn decimal_op(
    a: &Value,
    b: &Value,
    f: fn(Decimal, Decimal) -> Option<Decimal>,
) -> Result<Value, RuntimeError> {
    match (as_decimal(a), as_decimal(b)) {
        (Some(x), Some(y)) => f(x, y).map(Value::Decimal).ok_or_else(overflow),
        _ => Err(RuntimeError::type_error("operands must be numbers")),
    }
}

fn concat(a: &Value, b: &Value, max_text: usize) -> Result<Value, RuntimeError> {
    let left = text_part(a);
    let right = text_part(b);
    let len = left.len() + right.len();
    if len > max_text {
        return Err(RuntimeError::limit(
            crate::error::LimitKind::TextLength,
            format!("text of {len} bytes is longer than {max_text}"),
        ));
    }
    let mut s = String::with_capacity(len);
    s.push_str(&left);
    s.push_str(&right);
    Ok(Value::text(s))
}

fn text_part(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::Text(t) => std::borrow::Cow::Borrowed(&**t),
        other => std::borrow::Cow::Owned(other.to_text()),
    }
}

fn operand_error(sym: &str, a: &Value, b: &Value) -> RuntimeError {
    RuntimeError::type_error(format!(
        "operator '{sym}' cannot be applied to {} and {}",
        a.type_name(),
        b.type_name()
    ))
}

/// Applies a unary operator.
pub fn unary(op: UnOp, v: &Value) -> Result<Value, RuntimeError> {
    match (op, v) {
        (UnOp::Neg, Value::Number(n)) => n.checked_neg().map(Value::Number).ok_or_else(overflow),
        (UnOp::Neg, Value::Decimal(d)) => Ok(Value::Decimal(-*d)),
        (UnOp::Plus, Value::Number(_) | Value::Decimal(_)) => Ok(v.clone()),
        (UnOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
        (UnOp::Not, other) => Err(RuntimeError::type_error(format!(
            "operator '!' needs a BOOLEAN, got {}",
            other.type_name()
        ))),
        (_, other) => Err(RuntimeError::type_error(format!(
            "unary minus or plus needs a number, got {}",
            other.type_name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_rules() {
        let n = |x| Value::Number(x);
        let max = 1000;
        assert!(
            binary(BinOp::Div, &n(7), &n(2), max)
                .unwrap()
                .strict_eq(&n(3))
        );
        assert!(binary(BinOp::Div, &n(7), &n(0), max).is_err());
        assert!(binary(BinOp::Add, &n(i64::MAX), &n(1), max).is_err());
        let d = binary(BinOp::Add, &n(1), &Value::Decimal(Decimal::new(5, 1)), max).unwrap();
        assert_eq!(d.to_text(), "1.5");
        let t = binary(BinOp::Add, &Value::text("Total: "), &n(5), max).unwrap();
        assert_eq!(t.to_text(), "Total: 5");
        assert!(
            binary(
                BinOp::Add,
                &Value::text("x".repeat(600)),
                &Value::text("x".repeat(600)),
                max
            )
            .is_err()
        );
        assert!(binary(BinOp::Lt, &n(1), &Value::text("a"), max).is_err());
    }
}
