//! PutBucketCors / GetBucketCors as each dialect stores and answers them.

use crate::support::*;

const RULE: &str = "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>GET</AllowedHeader><AllowedHeader>X-Oss-Meta-*</AllowedHeader><ExposeHeader>X-Oss-Test</ExposeHeader><MaxAgeSeconds>33012</MaxAgeSeconds></CORSRule>";

async fn put_cors(s: &Server, bucket: &str, oss: bool, body: &str) -> Resp {
    let r = s
        .req("PUT", &format!("/{bucket}?cors"))
        .body(body.to_string());
    if oss { r.oss() } else { r.s3() }.send().await
}

#[tokio::test]
async fn oss_answers_response_vary_and_lower_cased_allowed_headers() {
    let s = Server::start().await;
    s.bucket("corsvary").await;
    // Without ResponseVary, OSS answers false (oss2 test_cors_with_response_vary, case 3).
    let r = put_cors(
        &s,
        "corsvary",
        true,
        &format!("<CORSConfiguration>{RULE}</CORSConfiguration>"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/corsvary?cors").oss().send().await;
    assert_eq!(g.status, 200);
    assert!(
        g.text().ends_with(
            "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>get</AllowedHeader><AllowedHeader>x-oss-meta-*</AllowedHeader><ExposeHeader>X-Oss-Test</ExposeHeader><MaxAgeSeconds>33012</MaxAgeSeconds></CORSRule><ResponseVary>false</ResponseVary></CORSConfiguration>"
        ),
        "{}",
        g.text()
    );
    // S3 has no ResponseVary element.
    let g = s.req("GET", "/corsvary?cors").s3().send().await;
    assert!(!g.text().contains("ResponseVary"), "{}", g.text());
    // Put explicitly (any case), it reads back as true/false.
    let r = put_cors(
        &s,
        "corsvary",
        true,
        &format!("<CORSConfiguration>{RULE}<ResponseVary>True</ResponseVary></CORSConfiguration>"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/corsvary?cors").oss().send().await;
    assert_eq!(
        g.xml("ResponseVary").as_deref(),
        Some("true"),
        "{}",
        g.text()
    );
    put_cors(
        &s,
        "corsvary",
        true,
        &format!("<CORSConfiguration>{RULE}<ResponseVary>maybe</ResponseVary></CORSConfiguration>"),
    )
    .await
    .assert_error(400, "MalformedXML");

    // S3 keeps allowed headers as they were put.
    let r = put_cors(
        &s,
        "corsvary",
        false,
        &format!("<CORSConfiguration>{RULE}</CORSConfiguration>"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/corsvary?cors").s3().send().await;
    assert_eq!(
        g.xml_all("AllowedHeader"),
        ["GET", "X-Oss-Meta-*"],
        "{}",
        g.text()
    );
    // Preflights match allowed headers in any case either way.
    let r = s
        .req("OPTIONS", "/corsvary/k")
        .header("origin", "http://a.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "X-OSS-META-A")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn negative_max_age_is_an_invalid_argument_in_oss() {
    let s = Server::start().await;
    s.bucket("corsage").await;
    let body = "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds></CORSRule></CORSConfiguration>";
    // oss2 test_bucket.py test_invalid_argument.
    let r = put_cors(&s, "corsage", true, body).await;
    let text = r.assert_error(400, "InvalidArgument");
    assert!(
        text.contains("<ArgumentName>MaxAgeSeconds</ArgumentName>"),
        "{text}"
    );
    assert!(text.contains("<ArgumentValue>-1</ArgumentValue>"), "{text}");
    s.req("GET", "/corsage?cors")
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchCORSConfiguration");
    // Not a number at all is malformed.
    put_cors(&s, "corsage", true, &body.replace("-1", "soon"))
        .await
        .assert_error(400, "MalformedXML");
    // S3 takes any integer.
    let r = put_cors(&s, "corsage", false, body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/corsage?cors").s3().send().await;
    assert_eq!(
        g.xml("MaxAgeSeconds").as_deref(),
        Some("-1"),
        "{}",
        g.text()
    );
}
