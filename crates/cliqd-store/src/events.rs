//! The feed of committed chat events: the seam between a store backend, which publishes what
//! its transactions changed, and real-time delivery (the server's WebSocket), which subscribes.
//!
//! [`EventBus`] is the contract; [`InProcessBus`] is the implementation for a single process
//! (a bounded broadcast buffer). A bus shared by several nodes would be another implementation
//! with the same contract.

use crate::messaging::ChatEvent;
use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Where a store backend publishes committed chat events and subscribers read them.
///
/// The contract every implementation keeps:
/// - an event is published only after the transaction that made it has committed; a write that
///   was refused, failed or rolled back publishes nothing;
/// - events of one transaction are published together, in the order the transaction made them,
///   and transactions are published in commit order, so per chat a subscriber sees events in
///   commit order;
/// - every event carries the chat's sequence number ([`ChatEvent::seq`]): a created message's
///   own `seq`, which along one chat runs 1, 2, 3, … without gaps, or for any other event the
///   `seq` of the chat's newest message when it committed. A subscriber that lagged can re-read
///   the chat's messages after the last `seq` it saw;
/// - a subscriber sees the events published after it subscribed, never earlier ones;
/// - a subscriber that falls too far behind is not waited for: its next read answers
///   [`RecvError::Lagged`] with how many events it missed, and it continues with the oldest
///   event still buffered. It should treat anything it derived from the feed as stale.
pub trait EventBus: Send + Sync {
    /// Publishes the events of one committed transaction, in order.
    fn publish(&self, events: Vec<ChatEvent>);
    /// A stream of the events published from now on.
    fn subscribe(&self) -> EventStream;
}

/// Why [`EventStream::recv`] returned no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecvError {
    /// The subscriber fell behind and this many events were dropped for it.
    #[error("lagged behind by {0} events")]
    Lagged(u64),
    /// The bus is gone; no event will come any more.
    #[error("the event bus is closed")]
    Closed,
}

/// Why [`EventStream::try_recv`] returned no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TryRecvError {
    /// No event is waiting right now.
    #[error("no event waiting")]
    Empty,
    /// As [`RecvError::Lagged`].
    #[error("lagged behind by {0} events")]
    Lagged(u64),
    /// As [`RecvError::Closed`].
    #[error("the event bus is closed")]
    Closed,
}

/// What an [`EventBus`] implementation hands a subscriber.
///
/// Events are shared (`Arc`): a bus hands every subscriber the same event, not a copy.
#[async_trait]
pub trait Subscription: Send {
    /// Waits for the next event. Must be cancel-safe: dropping the future before it completes
    /// loses no event (subscribers wait on it inside `select!`).
    async fn recv(&mut self) -> Result<Arc<ChatEvent>, RecvError>;
    /// The next event if one is waiting.
    fn try_recv(&mut self) -> Result<Arc<ChatEvent>, TryRecvError>;
}

/// One subscriber's view of an [`EventBus`].
pub struct EventStream {
    inner: Box<dyn Subscription>,
}

impl EventStream {
    pub fn new(subscription: impl Subscription + 'static) -> Self {
        EventStream {
            inner: Box::new(subscription),
        }
    }

    /// Waits for the next event (see [`EventBus`] for what a lagging subscriber gets).
    pub async fn recv(&mut self) -> Result<ChatEvent, RecvError> {
        self.inner.recv().await.map(Arc::unwrap_or_clone)
    }

    /// [`EventStream::recv`] without copying the event: every subscriber shares it (what a
    /// fan-out to many connections wants).
    pub async fn recv_shared(&mut self) -> Result<Arc<ChatEvent>, RecvError> {
        self.inner.recv().await
    }

    /// The next event if one is waiting, without waiting.
    pub fn try_recv(&mut self) -> Result<ChatEvent, TryRecvError> {
        self.inner.try_recv().map(Arc::unwrap_or_clone)
    }
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventStream")
    }
}

/// The bus of one process: a broadcast buffer of `capacity` events shared by all subscribers.
pub struct InProcessBus {
    tx: broadcast::Sender<Arc<ChatEvent>>,
}

impl InProcessBus {
    /// A bus that keeps up to `capacity` (at least 1) events for slow subscribers.
    pub fn new(capacity: usize) -> Self {
        InProcessBus {
            tx: broadcast::channel(capacity.max(1)).0,
        }
    }
}

impl EventBus for InProcessBus {
    fn publish(&self, events: Vec<ChatEvent>) {
        for e in events {
            // No subscriber is not an error.
            let _ = self.tx.send(Arc::new(e));
        }
    }

    fn subscribe(&self) -> EventStream {
        EventStream::new(InProcessSubscription(self.tx.subscribe()))
    }
}

struct InProcessSubscription(broadcast::Receiver<Arc<ChatEvent>>);

#[async_trait]
impl Subscription for InProcessSubscription {
    async fn recv(&mut self) -> Result<Arc<ChatEvent>, RecvError> {
        self.0.recv().await.map_err(|e| match e {
            broadcast::error::RecvError::Lagged(n) => RecvError::Lagged(n),
            broadcast::error::RecvError::Closed => RecvError::Closed,
        })
    }

    fn try_recv(&mut self) -> Result<Arc<ChatEvent>, TryRecvError> {
        self.0.try_recv().map_err(|e| match e {
            broadcast::error::TryRecvError::Empty => TryRecvError::Empty,
            broadcast::error::TryRecvError::Lagged(n) => TryRecvError::Lagged(n),
            broadcast::error::TryRecvError::Closed => TryRecvError::Closed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messaging::ChatEventKind;

    fn joined(user_id: i64) -> ChatEvent {
        ChatEvent {
            acl_chat_id: "c".into(),
            seq: 0,
            kind: ChatEventKind::MemberJoined {
                chat_id: "c".into(),
                user_id,
            },
        }
    }

    #[tokio::test]
    async fn subscribers_see_later_events_in_order_and_lag_when_slow() {
        let bus = InProcessBus::new(2);
        bus.publish(vec![joined(0)]);
        let mut s = bus.subscribe();
        assert_eq!(s.try_recv(), Err(TryRecvError::Empty));
        bus.publish(vec![joined(1), joined(2), joined(3)]);
        assert_eq!(s.recv().await, Err(RecvError::Lagged(1)));
        assert_eq!(s.recv().await, Ok(joined(2)));
        assert_eq!(s.try_recv(), Ok(joined(3)));
        drop(bus);
        assert_eq!(s.recv().await, Err(RecvError::Closed));
    }
}
