//! Runtime values: the Deluge data types, their text rendering (`info`/`toString`), JSON
//! conversion and equality. Containers are shared (`Rc<RefCell<..>>`) so reads never deep-copy.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hash, Hasher};
use std::rc::Rc;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use crate::arena;

/// Nesting depth beyond which rendering, comparison and JSON conversion stop descending.
/// Guards against cycles (`l.add(l)`) and pathological nesting.
pub const MAX_NESTING: usize = 64;

/// Hard ceiling on one rendering (text or JSON): shared sub-lists can make a small value
/// render exponentially large, so output stops here.
pub const MAX_RENDER_BYTES: usize = 16 * 1024 * 1024;

/// Node budget for one equality test or JSON conversion, for the same reason.
const NODE_BUDGET: usize = 1_000_000;

/// Hasher of map keys. Texts and the other keys: foldhash, randomly seeded so keys from
/// untrusted JSON cannot be chosen to collide. Whole numbers: [`number_hash`], which places a
/// run of consecutive numbers in consecutive slots (see DECISIONS.md, "Map keys").
#[derive(Clone, Debug)]
pub struct KeyHasher {
    inner: foldhash::fast::RandomState,
    /// Secret of [`number_hash`], random per map like foldhash's own seed.
    number_seed: u64,
    /// The secret of the block of 0 to 65,535 (the commonest keys), computed once.
    block_zero: u64,
}

impl Default for KeyHasher {
    fn default() -> Self {
        let inner = foldhash::fast::RandomState::default();
        let number_seed = inner.hash_one(0x6e75_6d62_6572_u64);
        KeyHasher {
            inner,
            number_seed,
            block_zero: block_secret(0, number_seed),
        }
    }
}

impl KeyHasher {
    /// The hash of the key that is the whole number `n` (what hashing `Key(Value::Number(n))`
    /// gives, without the hasher state).
    #[inline(always)]
    pub(crate) fn number(&self, n: i64) -> u64 {
        number_hash(n, self.number_seed, self.block_zero)
    }

    /// The hash of any key.
    #[inline]
    pub(crate) fn hash_key(&self, key: &Key) -> u64 {
        self.hash_one(key)
    }
}

impl BuildHasher for KeyHasher {
    type Hasher = KeyHashState;

    #[inline(always)]
    fn build_hasher(&self) -> KeyHashState {
        KeyHashState {
            seed: self.inner.clone(),
            number_seed: self.number_seed,
            block_zero: self.block_zero,
            step: HashStep::Empty,
        }
    }
}

/// The state of [`KeyHasher`]: a key that is one whole number ([`Key`] writes a NUMBER as
/// one `i64`) takes [`number_hash`]; any other sequence of writes goes to foldhash. Equal keys
/// make the same writes, so they hash alike either way. The foldhash state is only built
/// when a key needs it, so hashing a number touches a few words.
pub struct KeyHashState {
    seed: foldhash::fast::RandomState,
    number_seed: u64,
    block_zero: u64,
    step: HashStep,
}

/// What [`KeyHashState`] has seen so far.
enum HashStep {
    Empty,
    /// One whole number, already hashed.
    Number(u64),
    /// Anything else, in foldhash.
    Other(foldhash::fast::FoldHasher<'static>),
}

impl KeyHashState {
    /// Hands everything written so far to foldhash, then writes with `f`.
    #[inline(always)]
    fn spill(&mut self, f: impl FnOnce(&mut foldhash::fast::FoldHasher<'static>)) {
        match &mut self.step {
            HashStep::Other(inner) => f(inner),
            step => {
                let mut inner = self.seed.build_hasher();
                if let HashStep::Number(h) = *step {
                    inner.write_u64(h);
                }
                f(&mut inner);
                *step = HashStep::Other(inner);
            }
        }
    }
}

impl Hasher for KeyHashState {
    #[inline(always)]
    fn write_i64(&mut self, n: i64) {
        if let HashStep::Empty = self.step {
            self.step = HashStep::Number(number_hash(n, self.number_seed, self.block_zero));
        } else {
            self.spill(|h| h.write_i64(n));
        }
    }

    #[inline(always)]
    fn write(&mut self, bytes: &[u8]) {
        self.spill(|h| h.write(bytes));
    }

    #[inline(always)]
    fn write_u8(&mut self, i: u8) {
        self.spill(|h| h.write_u8(i));
    }

    #[inline(always)]
    fn write_u16(&mut self, i: u16) {
        self.spill(|h| h.write_u16(i));
    }

    #[inline(always)]
    fn write_u32(&mut self, i: u32) {
        self.spill(|h| h.write_u32(i));
    }

    #[inline(always)]
    fn write_u64(&mut self, i: u64) {
        self.spill(|h| h.write_u64(i));
    }

    #[inline(always)]
    fn write_u128(&mut self, i: u128) {
        self.spill(|h| h.write_u128(i));
    }

    #[inline(always)]
    fn write_usize(&mut self, i: usize) {
        self.spill(|h| h.write_usize(i));
    }

    #[inline(always)]
    fn finish(&self) -> u64 {
        match &self.step {
            HashStep::Number(h) => *h,
            HashStep::Empty => self.seed.build_hasher().finish(),
            HashStep::Other(inner) => inner.finish(),
        }
    }
}

/// The hash of a whole-number key, as CPython places integers: the low bits (which pick the
/// slot) are the number's own, XOR a secret drawn per block of 65,536 consecutive numbers,
/// so consecutive numbers take consecutive slots and never collide, while numbers from
/// different blocks land as the secret decides; the top 7 bits (hashbrown's tag) mix the
/// whole number.
#[inline(always)]
fn number_hash(n: i64, seed: u64, block_zero: u64) -> u64 {
    const TAG_BITS: u64 = !(u64::MAX >> 7);
    let k = n as u64;
    let block = match k >> 16 {
        0 => block_zero,
        b => block_secret(b, seed),
    };
    let tag = k.wrapping_mul(0xd6e8_feb8_6659_fd93) ^ block;
    ((k ^ block) & !TAG_BITS) | (tag & TAG_BITS)
}

/// The secret of the block of 65,536 numbers `b`.
#[inline(always)]
fn block_secret(b: u64, seed: u64) -> u64 {
    folded_multiply(b ^ seed, 0x9e37_79b9_7f4a_7c15)
}

/// The high and low halves of the 128-bit product, XORed.
#[inline(always)]
fn folded_multiply(x: u64, y: u64) -> u64 {
    let full = u128::from(x).wrapping_mul(u128::from(y));
    (full as u64) ^ ((full >> 64) as u64)
}

pub use crate::keymap::KeyMap;

/// An empty [`KeyMap`] with room for `n` entries.
pub fn key_map(n: usize) -> KeyMap {
    KeyMap::with_capacity(n)
}

/// Element type of a typed list (`List:String()`); `None` in [`ListValue`] means untyped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElemType {
    Text,
    Number,
    Decimal,
    Bool,
    Date,
    DateTime,
    List,
    Map,
}

impl ElemType {
    /// Parses the name written after `List:` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "string" | "text" => Self::Text,
            "int" | "number" | "long" | "bigint" => Self::Number,
            "decimal" | "float" => Self::Decimal,
            "bool" | "boolean" => Self::Bool,
            "date" => Self::Date,
            "datetime" | "date-time" => Self::DateTime,
            "list" => Self::List,
            "map" | "key-value" => Self::Map,
            _ => return None,
        })
    }

    /// Whether `v` may be stored in a list of this element type (null always may).
    pub fn accepts(self, v: &Value) -> bool {
        matches!(
            (self, v),
            (_, Value::Null)
                | (Self::Text, Value::Text(_))
                | (Self::Number, Value::Number(_))
                | (Self::Decimal, Value::Decimal(_) | Value::Number(_))
                | (Self::Bool, Value::Bool(_))
                | (Self::Date, Value::Date(_))
                | (Self::DateTime, Value::DateTime(_) | Value::Date(_))
                | (Self::List, Value::List(_))
                | (Self::Map, Value::Map(_))
        )
    }
}

/// A LIST: ordered, heterogeneous unless typed.
#[derive(Debug, Clone, Default)]
pub struct ListValue {
    pub elem_type: Option<ElemType>,
    pub items: Vec<Value>,
}

/// A KEY-VALUE map: insertion-ordered, keys of any type.
#[derive(Debug, Clone, Default)]
pub struct MapValue {
    pub entries: KeyMap,
}

impl Drop for MapValue {
    fn drop(&mut self) {
        arena::recycle_map(std::mem::take(&mut self.entries));
    }
}

/// A COLLECTION: list-like or key-value-like, decided by its first insertion.
#[derive(Debug, Clone, Default)]
pub enum CollectionValue {
    #[default]
    Empty,
    List(Vec<Value>),
    Map(KeyMap),
}

impl CollectionValue {
    pub fn len(&self) -> usize {
        match self {
            Self::Empty => 0,
            Self::List(v) => v.len(),
            Self::Map(m) => m.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A FILE value (invokeUrl binary responses).
#[derive(Debug, Clone, Default)]
pub struct FileValue {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A Deluge value. Cloning is cheap: texts are `Arc<str>`, containers are shared references.
#[derive(Debug, Clone, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(i64),
    Decimal(Decimal),
    Text(Arc<str>),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    List(Rc<RefCell<ListValue>>),
    Map(Rc<RefCell<MapValue>>),
    Collection(Rc<RefCell<CollectionValue>>),
    File(Rc<FileValue>),
}

/// A map key: a value hashed and compared type-strictly (text keys are case-sensitive,
/// the number `1` and the text `"1"` are different keys).
#[derive(Debug, Clone)]
pub struct Key(pub Value);

impl PartialEq for Key {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            // What `strict_eq` does for two numbers or two texts (one unit of work each),
            // without its out-of-line walk: map lookups in loops compare these.
            (Value::Number(a), Value::Number(b)) => crate::work::charge() && a == b,
            (Value::Text(a), Value::Text(b)) => crate::work::charge() && a == b,
            (a, b) => a.strict_eq(b),
        }
    }
}

impl Eq for Key {}

impl Hash for Key {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        match &self.0 {
            Value::Null => 0u8.hash(state),
            Value::Bool(b) => b.hash(state),
            Value::Number(n) => n.hash(state),
            Value::Decimal(d) => d.normalize().hash(state),
            Value::Text(t) => t.hash(state),
            Value::Date(d) => d.hash(state),
            Value::DateTime(d) => d.hash(state),
            // Containers hash by their rendering, which agrees with strict equality.
            other => other.to_text().hash(state),
        }
    }
}

impl From<&str> for Key {
    fn from(s: &str) -> Self {
        Key(Value::text(s))
    }
}

impl Value {
    /// A TEXT value.
    pub fn text(s: impl Into<Arc<str>>) -> Self {
        Value::Text(s.into())
    }

    /// A new, untyped LIST holding `items`.
    pub fn list(items: Vec<Value>) -> Self {
        Self::typed_list(None, items)
    }

    /// A new LIST with an optional element type.
    pub fn typed_list(elem_type: Option<ElemType>, items: Vec<Value>) -> Self {
        let rc = Rc::new(RefCell::new(ListValue { elem_type, items }));
        arena::track_list(&rc);
        Value::List(rc)
    }

    /// A new KEY-VALUE map.
    pub fn map(entries: KeyMap) -> Self {
        let rc = Rc::new(RefCell::new(MapValue { entries }));
        arena::track_map(&rc);
        Value::Map(rc)
    }

    /// A new, empty KEY-VALUE map.
    pub fn empty_map() -> Self {
        Self::map(arena::new_map_storage())
    }

    /// A new COLLECTION.
    pub fn collection(c: CollectionValue) -> Self {
        let rc = Rc::new(RefCell::new(c));
        arena::track_collection(&rc);
        Value::Collection(rc)
    }

    /// The Deluge type name, as used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "BOOLEAN",
            Value::Number(_) => "NUMBER",
            Value::Decimal(_) => "DECIMAL",
            Value::Text(_) => "TEXT",
            Value::Date(_) => "DATE",
            Value::DateTime(_) => "DATE-TIME",
            Value::List(_) => "LIST",
            Value::Map(_) => "KEY-VALUE",
            Value::Collection(_) => "COLLECTION",
            Value::File(_) => "FILE",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// Truthiness for conditions: only BOOLEAN values are allowed (see DECISIONS.md).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The text form used by `info`, `toString()` and text concatenation.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write_text(&mut out, 0);
        out
    }

    fn write_text(&self, out: &mut String, depth: usize) {
        if out.len() > MAX_RENDER_BYTES || !crate::work::charge() {
            return;
        }
        match self {
            Value::Text(t) => out.push_str(t),
            Value::List(l) => {
                // Top-level lists print their elements joined by commas, no brackets or quotes;
                // nested containers print as JSON.
                let Ok(l) = l.try_borrow() else {
                    out.push_str("...");
                    return;
                };
                for (i, v) in l.items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    match v {
                        Value::List(_) | Value::Map(_) | Value::Collection(_) => {
                            v.write_json(out, depth + 1)
                        }
                        other => other.write_text(out, depth + 1),
                    }
                }
            }
            Value::Collection(c) => {
                let Ok(c) = c.try_borrow() else {
                    out.push_str("...");
                    return;
                };
                match &*c {
                    CollectionValue::Empty => {}
                    CollectionValue::List(items) => {
                        for (i, v) in items.iter().enumerate() {
                            if i > 0 {
                                out.push(',');
                            }
                            match v {
                                Value::List(_) | Value::Map(_) | Value::Collection(_) => {
                                    v.write_json(out, depth + 1)
                                }
                                other => other.write_text(out, depth + 1),
                            }
                        }
                    }
                    CollectionValue::Map(_) => {
                        drop(c);
                        self.write_json(out, depth)
                    }
                }
            }
            Value::Map(_) => self.write_json(out, depth),
            other => other.write_scalar(out),
        }
    }

    /// Scalars (everything but TEXT and containers) in text form.
    fn write_scalar(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Decimal(d) => {
                let _ = write!(out, "{d}");
            }
            Value::Text(t) => out.push_str(t),
            Value::Date(d) => {
                let _ = write!(out, "{}", d.format("%d-%b-%Y"));
            }
            Value::DateTime(d) => {
                let _ = write!(out, "{}", d.format("%d-%b-%Y %H:%M:%S"));
            }
            Value::File(f) => out.push_str(&f.name),
            Value::List(_) | Value::Map(_) | Value::Collection(_) => {}
        }
    }

    /// Compact JSON text (maps, and containers nested in lists).
    pub fn to_json_text(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out, 0);
        out
    }

    fn write_json(&self, out: &mut String, depth: usize) {
        if out.len() > MAX_RENDER_BYTES || !crate::work::charge() {
            return;
        }
        if depth > MAX_NESTING {
            out.push_str("null");
            return;
        }
        match self {
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::Decimal(_) => {
                self.write_scalar(out)
            }
            Value::Text(t) => write_json_string(out, t),
            Value::Date(_) | Value::DateTime(_) | Value::File(_) => {
                let mut s = String::new();
                self.write_scalar(&mut s);
                write_json_string(out, &s);
            }
            Value::List(l) => match l.try_borrow() {
                Ok(l) => write_json_array(out, &l.items, depth),
                Err(_) => out.push_str("null"),
            },
            Value::Map(m) => match m.try_borrow() {
                Ok(m) => write_json_object(out, &m.entries, depth),
                Err(_) => out.push_str("null"),
            },
            Value::Collection(c) => match c.try_borrow() {
                Ok(c) => match &*c {
                    CollectionValue::Empty => out.push_str("[]"),
                    CollectionValue::List(items) => write_json_array(out, items, depth),
                    CollectionValue::Map(entries) => write_json_object(out, entries, depth),
                },
                Err(_) => out.push_str("null"),
            },
        }
    }

    /// Type-strict equality used by `contains`, `indexOf`, `distinct` and map keys:
    /// NUMBER 1 differs from DECIMAL 1.0 and from TEXT "1"; text is case-sensitive.
    pub fn strict_eq(&self, other: &Value) -> bool {
        self.eq_at(other, 0, true, &mut { NODE_BUDGET })
    }

    /// Equality of the `==` operator: like [`Value::strict_eq`] except that NUMBER and
    /// DECIMAL compare by numeric value, and DATE equals the DATE-TIME at its midnight.
    pub fn loose_eq(&self, other: &Value) -> bool {
        self.eq_at(other, 0, false, &mut { NODE_BUDGET })
    }

    fn eq_at(&self, other: &Value, depth: usize, strict: bool, budget: &mut usize) -> bool {
        if depth > MAX_NESTING || *budget == 0 || !crate::work::charge() {
            return false;
        }
        *budget -= 1;
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::Decimal(a), Value::Decimal(b)) => a == b,
            (Value::Number(a), Value::Decimal(b)) | (Value::Decimal(b), Value::Number(a)) => {
                !strict && Decimal::from(*a) == *b
            }
            (Value::Text(a), Value::Text(b)) => a == b,
            (Value::Date(a), Value::Date(b)) => a == b,
            (Value::DateTime(a), Value::DateTime(b)) => a == b,
            (Value::Date(a), Value::DateTime(b)) | (Value::DateTime(b), Value::Date(a)) => {
                !strict && a.and_hms_opt(0, 0, 0).as_ref() == Some(b)
            }
            (Value::List(a), Value::List(b)) => {
                if Rc::ptr_eq(a, b) {
                    return true;
                }
                let (Ok(a), Ok(b)) = (a.try_borrow(), b.try_borrow()) else {
                    return false;
                };
                slices_eq(&a.items, &b.items, depth, strict, budget)
            }
            (Value::Map(a), Value::Map(b)) => {
                if Rc::ptr_eq(a, b) {
                    return true;
                }
                let (Ok(a), Ok(b)) = (a.try_borrow(), b.try_borrow()) else {
                    return false;
                };
                maps_eq(&a.entries, &b.entries, depth, strict, budget)
            }
            (Value::Collection(a), Value::Collection(b)) => {
                if Rc::ptr_eq(a, b) {
                    return true;
                }
                let (Ok(a), Ok(b)) = (a.try_borrow(), b.try_borrow()) else {
                    return false;
                };
                match (&*a, &*b) {
                    (CollectionValue::List(x), CollectionValue::List(y)) => {
                        slices_eq(x, y, depth, strict, budget)
                    }
                    (CollectionValue::Map(x), CollectionValue::Map(y)) => {
                        maps_eq(x, y, depth, strict, budget)
                    }
                    (x, y) => x.is_empty() && y.is_empty(),
                }
            }
            (Value::File(a), Value::File(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Ordering for `<`, `>`, `sort()`: numbers with numbers, texts with texts (by code
    /// point, so upper case sorts first), dates with dates, booleans with booleans.
    /// `None` when the two values are not comparable.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Number(a), Value::Number(b)) => Some(a.cmp(b)),
            (Value::Decimal(a), Value::Decimal(b)) => Some(a.cmp(b)),
            (Value::Number(a), Value::Decimal(b)) => Some(Decimal::from(*a).cmp(b)),
            (Value::Decimal(a), Value::Number(b)) => Some(a.cmp(&Decimal::from(*b))),
            (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
            (Value::DateTime(a), Value::DateTime(b)) => Some(a.cmp(b)),
            (Value::Date(a), Value::DateTime(b)) => a.and_hms_opt(0, 0, 0).map(|a| a.cmp(b)),
            (Value::DateTime(a), Value::Date(b)) => b.and_hms_opt(0, 0, 0).map(|b| a.cmp(&b)),
            _ => None,
        }
    }

    /// Converts JSON data (host inputs, parsed JSON text) into a value. Objects keep their
    /// source order; integers in the i64 range become NUMBER, other numbers DECIMAL.
    pub fn from_json(json: &serde_json::Value) -> Value {
        Self::from_json_at(json, 0)
    }

    fn from_json_at(json: &serde_json::Value, depth: usize) -> Value {
        if depth > MAX_NESTING {
            return Value::Null;
        }
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => number_from_json(n),
            serde_json::Value::String(s) => Value::text(s.as_str()),
            serde_json::Value::Array(items) => Value::list(
                items
                    .iter()
                    .map(|v| Self::from_json_at(v, depth + 1))
                    .collect(),
            ),
            serde_json::Value::Object(obj) => Value::map(
                obj.iter()
                    .map(|(k, v)| (Key::from(k.as_str()), Self::from_json_at(v, depth + 1)))
                    .collect(),
            ),
        }
    }

    /// Converts a value into JSON data (the return value crossing to the host). Map keys
    /// become their text form; dates their display text; files their name.
    pub fn to_json(&self) -> serde_json::Value {
        self.to_json_at(0, &mut { NODE_BUDGET })
    }

    fn to_json_at(&self, depth: usize, budget: &mut usize) -> serde_json::Value {
        use serde_json::Value as J;
        if depth > MAX_NESTING || *budget == 0 || !crate::work::charge() {
            return J::Null;
        }
        *budget -= 1;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => J::Number((*n).into()),
            Value::Decimal(d) => decimal_to_json(d),
            Value::Text(t) => J::String(t.to_string()),
            Value::Date(_) | Value::DateTime(_) | Value::File(_) => J::String(self.to_text()),
            Value::List(l) => match l.try_borrow() {
                Ok(l) => J::Array(
                    l.items
                        .iter()
                        .map(|v| v.to_json_at(depth + 1, budget))
                        .collect(),
                ),
                Err(_) => J::Null,
            },
            Value::Map(m) => match m.try_borrow() {
                Ok(m) => entries_to_json(&m.entries, depth, budget),
                Err(_) => J::Null,
            },
            Value::Collection(c) => match c.try_borrow() {
                Ok(c) => match &*c {
                    CollectionValue::Empty => J::Array(Vec::new()),
                    CollectionValue::List(items) => J::Array(
                        items
                            .iter()
                            .map(|v| v.to_json_at(depth + 1, budget))
                            .collect(),
                    ),
                    CollectionValue::Map(entries) => entries_to_json(entries, depth, budget),
                },
                Err(_) => J::Null,
            },
        }
    }
}

fn slices_eq(a: &[Value], b: &[Value], depth: usize, strict: bool, budget: &mut usize) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.eq_at(y, depth + 1, strict, budget))
}

fn maps_eq(a: &KeyMap, b: &KeyMap, depth: usize, strict: bool, budget: &mut usize) -> bool {
    a.len() == b.len()
        && a.iter().all(|(k, v)| match b.get(k) {
            Some(w) => v.eq_at(w, depth + 1, strict, budget),
            None => false,
        })
}

fn entries_to_json(entries: &KeyMap, depth: usize, budget: &mut usize) -> serde_json::Value {
    serde_json::Value::Object(
        entries
            .iter()
            .map(|(k, v)| (k.0.to_text(), v.to_json_at(depth + 1, budget)))
            .collect(),
    )
}

fn number_from_json(n: &serde_json::Number) -> Value {
    if let Some(i) = n.as_i64() {
        return Value::Number(i);
    }
    let text = n.to_string();
    if let Ok(d) = text.parse::<Decimal>() {
        return Value::Decimal(d);
    }
    if let Ok(d) = Decimal::from_scientific(&text) {
        return Value::Decimal(d);
    }
    // Out of DECIMAL range: keep the text rather than lose it.
    Value::text(text)
}

fn decimal_to_json(d: &Decimal) -> serde_json::Value {
    // With serde_json's arbitrary_precision feature the exact digits survive.
    match d.to_string().parse::<serde_json::Number>() {
        Ok(n) => serde_json::Value::Number(n),
        Err(_) => serde_json::Value::String(d.to_string()),
    }
}

fn write_json_array(out: &mut String, items: &[Value], depth: usize) {
    out.push('[');
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        v.write_json(out, depth + 1);
    }
    out.push(']');
}

fn write_json_object(out: &mut String, entries: &KeyMap, depth: usize) {
    out.push('{');
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match &k.0 {
            Value::Text(t) => write_json_string(out, t),
            other => write_json_string(out, &other.to_text()),
        }
        out.push(':');
        v.write_json(out, depth + 1);
    }
    out.push('}');
}

/// Appends `s` as a JSON string literal.
pub fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(pairs: &[(&str, Value)]) -> Value {
        Value::map(
            pairs
                .iter()
                .map(|(k, v)| (Key::from(*k), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn renders_lists_and_maps() {
        let l = Value::list(vec![Value::text("a"), Value::Number(1)]);
        assert_eq!(l.to_text(), "a,1");
        let m = kv(&[("k", Value::text("v")), ("n", Value::Number(5))]);
        assert_eq!(m.to_text(), r#"{"k":"v","n":5}"#);
        let nested = Value::list(vec![Value::text("a"), Value::list(vec![Value::text("b")])]);
        assert_eq!(nested.to_text(), r#"a,["b"]"#);
    }

    #[test]
    fn equality_rules() {
        assert!(Value::Number(1).loose_eq(&Value::Decimal(Decimal::ONE)));
        assert!(!Value::Number(1).strict_eq(&Value::Decimal(Decimal::ONE)));
        assert!(!Value::Number(1).loose_eq(&Value::text("1")));
        assert!(Key(Value::text("a")) == Key::from("a"));
    }

    #[test]
    fn number_keys_are_distinct_ordered_and_typed() {
        let keys: Vec<i64> = (-199_997..200_000)
            .step_by(7)
            .chain([i64::MIN, i64::MAX, 1 << 40, -(1 << 40)])
            .collect();
        let mut m = key_map(0);
        for (i, k) in keys.iter().enumerate() {
            m.insert(Key(Value::Number(*k)), Value::Number(i as i64));
        }
        assert_eq!(m.len(), keys.len());
        for (i, (k, v)) in m.iter().enumerate() {
            assert!(
                matches!((&k.0, v), (Value::Number(k), Value::Number(v)) if *k == keys[i] && *v == i as i64)
            );
        }
        assert!(m.get(&Key(Value::Number(7))).is_some());
        assert!(m.get(&Key(Value::Number(8))).is_none());
        // NUMBER 7, DECIMAL 7 and TEXT "7" are three keys.
        m.insert(Key(Value::Decimal(Decimal::from(7))), Value::Null);
        m.insert(Key::from("7"), Value::Null);
        assert_eq!(m.len(), keys.len() + 2);
        assert!(matches!(
            m.get(&Key(Value::Number(7))),
            Some(Value::Number(_))
        ));
    }

    #[test]
    fn cyclic_list_renders_without_overflow() {
        let l = Value::list(vec![]);
        if let Value::List(rc) = &l {
            rc.borrow_mut().items.push(l.clone());
        }
        let _ = l.to_text();
        let _ = l.to_json();
        assert!(l.loose_eq(&l));
        if let Value::List(rc) = &l {
            rc.borrow_mut().items.clear();
        }
    }

    #[test]
    fn json_round_trip() {
        let j: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":[1.50,"x",null]}"#).unwrap();
        let v = Value::from_json(&j);
        assert_eq!(v.to_json_text(), r#"{"b":1,"a":[1.50,"x",null]}"#);
        assert_eq!(v.to_json(), j);
    }
}
