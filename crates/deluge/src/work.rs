//! The run-wide meter of bulk work done inside single operations (rendering, comparison, JSON
//! conversion), so that one statement cannot run unbounded.
//!
//! The statement counter and the clock are checked between statements. A single built-in call
//! can still do a great deal of work: `distinct()` or map keys over many large, different
//! containers render or compare each of them. Every node those operations visit is charged
//! here; once the run's budget is spent they stop early, and the evaluator ends the run with
//! the `max_work_units` limit error at the next statement boundary. The meter lives in a
//! thread-local because those operations are deep inside `Value` methods with no context
//! argument; a run sets it on entry and restores the previous value on exit.

use std::cell::Cell;

thread_local! {
    static REMAINING: Cell<u64> = const { Cell::new(u64::MAX) };
}

/// Holds the budget of the run on this thread; the previous budget returns on drop.
pub(crate) struct Meter {
    previous: u64,
}

/// Starts metering a run with `budget` units.
pub(crate) fn start(budget: u64) -> Meter {
    Meter {
        previous: REMAINING.replace(budget),
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        REMAINING.set(self.previous);
    }
}

/// Charges one unit of work; false once the budget is spent (the caller should stop early).
#[inline]
pub(crate) fn charge() -> bool {
    REMAINING.with(|r| {
        let left = r.get();
        if left == 0 {
            false
        } else {
            r.set(left - 1);
            true
        }
    })
}

/// True once the run's budget is spent.
#[inline]
pub(crate) fn exhausted() -> bool {
    REMAINING.get() == 0
}
