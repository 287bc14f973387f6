//! Tracks every container created during a run so the run can break reference cycles
//! (`l.add(l)`) when it ends; without this, `Rc` cycles would leak memory on every run.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use crate::value::{CollectionValue, ListValue, MapValue};

#[derive(Default)]
struct Arena {
    lists: Vec<Weak<RefCell<ListValue>>>,
    maps: Vec<Weak<RefCell<MapValue>>>,
    collections: Vec<Weak<RefCell<CollectionValue>>>,
}

thread_local! {
    static ARENA: RefCell<Option<Arena>> = const { RefCell::new(None) };
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
                drop(entries);
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
