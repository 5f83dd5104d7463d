//! Property tests for every XML request body the server parses with [`from_xml`]:
//! `Delete` (DeleteMultipleObjects), `CompleteMultipartUpload`, `CreateBucketConfiguration`,
//! `AccessControlPolicy` (S3 PutBucketAcl/PutObjectAcl), `BucketCnameConfiguration`
//! (PutCname/DeleteCname/CreateCnameToken) and `CORSConfiguration` (PutBucketCors), plus the
//! website parsers on mutations of the reviewed fixtures.
//!
//! Three kinds of property:
//! - arbitrary bytes and XML-ish token soup never panic (every failure is a `CodecError`);
//! - arbitrary byte-level mutations of valid documents never panic;
//! - a document written the way clients write it (values escaped, children in any order,
//!   optional declaration and namespace) parses back to exactly the values written, including
//!   values with leading/trailing blanks, XML specials and non-ASCII.

use ossemu_xml::acl::AccessControlPolicy;
use ossemu_xml::bucket::CreateBucketConfiguration;
use ossemu_xml::cname::BucketCnameConfiguration;
use ossemu_xml::cors::CorsConfiguration;
use ossemu_xml::multipart::CompleteMultipartUpload;
use ossemu_xml::object::Delete;
use ossemu_xml::website::{parse_oss, parse_s3};
use ossemu_xml::{CodecError, from_xml};
use proptest::prelude::*;

/// Large enough for every generated document; the size check itself is tested in `codec`.
const LIMIT: usize = 1 << 20;

/// Parses `body` as each request type, ignoring the result: none may panic.
fn parse_all(body: &[u8]) {
    let _ = from_xml::<Delete>(body, "Delete", LIMIT);
    let _ = from_xml::<CompleteMultipartUpload>(body, "CompleteMultipartUpload", LIMIT);
    let _ = from_xml::<CreateBucketConfiguration>(body, "CreateBucketConfiguration", LIMIT);
    let _ = from_xml::<AccessControlPolicy>(body, "AccessControlPolicy", LIMIT);
    let _ = from_xml::<BucketCnameConfiguration>(body, "BucketCnameConfiguration", LIMIT);
    let _ = from_xml::<CorsConfiguration>(body, "CORSConfiguration", LIMIT);
    let _ = parse_oss(body);
    let _ = parse_s3(body);
}

/// Escapes element text the way careful clients do: the five specials as entities and
/// `\t`, `\n`, `\r` as character references (so that no end-of-line normalisation applies).
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// `<name>text</name>`.
fn el(name: &str, text: &str) -> String {
    format!("<{name}>{}</{name}>", esc(text))
}

/// Wraps children in the root element, with or without a declaration and the S3 namespace.
fn doc(root: &str, children: &str, decl: bool, ns: bool) -> String {
    let decl = if decl {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    } else {
        ""
    };
    let ns = if ns {
        " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""
    } else {
        ""
    };
    format!("{decl}<{root}{ns}>{children}</{root}>")
}

/// Text values: printable ASCII (XML specials included), blanks, tabs and newlines at any
/// position, and non-ASCII up to astral-plane characters.
fn text() -> impl Strategy<Value = String> {
    "[ -~\t\n\r éü中文\u{1F600}]{0,16}"
}

/// Non-empty text (for values a client always sends non-empty, such as keys).
fn text1() -> impl Strategy<Value = String> {
    "[ -~\t\n\r éü中文\u{1F600}]{1,16}"
}

/// XML-ish token soup over the element names of every request body.
fn xmlish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("<Delete>".to_owned()),
            Just("</Delete>".to_owned()),
            Just("<Object>".to_owned()),
            Just("</Object>".to_owned()),
            Just("<Key>".to_owned()),
            Just("</Key>".to_owned()),
            Just("<Quiet>".to_owned()),
            Just("</Quiet>".to_owned()),
            Just("<CompleteMultipartUpload>".to_owned()),
            Just("</CompleteMultipartUpload>".to_owned()),
            Just("<Part>".to_owned()),
            Just("</Part>".to_owned()),
            Just("<PartNumber>".to_owned()),
            Just("</PartNumber>".to_owned()),
            Just("<ETag>".to_owned()),
            Just("</ETag>".to_owned()),
            Just("<CreateBucketConfiguration>".to_owned()),
            Just("<AccessControlPolicy>".to_owned()),
            Just("<AccessControlList>".to_owned()),
            Just("<Grant>".to_owned()),
            Just("<Grantee>".to_owned()),
            Just("</Grantee>".to_owned()),
            Just("<Permission>".to_owned()),
            Just("<BucketCnameConfiguration>".to_owned()),
            Just("<Cname>".to_owned()),
            Just("<Domain>".to_owned()),
            Just("<CORSConfiguration>".to_owned()),
            Just("<CORSRule>".to_owned()),
            Just("<MaxAgeSeconds>".to_owned()),
            Just("<AllowedOrigin/>".to_owned()),
            Just("<x:Key xmlns:x=\"urn:x\">".to_owned()),
            Just("<![CDATA[".to_owned()),
            Just("]]>".to_owned()),
            Just("<!--".to_owned()),
            Just("-->".to_owned()),
            Just("<?xml version=\"1.0\"?>".to_owned()),
            Just("<!DOCTYPE a [<!ENTITY e \"x\">]>".to_owned()),
            Just("&amp;".to_owned()),
            Just("&e;".to_owned()),
            Just("&#0;".to_owned()),
            Just("&#x110000;".to_owned()),
            Just("&#xD800;".to_owned()),
            Just("\u{FEFF}".to_owned()),
            "-?[0-9]{1,25}",
            "[a-zA-Z \"'=/]{1,4}",
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

/// Valid documents of every request type, the starting points for mutations.
fn seeds() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = [
        doc(
            "Delete",
            "<Quiet>true</Quiet><Object><Key>a &amp; b</Key><VersionId>null</VersionId></Object><Object><Key>c</Key></Object>",
            true,
            true,
        ),
        doc(
            "CompleteMultipartUpload",
            "<Part><PartNumber>1</PartNumber><ETag>\"0123456789abcdef0123456789abcdef\"</ETag></Part><Part><ETag>x</ETag><PartNumber>2</PartNumber></Part>",
            true,
            false,
        ),
        doc(
            "CreateBucketConfiguration",
            "<LocationConstraint>eu-west-1</LocationConstraint><StorageClass>IA</StorageClass><DataRedundancyType>ZRS</DataRedundancyType>",
            false,
            true,
        ),
        doc(
            "AccessControlPolicy",
            "<Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant><Grant><Grantee xsi:type=\"CanonicalUser\"><ID>o</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList>",
            true,
            true,
        ),
        doc(
            "BucketCnameConfiguration",
            "<Cname><Domain>img.example.com</Domain></Cname>",
            true,
            false,
        ),
        doc(
            "CORSConfiguration",
            "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>100</MaxAgeSeconds></CORSRule><ResponseVary>false</ResponseVary>",
            true,
            false,
        ),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect();
    let dir = format!("{}/../../fixtures/xml/website", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    names.sort();
    assert!(names.len() >= 5, "website fixtures in {dir}");
    for p in names {
        out.push(std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())));
    }
    out
}

/// One edit of a document: overwrite, insert or delete a byte, or duplicate or drop a span.
#[derive(Debug, Clone)]
enum Edit {
    Set(prop::sample::Index, u8),
    Insert(prop::sample::Index, u8),
    Remove(prop::sample::Index),
    Duplicate(prop::sample::Index, usize),
    Cut(prop::sample::Index, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    // Bytes that matter to XML are drawn more often than others.
    let byte = prop_oneof![
        any::<u8>(),
        prop::sample::select(b"<>/&;\"'=!?[]- \n#x0123456789".to_vec()),
    ];
    prop_oneof![
        (any::<prop::sample::Index>(), byte.clone()).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<prop::sample::Index>(), byte).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<prop::sample::Index>().prop_map(Edit::Remove),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Edit::Duplicate(i, n)),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Edit::Cut(i, n)),
    ]
}

fn apply(body: &mut Vec<u8>, e: &Edit) {
    if body.is_empty() {
        if let Edit::Insert(_, b) | Edit::Set(_, b) = e {
            body.push(*b);
        }
        return;
    }
    match e {
        Edit::Set(i, b) => {
            let i = i.index(body.len());
            body[i] = *b;
        }
        Edit::Insert(i, b) => {
            let i = i.index(body.len() + 1);
            body.insert(i, *b);
        }
        Edit::Remove(i) => {
            let i = i.index(body.len());
            body.remove(i);
        }
        Edit::Duplicate(i, n) => {
            let i = i.index(body.len());
            let end = (i + n).min(body.len());
            let span = body[i..end].to_vec();
            body.splice(end..end, span);
        }
        Edit::Cut(i, n) => {
            let i = i.index(body.len());
            let end = (i + n).min(body.len());
            body.drain(i..end);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse_all(&body);
    }

    #[test]
    fn xmlish_soup_never_panics(body in xmlish()) {
        parse_all(body.as_bytes());
    }

    #[test]
    fn mutated_documents_never_panic(
        seed in any::<prop::sample::Index>(),
        edits in proptest::collection::vec(edit(), 1..8),
    ) {
        let seeds = seeds();
        let mut body = seeds[seed.index(seeds.len())].clone();
        for e in &edits {
            apply(&mut body, e);
        }
        parse_all(&body);
    }

    /// DeleteMultipleObjects: every key comes back exactly as sent, in order; `Quiet` in any
    /// letter case.
    #[test]
    fn delete_round_trips(
        keys in proptest::collection::vec((text1(), proptest::option::of("[a-zA-Z0-9.]{0,8}")), 0..6),
        quiet in proptest::option::of((any::<bool>(), prop::sample::select(vec!["true", "True", "TRUE", " true "]))),
        quiet_first in any::<bool>(),
        decl in any::<bool>(),
        ns in any::<bool>(),
    ) {
        let objects: String = keys
            .iter()
            .map(|(k, v)| {
                let v = v.as_deref().map(|v| el("VersionId", v)).unwrap_or_default();
                format!("<Object>{v}{}</Object>", el("Key", k))
            })
            .collect();
        let quiet_el = match &quiet {
            Some((true, spelling)) => format!("<Quiet>{spelling}</Quiet>"),
            Some((false, _)) => "<Quiet>false</Quiet>".to_owned(),
            None => String::new(),
        };
        let children = if quiet_first {
            format!("{quiet_el}{objects}")
        } else {
            format!("{objects}{quiet_el}")
        };
        let body = doc("Delete", &children, decl, ns);
        let parsed: Delete = from_xml(body.as_bytes(), "Delete", LIMIT)
            .map_err(|e| TestCaseError::fail(format!("{e}: {body}")))?;
        prop_assert_eq!(parsed.quiet, matches!(quiet, Some((true, _))), "{}", body);
        let got: Vec<(String, Option<String>)> = parsed
            .objects
            .into_iter()
            .map(|o| (o.key, o.version_id))
            .collect();
        prop_assert_eq!(got, keys, "{}", body);
    }

    /// CompleteMultipartUpload: part numbers and ETags (quoted or not, with blanks kept),
    /// in document order; checksum elements the SDKs add are ignored.
    #[test]
    fn complete_round_trips(
        parts in proptest::collection::vec((any::<u32>(), text(), any::<bool>(), any::<bool>()), 0..6),
        decl in any::<bool>(),
        ns in any::<bool>(),
    ) {
        let children: String = parts
            .iter()
            .map(|(n, etag, number_first, checksum)| {
                let number = format!("<PartNumber>{n}</PartNumber>");
                let etag = el("ETag", &format!("\"{etag}\""));
                let checksum = if *checksum { "<ChecksumCRC32>AAAAAA==</ChecksumCRC32>" } else { "" };
                if *number_first {
                    format!("<Part>{number}{checksum}{etag}</Part>")
                } else {
                    format!("<Part>{etag}{number}{checksum}</Part>")
                }
            })
            .collect();
        let body = doc("CompleteMultipartUpload", &children, decl, ns);
        let parsed: CompleteMultipartUpload = from_xml(body.as_bytes(), "CompleteMultipartUpload", LIMIT)
            .map_err(|e| TestCaseError::fail(format!("{e}: {body}")))?;
        let got: Vec<(u32, String)> = parsed.parts.into_iter().map(|p| (p.part_number, p.etag)).collect();
        let want: Vec<(u32, String)> = parts.iter().map(|(n, e, _, _)| (*n, format!("\"{e}\""))).collect();
        prop_assert_eq!(got, want, "{}", body);
    }

    /// A part number that is not a `u32` is a parse error, never a wrapped or default value.
    #[test]
    fn complete_refuses_bad_part_numbers(n in prop_oneof![
        (u64::from(u32::MAX) + 1..u64::MAX).prop_map(|n| n.to_string()),
        (i64::MIN..0).prop_map(|n| n.to_string()),
        "[a-z]{1,4}",
        Just(String::new()),
    ]) {
        let body = doc("CompleteMultipartUpload", &format!("<Part><PartNumber>{n}</PartNumber><ETag>e</ETag></Part>"), false, false);
        let r = from_xml::<CompleteMultipartUpload>(body.as_bytes(), "CompleteMultipartUpload", LIMIT);
        prop_assert!(matches!(r, Err(CodecError::Malformed(_))), "{:?}: {}", r, body);
    }

    /// CreateBucketConfiguration: each element present or absent, in any order.
    #[test]
    fn create_bucket_round_trips(
        storage in proptest::option::of(text()),
        location in proptest::option::of(text()),
        redundancy in proptest::option::of(text()),
        order in Just(vec![0usize, 1, 2]).prop_shuffle(),
        ns in any::<bool>(),
    ) {
        let values = [("StorageClass", &storage), ("LocationConstraint", &location), ("DataRedundancyType", &redundancy)];
        let children: String = order
            .iter()
            .filter_map(|&i| values[i].1.as_deref().map(|v| el(values[i].0, v)))
            .collect();
        let body = doc("CreateBucketConfiguration", &children, true, ns);
        let parsed: CreateBucketConfiguration = from_xml(body.as_bytes(), "CreateBucketConfiguration", LIMIT)
            .map_err(|e| TestCaseError::fail(format!("{e}: {body}")))?;
        prop_assert_eq!(parsed.storage_class, storage, "{}", body);
        prop_assert_eq!(parsed.location_constraint, location, "{}", body);
        prop_assert_eq!(parsed.data_redundancy_type, redundancy, "{}", body);
    }

    /// S3 AccessControlPolicy: grants in order with their grantee (ID or URI, with the
    /// `xsi:type` attribute clients send) and permission.
    #[test]
    fn acl_round_trips(
        grants in proptest::collection::vec((any::<bool>(), text1(), text1()), 0..5),
        owner in any::<bool>(),
    ) {
        let list: String = grants
            .iter()
            .map(|(group, who, perm)| {
                let grantee = if *group {
                    format!("<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\">{}</Grantee>", el("URI", who))
                } else {
                    format!("<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">{}<DisplayName>d</DisplayName></Grantee>", el("ID", who))
                };
                format!("<Grant>{grantee}{}</Grant>", el("Permission", perm))
            })
            .collect();
        let owner = if owner { "<Owner><ID>o</ID><DisplayName>n</DisplayName></Owner>" } else { "" };
        let body = doc("AccessControlPolicy", &format!("{owner}<AccessControlList>{list}</AccessControlList>"), true, true);
        let parsed: AccessControlPolicy = from_xml(body.as_bytes(), "AccessControlPolicy", LIMIT)
            .map_err(|e| TestCaseError::fail(format!("{e}: {body}")))?;
        let got: Vec<(bool, String, String)> = parsed
            .acl
            .grants
            .iter()
            .map(|g| match (&g.grantee.uri, &g.grantee.id) {
                (Some(uri), None) => (true, uri.clone(), g.permission.clone()),
                (None, Some(id)) => (false, id.clone(), g.permission.clone()),
                other => (false, format!("unexpected grantee {other:?}"), String::new()),
            })
            .collect();
        prop_assert_eq!(got, grants, "{}", body);
    }

    /// BucketCnameConfiguration: the domain as sent.
    #[test]
    fn cname_round_trips(domain in text(), decl in any::<bool>()) {
        let body = doc("BucketCnameConfiguration", &format!("<Cname>{}</Cname>", el("Domain", &domain)), decl, false);
        let parsed: BucketCnameConfiguration = from_xml(body.as_bytes(), "BucketCnameConfiguration", LIMIT)
            .map_err(|e| TestCaseError::fail(format!("{e}: {body}")))?;
        prop_assert_eq!(parsed.cname.domain, domain, "{}", body);
    }

    /// CORSConfiguration: the stored form writes and reads back unchanged.
    #[test]
    fn cors_round_trips(
        rules in proptest::collection::vec(
            (
                proptest::option::of(text1()),
                proptest::collection::vec(text1(), 0..3),
                proptest::collection::vec(text1(), 0..3),
                proptest::collection::vec(text1(), 0..3),
                proptest::collection::vec(text1(), 0..3),
                proptest::option::of(any::<i64>()),
            ),
            0..4,
        ),
        vary in proptest::option::of(text1()),
    ) {
        let conf = CorsConfiguration {
            xmlns: None,
            rules: rules
                .into_iter()
                .map(|(id, allowed_origins, allowed_methods, allowed_headers, expose_headers, max_age_seconds)| {
                    ossemu_xml::cors::CorsRule {
                        id,
                        allowed_origins,
                        allowed_methods,
                        allowed_headers,
                        expose_headers,
                        max_age_seconds,
                    }
                })
                .collect(),
            response_vary: vary,
        };
        let xml = ossemu_xml::to_xml_as("CORSConfiguration", &conf);
        let parsed: CorsConfiguration = from_xml(xml.as_bytes(), "CORSConfiguration", LIMIT)
            .map_err(|e| TestCaseError::fail(format!("{e}: {xml}")))?;
        prop_assert_eq!(parsed, conf, "{}", xml);
    }

    /// A document whose root is another request type's is refused with WrongRoot.
    #[test]
    fn wrong_root_is_refused(seed in any::<prop::sample::Index>()) {
        let seeds = seeds();
        let body = &seeds[seed.index(6)];
        let roots = ["Delete", "CompleteMultipartUpload", "CreateBucketConfiguration", "AccessControlPolicy", "BucketCnameConfiguration", "CORSConfiguration"];
        let own = roots[seed.index(6)];
        for root in roots.iter().filter(|r| **r != own) {
            let r = from_xml::<CreateBucketConfiguration>(body, root, LIMIT);
            prop_assert!(matches!(r, Err(CodecError::WrongRoot { .. })), "{}: {:?}", root, r);
        }
    }
}
