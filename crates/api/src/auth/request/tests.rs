use super::*;
use crate::auth::test_support::hs;

#[test]
fn decode_query_handles_bare_plus_and_escapes() {
    assert_eq!(
        decode_query("acl&a=1&b=x+y%2Bz&&c=%E4%B8%AD&d="),
        hs(&[
            ("acl", ""),
            ("a", "1"),
            ("b", "x y+z"),
            ("c", "中"),
            ("d", "")
        ])
    );
}

#[test]
fn uri_encode_keeps_only_unreserved() {
    assert_eq!(
        uri_encode("a b/c~d!*'()+=&中", true),
        "a%20b/c~d%21%2A%27%28%29%2B%3D%26%E4%B8%AD"
    );
    assert_eq!(uri_encode("a/b", false), "a%2Fb");
}

#[test]
fn normalize_raw_path_keeps_encoded_slash() {
    assert_eq!(normalize_raw_path("/b/a%2fb/%7e!x"), "/b/a%2Fb/~%21x");
    assert_eq!(normalize_raw_path("/"), "/");
}
