//! Built-in function library: dispatch of `x.method(args)` and `fn(args)` calls by name.
//!
//! # Adding a function (for whoever extends the library)
//!
//! * Pick the submodule by receiver type: `text`, `number`, `list`, `map`, `collection`,
//!   `datetime`, `json` (toMap/getJSON/toJSONList...), `encoding` (URL, base64, hashes,
//!   HMAC, `zoho.encryption.*`), `common` (works on any type: isNull, toString, ...).
//! * Method form `recv.name(args)`: add a match arm to that module's
//!   `pub fn method(ctx, recv, name, args) -> Option<Result<Value, RuntimeError>>`.
//!   `name` is already lower-case; return `None` when the module does not handle the
//!   name/receiver pair so the next module is tried. Aliases are extra patterns on one arm.
//! * Function form `name(args)`: every method is also reachable as `name(recv, rest...)`
//!   automatically. Functions without a receiver (`ifnull`, `zoho.encryption.md5`, ...) go in
//!   a module's `pub fn function(ctx, name, args) -> Option<Result<..>>`; names of
//!   `zoho.*` calls arrive lower-cased with their dots, e.g. `zoho.encryption.base64encode`.
//! * Check arguments with [`arity`] and the `*_arg` helpers; they produce uniform errors.
//! * Errors: `RuntimeError::value_error` / `type_error`; never panic, never index slices
//!   unchecked. Anything that can grow text or a collection must call
//!   [`CallCtx::check_text_len`] / [`CallCtx::check_size`] *before* allocating (e.g.
//!   `repeat(n)`: check `len * n` first) so a script cannot exhaust memory.
//! * New containers: `Value::list`, `Value::map`, `Value::collection` (they register with
//!   the run's cycle breaker). Mutate a receiver through its `RefCell` (`l.borrow_mut()`),
//!   and never hold a borrow while calling back into other values' methods.
//! * Clock and time zone only via `ctx.now()` / `ctx.time_zone()`; no IO of any kind.
//! * Test each function in the module's `#[cfg(test)]` block, plus a golden script in
//!   `tests/golden/` when it matters for documented behaviour.

mod business;
pub mod collection;
pub mod common;
pub mod convert;
pub mod datefmt;
pub mod datetime;
pub mod encoding;
pub mod json;
pub mod list;
pub mod map;
pub mod number;
pub mod regex_fns;
pub mod text;
pub mod xml;
pub mod zone;

#[cfg(test)]
mod no_panic_tests;

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;

use crate::error::{ErrorKind, LimitKind, RuntimeError};
use crate::host::Host;
use crate::limits::Limits;
use crate::value::Value;

/// Result of one module's attempt at a call: `None` = not mine, try the next module.
pub type Dispatch = Option<Result<Value, RuntimeError>>;

type MethodFn = fn(&mut CallCtx<'_>, &Value, &str, &[Value]) -> Dispatch;
type FunctionFn = fn(&mut CallCtx<'_>, &str, &[Value]) -> Dispatch;

/// Method modules in the order they are tried. Type-specific ones first, `common` last.
const METHOD_MODULES: &[MethodFn] = &[
    json::method,
    xml::method,
    text::method,
    regex_fns::method,
    number::method,
    list::method,
    map::method,
    collection::method,
    datetime::method,
    convert::method,
    encoding::method,
    common::method,
];

/// Receiver-less function modules in the order they are tried.
const FUNCTION_MODULES: &[FunctionFn] = &[
    common::function,
    encoding::function,
    number::function,
    datetime::function,
    json::function,
    text::function,
    list::function,
    map::function,
    collection::function,
];

/// What a built-in may use from the running interpreter.
pub struct CallCtx<'a> {
    pub host: &'a mut dyn Host,
    pub limits: &'a Limits,
}

impl CallCtx<'_> {
    /// The host's current time in the script's time zone.
    pub fn now(&mut self) -> DateTime<FixedOffset> {
        let tz = self.host.time_zone();
        self.host.now().with_timezone(&tz)
    }

    /// The script's time zone.
    pub fn time_zone(&self) -> FixedOffset {
        self.host.time_zone()
    }

    /// Fails if a text of `len` bytes would exceed the text-length limit.
    pub fn check_text_len(&self, len: usize) -> Result<(), RuntimeError> {
        if len > self.limits.max_text_length {
            return Err(RuntimeError::limit(
                LimitKind::TextLength,
                format!(
                    "text of {len} bytes is longer than {}",
                    self.limits.max_text_length
                ),
            ));
        }
        Ok(())
    }

    /// Fails if a collection of `size` elements would exceed the collection-size limit.
    pub fn check_size(&self, size: usize) -> Result<(), RuntimeError> {
        if size > self.limits.max_collection_size {
            return Err(RuntimeError::limit(
                LimitKind::CollectionSize,
                format!(
                    "{size} elements are more than {}",
                    self.limits.max_collection_size
                ),
            ));
        }
        Ok(())
    }
}

/// Calls `receiver.name(args)`; `name` must be lower-case.
pub fn call_method(
    ctx: &mut CallCtx<'_>,
    receiver: &Value,
    name: &str,
    args: &[Value],
) -> Result<Value, RuntimeError> {
    for module in METHOD_MODULES {
        if let Some(result) = module(ctx, receiver, name, args) {
            return result;
        }
    }
    if receiver.is_null() {
        return Err(RuntimeError::type_error(format!(
            "cannot call '{name}' on null"
        )));
    }
    Err(RuntimeError::new(
        ErrorKind::UnknownFunction,
        format!("unknown function '{name}' for {}", receiver.type_name()),
    ))
}

/// Calls the free function `name(args)`; `name` must be lower-case. Falls back to the
/// method form with the first argument as receiver.
pub fn call_function(
    ctx: &mut CallCtx<'_>,
    name: &str,
    args: &[Value],
) -> Result<Value, RuntimeError> {
    for module in FUNCTION_MODULES {
        if let Some(result) = module(ctx, name, args) {
            return result;
        }
    }
    if let Some((receiver, rest)) = args.split_first()
        && !name.starts_with("zoho.")
    {
        for module in METHOD_MODULES {
            if let Some(result) = module(ctx, receiver, name, rest) {
                return result;
            }
        }
    }
    if let Some(product) = other_product(name) {
        return Err(RuntimeError::new(
            ErrorKind::Unsupported,
            format!("'{name}' is a {product} task, not available in Cliq"),
        ));
    }
    Err(RuntimeError::new(
        ErrorKind::UnknownFunction,
        format!("unknown function '{name}'"),
    ))
}

/// The Zoho product whose integration tasks (`zoho.crm.*`, `zoho.books.*`, ...) a name
/// belongs to, for an error that says why the task does not run here.
fn other_product(name: &str) -> Option<&'static str> {
    const PRODUCTS: &[(&str, &str)] = &[
        ("crm", "Zoho CRM"),
        ("books", "Zoho Books"),
        ("creator", "Zoho Creator"),
        ("desk", "Zoho Desk"),
        ("projects", "Zoho Projects"),
        ("workdrive", "Zoho WorkDrive"),
        ("writer", "Zoho Writer"),
        ("sign", "Zoho Sign"),
        ("recruit", "Zoho Recruit"),
        ("people", "Zoho People"),
        ("inventory", "Zoho Inventory"),
        ("invoice", "Zoho Invoice"),
        ("billing", "Zoho Billing"),
        ("subscriptions", "Zoho Subscriptions"),
        ("salesiq", "Zoho SalesIQ"),
        ("mail", "Zoho Mail"),
        ("sheet", "Zoho Sheet"),
        ("bigin", "Bigin"),
        ("campaigns", "Zoho Campaigns"),
        ("analytics", "Zoho Analytics"),
        ("expense", "Zoho Expense"),
        ("fsm", "Zoho FSM"),
        ("file", "Zoho file"),
        ("ai", "Zia"),
    ];
    let service = name.strip_prefix("zoho.")?.split('.').next()?;
    PRODUCTS
        .iter()
        .find(|(s, _)| *s == service)
        .map(|(_, product)| *product)
}

/// Checks the argument count: `min..=max`.
pub fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Result<(), RuntimeError> {
    if args.len() < min || args.len() > max {
        let expected = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(RuntimeError::new(
            ErrorKind::Type,
            format!(
                "'{name}' takes {expected} argument(s), {} given",
                args.len()
            ),
        ));
    }
    Ok(())
}

/// Argument `i` as TEXT (numbers and other scalars are converted to their text form).
pub fn text_arg(name: &str, args: &[Value], i: usize) -> Result<String, RuntimeError> {
    match args.get(i) {
        Some(Value::Text(t)) => Ok(t.to_string()),
        Some(Value::Null) | None => Err(RuntimeError::type_error(format!(
            "'{name}' argument {} must be TEXT, got null",
            i + 1
        ))),
        Some(v @ (Value::List(_) | Value::Map(_) | Value::Collection(_))) => {
            Err(RuntimeError::type_error(format!(
                "'{name}' argument {} must be TEXT, got {}",
                i + 1,
                v.type_name()
            )))
        }
        Some(v) => Ok(v.to_text()),
    }
}

/// Argument `i` as a whole NUMBER (DECIMAL truncates; numeric text is parsed).
pub fn int_arg(name: &str, args: &[Value], i: usize) -> Result<i64, RuntimeError> {
    let bad = |v: &Value| {
        RuntimeError::type_error(format!(
            "'{name}' argument {} must be a NUMBER, got {}",
            i + 1,
            v.type_name()
        ))
    };
    match args.get(i) {
        Some(Value::Number(n)) => Ok(*n),
        Some(Value::Decimal(d)) => d.trunc().try_into().map_err(|_| bad(&Value::Decimal(*d))),
        Some(v @ Value::Text(t)) => t.trim().parse::<i64>().map_err(|_| bad(v)),
        Some(v) => Err(bad(v)),
        None => Err(bad(&Value::Null)),
    }
}

/// Argument `i` as a DECIMAL (NUMBER widens; numeric text is parsed).
pub fn decimal_arg(name: &str, args: &[Value], i: usize) -> Result<Decimal, RuntimeError> {
    let bad = |v: &Value| {
        RuntimeError::type_error(format!(
            "'{name}' argument {} must be a number, got {}",
            i + 1,
            v.type_name()
        ))
    };
    match args.get(i) {
        Some(Value::Number(n)) => Ok(Decimal::from(*n)),
        Some(Value::Decimal(d)) => Ok(*d),
        Some(v @ Value::Text(t)) => t.trim().parse::<Decimal>().map_err(|_| bad(v)),
        Some(v) => Err(bad(v)),
        None => Err(bad(&Value::Null)),
    }
}

/// Argument `i` as a BOOLEAN.
pub fn bool_arg(name: &str, args: &[Value], i: usize) -> Result<bool, RuntimeError> {
    match args.get(i) {
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::Text(t)) if t.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::Text(t)) if t.eq_ignore_ascii_case("false") => Ok(false),
        Some(v) => Err(RuntimeError::type_error(format!(
            "'{name}' argument {} must be a BOOLEAN, got {}",
            i + 1,
            v.type_name()
        ))),
        None => Err(RuntimeError::type_error(format!(
            "'{name}' argument {} must be a BOOLEAN",
            i + 1
        ))),
    }
}
