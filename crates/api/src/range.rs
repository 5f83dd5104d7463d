//! `Range` header parsing (single byte range) and HTTP conditional requests.

/// Outcome of applying a `Range` header to an object of a given size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeSpec {
    /// No usable range: serve the whole object (absent, malformed or multi-range header).
    Full,
    /// Serve bytes `start..=end`.
    Partial {
        /// First byte.
        start: u64,
        /// Last byte (inclusive).
        end: u64,
    },
    /// Syntactically valid but outside the object (`bytes=size-`, `bytes=-0`).
    Unsatisfiable,
}

/// Parses `bytes=a-b`, `bytes=a-` or `bytes=-n` against `size`. An end past the object is
/// clamped (RFC 9110) unless `strict_end`, in which case it is unsatisfiable (OSS default
/// mode serves the whole object for such ranges; the caller decides).
pub fn parse_range(header: &str, size: u64) -> (RangeSpec, bool) {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return (RangeSpec::Full, false);
    };
    if spec.contains(',') {
        return (RangeSpec::Full, false);
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return (RangeSpec::Full, false);
    };
    let (a, b) = (a.trim(), b.trim());
    let num = |s: &str| -> Option<u64> {
        if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
            None
        } else {
            s.parse().ok()
        }
    };
    match (a.is_empty(), b.is_empty()) {
        (true, true) => (RangeSpec::Full, false),
        (true, false) => match num(b) {
            None => (RangeSpec::Full, false),
            Some(0) => (RangeSpec::Unsatisfiable, false),
            Some(_) if size == 0 => (RangeSpec::Unsatisfiable, false),
            Some(n) => (
                RangeSpec::Partial {
                    start: size.saturating_sub(n),
                    end: size - 1,
                },
                false,
            ),
        },
        (false, true) => match num(a) {
            None => (RangeSpec::Full, false),
            Some(s) if s >= size => (RangeSpec::Unsatisfiable, false),
            Some(s) => (
                RangeSpec::Partial {
                    start: s,
                    end: size - 1,
                },
                false,
            ),
        },
        (false, false) => match (num(a), num(b)) {
            (Some(s), Some(e)) if s <= e => {
                if s >= size {
                    (RangeSpec::Unsatisfiable, false)
                } else {
                    let clamped = e >= size;
                    (
                        RangeSpec::Partial {
                            start: s,
                            end: e.min(size - 1),
                        },
                        clamped,
                    )
                }
            }
            _ => (RangeSpec::Full, false),
        },
    }
}

/// Result of evaluating conditional headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precondition {
    /// Serve the request.
    Proceed,
    /// 304 Not Modified, because of this condition.
    NotModified(Condition),
    /// 412 Precondition Failed, because of this condition.
    Failed(Condition),
}

/// The conditional header that decided a [`Precondition`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `If-Match`.
    IfMatch,
    /// `If-Unmodified-Since`.
    IfUnmodifiedSince,
    /// `If-None-Match`.
    IfNoneMatch,
    /// `If-Modified-Since`.
    IfModifiedSince,
}

impl Condition {
    /// The header's name as both providers write it in errors (`If-Match`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Condition::IfMatch => "If-Match",
            Condition::IfUnmodifiedSince => "If-Unmodified-Since",
            Condition::IfNoneMatch => "If-None-Match",
            Condition::IfModifiedSince => "If-Modified-Since",
        }
    }
}

/// True when an `If-Match`/`If-None-Match` list matches the ETag (case-insensitive hex,
/// quotes optional, `*` matches anything, weak prefix ignored).
pub fn etag_matches(list: &str, etag: &str) -> bool {
    list.split(',').any(|t| {
        let t = t.trim();
        let t = t.strip_prefix("W/").unwrap_or(t);
        t == "*" || t.trim_matches('"').eq_ignore_ascii_case(etag)
    })
}

/// Evaluates If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since in RFC 9110
/// order, at whole-second precision. Unparsable dates are ignored.
pub fn evaluate(
    if_match: Option<&str>,
    if_unmodified_since: Option<&str>,
    if_none_match: Option<&str>,
    if_modified_since: Option<&str>,
    etag: &str,
    modified_secs: i64,
) -> Precondition {
    let date = |s: &str| {
        httpdate::parse_http_date(s.trim()).ok().and_then(|t| {
            t.duration_since(std::time::UNIX_EPOCH)
                .ok()
                .map(|d| d.as_secs() as i64)
        })
    };
    if let Some(m) = if_match {
        if !etag_matches(m, etag) {
            return Precondition::Failed(Condition::IfMatch);
        }
    } else if let Some(t) = if_unmodified_since.and_then(date)
        && modified_secs > t
    {
        return Precondition::Failed(Condition::IfUnmodifiedSince);
    }
    if let Some(m) = if_none_match {
        if etag_matches(m, etag) {
            return Precondition::NotModified(Condition::IfNoneMatch);
        }
    } else if let Some(t) = if_modified_since.and_then(date)
        && modified_secs <= t
    {
        return Precondition::NotModified(Condition::IfModifiedSince);
    }
    Precondition::Proceed
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ranges() {
        let p = |h, n| parse_range(h, n).0;
        assert_eq!(p("bytes=0-4", 10), RangeSpec::Partial { start: 0, end: 4 });
        assert_eq!(p("bytes=5-", 10), RangeSpec::Partial { start: 5, end: 9 });
        assert_eq!(p("bytes=-3", 10), RangeSpec::Partial { start: 7, end: 9 });
        assert_eq!(p("bytes=-30", 10), RangeSpec::Partial { start: 0, end: 9 });
        assert_eq!(
            p("bytes=8-100", 10),
            RangeSpec::Partial { start: 8, end: 9 }
        );
        assert!(parse_range("bytes=8-100", 10).1, "clamped end is reported");
        assert_eq!(p("bytes=10-", 10), RangeSpec::Unsatisfiable);
        assert_eq!(p("bytes=10-20", 10), RangeSpec::Unsatisfiable);
        assert_eq!(p("bytes=-0", 10), RangeSpec::Unsatisfiable);
        assert_eq!(p("bytes=0-", 0), RangeSpec::Unsatisfiable);
        assert_eq!(p("bytes=5-4", 10), RangeSpec::Full);
        assert_eq!(p("bytes=0-1,3-4", 10), RangeSpec::Full);
        assert_eq!(p("items=0-1", 10), RangeSpec::Full);
        assert_eq!(p("bytes=a-b", 10), RangeSpec::Full);
        assert_eq!(p("bytes=+1-2", 10), RangeSpec::Full);
    }

    #[test]
    fn conditionals() {
        use Condition::*;
        use Precondition::*;
        let e = "abc";
        let t = 1_700_000_000;
        let before = httpdate::fmt_http_date(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs((t - 10) as u64),
        );
        let same = httpdate::fmt_http_date(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(t as u64),
        );
        assert_eq!(evaluate(Some("\"ABC\""), None, None, None, e, t), Proceed);
        assert_eq!(
            evaluate(Some("\"x\""), None, None, None, e, t),
            Failed(IfMatch)
        );
        assert_eq!(evaluate(Some("*"), None, None, None, e, t), Proceed);
        assert_eq!(
            evaluate(None, None, Some("\"abc\""), None, e, t),
            NotModified(IfNoneMatch)
        );
        assert_eq!(
            evaluate(None, None, None, Some(&same), e, t),
            NotModified(IfModifiedSince)
        );
        assert_eq!(evaluate(None, None, None, Some(&before), e, t), Proceed);
        assert_eq!(
            evaluate(None, Some(&before), None, None, e, t),
            Failed(IfUnmodifiedSince)
        );
        assert_eq!(evaluate(None, Some(&same), None, None, e, t), Proceed);
        assert_eq!(evaluate(None, None, None, Some("garbage"), e, t), Proceed);
        // If-Match true wins over a failing If-Unmodified-Since.
        assert_eq!(
            evaluate(Some("abc"), Some(&before), None, None, e, t),
            Proceed
        );
        // If-None-Match false with If-Modified-Since true: If-None-Match decides.
        assert_eq!(
            evaluate(None, None, Some("zzz"), Some(&same), e, t),
            Proceed
        );
    }

    proptest! {
        #[test]
        fn partial_ranges_are_inside(h in "bytes=[0-9]{0,4}-[0-9]{0,4}", size in 0u64..5000) {
            if let (RangeSpec::Partial { start, end }, _) = parse_range(&h, size) {
                prop_assert!(start <= end && end < size);
            }
        }

        #[test]
        fn never_panics(h in "\\PC{0,40}", size in any::<u64>()) {
            let _ = parse_range(&h, size);
        }
    }
}
