//! NUMBER and DECIMAL functions (<https://www.zoho.com/deluge/help/built-in-functions.html>): abs, ceil, floor, round, power, roots,
//! logarithms, hex, min/max and randomNumber.

use std::cell::Cell;

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, MathematicalOps, RoundingStrategy};

use super::{CallCtx, Dispatch, arity, decimal_arg, int_arg};
use crate::error::RuntimeError;
use crate::value::Value;

/// `number.name(args)`.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let _ = ctx;
    let d = match recv {
        Value::Number(n) => Decimal::from(*n),
        Value::Decimal(d) => *d,
        _ => return None,
    };
    Some(match name {
        "abs" => arity(name, args, 0, 0).and_then(|_| match recv {
            Value::Number(n) => n
                .checked_abs()
                .map(Value::Number)
                .ok_or_else(|| RuntimeError::value_error("number overflow in abs")),
            _ => Ok(Value::Decimal(d.abs())),
        }),
        "ceil" => arity(name, args, 0, 0).and_then(|_| to_number(d.ceil())),
        "floor" => arity(name, args, 0, 0).and_then(|_| to_number(d.floor())),
        "round" => (|| {
            arity(name, args, 0, 1)?;
            let places = if args.is_empty() {
                0
            } else {
                int_arg(name, args, 0)?
            };
            round(recv, d, places)
        })(),
        "power" | "pow" => (|| {
            arity(name, args, 1, 1)?;
            let e = decimal_arg(name, args, 0)?;
            power(d, e)
        })(),
        "sqrt" => arity(name, args, 0, 0).and_then(|_| {
            if d.is_sign_negative() && !d.is_zero() {
                return Err(RuntimeError::value_error(
                    "square root of a negative number",
                ));
            }
            d.sqrt()
                .map(|r| Value::Decimal(r.normalize()))
                .ok_or_else(|| RuntimeError::value_error("square root failed"))
        }),
        "log" | "ln" => arity(name, args, 0, 0).and_then(|_| {
            if d <= Decimal::ZERO {
                return Err(RuntimeError::value_error(
                    "logarithm of a non-positive number",
                ));
            }
            via_f64(d, f64::ln)
        }),
        "log10" => arity(name, args, 0, 0).and_then(|_| {
            if d <= Decimal::ZERO {
                return Err(RuntimeError::value_error(
                    "logarithm of a non-positive number",
                ));
            }
            via_f64(d, f64::log10)
        }),
        "exp" => arity(name, args, 0, 0).and_then(|_| via_f64(d, f64::exp)),
        "tohex" => arity(name, args, 0, 0).and_then(|_| match recv {
            Value::Number(n) => Ok(Value::text(format!("{n:x}"))),
            _ => Err(RuntimeError::type_error("toHex needs a whole NUMBER")),
        }),
        "min" | "max" => (|| {
            arity(name, args, 1, 1)?;
            min_max(name, &[recv.clone(), args[0].clone()])
        })(),
        _ => return None,
    })
}

fn to_number(d: Decimal) -> Result<Value, RuntimeError> {
    i64::try_from(d)
        .map(Value::Number)
        .map_err(|_| RuntimeError::value_error("number out of range"))
}

/// Half-up rounding to `places` decimals (Java `BigDecimal.ROUND_HALF_UP`); a NUMBER
/// receiver stays a NUMBER.
fn round(recv: &Value, d: Decimal, places: i64) -> Result<Value, RuntimeError> {
    if matches!(recv, Value::Number(_)) && places >= 0 {
        return Ok(recv.clone());
    }
    if places < 0 {
        let too_many = || RuntimeError::value_error("round: too many places");
        let exp = u32::try_from(places.unsigned_abs()).map_err(|_| too_many())?;
        let factor = Decimal::from(10i64.checked_pow(exp).ok_or_else(too_many)?);
        let r = (d / factor)
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .checked_mul(factor)
            .ok_or_else(too_many)?;
        return match recv {
            Value::Number(_) => to_number(r),
            _ => Ok(Value::Decimal(r)),
        };
    }
    let places = u32::try_from(places.min(28)).unwrap_or(28);
    Ok(Value::Decimal(d.round_dp_with_strategy(
        places,
        RoundingStrategy::MidpointAwayFromZero,
    )))
}

/// power(n): DECIMAL result (power doc: `3.power(2)` is 9); whole exponents are exact.
fn power(base: Decimal, e: Decimal) -> Result<Value, RuntimeError> {
    if e.fract().is_zero() {
        let n = i64::try_from(e).map_err(|_| RuntimeError::value_error("exponent too large"))?;
        let r = base
            .checked_powi(n)
            .ok_or_else(|| RuntimeError::value_error("power overflow"))?;
        return Ok(Value::Decimal(r.normalize()));
    }
    let (b, x) = (
        base.to_f64().unwrap_or(f64::NAN),
        e.to_f64().unwrap_or(f64::NAN),
    );
    f64_to_value(b.powf(x))
}

fn via_f64(d: Decimal, f: fn(f64) -> f64) -> Result<Value, RuntimeError> {
    f64_to_value(f(d.to_f64().unwrap_or(f64::NAN)))
}

fn f64_to_value(r: f64) -> Result<Value, RuntimeError> {
    if !r.is_finite() {
        return Err(RuntimeError::value_error("result is not a finite number"));
    }
    Decimal::from_f64(r)
        .map(|d| Value::Decimal(d.normalize()))
        .ok_or_else(|| RuntimeError::value_error("result out of DECIMAL range"))
}

/// min/max of numbers (NUMBER stays NUMBER unless a DECIMAL is involved).
fn min_max(name: &str, vals: &[Value]) -> Result<Value, RuntimeError> {
    let mut best: Option<&Value> = None;
    for (i, v) in vals.iter().enumerate() {
        if !matches!(v, Value::Number(_) | Value::Decimal(_)) {
            decimal_arg(name, vals, i)?;
        }
        best = Some(match best {
            None => v,
            Some(b) => {
                let ord = v
                    .compare(b)
                    .ok_or_else(|| RuntimeError::type_error(format!("'{name}' needs numbers")))?;
                let better = if name == "max" {
                    ord.is_gt()
                } else {
                    ord.is_lt()
                };
                if better { v } else { b }
            }
        });
    }
    best.cloned()
        .ok_or_else(|| RuntimeError::type_error(format!("'{name}' needs numbers")))
}

thread_local! {
    static RNG_STATE: Cell<u64> = const { Cell::new(0x9E37_79B9_7F4A_7C15) };
}

/// xorshift64*, seeded by the host clock (no OS entropy: the interpreter does no IO).
fn next_random(seed: u64) -> u64 {
    RNG_STATE.with(|s| {
        let mut x = s.get() ^ seed;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        s.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

/// Receiver-less number functions: `randomNumber(min, max)`, `min(a, b, ...)`, `max(...)`.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    Some(match name {
        "randomnumber" | "random" => (|| {
            arity(name, args, 0, 2)?;
            let lo = if args.is_empty() {
                0
            } else {
                int_arg(name, args, 0)?
            };
            let hi = if args.len() < 2 {
                i64::from(i32::MAX)
            } else {
                int_arg(name, args, 1)?
            };
            if lo > hi {
                return Err(RuntimeError::value_error(format!(
                    "randomNumber: minimum {lo} is greater than maximum {hi}"
                )));
            }
            let seed = ctx.now().timestamp_nanos_opt().unwrap_or(0) as u64;
            let span = (i128::from(hi) - i128::from(lo) + 1) as u128;
            let r = u128::from(next_random(seed)) % span;
            Ok(Value::Number((i128::from(lo) + r as i128) as i64))
        })(),
        "min" | "max" if args.len() >= 2 => min_max(name, args),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NullHost;
    use crate::limits::Limits;

    fn dec(s: &str) -> Value {
        Value::Decimal(s.parse().unwrap())
    }

    fn call(recv: Value, name: &str, args: &[Value]) -> Result<Value, RuntimeError> {
        let mut host = NullHost::default();
        let limits = Limits::default();
        let mut ctx = CallCtx {
            host: &mut host,
            limits: &limits,
        };
        method(&mut ctx, &recv, name, args).expect("handled")
    }

    fn text(recv: Value, name: &str, args: &[Value]) -> String {
        call(recv, name, args).unwrap().to_text()
    }

    #[test]
    fn rounding_family() {
        assert_eq!(text(dec("-15.50"), "abs", &[]), "15.50");
        assert_eq!(text(Value::Number(-3), "abs", &[]), "3");
        assert_eq!(text(dec("10.1"), "ceil", &[]), "11");
        assert_eq!(text(dec("10.1"), "floor", &[]), "10");
        assert_eq!(text(dec("-10.1"), "floor", &[]), "-11");
        assert_eq!(text(dec("2.345"), "round", &[Value::Number(2)]), "2.35");
        assert_eq!(text(dec("2.5"), "round", &[]), "3");
        assert_eq!(text(dec("-2.5"), "round", &[]), "-3");
        assert_eq!(text(Value::Number(7), "round", &[Value::Number(2)]), "7");
        assert_eq!(
            text(Value::Number(1234), "round", &[Value::Number(-2)]),
            "1200"
        );
        assert!(call(Value::Number(i64::MIN), "abs", &[]).is_err());
        assert!(call(dec("1.5"), "round", &[Value::Number(i64::MIN)]).is_err());
        assert!(call(dec("1.5"), "round", &[Value::Number(-40)]).is_err());
    }

    #[test]
    fn powers_and_logs() {
        assert_eq!(text(Value::Number(3), "power", &[Value::Number(2)]), "9");
        assert_eq!(text(Value::Number(2), "power", &[Value::Number(-1)]), "0.5");
        assert_eq!(text(Value::Number(16), "sqrt", &[]), "4");
        assert!(call(Value::Number(-1), "sqrt", &[]).is_err());
        assert_eq!(text(Value::Number(1), "log", &[]), "0");
        assert_eq!(text(Value::Number(100), "log10", &[]), "2");
        assert!(call(Value::Number(0), "log", &[]).is_err());
        assert_eq!(text(Value::Number(0), "exp", &[]), "1");
        assert_eq!(text(Value::Number(255), "tohex", &[]), "ff");
        assert!(call(Value::Number(10), "power", &[Value::Number(100)]).is_err());
    }

    #[test]
    fn min_max_random() {
        let mut host = NullHost::default();
        let limits = Limits::default();
        let mut ctx = CallCtx {
            host: &mut host,
            limits: &limits,
        };
        let m = function(&mut ctx, "max", &[Value::Number(3), dec("4.5")])
            .unwrap()
            .unwrap();
        assert_eq!(m.to_text(), "4.5");
        let m = function(&mut ctx, "min", &[Value::Number(3), Value::Number(-1)])
            .unwrap()
            .unwrap();
        assert_eq!(m.to_text(), "-1");
        for _ in 0..50 {
            let r = function(
                &mut ctx,
                "randomnumber",
                &[Value::Number(1), Value::Number(3)],
            )
            .unwrap()
            .unwrap();
            let Value::Number(n) = r else {
                panic!("not a number")
            };
            assert!((1..=3).contains(&n));
        }
        assert!(
            function(
                &mut ctx,
                "randomnumber",
                &[Value::Number(3), Value::Number(1)]
            )
            .unwrap()
            .is_err()
        );
        assert!(
            function(&mut ctx, "max", &[Value::Number(3), Value::text("x")])
                .unwrap()
                .is_err()
        );
    }
}
