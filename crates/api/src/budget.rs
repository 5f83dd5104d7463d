//! A global budget for request bytes held in memory: PUT bodies not yet written out, PostObject
//! form fields, small XML bodies. One bound for all requests together, so that many stalled
//! or slow clients cannot make the server hold more than it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes held in memory by requests, against a limit.
#[derive(Debug)]
pub struct Budget {
    used: AtomicUsize,
    limit: usize,
}

impl Budget {
    /// A budget of `limit` bytes.
    pub fn new(limit: usize) -> Arc<Self> {
        Arc::new(Self {
            used: AtomicUsize::new(0),
            limit,
        })
    }

    /// Bytes held now.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The limit.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Whether more is held than the limit.
    pub fn over(&self) -> bool {
        self.used() > self.limit
    }

    /// An empty claim on the budget.
    pub fn claim(self: &Arc<Self>) -> Claim {
        Claim {
            budget: self.clone(),
            held: 0,
        }
    }
}

/// Bytes one request holds; given back when dropped.
#[derive(Debug)]
pub struct Claim {
    budget: Arc<Budget>,
    held: usize,
}

impl Claim {
    /// Holds `n` more bytes if the budget allows; false (holding nothing more) otherwise.
    pub fn grow(&mut self, n: usize) -> bool {
        let budget = &self.budget;
        let taken = budget
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                (used + n <= budget.limit).then_some(used + n)
            });
        if taken.is_ok() {
            self.held += n;
        }
        taken.is_ok()
    }

    /// Records that the request now holds `n` bytes, whatever the limit (bytes already in
    /// memory); see [`Budget::over`].
    pub fn set(&mut self, n: usize) {
        if n >= self.held {
            self.budget.used.fetch_add(n - self.held, Ordering::AcqRel);
        } else {
            self.budget.used.fetch_sub(self.held - n, Ordering::AcqRel);
        }
        self.held = n;
    }

    /// Bytes this claim holds.
    pub fn held(&self) -> usize {
        self.held
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.set(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_add_up_and_give_back() {
        let b = Budget::new(100);
        let mut a = b.claim();
        assert!(a.grow(60));
        let mut c = b.claim();
        assert!(!c.grow(50), "over the limit");
        assert!(c.grow(40));
        assert_eq!(b.used(), 100);
        c.set(150);
        assert!(b.over());
        drop(c);
        assert_eq!(b.used(), 60);
        a.set(10);
        assert_eq!((b.used(), a.held()), (10, 10));
        drop(a);
        assert_eq!(b.used(), 0);
    }
}
