//! Property tests for the whole PutBucketWebsite/GetBucketWebsite pipeline on mutations of
//! the reviewed fixtures (`fixtures/xml/website`): parse (`parse_oss`/`parse_s3`, chosen as
//! the server chooses) → convert and validate (`oss_to_model`/`s3_to_model`) → render
//! (`model_to_oss`/`model_to_s3` + `to_response_xml`) → evaluate (`first_match`, `action`).
//!
//! Mutations are structural (an element's text replaced by a value from a pool of edge cases,
//! a line dropped, duplicated or swapped) and byte-level, so that many mutants are still
//! accepted and reach the converter, the validator and the evaluator.
//!
//! Properties:
//! - nothing panics, whatever the body;
//! - what GET returns for an accepted configuration is accepted by PUT in the same dialect,
//!   and GET of that is the same document (GET is a fixpoint after one round);
//! - for an accepted configuration and any request: the matched rule is the lowest-numbered
//!   rule whose condition holds; a redirect `Location` is `http(s)://` followed by a path
//!   without `//`, blanks or control characters; a mirror origin URL starts with `MirrorURL`
//!   (and the secondary one with `MirrorURLSlave`).

use ossemu_api::website_convert::{model_to_oss, model_to_s3, oss_to_model, s3_to_model};
use ossemu_rules::{
    Action, ConfigError, Dialect, Protocol, RequestFacts, Website, action, first_match,
    origin_request, pre_lookup_match,
};
use ossemu_xml::website as x;
use proptest::prelude::*;

/// The fixtures, read once per process.
fn fixtures() -> &'static [Vec<u8>] {
    static FIXTURES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = format!("{}/../../fixtures/xml/website", env!("CARGO_MANIFEST_DIR"));
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "xml"))
            .collect();
        paths.sort();
        assert!(paths.len() >= 5, "website fixtures in {dir}");
        paths
            .iter()
            .map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
            .collect()
    })
}

/// Why a body was refused (for messages only).
#[derive(Debug)]
enum Refused {
    Xml(#[allow(dead_code)] ossemu_xml::CodecError),
    Config(#[allow(dead_code)] ConfigError),
}

/// PutBucketWebsite as the server does it: the S3 parser when the body declares the S3
/// namespace (or the request is S3), else the OSS parser; then convert and validate.
fn put(body: &[u8], s3_request: bool) -> Result<Website, Refused> {
    if s3_request || x::declares_s3_namespace(body) {
        s3_to_model(x::parse_s3(body).map_err(Refused::Xml)?).map_err(Refused::Config)
    } else {
        oss_to_model(x::parse_oss(body).map_err(Refused::Xml)?).map_err(Refused::Config)
    }
}

/// GetBucketWebsite in the given dialect.
fn get(w: &Website, dialect: Dialect) -> String {
    match dialect {
        Dialect::Oss => model_to_oss(w).to_response_xml().expect("renders"),
        Dialect::S3 => model_to_s3(w).to_response_xml().expect("renders"),
    }
}

/// OSS's echo writes `HttpErrorCodeReturnedEquals` 404 for a rule that has none (oss2's parser
/// needs the element). A rule without a status next to a 404 rule with the same prefix then
/// comes back as two rules with equal conditions, which PUT accepts (OSS documents no check
/// for it; the first one wins).
#[test]
fn echo_of_a_rule_without_status_next_to_a_404_rule_is_accepted() {
    let body = br#"<WebsiteConfiguration><RoutingRules>
<RoutingRule><RuleNumber>1</RuleNumber><Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition><Redirect><RedirectType>External</RedirectType><HostName>h.example</HostName></Redirect></RoutingRule>
<RoutingRule><RuleNumber>2</RuleNumber><Condition><KeyPrefixEquals>a</KeyPrefixEquals><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>External</RedirectType><HostName>g.example</HostName></Redirect></RoutingRule>
</RoutingRules></WebsiteConfiguration>"#;
    let w = put(body, false).expect("accepted");
    let shown = get(&w, Dialect::Oss);
    assert_eq!(
        shown.matches("<HttpErrorCodeReturnedEquals>404<").count(),
        2,
        "{shown}"
    );
    let again = put(shown.as_bytes(), false).expect("GET's answer is accepted");
    assert_eq!(get(&again, Dialect::Oss), shown);
}

/// Values an element's text is replaced with.
const POOL: &[&str] = &[
    "",
    " ",
    "0",
    "1",
    "-1",
    "2",
    "3",
    "20",
    "21",
    "200",
    "301",
    "302",
    "303",
    "307",
    "308",
    "403",
    "404",
    "599",
    "600",
    "4294967296",
    "99999999999999999999999",
    "true",
    "FALSE",
    "yes",
    "Mirror",
    "External",
    "AliCDN",
    "alicdn",
    "Internal",
    "Proxy",
    "http",
    "https",
    "ftp",
    "http://o.example/",
    "https://o.example/a//b/",
    "http://o.example",
    "http:///",
    "http://[::1]:8080/",
    "http://u@o.example:1/p?q=/",
    "http://oss-cn-hangzhou-internal.aliyuncs.com/",
    "o.example",
    "o.example/",
    "o.example//x",
    "o.example:8080/base/",
    "o.example?x",
    "/",
    "//",
    "a//b",
    "${key}",
    "${key}/${key}",
    "pre/${key}",
    "a b",
    "中文/",
    "%2F",
    "x-oss-meta-a",
    "Host",
    "bad header",
    "400,404",
    "400, x",
    "index.html",
    "dir/",
    "&amp;",
    "&lt;x&gt;",
];

/// One structural or byte-level edit.
#[derive(Debug, Clone)]
enum Edit {
    /// Replace the text of the n-th text node with a pool value.
    Text(prop::sample::Index, prop::sample::Index),
    /// Drop the n-th line.
    DropLine(prop::sample::Index),
    /// Duplicate the n-th line.
    DupLine(prop::sample::Index),
    /// Swap two lines.
    SwapLines(prop::sample::Index, prop::sample::Index),
    /// Overwrite one byte.
    Byte(prop::sample::Index, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => (any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(|(a, b)| Edit::Text(a, b)),
        2 => any::<prop::sample::Index>().prop_map(Edit::DropLine),
        2 => any::<prop::sample::Index>().prop_map(Edit::DupLine),
        1 => (any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        1 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(a, b)| Edit::Byte(a, b)),
    ]
}

/// Byte ranges of the non-blank text between `>` and `<`.
fn text_nodes(body: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'>' => start = Some(i + 1),
            b'<' => {
                if let Some(s) = start.take()
                    && body[s..i].iter().any(|c| !c.is_ascii_whitespace())
                {
                    out.push((s, i));
                }
            }
            _ => {}
        }
    }
    out
}

fn apply(body: &mut Vec<u8>, e: &Edit) {
    let lines = |body: &[u8]| -> Vec<Vec<u8>> {
        body.split_inclusive(|&b| b == b'\n')
            .map(<[u8]>::to_vec)
            .collect()
    };
    match e {
        Edit::Text(node, value) => {
            let nodes = text_nodes(body);
            if nodes.is_empty() {
                return;
            }
            let (s, end) = nodes[node.index(nodes.len())];
            let v = POOL[value.index(POOL.len())];
            body.splice(s..end, v.bytes());
        }
        Edit::DropLine(i) => {
            let mut l = lines(body);
            if !l.is_empty() {
                l.remove(i.index(l.len()));
                *body = l.concat();
            }
        }
        Edit::DupLine(i) => {
            let mut l = lines(body);
            if !l.is_empty() {
                let i = i.index(l.len());
                let line = l[i].clone();
                l.insert(i, line);
                *body = l.concat();
            }
        }
        Edit::SwapLines(a, b) => {
            let mut l = lines(body);
            if !l.is_empty() {
                let (a, b) = (a.index(l.len()), b.index(l.len()));
                l.swap(a, b);
                *body = l.concat();
            }
        }
        Edit::Byte(i, b) => {
            if !body.is_empty() {
                let i = i.index(body.len());
                body[i] = *b;
            }
        }
    }
}

/// The part of a URL after `scheme://` and before `?`.
fn path_part(url: &str) -> &str {
    let after = url.split_once("://").map_or(url, |(_, rest)| rest);
    after.split('?').next().unwrap_or(after)
}

/// Request facts drawn for evaluation.
fn facts_parts() -> impl Strategy<Value = (String, String, String, u16, bool, Vec<(String, String)>)>
{
    (
        prop_oneof![
            "\\PC{0,24}",
            "(abc/|docs/|images/|dir/|/|//|a b|中文|%2F|x){0,4}",
        ],
        "[a-z0-9=&%/:?+]{0,16}",
        "[a-z]{1,8}(\\.[a-z]{2,3})?(:[0-9]{1,5})?",
        prop_oneof![Just(403u16), Just(404)],
        any::<bool>(),
        proptest::collection::vec(
            (
                "(myheader-key[1-5]|host|x-oss-meta-a|[a-zA-Z-]{1,8})",
                "[ -~]{0,8}",
            ),
            0..4,
        ),
    )
}

/// Checks the evaluation properties of an accepted configuration for one request.
fn check_evaluation(
    w: &Website,
    (key, query, host, status, https, headers): &(
        String,
        String,
        String,
        u16,
        bool,
        Vec<(String, String)>,
    ),
) -> Result<(), TestCaseError> {
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let facts = RequestFacts {
        key,
        status: *status,
        headers: &header_refs,
        query,
        protocol: if *https {
            Protocol::Https
        } else {
            Protocol::Http
        },
        host,
    };
    let lowest = w
        .rules
        .iter()
        .filter(|r| r.redirect.is_some() && r.condition_holds(&facts, true))
        .map(|r| r.number)
        .min();
    let matched = first_match(&w.rules, &facts);
    prop_assert_eq!(matched.map(|r| r.number), lowest);
    let _ = pre_lookup_match(&w.rules, &facts);
    for rule in &w.rules {
        match action(rule, &facts) {
            Action::Redirect(r) => {
                prop_assert!(
                    r.location.starts_with("http://") || r.location.starts_with("https://"),
                    "{}",
                    r.location
                );
                let path = path_part(&r.location);
                prop_assert!(!path.contains("//"), "{}", r.location);
                prop_assert!(
                    !path.chars().any(|c| c.is_whitespace() || c.is_control()),
                    "{}",
                    r.location
                );
                prop_assert!((300..400).contains(&r.status), "{}", r.status);
            }
            Action::Mirror(o) => {
                let redirect = rule.redirect.as_ref().expect("mirror rule");
                let base = redirect.mirror.url.as_deref().expect("MirrorURL");
                prop_assert!(o.url.starts_with(base), "{} / {}", o.url, base);
                if let (Some(slave), Some(base)) = (&o.slave_url, &redirect.mirror.url_slave) {
                    prop_assert!(slave.starts_with(base.as_str()), "{} / {}", slave, base);
                }
                prop_assert!(
                    !o.url.chars().any(|c| c.is_whitespace() || c.is_control()),
                    "{}",
                    o.url
                );
                prop_assert_eq!(origin_request(rule, &facts), Some(o));
            }
            Action::Internal(_) | Action::None => {}
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn mutated_fixtures_through_the_pipeline(
        seed in any::<prop::sample::Index>(),
        edits in proptest::collection::vec(edit(), 0..6),
        s3_request in any::<bool>(),
        requests in proptest::collection::vec(facts_parts(), 1..4),
    ) {
        let fixtures = fixtures();
        let mut body = fixtures[seed.index(fixtures.len())].clone();
        for e in &edits {
            apply(&mut body, e);
        }
        let Ok(w) = put(&body, s3_request) else {
            return Ok(());
        };
        // Both renderings never panic, whatever the stored dialect.
        let oss = get(&w, Dialect::Oss);
        let s3 = get(&w, Dialect::S3);
        let _ = put(oss.as_bytes(), false);
        let _ = put(s3.as_bytes(), true);

        // In the stored dialect, GET's answer is accepted by PUT and is a fixpoint.
        let shown = get(&w, w.dialect);
        match put(shown.as_bytes(), w.dialect == Dialect::S3) {
            Ok(again) => {
                prop_assert_eq!(get(&again, w.dialect), shown.clone(), "GET not a fixpoint\n{}", shown);
            }
            Err(e) => {
                prop_assert!(false, "GET answer refused by PUT: {:?}\n--- body\n{}\n--- GET\n{}", e, String::from_utf8_lossy(&body), shown);
            }
        }

        for r in &requests {
            check_evaluation(&w, r)?;
        }
    }
}
