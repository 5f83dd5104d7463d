//! The time that time-based rules read (retention periods, WORM's 24-hour window): the system
//! clock plus an offset that tests can move, so a test sees a period end without waiting.

use std::sync::atomic::{AtomicI64, Ordering};

/// The server's clock for rules. Every retention decision reads it; nothing else does.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// Now, milliseconds since the Unix epoch, as rules see it.
    pub fn now_ms(&self) -> i64 {
        ossemu_store::now_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves the clock forward by `ms` (backward when negative).
    pub fn advance(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now() {
        let c = Clock::default();
        let before = c.now_ms();
        c.advance(86_400_000);
        assert!(c.now_ms() - before >= 86_400_000);
    }
}
