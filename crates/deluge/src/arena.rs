//! Tracks every container created during a run so the run can break reference cycles
//! (`l.add(l)`) when it ends; without this, `Rc` cycles would leak memory on every run.
//! Also keeps the emptied storage of dropped maps (a few per thread, bounded) for `Map()`
//! in later runs, like CPython's free lists: a map that grew in one run need not grow
//! again (rehash, reallocate, fault fresh pages in) in the next.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use crate::value::{CollectionValue, KeyMap, ListValue, MapValue, key_map};

/// Emptied maps kept per thread for reuse.
const POOLED_MAPS: usize = 8;

/// Largest map (in entries it has room for) kept for reuse, so the pool holds at most
/// about a megabyte per thread.
const POOLED_MAP_CAPACITY: usize = 2048;

#[derive(Default)]
struct Arena {
    lists: Vec<Weak<RefCell<ListValue>>>,
    maps: Vec<Weak<RefCell<MapValue>>>,
    collections: Vec<Weak<RefCell<CollectionValue>>>,
}

thread_local! {
    static ARENA: RefCell<Option<Arena>> = const { RefCell::new(None) };
    static MAP_POOL: RefCell<Vec<KeyMap>> = const { RefCell::new(Vec::new()) };
}

/// Storage for a new, empty map: an emptied one from an earlier run if there is one.
pub(crate) fn new_map_storage() -> KeyMap {
    MAP_POOL
        .try_with(|p| p.try_borrow_mut().ok().and_then(|mut p| p.pop()))
        .ok()
        .flatten()
        .unwrap_or_else(|| key_map(0))
}

/// Keeps the storage of a map that is being dropped, if the pool has room and it is not
/// too large.
pub(crate) fn recycle_map(mut entries: KeyMap) {
    if entries.capacity() == 0 || entries.capacity() > POOLED_MAP_CAPACITY {
        return;
    }
    // Emptied before the pool is borrowed: dropping the entries may drop other values.
    entries.clear();
    // `try_with`: maps can be dropped while the thread's locals are being destroyed.
    let _ = MAP_POOL.try_with(|p| {
        if let Ok(mut pool) = p.try_borrow_mut()
            && pool.len() < POOLED_MAPS
        {
            pool.push(entries);
        }
    });
}

pub(crate) fn track_list(rc: &Rc<RefCell<ListValue>>) {
    ARENA.with(|a| {
        if let Some(a) = a.borrow_mut().as_mut() {
            a.lists.push(Rc::downgrade(rc));
        }
    });
}

pub(crate) fn track_map(rc: &Rc<RefCell<MapValue>>) {
    ARENA.with(|a| {
        if let Some(a) = a.borrow_mut().as_mut() {
            a.maps.push(Rc::downgrade(rc));
        }
    });
}

pub(crate) fn track_collection(rc: &Rc<RefCell<CollectionValue>>) {
    ARENA.with(|a| {
        if let Some(a) = a.borrow_mut().as_mut() {
            a.collections.push(Rc::downgrade(rc));
        }
    });
}

/// Active while a program runs; on drop, empties every container still alive, which frees
/// cycles. Values must be converted (e.g. to JSON) before the guard drops.
pub(crate) struct RunArena {
    outer: Option<Arena>,
}

impl RunArena {
    pub(crate) fn enter() -> Self {
        let outer = ARENA.with(|a| a.borrow_mut().replace(Arena::default()));
        RunArena { outer }
    }
}

impl Drop for RunArena {
    fn drop(&mut self) {
        let arena = ARENA.with(|a| std::mem::replace(&mut *a.borrow_mut(), self.outer.take()));
        let Some(arena) = arena else { return };
        // Take the contents out first and drop them after the borrow ends, so nested drops
        // never re-enter a borrowed cell.
        for w in arena.lists {
            if let Some(rc) = w.upgrade() {
                let items = std::mem::take(&mut rc.borrow_mut().items);
                drop(rc);
                drop(items);
            }
        }
        for w in arena.maps {
            if let Some(rc) = w.upgrade() {
                let entries = std::mem::take(&mut rc.borrow_mut().entries);
                drop(rc);
                recycle_map(entries);
            }
        }
        for w in arena.collections {
            if let Some(rc) = w.upgrade() {
                let c = std::mem::take(&mut *rc.borrow_mut());
                drop(rc);
                drop(c);
            }
        }
    }
}
