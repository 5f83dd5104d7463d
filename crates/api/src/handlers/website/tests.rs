//! The website decisions: what a failed read turns into, decided without a store.

use http::{HeaderMap, Method};

use super::*;

const REDIRECT_404: &str = "<RoutingRule><RuleNumber>1</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>External</RedirectType><Protocol>https</Protocol><HostName>example.com</HostName><ReplaceKeyWith>404.html</ReplaceKeyWith><HttpRedirectCode>302</HttpRedirectCode></Redirect></RoutingRule>";
const INTERNAL: &str = "<RoutingRule><RuleNumber>2</RuleNumber><Condition><KeyPrefixEquals>old/</KeyPrefixEquals><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Internal</RedirectType><ReplaceKeyPrefixWith>new/</ReplaceKeyPrefixWith></Redirect></RoutingRule>";
const MIRROR: &str = "<RoutingRule><RuleNumber>3</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>http://origin.test/base/</MirrorURL></Redirect></RoutingRule>";
const MIRROR_HEAD: &str = "<RoutingRule><RuleNumber>3</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>http://origin.test/base/</MirrorURL><MirrorAllowHeadObject>true</MirrorAllowHeadObject></Redirect></RoutingRule>";

fn site(body: &str) -> Website {
    parse(format!("<WebsiteConfiguration>{body}</WebsiteConfiguration>").as_bytes()).unwrap()
}

fn rules(rules: &str) -> Website {
    site(&format!("<RoutingRules>{rules}</RoutingRules>"))
}

struct Asked {
    method: Method,
    headers: HeaderMap,
    addressing: Addressing,
    signed: bool,
}

impl Asked {
    fn get(addressing: Addressing) -> Self {
        Self {
            method: Method::GET,
            headers: HeaderMap::new(),
            addressing,
            signed: false,
        }
    }

    fn req(&self) -> WebRequest<'_> {
        WebRequest {
            method: &self.method,
            headers: &self.headers,
            raw_query: "",
            host: "img.example.test",
            addressing: &self.addressing,
            signed: self.signed,
        }
    }
}

fn domain() -> Addressing {
    Addressing::CustomDomain("b".into())
}

#[test]
fn a_redirect_rule_is_a_3xx_only_through_a_custom_domain() {
    let w = rules(REDIRECT_404);
    for (addressing, allowed) in [(domain(), true), (Addressing::Path, false)] {
        let plan = fallback(&Asked::get(addressing).req(), &w, "missing.html", 404);
        match plan.rule {
            Some(RuleStep::Redirect(r)) => assert_eq!(
                r,
                RedirectTo {
                    status: 302,
                    location: "https://example.com/404.html".into(),
                    rule: Some(1),
                    allowed,
                }
            ),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn an_internal_rule_names_the_rewritten_key() {
    let w = rules(INTERNAL);
    let plan = fallback(&Asked::get(domain()).req(), &w, "old/a.txt", 404);
    assert!(
        matches!(plan.rule, Some(RuleStep::Internal { ref key, rule: 2 }) if key == "new/a.txt"),
        "{:?}",
        plan.rule
    );
    let other = fallback(&Asked::get(domain()).req(), &w, "else/a.txt", 404);
    assert!(other.rule.is_none());
}

#[test]
fn a_mirror_rule_fetches_for_get_and_for_head_only_when_allowed() {
    let get = Asked::get(Addressing::Path);
    let plan = fallback(&get.req(), &rules(MIRROR), "img/a.png", 404);
    match plan.rule {
        Some(RuleStep::Mirror { rule, origin }) => {
            assert_eq!(rule.number, 3);
            assert_eq!(origin.url, "http://origin.test/base/img/a.png");
        }
        other => panic!("{other:?}"),
    }
    let head = Asked {
        method: Method::HEAD,
        ..Asked::get(Addressing::Path)
    };
    assert!(
        fallback(&head.req(), &rules(MIRROR), "a", 404)
            .rule
            .is_none()
    );
    assert!(matches!(
        fallback(&head.req(), &rules(MIRROR_HEAD), "a", 404).rule,
        Some(RuleStep::Mirror { .. })
    ));
    // Dot segments never reach an origin.
    assert!(
        fallback(&get.req(), &rules(MIRROR), "a/../b", 404)
            .rule
            .is_none()
    );
}

#[test]
fn a_404_goes_on_to_the_index_and_error_documents_a_403_does_not() {
    let w = site(
        "<IndexDocument><Suffix>index.html</Suffix><SupportSubDir>true</SupportSubDir><Type>0</Type></IndexDocument><ErrorDocument><Key>error.html</Key><HttpStatus>404</HttpStatus></ErrorDocument>",
    );
    let req = Asked::get(domain());
    let dir = fallback(&req.req(), &w, "docs/", 404);
    assert_eq!(dir.index, vec![IndexStep::Serve("docs/index.html".into())]);
    assert_eq!(
        dir.error_page,
        Some(("error.html".into(), StatusCode::NOT_FOUND))
    );
    let file = fallback(&req.req(), &w, "docs", 404);
    assert_eq!(
        file.index,
        vec![IndexStep::RedirectIfExists {
            probe: "docs/index.html".into(),
            location: "/docs/".into(),
        }]
    );
    let denied = fallback(&req.req(), &w, "docs/", 403);
    assert!(denied.index.is_empty() && denied.error_page.is_none());
}

#[test]
fn s3_website_hosts_redirect_before_the_lookup() {
    let s3 = parse(
        br#"<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><RedirectAllRequestsTo><HostName>example.com</HostName></RedirectAllRequestsTo></WebsiteConfiguration>"#,
    )
    .unwrap();
    let path = Asked::get(Addressing::Path);
    assert_eq!(before_lookup(&path.req(), &s3, "k"), None);
    let host = Asked::get(Addressing::S3Website("b".into()));
    let r = before_lookup(&host.req(), &s3, "k").unwrap();
    assert_eq!(r.location, "http://example.com/k");
    assert_eq!((r.status, r.rule, r.allowed), (301, None, true));
}

#[test]
fn only_anonymous_requests_and_website_hosts_get_the_root_index() {
    let mut signed = Asked::get(Addressing::Path);
    signed.signed = true;
    assert!(!serves_root(&signed.req()));
    assert!(serves_root(&Asked::get(Addressing::Path).req()));
    signed.addressing = Addressing::S3Website("b".into());
    assert!(serves_root(&signed.req()));
}

#[test]
fn auth_parameters_are_not_passed() {
    assert_eq!(
        passable_query(
            "a=1&OSSAccessKeyId=k&Expires=5&Signature=s&b=2&X-Amz-Date=x&x-oss-process=image"
        ),
        "a=1&b=2&x-oss-process=image"
    );
    assert_eq!(passable_query(""), "");
}
