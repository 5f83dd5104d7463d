//! Object keys as URL paths.
//!
//! Keys are percent-encoded per `/`-separated segment: every byte except the RFC 3986
//! unreserved characters (`A-Z a-z 0-9 - . _ ~`) becomes `%XX` (upper-case hex), so `?`, `#`,
//! `%`, spaces and non-ASCII in a key never change the URL's meaning. `/` is kept as the
//! segment separator.

/// Percent-encodes `key` per segment; `/` is kept.
pub fn encode_key(key: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(key.len());
    for &b in key.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// `key` with runs of `/` collapsed to one and leading `/` removed, so that appending it to a
/// base ending in `/` never yields `//`.
pub fn collapse_slashes(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        if c == '/' && (out.is_empty() || out.ends_with('/')) {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved_and_slash() {
        assert_eq!(encode_key("a/b c/d.txt"), "a/b%20c/d.txt");
        assert_eq!(encode_key("中文/x?y#z%"), "%E4%B8%AD%E6%96%87/x%3Fy%23z%25");
        assert_eq!(
            encode_key("1~!@#$%^&*()-_=+|\\[]{}<>,./?`~"),
            "1~%21%40%23%24%25%5E%26%2A%28%29-_%3D%2B%7C%5C%5B%5D%7B%7D%3C%3E%2C./%3F%60~"
        );
        assert_eq!(encode_key("a//b/"), "a//b/");
        assert_eq!(encode_key(""), "");
    }

    #[test]
    fn collapses_runs_and_leading_slashes() {
        assert_eq!(collapse_slashes("///a//b///c/"), "a/b/c/");
        assert_eq!(collapse_slashes("a"), "a");
        assert_eq!(collapse_slashes("/"), "");
        assert_eq!(collapse_slashes(""), "");
    }
}
