//! Object keys as URL paths.
//!
//! Keys are percent-encoded per `/`-separated segment: every byte except the RFC 3986
//! unreserved characters (`A-Z a-z 0-9 - . _ ~`) becomes `%XX` (upper-case hex), so `?`, `#`,
//! `%`, spaces and non-ASCII in a key never change the URL's meaning. `/` is kept as the
//! segment separator.
//!
//! Origin URLs may carry credentials (`http://user:password@host/`): the fetch uses them, but
//! they are never shown. [`without_userinfo`] is the URL as tags show it, [`masked_userinfo`]
//! as GetBucketWebsite and logs show it.

use std::borrow::Cow;
use std::ops::Range;

/// What stands for a password (or a userinfo without one) where a URL is shown.
pub const MASK: &str = "******";

/// Where `user[:password]@` is in `scheme://user[:password]@host…`, the `@` included.
fn userinfo(url: &str) -> Option<Range<usize>> {
    let start = url.find("://")? + 3;
    let rest = &url[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let at = authority.rfind('@')?;
    Some(start..start + at + 1)
}

/// The URL without its userinfo: `http://user:pw@host/k` → `http://host/k`.
pub fn without_userinfo(url: &str) -> Cow<'_, str> {
    match userinfo(url) {
        Some(r) => Cow::Owned(format!("{}{}", &url[..r.start], &url[r.end..])),
        None => Cow::Borrowed(url),
    }
}

/// The URL with its password (or a userinfo that is only a name, possibly a token) replaced by
/// [`MASK`]: `http://user:pw@host/` → `http://user:******@host/`, `http://tok@host/` →
/// `http://******@host/`.
pub fn masked_userinfo(url: &str) -> Cow<'_, str> {
    let Some(r) = userinfo(url) else {
        return Cow::Borrowed(url);
    };
    let info = &url[r.start..r.end - 1];
    let shown = match info.split_once(':') {
        Some((user, _)) => format!("{user}:{MASK}"),
        None => MASK.to_owned(),
    };
    Cow::Owned(format!("{}{shown}@{}", &url[..r.start], &url[r.end..]))
}

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
    fn userinfo_is_removed_or_masked() {
        let url = "https://user:p%40ss@origin.test:8080/dir/?q=a@b";
        assert_eq!(without_userinfo(url), "https://origin.test:8080/dir/?q=a@b");
        assert_eq!(
            masked_userinfo(url),
            "https://user:******@origin.test:8080/dir/?q=a@b"
        );
        assert_eq!(masked_userinfo("http://token@h/"), "http://******@h/");
        assert_eq!(without_userinfo("http://token@h/"), "http://h/");
        // An `@` after the authority is not userinfo.
        for plain in ["http://h/a@b", "http://h?x=@", "http://h#@", "not a url@x"] {
            assert_eq!(without_userinfo(plain), plain);
            assert_eq!(masked_userinfo(plain), plain);
        }
    }

    #[test]
    fn collapses_runs_and_leading_slashes() {
        assert_eq!(collapse_slashes("///a//b///c/"), "a/b/c/");
        assert_eq!(collapse_slashes("a"), "a");
        assert_eq!(collapse_slashes("/"), "");
        assert_eq!(collapse_slashes(""), "");
    }
}
