//! Splitting host and path into bucket and key, names and keys, and the host lookup.

use super::*;

#[test]
fn path_split() {
    let p = |path: &str| split_path(path, &Addressing::Path).unwrap();
    assert_eq!(p("/"), (None, None));
    assert_eq!(p("/b"), (Some("b".into()), None));
    assert_eq!(p("/b/"), (Some("b".into()), None));
    assert_eq!(p("/b/a%2Fc%20d"), (Some("b".into()), Some("a/c d".into())));
    assert_eq!(p("/b/a+b"), (Some("b".into()), Some("a+b".into())));
    assert_eq!(p("/b//x"), (Some("b".into()), Some("/x".into())));
    let v = split_path("/k/e%2Fy", &Addressing::VirtualHost("vb".into())).unwrap();
    assert_eq!(v, (Some("vb".into()), Some("k/e/y".into())));
    assert!(split_path("/b/%FF", &Addressing::Path).is_err());
}

#[test]
fn bucket_names() {
    for ok in [
        "abc",
        "a-b-c",
        "0ab",
        "a.b",
        "www.example.com",
        &"a".repeat(63),
    ] {
        assert!(valid_bucket_name(ok), "{ok}");
    }
    for bad in [
        "ab",
        "-ab",
        "ab-",
        "aBc",
        "a_b",
        "a..b",
        ".ab",
        "ab.",
        "192.168.5.4",
        &"a".repeat(64),
        "_ossemu",
    ] {
        assert!(!valid_bucket_name(bad), "{bad}");
    }
}

#[test]
fn a_store_failure_looking_up_a_domain_is_an_internal_error() {
    let lookup = |_: &str| -> Result<Option<String>, ossemu_store::StoreError> {
        Err(ossemu_store::StoreError::Db("disk gone".into()))
    };
    let err = classify_host("img.example.test", &[], lookup).unwrap_err();
    assert_eq!(ApiError::from(err).code, Code::InternalError);
    // Endpoints and IPs never ask the store.
    let never =
        |_: &str| -> Result<Option<String>, ossemu_store::StoreError> { panic!("looked up") };
    assert_eq!(
        classify_host("127.0.0.1", &[], never).unwrap(),
        Addressing::Path
    );
}

#[test]
fn keys_are_checked_per_dialect() {
    assert!(check_shape(Some("bucket"), Some("a/b.txt"), Dialect::Oss).is_ok());
    let long = "k".repeat(1024);
    let e = check_shape(Some("bucket"), Some(&long), Dialect::S3).unwrap_err();
    assert_eq!(e.code, Code::KeyTooLongError);
    let e = check_shape(Some("bucket"), Some(&long), Dialect::Oss).unwrap_err();
    assert_eq!(e.code, Code::InvalidObjectName);
    let e = check_shape(Some("Bad_Name"), None, Dialect::Oss).unwrap_err();
    assert_eq!(e.code, Code::InvalidBucketName);
}
