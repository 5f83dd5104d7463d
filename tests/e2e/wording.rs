//! Error messages as the providers word them: 412s name the condition that failed, refused
//! appends say what OSS says.

use crate::support::*;

fn message(r: &Resp) -> String {
    r.xml("Message").unwrap_or_default()
}

#[tokio::test]
async fn precondition_failures_name_their_condition() {
    let s = Server::start().await;
    s.bucket("cond").await;
    s.put("cond", "k", "body").await;
    let long_ago = "Sat, 01 Jan 2000 00:00:00 GMT";
    let oss_msg = |c: &str| {
        format!("At least one of the pre-conditions you specified did not hold. (condition: {c})")
    };
    // GET, OSS: the condition in the message (as the ali-oss SDK's tests read it).
    let r = s
        .req("GET", "/cond/k")
        .oss()
        .header("if-unmodified-since", long_ago)
        .send()
        .await;
    r.assert_error(412, "PreconditionFailed");
    assert_eq!(message(&r), oss_msg("If-Unmodified-Since"));
    let r = s
        .req("GET", "/cond/k")
        .oss()
        .header("if-match", "\"nope\"")
        .send()
        .await;
    r.assert_error(412, "PreconditionFailed");
    assert_eq!(message(&r), oss_msg("If-Match"));
    // GET, S3: a <Condition> element.
    let r = s
        .req("GET", "/cond/k")
        .s3()
        .header("if-match", "\"nope\"")
        .send()
        .await;
    let body = r.assert_error(412, "PreconditionFailed");
    assert_eq!(
        message(&r),
        "At least one of the pre-conditions you specified did not hold"
    );
    assert!(body.contains("<Condition>If-Match</Condition>"), "{body}");
    // Conditional writes.
    let r = s
        .req("PUT", "/cond/k")
        .oss()
        .header("if-none-match", "\"841A2D689AD86BD1611447453C22C6FC\"")
        .body("x")
        .send()
        .await;
    r.assert_error(412, "PreconditionFailed");
    assert_eq!(message(&r), oss_msg("If-None-Match"));
    // Copy-source conditions name the copy-source header of the dialect.
    let r = s
        .req("PUT", "/cond/copy")
        .oss()
        .header("x-oss-copy-source", "/cond/k")
        .header("x-oss-copy-source-if-match", "\"nope\"")
        .send()
        .await;
    r.assert_error(412, "PreconditionFailed");
    assert_eq!(message(&r), oss_msg("x-oss-copy-source-if-match"));
    let r = s
        .req("PUT", "/cond/copy")
        .s3()
        .header("x-amz-copy-source", "/cond/k")
        .header("x-amz-copy-source-if-unmodified-since", long_ago)
        .send()
        .await;
    let body = r.assert_error(412, "PreconditionFailed");
    assert!(
        body.contains("<Condition>x-amz-copy-source-if-unmodified-since</Condition>"),
        "{body}"
    );
}

#[tokio::test]
async fn refused_appends_are_worded_as_oss_words_them() {
    let s = Server::start().await;
    s.bucket("appw").await;
    let r = s
        .req("POST", "/appw/log?append&position=0")
        .oss()
        .body("abc")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("POST", "/appw/log?append&position=1")
        .oss()
        .body("x")
        .send()
        .await;
    let body = r.assert_error(409, "PositionNotEqualToLength");
    assert_eq!(message(&r), "Position is not equal to file length");
    assert!(body.contains("<EC>0026-00000016</EC>"), "{body}");
    assert_eq!(r.h("x-oss-next-append-position"), Some("3"));
    assert_eq!(r.h("x-oss-ec"), Some("0026-00000016"));
    s.put("appw", "plain", "p").await;
    let r = s
        .req("POST", "/appw/plain?append&position=1")
        .oss()
        .body("x")
        .send()
        .await;
    r.assert_error(409, "ObjectNotAppendable");
    assert_eq!(message(&r), "The object is not appendable");
}
