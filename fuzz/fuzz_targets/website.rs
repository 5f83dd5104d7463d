//! PutBucketWebsite end to end on arbitrary bytes: parse (OSS or S3, chosen as the server
//! chooses), convert and validate, render GetBucketWebsite in both dialects and parse that
//! again, then evaluate every rule for a few requests. No input may panic, and for an
//! accepted configuration every redirect Location is `http(s)://` with no `//` in its path
//! and every origin URL starts with its MirrorURL.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ossemu_api::website_convert::{model_to_oss, model_to_s3, oss_to_model, s3_to_model};
use ossemu_rules::{
    Action, Protocol, RequestFacts, Website, action, first_match, pre_lookup_match,
};
use ossemu_xml::website as x;

fn put(body: &[u8]) -> Option<Website> {
    if x::declares_s3_namespace(body) {
        s3_to_model(x::parse_s3(body).ok()?).ok()
    } else {
        oss_to_model(x::parse_oss(body).ok()?).ok()
    }
}

fn path_part(url: &str) -> &str {
    let after = url.split_once("://").map_or(url, |(_, rest)| rest);
    after.split('?').next().unwrap_or(after)
}

fuzz_target!(|data: &[u8]| {
    let _ = x::parse_s3(data);
    let Some(w) = put(data) else {
        return;
    };
    if let Ok(oss) = model_to_oss(&w).to_response_xml() {
        let _ = put(oss.as_bytes());
    }
    if let Ok(s3) = model_to_s3(&w).to_response_xml() {
        let _ = put(s3.as_bytes());
    }
    let headers: &[(&str, &str)] = &[("Host", "h.example"), ("x-a", "b"), ("Referer", "r")];
    for key in ["", "a", "abc/def", "dir/", "//a//b", "a b/中", "%2F?#"] {
        for status in [403, 404] {
            let facts = RequestFacts {
                key,
                status,
                headers,
                query: "a=1&b",
                protocol: Protocol::Https,
                host: "bucket.example:8080",
            };
            let _ = first_match(&w.rules, &facts);
            let _ = pre_lookup_match(&w.rules, &facts);
            for rule in &w.rules {
                match action(rule, &facts) {
                    Action::Redirect(r) => {
                        assert!(
                            r.location.starts_with("http://") || r.location.starts_with("https://"),
                            "{}",
                            r.location
                        );
                        assert!(!path_part(&r.location).contains("//"), "{}", r.location);
                    }
                    Action::Mirror(o) => {
                        let base = rule
                            .redirect
                            .as_ref()
                            .and_then(|r| r.mirror.url.as_deref())
                            .unwrap_or_default();
                        assert!(o.url.starts_with(base), "{} / {base}", o.url);
                    }
                    Action::Internal(_) | Action::None => {}
                }
            }
        }
    }
});
