//! Dates and the request-time checks: ISO 8601 basic (`yyyymmddThhmmssZ`), HTTP dates as
//! clients send them, clock skew and presigned expiry.

use super::request::AuthError;

/// Default allowed clock difference between client and server: 15 minutes.
pub const DEFAULT_MAX_SKEW_SECS: i64 = 900;

/// `RequestTimeTooSkewed` when `request_time` is more than `max_skew` from `now`.
pub(super) fn check_skew(request_time: i64, now: i64, max_skew: i64) -> Result<(), AuthError> {
    if (request_time - now).abs() > max_skew {
        Err(AuthError::RequestTimeTooSkewed {
            request_time,
            server_time: now,
        })
    } else {
        Ok(())
    }
}

/// `Expired` when `now` is past `expires_at`.
pub(super) fn check_expiry(expires_at: i64, now: i64) -> Result<(), AuthError> {
    if now > expires_at {
        Err(AuthError::Expired {
            expires_at,
            server_time: now,
        })
    } else {
        Ok(())
    }
}

/// Parses `yyyymmddThhmmssZ` (`x-amz-date`, `x-oss-date`) to Unix seconds.
pub fn parse_iso8601_basic(s: &str) -> Result<i64, AuthError> {
    if s.len() != 16 {
        return Err(AuthError::MalformedDate(s.to_owned()));
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ")
        .map(|t| t.and_utc().timestamp())
        .map_err(|_| AuthError::MalformedDate(s.to_owned()))
}

/// Formats Unix seconds as `yyyymmddThhmmssZ`.
pub fn format_iso8601_basic(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// Parses an HTTP date (IMF-fixdate, RFC 850 or asctime) to Unix seconds.
pub fn parse_http_date(s: &str) -> Result<i64, AuthError> {
    if let Ok(t) = httpdate::parse_http_date(s.trim())
        && let Ok(d) = t.duration_since(std::time::UNIX_EPOCH)
    {
        return i64::try_from(d.as_secs()).map_err(|_| AuthError::MalformedDate(s.to_owned()));
    }
    lenient_http_date(s).ok_or_else(|| AuthError::MalformedDate(s.to_owned()))
}

/// IMF-fixdate as clients actually send it: the weekday is not checked (the date decides),
/// and the zone may be `GMT`, `UTC`, `Z`, `+0000` or `-0000` (Python's `formatdate()`).
fn lenient_http_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let rest = s.split_once(", ").map_or(s, |(_, r)| r);
    let (stamp, zone) = rest.rsplit_once(' ')?;
    if !matches!(zone, "GMT" | "UTC" | "Z" | "+0000" | "-0000") {
        return None;
    }
    chrono::NaiveDateTime::parse_from_str(stamp, "%d %b %Y %H:%M:%S")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

#[cfg(test)]
mod tests;
