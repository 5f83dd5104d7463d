//! `Range` parsing and conditional-request evaluation on arbitrary input. The first 8 bytes
//! are the object size, the rest is split on newlines into Range, If-Match,
//! If-Unmodified-Since, If-None-Match and If-Modified-Since. A served part is always inside
//! the object.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ossemu_api::range::{RangeSpec, evaluate, parse_range};

fuzz_target!(|data: &[u8]| {
    let (size, rest) = if data.len() >= 8 {
        let (head, rest) = data.split_at(8);
        (u64::from_le_bytes(head.try_into().unwrap_or([0; 8])), rest)
    } else {
        (0, data)
    };
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.split('\n');
    let range = parts.next().unwrap_or_default();
    if let (RangeSpec::Partial { start, end }, _) = parse_range(range, size) {
        assert!(
            start <= end && end < size,
            "{range:?} of {size}: {start}-{end}"
        );
    }
    let mut next = || parts.next().filter(|s| !s.is_empty());
    let (a, b, c, d) = (next(), next(), next(), next());
    let _ = evaluate(a, b, c, d, "0123456789abcdef0123456789abcdef", size as i64);
});
