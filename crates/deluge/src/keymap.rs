//! [`KeyMap`]: the entries of a KEY-VALUE map, in insertion order, found by key through a
//! hash table of their positions (what `IndexMap` does, written here so that the insert of
//! a whole-number key, the commonest in loops, is inlined into the interpreter's `put`).
//!
//! The entries are a `Vec` in insertion order; `indices` is a `hashbrown::HashTable` of
//! positions in it, hashed by [`KeyHasher`]. Replacing the value of a key keeps its position
//! and its first key; removing a key shifts the later entries down (as `IndexMap`'s
//! `shift_remove`), so the order of the others never changes.

use std::fmt;
use std::mem::ManuallyDrop;

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use crate::value::{Key, KeyHasher, Value};

/// One entry: the key's hash (kept for growing the table and removing; 0 in a run), key
/// and value.
#[derive(Clone)]
struct Bucket {
    hash: u64,
    key: Key,
    value: Value,
}

/// The entries of a KEY-VALUE map or key-value COLLECTION, in insertion order.
///
/// The entries are `ManuallyDrop` so that emptying a map of plain values (numbers, the
/// commonest in loops) is one length change rather than a drop call per key and value:
/// [`KeyMap::clear`] and `Drop` take out and drop only the keys and values that hold a text
/// or container; every other removal takes the entry out of its `ManuallyDrop` and drops it.
///
/// A map whose keys are whole numbers put in a run, `base`, `base + 1`, `base + 2`, ...
/// (the commonest number keys: counters, positions) keeps no table: entry `i` has the key
/// `base + i`, so a key is found by a subtraction. Any other key or order leaves the run
/// ([`KeyMap::index`]) until the map is emptied.
#[derive(Clone, Default)]
pub struct KeyMap {
    /// Positions in `entries`, by key hash; empty and unused while `!indexed`.
    indices: HashTable<usize>,
    entries: Vec<ManuallyDrop<Bucket>>,
    hasher: KeyHasher,
    /// False while the keys are the run `base`, `base + 1`, ... (wrapping): `indices` and
    /// the entries' `hash` are then unused.
    indexed: bool,
    /// The first key of the run.
    base: i64,
}

impl Drop for KeyMap {
    fn drop(&mut self) {
        self.drop_entries();
    }
}

/// Whether dropping `v` does nothing (no text or container behind it).
#[inline(always)]
fn plain(v: &Value) -> bool {
    matches!(
        v,
        Value::Null
            | Value::Bool(_)
            | Value::Number(_)
            | Value::Decimal(_)
            | Value::Date(_)
            | Value::DateTime(_)
    )
}

impl KeyMap {
    /// An empty map with room for `n` entries.
    pub fn with_capacity(n: usize) -> Self {
        // The table too, as most maps made with room (literals, JSON) have text keys.
        KeyMap {
            indices: HashTable::with_capacity(n),
            entries: Vec::with_capacity(n),
            hasher: KeyHasher::default(),
            indexed: false,
            base: 0,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many entries fit without growing the entries.
    pub fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// Removes every entry, keeping the storage.
    pub fn clear(&mut self) {
        if self.indexed {
            self.indices.clear();
            self.indexed = false;
        }
        self.drop_entries();
    }

    /// Empties `entries`, dropping what needs dropping.
    #[inline]
    fn drop_entries(&mut self) {
        // One pass: a key or value with something behind it (a text, a container) is
        // taken out and dropped; plain ones need nothing, so the entries are then forgotten
        // in one length change.
        for b in self.entries.iter_mut() {
            if !plain(&b.key.0) {
                drop(std::mem::take(&mut b.key.0));
            }
            if !plain(&b.value) {
                drop(std::mem::take(&mut b.value));
            }
        }
        self.entries.clear();
    }

    #[inline]
    fn hash(&self, key: &Key) -> u64 {
        match key.0 {
            Value::Number(n) => self.hasher.number(n),
            _ => self.hasher.hash_key(key),
        }
    }

    /// The position the whole number `k` has in a run (`!indexed`), if it is there: one
    /// comparison charged, as the table's key comparison is.
    #[inline(always)]
    fn run_position(&self, k: i64) -> Option<usize> {
        let i = usize::try_from(k.wrapping_sub(self.base) as u64).ok()?;
        (i < self.entries.len() && crate::work::charge()).then_some(i)
    }

    /// The position of `key`, if it is in the map.
    #[inline]
    pub fn get_index_of(&self, key: &Key) -> Option<usize> {
        if !self.indexed {
            return match key.0 {
                Value::Number(k) => self.run_position(k),
                _ => None,
            };
        }
        let hash = self.hash(key);
        let entries = &self.entries;
        self.indices
            .find(hash, |&i| entries.get(i).is_some_and(|b| b.key == *key))
            .copied()
    }

    #[inline]
    pub fn get(&self, key: &Key) -> Option<&Value> {
        let i = self.get_index_of(key)?;
        self.entries.get(i).map(|b| &b.value)
    }

    #[inline]
    pub fn get_mut(&mut self, key: &Key) -> Option<&mut Value> {
        let i = self.get_index_of(key)?;
        self.entries.get_mut(i).map(|b| &mut b.value)
    }

    #[inline]
    pub fn contains_key(&self, key: &Key) -> bool {
        self.get_index_of(key).is_some()
    }

    /// Sets the value of `key`: an existing key keeps its position (and its key) and its
    /// old value is returned; a new key goes last.
    #[inline]
    pub fn insert(&mut self, key: Key, value: Value) -> Option<Value> {
        if let Value::Number(k) = key.0 {
            return self.insert_number(k, value);
        }
        if !self.indexed {
            self.index();
        }
        let hash = self.hash(&key);
        self.insert_with(hash, key, |stored, key| stored == key, value)
    }

    /// [`KeyMap::insert`] of the whole-number key `k`, compared in place.
    #[inline(always)]
    pub fn insert_number(&mut self, k: i64, value: Value) -> Option<Value> {
        if !self.indexed {
            if let Some(i) = self.run_position(k) {
                return self
                    .entries
                    .get_mut(i)
                    .map(|b| std::mem::replace(&mut b.value, value));
            }
            let len = self.entries.len();
            if len == 0 {
                self.base = k;
            }
            if k.wrapping_sub(self.base) as u64 == len as u64 {
                // The run goes on: no hash, no table.
                self.entries.push(ManuallyDrop::new(Bucket {
                    hash: 0,
                    key: Key(Value::Number(k)),
                    value,
                }));
                return None;
            }
            self.index();
        }
        let hash = self.hasher.number(k);
        self.insert_with(
            hash,
            Key(Value::Number(k)),
            |stored, _| matches!(stored.0, Value::Number(n) if crate::work::charge() && n == k),
            value,
        )
    }

    /// Leaves the run: hashes the keys and builds the table of their positions.
    #[cold]
    #[inline(never)]
    fn index(&mut self) {
        self.indexed = true;
        let hasher = &self.hasher;
        for b in self.entries.iter_mut() {
            b.hash = match b.key.0 {
                Value::Number(n) => hasher.number(n),
                _ => hasher.hash_key(&b.key),
            };
        }
        self.rebuild_table();
    }

    /// Fills the (empty) table with the positions of the entries.
    fn rebuild_table(&mut self) {
        self.indices.clear();
        let entries = &self.entries;
        let hash_of = |&j: &usize| entries.get(j).map_or(0, |b| b.hash);
        if self.indices.capacity() < entries.len() {
            self.indices.reserve(entries.len(), hash_of);
        }
        for (i, b) in entries.iter().enumerate() {
            self.indices.insert_unique(b.hash, i, hash_of);
        }
    }

    /// One probe of the table for `key`, recognised by `is_key`: its value replaced (the
    /// first key kept), or `key` appended with `value`.
    #[inline(always)]
    fn insert_with(
        &mut self,
        hash: u64,
        key: Key,
        is_key: impl Fn(&Key, &Key) -> bool,
        value: Value,
    ) -> Option<Value> {
        let entries = &self.entries;
        let entry = self.indices.entry(
            hash,
            |&i| entries.get(i).is_some_and(|b| is_key(&b.key, &key)),
            |&i| entries.get(i).map_or(0, |b| b.hash),
        );
        match entry {
            Entry::Occupied(o) => {
                let i = *o.get();
                self.entries
                    .get_mut(i)
                    .map(|b| std::mem::replace(&mut b.value, value))
            }
            Entry::Vacant(v) => {
                let i = self.entries.len();
                v.insert(i);
                if i == self.entries.capacity() {
                    // Room for as many entries as the table holds, as the table grows.
                    let room = self.indices.capacity().max(i + 1) - i;
                    self.entries.reserve_exact(room);
                }
                self.entries
                    .push(ManuallyDrop::new(Bucket { hash, key, value }));
                None
            }
        }
    }

    /// Removes `key`, shifting the later entries down; its value if it was there.
    pub fn shift_remove(&mut self, key: &Key) -> Option<Value> {
        let i = self.get_index_of(key)?;
        self.shift_remove_index(i).map(|(_, v)| v)
    }

    /// Removes the entry at position `i`, shifting the later entries down.
    pub fn shift_remove_index(&mut self, i: usize) -> Option<(Key, Value)> {
        if i >= self.entries.len() {
            return None;
        }
        // The last key of a run leaves a run.
        if self.indexed || i + 1 < self.entries.len() {
            if !self.indexed {
                self.index();
            }
            let hash = self.entries.get(i)?.hash;
            if let Ok(found) = self.indices.find_entry(hash, |&j| j == i) {
                found.remove();
            }
            for j in self.indices.iter_mut() {
                if *j > i {
                    *j -= 1;
                }
            }
        }
        let b = ManuallyDrop::into_inner(self.entries.remove(i));
        Some((b.key, b.value))
    }

    /// Keeps the entries for which `keep` is true, in their order.
    pub fn retain(&mut self, mut keep: impl FnMut(&Key, &mut Value) -> bool) {
        let before = self.entries.len();
        let mut kept = Vec::with_capacity(self.entries.capacity());
        for b in self.entries.drain(..) {
            let mut b = ManuallyDrop::into_inner(b);
            if keep(&b.key, &mut b.value) {
                kept.push(ManuallyDrop::new(b));
            }
        }
        self.entries = kept;
        if self.entries.len() != before {
            // Removing keys from a run may break it: index them.
            if self.indexed {
                self.rebuild_table();
            } else {
                self.index();
            }
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    pub fn keys(&self) -> Keys<'_> {
        Keys(self.entries.iter())
    }

    pub fn values(&self) -> Values<'_> {
        Values(self.entries.iter())
    }
}

/// The entries of a [`KeyMap`] in order.
#[derive(Clone)]
pub struct Iter<'a>(std::slice::Iter<'a, ManuallyDrop<Bucket>>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Key, &'a Value);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|b| (&b.key, &b.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|b| (&b.key, &b.value))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The keys of a [`KeyMap`] in order.
#[derive(Clone)]
pub struct Keys<'a>(std::slice::Iter<'a, ManuallyDrop<Bucket>>);

impl<'a> Iterator for Keys<'a> {
    type Item = &'a Key;

    #[inline]
    fn next(&mut self) -> Option<&'a Key> {
        self.0.next().map(|b| &b.key)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for Keys<'_> {}

/// The values of a [`KeyMap`] in order.
#[derive(Clone)]
pub struct Values<'a>(std::slice::Iter<'a, ManuallyDrop<Bucket>>);

impl<'a> Iterator for Values<'a> {
    type Item = &'a Value;

    #[inline]
    fn next(&mut self) -> Option<&'a Value> {
        self.0.next().map(|b| &b.value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for Values<'_> {}

impl<'a> IntoIterator for &'a KeyMap {
    type Item = (&'a Key, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl Extend<(Key, Value)> for KeyMap {
    fn extend<I: IntoIterator<Item = (Key, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl FromIterator<(Key, Value)> for KeyMap {
    fn from_iter<I: IntoIterator<Item = (Key, Value)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut m = KeyMap::with_capacity(iter.size_hint().0);
        m.extend(iter);
        m
    }
}

impl fmt::Debug for KeyMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use rust_decimal::Decimal;

    use super::*;

    fn n(i: i64) -> Key {
        Key(Value::Number(i))
    }

    fn keys(m: &KeyMap) -> Vec<String> {
        m.keys().map(|k| k.0.to_text()).collect()
    }

    #[test]
    fn insertion_order_replace_in_place_and_shift_remove() {
        let mut m = KeyMap::default();
        for i in [5, 3, 9] {
            assert!(m.insert_number(i, Value::Number(i * 10)).is_none());
        }
        m.insert(Key::from("t"), Value::Null);
        // Replacing keeps the position (and the first key).
        assert!(matches!(
            m.insert(n(3), Value::Number(1)),
            Some(Value::Number(30))
        ));
        let d1 = Decimal::new(10, 1);
        m.insert(Key(Value::Decimal(d1)), Value::Null);
        m.insert(Key(Value::Decimal(Decimal::new(100, 2))), Value::Bool(true));
        assert_eq!(keys(&m), ["5", "3", "9", "t", "1.0"]);
        // NUMBER 1, DECIMAL 1.0 and TEXT "1" are three keys.
        m.insert(n(1), Value::Null);
        m.insert(Key::from("1"), Value::Null);
        assert_eq!(m.len(), 7);
        assert!(matches!(m.get(&n(3)), Some(Value::Number(1))));
        assert!(matches!(m.shift_remove(&n(3)), Some(Value::Number(1))));
        assert!(m.shift_remove(&n(3)).is_none());
        assert_eq!(keys(&m), ["5", "9", "t", "1.0", "1", "1"]);
        // Every key is still found at its new position.
        for k in [n(5), n(9), Key::from("t"), n(1), Key::from("1")] {
            assert!(m.contains_key(&k), "{k:?}");
        }
        m.retain(|k, _| !matches!(k.0, Value::Number(9)));
        assert_eq!(keys(&m), ["5", "t", "1.0", "1", "1"]);
        assert!(m.contains_key(&Key(Value::Decimal(d1))));
        assert!(!m.contains_key(&n(9)));
        m.clear();
        assert!(m.is_empty() && m.get(&n(5)).is_none());
    }

    #[test]
    fn values_with_something_to_drop_are_dropped() {
        let list = Value::list(vec![]);
        let Value::List(rc) = &list else {
            unreachable!()
        };
        let mut m: KeyMap = (0..100).map(|i| (n(i), Value::Number(i))).collect();
        m.insert(n(50), list.clone());
        assert_eq!(Rc::strong_count(rc), 2);
        m.clear();
        assert_eq!(Rc::strong_count(rc), 1);
        m.insert(Key::from("x"), list.clone());
        m.shift_remove_index(0);
        assert_eq!(Rc::strong_count(rc), 1);
        m.insert(Key::from("x"), list.clone());
        m.retain(|_, _| false);
        assert_eq!(Rc::strong_count(rc), 1);
        m.insert(Key::from("x"), list.clone());
        let copy = m.clone();
        assert_eq!(Rc::strong_count(rc), 3);
        drop(m);
        drop(copy);
        assert_eq!(Rc::strong_count(rc), 1);
    }

    #[test]
    fn grows_and_finds_many_keys() {
        let mut m = KeyMap::default();
        for i in (0..5000).rev() {
            m.insert_number(i * 3, Value::Number(i));
            m.insert(Key::from(format!("k{i}").as_str()), Value::Number(i));
        }
        assert_eq!(m.len(), 10_000);
        for i in 0..5000 {
            assert!(matches!(m.get(&n(i * 3)), Some(Value::Number(x)) if *x == i));
            assert!(m.get(&n(i * 3 + 1)).is_none());
        }
        assert!(matches!(m.iter().next(), Some((k, _)) if matches!(k.0, Value::Number(14997))));
    }

    #[test]
    fn a_run_of_numbers_behaves_as_a_table() {
        // Each script of operations runs on a map that starts with a run of keys; the same
        // operations on a map that was indexed from the start must agree.
        fn check(ops: &dyn Fn(&mut KeyMap)) {
            let mut run = KeyMap::default();
            let mut table = KeyMap::default();
            table.insert(Key::from("x"), Value::Null);
            table.shift_remove(&Key::from("x"));
            assert!(table.indexed);
            ops(&mut run);
            ops(&mut table);
            let show = |m: &KeyMap| {
                m.iter()
                    .map(|(k, v)| format!("{:?}={}", k.0, v.to_text()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(show(&run), show(&table));
            for k in -3..12 {
                assert_eq!(
                    run.get(&n(k)).map(Value::to_text),
                    table.get(&n(k)).map(Value::to_text),
                    "{k}"
                );
            }
            let one = Key(Value::Decimal(Decimal::ONE));
            assert_eq!(run.contains_key(&one), table.contains_key(&one));
            assert_eq!(
                run.contains_key(&Key::from("1")),
                table.contains_key(&Key::from("1"))
            );
        }
        let fill = |m: &mut KeyMap| {
            for i in 2..8 {
                m.insert_number(i, Value::Number(i * 10));
            }
        };
        check(&|m| fill(m));
        check(&|m| {
            fill(m);
            m.insert_number(4, Value::Number(0));
            m.insert(n(5), Value::Number(1));
        });
        check(&|m| {
            fill(m);
            m.insert_number(1, Value::Number(0));
            m.insert_number(8, Value::Number(1));
        });
        check(&|m| {
            fill(m);
            m.insert(Key::from("t"), Value::Number(0));
            m.insert_number(8, Value::Number(1));
        });
        check(&|m| {
            fill(m);
            m.shift_remove(&n(7));
            m.insert_number(7, Value::Number(1));
            m.shift_remove(&n(3));
            m.insert_number(8, Value::Number(2));
            m.insert_number(3, Value::Number(3));
        });
        check(&|m| {
            fill(m);
            m.retain(|k, _| !matches!(k.0, Value::Number(4)));
            m.insert_number(4, Value::Number(1));
        });
        check(&|m| {
            fill(m);
            m.clear();
            m.insert_number(9, Value::Number(1));
            m.insert_number(10, Value::Number(2));
        });
        check(&|m| {
            m.insert_number(i64::MAX, Value::Number(1));
            m.insert_number(i64::MIN, Value::Number(2));
            m.insert_number(i64::MIN + 1, Value::Number(3));
            m.insert_number(i64::MAX - 1, Value::Number(4));
        });
        check(&|m| {
            m.insert_number(-2, Value::Number(1));
            m.insert_number(-1, Value::Number(2));
            m.insert_number(0, Value::Number(3));
            m.insert(Key(Value::Decimal(Decimal::ONE)), Value::Number(4));
        });
    }

    #[test]
    fn agrees_with_a_list_of_pairs_on_random_operations() {
        // A list of pairs searched from the front is the reference: same order, same values.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..300 {
            let mut m = KeyMap::default();
            let mut model: Vec<(Key, i64)> = Vec::new();
            let mut counter = i64::from(round % 5) - 2;
            for step in 0..200 {
                let key = match next(10) {
                    // Mostly the next number of a run, as loops put them.
                    0..=5 => {
                        counter += 1;
                        n(counter)
                    }
                    6 => n(next(20) as i64 - 5),
                    7 => Key::from(format!("k{}", next(6)).as_str()),
                    8 => Key(Value::Decimal(Decimal::from(next(6)))),
                    _ => n(i64::MAX - next(3) as i64),
                };
                match next(12) {
                    0 => {
                        let a = m.shift_remove(&key).map(|v| v.to_text());
                        let b = model
                            .iter()
                            .position(|(k, _)| *k == key)
                            .map(|i| model.remove(i).1.to_string());
                        assert_eq!(a, b);
                    }
                    1 if step % 50 == 0 => {
                        m.clear();
                        model.clear();
                    }
                    2 => {
                        let cut = next(4) as i64;
                        m.retain(|_, v| !matches!(v, Value::Number(x) if *x % 4 == cut));
                        model.retain(|(_, v)| v % 4 != cut);
                    }
                    3 => {
                        let a = m.get(&key).map(|v| v.to_text());
                        let b = model
                            .iter()
                            .find(|(k, _)| *k == key)
                            .map(|(_, v)| v.to_string());
                        assert_eq!(a, b);
                    }
                    _ => {
                        let v = step as i64;
                        let old = match key.0 {
                            Value::Number(k) if step % 2 == 0 => {
                                m.insert_number(k, Value::Number(v))
                            }
                            _ => m.insert(key.clone(), Value::Number(v)),
                        };
                        match model.iter_mut().find(|(k, _)| *k == key) {
                            Some((_, slot)) => {
                                assert_eq!(old.map(|v| v.to_text()), Some(slot.to_string()));
                                *slot = v;
                            }
                            None => {
                                assert!(old.is_none());
                                model.push((key, v));
                            }
                        }
                    }
                }
                let got: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{:?}={}", k.0, v.to_text()))
                    .collect();
                let want: Vec<String> = model
                    .iter()
                    .map(|(k, v)| format!("{:?}={v}", k.0))
                    .collect();
                assert_eq!(got, want, "round {round}, step {step}");
                for (k, v) in &model {
                    assert!(
                        matches!(m.get(k), Some(Value::Number(x)) if x == v),
                        "round {round}, step {step}: {k:?}"
                    );
                }
            }
        }
    }
}
