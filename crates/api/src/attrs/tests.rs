use http::HeaderName;

use super::*;

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn from_headers(pairs: &[(&str, &str)], dialect: Dialect) -> ApiResult<ObjectAttrs> {
    parse(&Source::Headers {
        headers: &headers(pairs),
        dialect,
    })
}

fn from_form(pairs: &[(&str, &str)], s3: bool) -> ApiResult<ObjectAttrs> {
    parse(&Source::Form {
        fields: &fields(pairs),
        file_type: Some("text/plain"),
        s3,
    })
}

fn code(r: ApiResult<ObjectAttrs>) -> Code {
    match r {
        Err(e) => e.code,
        Ok(a) => panic!("accepted: {a:?}"),
    }
}

#[test]
fn headers_give_type_stored_headers_metadata_acl_and_tags() {
    let a = from_headers(
        &[
            ("content-encoding", "aws-chunked, gzip"),
            ("cache-control", "no-cache"),
            ("x-oss-meta-a", "1"),
            ("x-amz-meta-b", "2"),
            ("x-oss-object-acl", "public-read"),
            ("x-oss-tagging", "k2=v2&k1=v1"),
        ],
        Dialect::Oss,
    )
    .unwrap();
    assert_eq!(a.content_type, "application/octet-stream");
    assert_eq!(
        a.headers,
        fields(&[("content-encoding", "gzip"), ("cache-control", "no-cache")])
    );
    assert_eq!(a.user_meta, fields(&[("a", "1"), ("b", "2")]));
    assert_eq!(a.acl.as_deref(), Some("public-read"));
    assert_eq!(a.tagging, fields(&[("k1", "v1"), ("k2", "v2")]));
    let only_chunked = from_headers(&[("content-encoding", "aws-chunked")], Dialect::S3).unwrap();
    assert!(only_chunked.headers.is_empty());
    assert_eq!(only_chunked.acl.as_deref(), Some("private"));
}

#[test]
fn form_fields_give_type_stored_headers_metadata_acl_and_tags() {
    let a = from_form(
        &[
            ("content-disposition", "inline"),
            ("x-oss-meta-from", "browser"),
            ("acl", "default"),
            (
                "tagging",
                "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>",
            ),
        ],
        true,
    )
    .unwrap();
    assert_eq!(a.content_type, "text/plain", "the file part's type");
    assert_eq!(a.headers, fields(&[("content-disposition", "inline")]));
    assert_eq!(a.user_meta, fields(&[("from", "browser")]));
    assert_eq!(a.acl, None, "default inherits");
    assert_eq!(a.tagging, fields(&[("k", "v")]));
    assert_eq!(
        from_form(&[], true).unwrap().acl.as_deref(),
        Some("private")
    );
    assert_eq!(from_form(&[], false).unwrap().acl, None);
    let typed = from_form(&[("content-type", "image/png")], false).unwrap();
    assert_eq!(typed.content_type, "image/png");
}

#[test]
fn both_sources_share_the_limits() {
    // Names and values count: 8 KiB in all is allowed, one byte more is not.
    let fits = "v".repeat(MAX_USER_META - 1);
    let over = "v".repeat(MAX_USER_META);
    for (value, ok) in [(&fits, true), (&over, false)] {
        let pairs = [("x-oss-meta-k", value.as_str())];
        let h = from_headers(&pairs, Dialect::Oss);
        let f = from_form(&pairs, false);
        if ok {
            assert!(h.is_ok() && f.is_ok());
        } else {
            assert_eq!(code(h), Code::MetadataTooLarge);
            assert_eq!(code(f), Code::MetadataTooLarge);
        }
    }
    let split = [
        ("x-oss-meta-a", "v".repeat(5000)),
        ("x-amz-meta-b", "v".repeat(5000)),
    ];
    let split: Vec<(&str, &str)> = split.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(code(from_form(&split, false)), Code::MetadataTooLarge);
    assert_eq!(
        code(from_headers(&[("x-amz-acl", "everyone")], Dialect::S3)),
        Code::InvalidArgument
    );
    assert_eq!(
        code(from_form(&[("x-oss-object-acl", "everyone")], false)),
        Code::InvalidArgument
    );
    let many: String = (0..11).map(|i| format!("k{i}=v&")).collect();
    assert_eq!(
        code(from_headers(&[("x-amz-tagging", &many)], Dialect::S3)),
        Code::InvalidTag
    );
    let doc: String = (0..11)
        .map(|i| format!("<Tag><Key>k{i}</Key><Value>v</Value></Tag>"))
        .collect();
    let doc = format!("<Tagging><TagSet>{doc}</TagSet></Tagging>");
    assert_eq!(
        code(from_form(&[("tagging", &doc)], true)),
        Code::InvalidTag
    );
    assert_eq!(
        code(from_form(&[("tagging", "<Tagging><TagSet>")], true)),
        Code::MalformedXML
    );
}
