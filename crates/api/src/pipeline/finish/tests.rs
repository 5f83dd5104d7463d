//! The finish stage: error rendering, common headers, the matched rule, metrics.

use std::net::SocketAddr;

use http::StatusCode;

use super::*;
use crate::access::Identity;
use crate::error::ApiError;
use crate::pipeline::testing::{ctx, state};

fn timing() -> Timing {
    Timing {
        started: Instant::now(),
        peer: SocketAddr::from(([127, 0, 0, 1], 1)),
        body: Arc::new(BodyProgress::default()),
        uri: http::Uri::from_static("/"),
        trail: true,
    }
}

async fn body_text(r: Response<Body>) -> String {
    use http_body_util::BodyExt;
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn errors_are_rendered_in_the_dialect_with_the_request_id() {
    let st = state();
    let cx = ctx(
        &st,
        Dialect::Oss,
        Method::GET,
        (Some("b"), Some("k")),
        Identity::Anonymous,
    );
    let r = finish(
        &cx,
        Op::GetObject,
        Err(ApiError::new(Code::NoSuchKey)),
        timing(),
    );
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["x-oss-request-id"], cx.id.as_str());
    assert_eq!(r.headers()["server"], "AliyunOSS");
    assert_eq!(r.headers()["content-type"], "application/xml");
    let text = body_text(r).await;
    assert!(text.contains("<Code>NoSuchKey</Code>"), "{text}");
    assert!(text.contains("<Key>k</Key>"), "{text}");
    assert!(
        text.contains(&format!("<RequestId>{}</RequestId>", cx.id)),
        "{text}"
    );

    let s3 = ctx(
        &st,
        Dialect::S3,
        Method::HEAD,
        (Some("b"), None),
        Identity::Anonymous,
    );
    let r = finish(
        &s3,
        Op::HeadBucket,
        Err(ApiError::new(Code::NoSuchBucket)),
        timing(),
    );
    assert_eq!(r.headers()["x-amz-request-id"], s3.id.as_str());
    assert_eq!(r.headers()["content-length"], "0");
    assert_eq!(body_text(r).await, "", "HEAD errors have no body");
}

#[tokio::test]
async fn a_matched_rule_is_reported_from_the_typed_fact() {
    let st = state();
    let cx = ctx(
        &st,
        Dialect::Oss,
        Method::GET,
        (Some("site"), Some("a")),
        Identity::Anonymous,
    );
    let mut redirect = Response::new(crate::body::empty());
    *redirect.status_mut() = StatusCode::FOUND;
    redirect.extensions_mut().insert(MatchedRule(7));
    let r = finish(&cx, Op::GetObject, Ok(redirect), timing());
    assert_eq!(r.headers()["x-ossemu-rule"], "7");
    let metrics = st.metrics.render(&st.mirror, &st.buffers);
    assert!(
        metrics.contains("ossemu_redirects_total{bucket=\"site\",rule=\"7\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains(
        "ossemu_requests_total{operation=\"GetObject\",dialect=\"oss\",status=\"302\"} 1"
    ));
    // An error a rule produced carries it too.
    let err = ApiError::new(Code::MirrorFailed).rule(3);
    let r = finish(&cx, Op::GetObject, Err(err), timing());
    assert_eq!(r.headers()["x-ossemu-rule"], "3");
    let plain = finish(
        &cx,
        Op::GetObject,
        Err(ApiError::new(Code::NoSuchKey)),
        timing(),
    );
    assert!(plain.headers().get("x-ossemu-rule").is_none());
}
