//! Per-user, per-endpoint rate limits: a threshold per window, then a lock period (<https://www.zoho.com/cliq/help/restapi/v2/>).
//!
//! [`RateLimiter`] applies the limits; where their counters live is behind [`RateCounters`]
//! ([`InMemoryCounters`] today), so several nodes could later share one counter store.

use crate::config::RateLimitMode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An endpoint's limit as the spec states it.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub threshold: u32,
    pub window_secs: u64,
    pub lock_secs: u64,
}

impl Limit {
    pub const fn per_min(threshold: u32, lock_secs: u64) -> Limit {
        Limit {
            threshold,
            window_secs: 60,
            lock_secs,
        }
    }
}

/// What a request learned about its limit, for the `X-RateLimit-*` headers.
#[derive(Debug, Clone, Copy)]
pub struct RateStatus {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window resets or the lock ends.
    pub reset_secs: u64,
    /// Set when the request is refused.
    pub retry_after: Option<u64>,
}

#[derive(Debug)]
struct Bucket {
    window_start: Instant,
    /// The window's length, so an idle bucket can be recognized as stale and dropped.
    window: Duration,
    count: u32,
    locked_until: Option<Instant>,
}

impl Bucket {
    /// True while the bucket still holds state that matters: a lock, or a current window.
    fn is_live(&self, now: Instant) -> bool {
        self.locked_until.is_some_and(|u| u > now)
            || now.duration_since(self.window_start) < self.window
    }
}

/// Buckets of users who stopped calling are dropped once the map holds this many and
/// [`PRUNE_EVERY`] has passed since the last sweep, so the map stays bounded by active callers.
const PRUNE_ABOVE: usize = 4096;
const PRUNE_EVERY: Duration = Duration::from_secs(30);

/// Whose requests a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateKey {
    /// A user, whatever credential they call with (OAuth token or webhook token).
    User(i64),
    /// An extension calling with its key alone.
    Extension(i64),
}

#[derive(Default)]
struct Buckets {
    map: HashMap<(RateKey, &'static str), Bucket>,
    last_prune: Option<Instant>,
}

impl Buckets {
    fn prune(&mut self, now: Instant) {
        if self.map.len() <= PRUNE_ABOVE || self.last_prune.is_some_and(|t| now - t < PRUNE_EVERY) {
            return;
        }
        self.map.retain(|_, b| b.is_live(now));
        self.last_prune = Some(now);
    }
}

/// What counting one request did to its counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// Counted: `count` requests so far in the current window, which ends in `window_left`.
    Counted { count: u32, window_left: Duration },
    /// Refused: the key is locked for `left` more (a lock that starts now lasts the whole
    /// lock period).
    Locked { left: Duration },
}

/// Storage of the limiter's counters, one per (caller, endpoint).
///
/// [`RateCounters::hit`] is one atomic step on one counter: a store shared by several nodes
/// must do it as one operation (a script or transaction), never as a read and a write.
pub trait RateCounters: Send + Sync {
    /// Counts one request by `who` on `endpoint`. While the counter is locked the request is
    /// refused. Otherwise a window older than `window` starts afresh; a request that finds
    /// `threshold` already counted in the window is refused and locks the counter for `lock`;
    /// any other request is counted.
    fn hit(
        &self,
        who: RateKey,
        endpoint: &'static str,
        threshold: u32,
        window: Duration,
        lock: Duration,
    ) -> Hit;
}

/// The counters of one process, in a map pruned of idle entries.
#[derive(Default)]
pub struct InMemoryCounters {
    buckets: Mutex<Buckets>,
}

impl RateCounters for InMemoryCounters {
    fn hit(
        &self,
        who: RateKey,
        endpoint: &'static str,
        threshold: u32,
        window: Duration,
        lock: Duration,
    ) -> Hit {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        buckets.prune(now);
        let b = buckets.map.entry((who, endpoint)).or_insert(Bucket {
            window_start: now,
            window,
            count: 0,
            locked_until: None,
        });
        b.window = window;
        if let Some(until) = b.locked_until {
            if now < until {
                return Hit::Locked { left: until - now };
            }
            // Lock over: start afresh.
            b.locked_until = None;
            b.window_start = now;
            b.count = 0;
        }
        if now.duration_since(b.window_start) >= window {
            b.window_start = now;
            b.count = 0;
        }
        if b.count >= threshold {
            b.locked_until = Some(now + lock);
            return Hit::Locked { left: lock };
        }
        b.count += 1;
        Hit::Counted {
            count: b.count,
            window_left: window.saturating_sub(now.duration_since(b.window_start)),
        }
    }
}

pub struct RateLimiter {
    mode: RateLimitMode,
    time_divisor: u32,
    counters: Arc<dyn RateCounters>,
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_millis().div_ceil(1000) as u64
}

impl RateLimiter {
    /// A limiter with counters in this process.
    pub fn new(mode: RateLimitMode, time_divisor: u32) -> Self {
        Self::with_counters(mode, time_divisor, Arc::new(InMemoryCounters::default()))
    }

    /// A limiter keeping its counters in `counters`.
    pub fn with_counters(
        mode: RateLimitMode,
        time_divisor: u32,
        counters: Arc<dyn RateCounters>,
    ) -> Self {
        RateLimiter {
            mode,
            time_divisor: time_divisor.max(1),
            counters,
        }
    }

    /// Counts one request by `who` on `endpoint`; `None` when limits are off.
    pub fn check(&self, who: RateKey, endpoint: &'static str, limit: Limit) -> Option<RateStatus> {
        let threshold = match self.mode {
            RateLimitMode::Off => return None,
            RateLimitMode::Spec => limit.threshold,
            RateLimitMode::Scaled(n) => limit.threshold.saturating_mul(n),
        };
        let div = u64::from(self.time_divisor);
        let window = Duration::from_millis(limit.window_secs * 1000 / div);
        let lock = Duration::from_millis(limit.lock_secs * 1000 / div);
        Some(
            match self.counters.hit(who, endpoint, threshold, window, lock) {
                Hit::Locked { left } => {
                    let secs = ceil_secs(left).max(1);
                    RateStatus {
                        limit: threshold,
                        remaining: 0,
                        reset_secs: secs,
                        retry_after: Some(secs),
                    }
                }
                Hit::Counted { count, window_left } => RateStatus {
                    limit: threshold,
                    remaining: threshold.saturating_sub(count),
                    reset_secs: ceil_secs(window_left),
                    retry_after: None,
                },
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_threshold() {
        let rl = RateLimiter::new(RateLimitMode::Spec, 1);
        let limit = Limit::per_min(2, 300);
        assert_eq!(rl.check(RateKey::User(1), "e", limit).unwrap().remaining, 1);
        assert_eq!(rl.check(RateKey::User(1), "e", limit).unwrap().remaining, 0);
        let refused = rl.check(RateKey::User(1), "e", limit).unwrap();
        assert_eq!(refused.retry_after, Some(300));
        // Other users and endpoints are unaffected.
        assert!(
            rl.check(RateKey::User(2), "e", limit)
                .unwrap()
                .retry_after
                .is_none()
        );
        assert!(
            rl.check(RateKey::User(1), "f", limit)
                .unwrap()
                .retry_after
                .is_none()
        );
        assert!(
            RateLimiter::new(RateLimitMode::Off, 1)
                .check(RateKey::User(1), "e", limit)
                .is_none()
        );
    }

    #[test]
    fn idle_buckets_are_pruned_and_locks_kept() {
        let counters = Arc::new(InMemoryCounters::default());
        let rl = RateLimiter::with_counters(RateLimitMode::Spec, 1, counters.clone());
        let limit = Limit::per_min(1, 300);
        // A locked user survives any sweep.
        rl.check(RateKey::User(0), "e", limit);
        assert!(
            rl.check(RateKey::User(0), "e", limit)
                .unwrap()
                .retry_after
                .is_some()
        );
        for user in 1..=(PRUNE_ABOVE as i64 + 10) {
            rl.check(RateKey::User(user), "e", limit);
        }
        let later = Instant::now() + Duration::from_secs(61);
        let mut b = counters.buckets.lock().unwrap();
        b.last_prune = None;
        b.prune(later);
        assert_eq!(b.map.len(), 1, "only the locked bucket is left");
        assert!(b.map.contains_key(&(RateKey::User(0), "e")));
    }

    /// The limiter only turns what its counter store answers into statuses, so a store shared
    /// by several nodes decides for all of them.
    #[test]
    fn statuses_come_from_the_counter_store() {
        struct Fixed(Hit);
        impl RateCounters for Fixed {
            fn hit(&self, _: RateKey, _: &'static str, _: u32, _: Duration, _: Duration) -> Hit {
                self.0
            }
        }
        let limit = Limit::per_min(5, 300);
        let locked = RateLimiter::with_counters(
            RateLimitMode::Spec,
            1,
            Arc::new(Fixed(Hit::Locked {
                left: Duration::from_millis(2_500),
            })),
        );
        let s = locked.check(RateKey::User(1), "e", limit).unwrap();
        assert_eq!(
            (s.limit, s.remaining, s.reset_secs, s.retry_after),
            (5, 0, 3, Some(3))
        );
        let counted = RateLimiter::with_counters(
            RateLimitMode::Scaled(2),
            1,
            Arc::new(Fixed(Hit::Counted {
                count: 4,
                window_left: Duration::from_secs(10),
            })),
        );
        let s = counted.check(RateKey::User(1), "e", limit).unwrap();
        assert_eq!(
            (s.limit, s.remaining, s.reset_secs, s.retry_after),
            (10, 6, 10, None)
        );
    }
}
