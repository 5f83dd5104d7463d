use ossemu_rules::{Condition, IncludeHeader, Redirect, RedirectType, Rule};

use super::*;

fn rule(number: u32, condition: Condition, redirect: Redirect) -> Rule {
    Rule {
        number,
        condition,
        redirect: Some(redirect),
        lua_config: None,
    }
}

#[test]
fn a_mirror_rule_says_which_key_prefix_matched_and_where_it_fetches() {
    let mut r = Redirect::new(RedirectType::Mirror);
    r.mirror.url = Some("http://user:pw@origin.test/base/".into());
    let cond = Condition {
        key_prefix_equals: "img/".into(),
        ..Default::default()
    };
    let fact = describe_rule(&rule(3, cond, r), "img/a.png");
    assert_eq!(fact.number, 3);
    assert_eq!(
        fact.why,
        "key \"img/a.png\" starts with \"img/\" (KeyPrefixEquals); \
         the key is missing (a Mirror rule answers 404s)"
    );
    assert!(
        fact.action.starts_with("Mirror from http://"),
        "{}",
        fact.action
    );
    assert!(
        !fact.action.contains("pw"),
        "credentials shown: {}",
        fact.action
    );
}

#[test]
fn a_redirect_rule_names_its_status_host_and_every_condition() {
    let mut r = Redirect::new(RedirectType::External);
    r.host_name = Some("example.com".into());
    r.http_redirect_code = Some(302);
    let cond = Condition {
        key_suffix_equals: ".html".into(),
        http_error_code_returned_equals: Some(404),
        include_headers: vec![IncludeHeader {
            key: "x-a".into(),
            equals: Some("1".into()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let fact = describe_rule(&rule(1, cond, r), "a.html");
    assert_eq!(
        fact.why,
        "key \"a.html\" ends with \".html\" (KeySuffixEquals); the request would get 404 \
         (HttpErrorCodeReturnedEquals); header x-a equal to \"1\" (IncludeHeader)"
    );
    assert_eq!(fact.action, "External 302 to example.com");
    let any = describe_rule(
        &rule(
            2,
            Condition::default(),
            Redirect::new(RedirectType::Internal),
        ),
        "k",
    );
    assert_eq!(any.why, "no condition: every request");
}

#[test]
fn a_header_condition_with_two_tests_names_both() {
    let cond = Condition {
        include_headers: vec![IncludeHeader {
            key: "referer".into(),
            equals: Some("https://a/".into()),
            starts_with: Some("https://".into()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let fact = describe_rule(&rule(1, cond, Redirect::new(RedirectType::Internal)), "k");
    assert_eq!(
        fact.why,
        "header referer equal to \"https://a/\" and starting with \"https://\" (IncludeHeader)"
    );
}

#[test]
fn publishing_reaches_watchers_and_costs_nothing_without_them() {
    let trail = Trail::default();
    assert!(!trail.watched());
    let mut rx = trail.subscribe();
    assert!(trail.watched());
    let event = TrailEvent {
        time: "t".into(),
        id: "i".into(),
        dialect: "s3",
        operation: "GetObject",
        method: "GET".into(),
        bucket: "b".into(),
        key: "k".into(),
        status: 200,
        bytes_in: 0,
        bytes_out: 5,
        duration_ms: 1.0,
        rule: None,
        location: None,
        mirror: None,
        owner: Some("o".into()),
    };
    trail.publish(event);
    let got = rx.try_recv().unwrap();
    assert_eq!((got.bucket.as_str(), got.bytes_out), ("b", 5));
    let json = serde_json::to_value(&*got).unwrap();
    assert!(json.get("owner").is_none(), "the owner is not sent: {json}");
}
