//! The bounded, persistent queue of event messages: one line per webhook target, kept in
//! memory and in the store's key-value engine (under its own key prefix, so on disk with a
//! data directory and in memory with `--memory`). A message is durable before the request
//! that made it is answered; it leaves the queue once delivered or given up. When the queue
//! holds its limit, the oldest message (of any target) is dropped and counted.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use ossemu_store::Store;
use tokio::sync::Notify;

/// A queued message.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Its number: increasing in the order messages were queued.
    pub seq: u64,
    /// The JSON body.
    pub body: Bytes,
}

#[derive(Default)]
struct Lines {
    next: u64,
    by_target: BTreeMap<String, VecDeque<Entry>>,
    total: usize,
}

impl Lines {
    /// Removes the oldest message of any target.
    fn pop_oldest(&mut self) -> Option<(String, u64)> {
        let (target, line) = self
            .by_target
            .iter_mut()
            .filter(|(_, l)| !l.is_empty())
            .min_by_key(|(_, l)| l.front().map_or(u64::MAX, |e| e.seq))?;
        let e = line.pop_front()?;
        self.total -= 1;
        Some((target.clone(), e.seq))
    }
}

/// Counters per target.
#[derive(Default)]
pub struct Counts {
    /// Delivered (a 2xx answer).
    pub delivered: AtomicU64,
    /// Given up after the last attempt.
    pub failed: AtomicU64,
    /// Dropped because the queue was full.
    pub dropped: AtomicU64,
    /// Attempts that did not get a 2xx.
    pub failed_attempts: AtomicU64,
}

/// The queue.
pub struct Queue {
    limit: usize,
    lines: Mutex<Lines>,
    wake: Mutex<HashMap<String, Arc<Notify>>>,
    counts: Mutex<BTreeMap<String, Arc<Counts>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Queue {
    /// An empty queue holding at most `limit` messages (at least one).
    pub fn new(limit: usize) -> Self {
        Self {
            limit: limit.max(1),
            lines: Mutex::default(),
            wake: Mutex::default(),
            counts: Mutex::default(),
        }
    }

    /// The counters of `target`.
    pub fn counts(&self, target: &str) -> Arc<Counts> {
        lock(&self.counts)
            .entry(target.to_string())
            .or_default()
            .clone()
    }

    /// Every target's counters, by name.
    pub fn all_counts(&self) -> Vec<(String, Arc<Counts>)> {
        lock(&self.counts)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Messages waiting, by target.
    pub fn lengths(&self) -> Vec<(String, usize)> {
        lock(&self.lines)
            .by_target
            .iter()
            .map(|(k, v)| (k.clone(), v.len()))
            .collect()
    }

    /// What wakes the worker of `target`.
    pub fn waker(&self, target: &str) -> Arc<Notify> {
        lock(&self.wake)
            .entry(target.to_string())
            .or_default()
            .clone()
    }

    /// Takes up the messages a previous run left in the store: those for `targets` are
    /// queued again in their order, those for targets no longer declared are removed.
    pub fn load(&self, store: &Store, targets: &[&str]) {
        let queued = match store.meta().queued() {
            Ok(q) => q,
            Err(e) => {
                tracing::error!(error = %e, "reading the queued event notifications failed");
                return;
            }
        };
        let mut lines = lock(&self.lines);
        let mut gone = Vec::new();
        for (target, seq, body) in queued {
            lines.next = lines.next.max(seq + 1);
            if targets.contains(&target.as_str()) {
                lines.by_target.entry(target).or_default().push_back(Entry {
                    seq,
                    body: body.into(),
                });
                lines.total += 1;
            } else {
                gone.push((target, seq));
            }
        }
        if lines.total > 0 {
            tracing::info!(
                events = lines.total,
                "event notifications queued before the restart will be delivered"
            );
        }
        if !gone.is_empty() {
            tracing::warn!(
                events = gone.len(),
                "dropping queued event notifications for webhook targets no longer declared"
            );
            let remove: Vec<(&str, u64)> = gone.iter().map(|(t, s)| (t.as_str(), *s)).collect();
            if let Err(e) = store.queue_apply(&[], &remove) {
                tracing::warn!(error = %e, "removing them failed");
            }
        }
    }

    /// Queues a message for `target` and makes it durable; drops the oldest message when the
    /// queue is full. The target's worker is woken.
    pub async fn push(&self, store: &Store, target: &str, body: Vec<u8>) {
        let written = {
            let mut lines = lock(&self.lines);
            let seq = lines.next;
            lines.next += 1;
            let mut dropped = Vec::new();
            while lines.total >= self.limit {
                match lines.pop_oldest() {
                    Some(d) => dropped.push(d),
                    None => break,
                }
            }
            let remove: Vec<(&str, u64)> = dropped.iter().map(|(t, s)| (t.as_str(), *s)).collect();
            let written = store.queue_apply(&[(target, seq, &body)], &remove);
            for (t, _) in &dropped {
                self.counts(t).dropped.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(target = %t, "event notification queue full: dropped its oldest message");
            }
            lines
                .by_target
                .entry(target.to_string())
                .or_default()
                .push_back(Entry {
                    seq,
                    body: body.into(),
                });
            lines.total += 1;
            written
        };
        let durable = match written {
            Ok(w) => store.queue_settle(w).await,
            Err(e) => Err(e),
        };
        if let Err(e) = durable {
            tracing::warn!(error = %e, %target, "an event notification is queued in memory only");
        }
        self.waker(target).notify_one();
    }

    /// The oldest message of `target`, if any.
    pub fn head(&self, target: &str) -> Option<Entry> {
        lock(&self.lines)
            .by_target
            .get(target)
            .and_then(|l| l.front().cloned())
    }

    /// Removes message `seq` of `target` (delivered or given up), unless it was dropped
    /// meanwhile.
    pub fn remove(&self, store: &Store, target: &str, seq: u64) {
        let mut lines = lock(&self.lines);
        let Some(line) = lines.by_target.get_mut(target) else {
            return;
        };
        if line.front().is_some_and(|e| e.seq == seq) {
            line.pop_front();
            lines.total -= 1;
            if let Err(e) = store.queue_apply(&[], &[(target, seq)]) {
                tracing::warn!(error = %e, %target, "removing a delivered event notification failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Store {
        Store::open(&ossemu_store::StoreOptions { data_dir: None }).unwrap()
    }

    #[tokio::test]
    async fn keeps_order_drops_the_oldest_and_survives_a_reload() {
        let store = memory();
        let q = Queue::new(3);
        for (t, b) in [("a", "1"), ("b", "2"), ("a", "3"), ("a", "4")] {
            q.push(&store, t, b.as_bytes().to_vec()).await;
        }
        // The oldest (a:1) went to make room.
        assert_eq!(q.counts("a").dropped.load(Ordering::Relaxed), 1);
        assert_eq!(&q.head("a").unwrap().body[..], b"3");
        let seq = q.head("a").unwrap().seq;
        q.remove(&store, "a", seq);
        assert_eq!(&q.head("a").unwrap().body[..], b"4");
        // A new queue over the same store takes up what is left, for declared targets.
        let again = Queue::new(10);
        again.load(&store, &["a"]);
        assert_eq!(&again.head("a").unwrap().body[..], b"4");
        assert!(again.head("b").is_none());
        assert_eq!(store.meta().queued().unwrap().len(), 1);
        again.push(&store, "a", b"5".to_vec()).await;
        assert!(again.head("a").unwrap().seq < store.meta().queued().unwrap()[1].1);
    }
}
