//! OSS access logging: the `?logging` configuration and its checks, and the log objects
//! ossemu writes into the target bucket when the buffered lines are flushed.

use crate::support::*;

fn logging_xml(target: &str, prefix: &str) -> String {
    format!(
        "<BucketLoggingStatus><LoggingEnabled><TargetBucket>{target}</TargetBucket>\
         <TargetPrefix>{prefix}</TargetPrefix></LoggingEnabled></BucketLoggingStatus>"
    )
}

async fn flush(s: &Server) -> serde_json::Value {
    let r = s.req("POST", "/_ossemu/logs/flush").send().await;
    assert_eq!(r.status, 200, "{}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

/// Splits a log line into its fields: space-separated, `"..."` and `[...]` kept whole.
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while !rest.is_empty() {
        let (field, after) = match rest.as_bytes()[0] {
            b'"' => {
                let end = rest[1..].find('"').unwrap() + 1;
                (&rest[1..end], &rest[end + 1..])
            }
            b'[' => {
                let end = rest.find(']').unwrap();
                (&rest[1..end], &rest[end + 1..])
            }
            _ => {
                let end = rest.find(' ').unwrap_or(rest.len());
                (&rest[..end], &rest[end..])
            }
        };
        out.push(field.to_string());
        rest = after.trim_start();
    }
    out
}

#[tokio::test]
async fn logging_configuration_is_checked_kept_and_removed() {
    let s = Server::start().await;
    s.bucket("src").await;
    s.bucket("dst").await;
    let r = s.req("GET", "/src?logging").oss().send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.xml("TargetBucket"), None);
    let r = s
        .req("PUT", "/src?logging")
        .oss()
        .body(logging_xml("missing", "x/"))
        .send()
        .await;
    r.assert_error(400, "InvalidTargetBucketForLogging");
    let r = s
        .req("PUT", "/other")
        .oss_as("alt", "alt-secret")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("PUT", "/src?logging")
        .oss()
        .body(logging_xml("other", "x/"))
        .send()
        .await;
    r.assert_error(400, "InvalidTargetBucketForLogging");
    let r = s
        .req("PUT", "/src?logging")
        .oss()
        .body(logging_xml("dst", "日志+/"))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req("GET", "/src?logging").oss().send().await;
    assert_eq!(r.xml("TargetBucket").as_deref(), Some("dst"));
    assert_eq!(r.xml("TargetPrefix").as_deref(), Some("日志+/"));
    let info = s.req("GET", "/src?bucketInfo").oss().send().await;
    assert_eq!(info.xml("LogBucket").as_deref(), Some("dst"));
    let r = s.req("DELETE", "/src?logging").oss().send().await;
    assert_eq!(r.status, 204);
    let r = s.req("GET", "/src?logging").oss().send().await;
    assert_eq!(r.xml("TargetBucket"), None);
}

#[tokio::test]
async fn requests_to_a_logged_bucket_become_log_objects() {
    let s = Server::start().await;
    s.bucket("site").await;
    s.bucket("logs").await;
    let sse = "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault>\
               <SSEAlgorithm>SM4</SSEAlgorithm></ApplyServerSideEncryptionByDefault>\
               </ServerSideEncryptionRule>";
    let r = s
        .req("PUT", "/logs?encryption")
        .oss()
        .body(sse)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("PUT", "/site?logging")
        .oss()
        .body(logging_xml("logs", "access/"))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    s.put("site", "a b.txt", "hello").await;
    let r = s
        .req("GET", "/site/a%20b.txt")
        .oss()
        .header("user-agent", "e2e-agent")
        .header("referer", "http://example.com/")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let missing = s.req("GET", "/site/missing").oss().send().await;
    assert_eq!(missing.status, 404);
    let list = s.req("GET", "/site?prefix=a").oss().send().await;
    assert_eq!(list.status, 200);
    // Requests to the target bucket itself are not logged (it has no logging).
    s.put("logs", "unrelated", "x").await;
    let written = flush(&s).await;
    let written = written["written"].as_array().unwrap();
    assert_eq!(written.len(), 1, "{written:?}");
    let name = written[0].as_str().unwrap();
    let key = name.strip_prefix("logs/").unwrap();
    assert!(key.starts_with("access/site20"), "{key}");
    assert!(key.ends_with("-0001"), "{key}");
    let body = s.req("GET", &format!("/logs/{key}")).oss().send().await;
    assert_eq!(body.status, 200);
    assert_eq!(body.h("x-oss-server-side-encryption"), Some("SM4"));
    let text = body.text();
    let lines: Vec<Vec<String>> = text.lines().map(fields).collect();
    // PutBucketLogging itself, then the four requests after it.
    let ops: Vec<&str> = lines.iter().map(|f| f[14].as_str()).collect();
    assert_eq!(
        ops,
        [
            "PutBucketLogging",
            "PutObject",
            "GetObject",
            "GetObject",
            "ListObjects"
        ]
    );
    let get = &lines[2];
    assert_eq!(get[0], "127.0.0.1");
    assert_eq!(get[4], "GET /site/a%20b.txt HTTP/1.1");
    assert_eq!(get[5], "200");
    assert_eq!(get[6], "5");
    assert_eq!(get[8], "http://example.com/");
    assert_eq!(get[9], "e2e-agent");
    assert_eq!(get[11], r.h("x-oss-request-id").unwrap());
    assert_eq!(get[15], "site");
    assert_eq!(get[16], "a%20b.txt");
    assert_eq!(get[17], "5");
    assert_eq!(get[19], "-");
    assert_eq!(get[27], AK);
    let miss = &lines[3];
    assert_eq!(miss[5], "404");
    assert_eq!(miss[19], "NoSuchKey");
    assert_eq!(lines[1][17], "5", "PutObject logs the size written");
    // Nothing new: a flush writes nothing; new requests go to a new object.
    assert!(flush(&s).await["written"].as_array().unwrap().is_empty());
    s.put("site", "again", "x").await;
    let written = flush(&s).await;
    let second = written["written"][0].as_str().unwrap().to_string();
    assert_ne!(second, name);
    let text = s
        .req("GET", &format!("/{second}"))
        .oss()
        .send()
        .await
        .text();
    assert_eq!(text.lines().count(), 1);
    assert!(text.contains("\"PutObject\" \"site\" \"again\""), "{text}");
}

/// The user-defined log fields add the named headers and parameters to each line.
#[tokio::test]
async fn user_defined_fields_are_logged() {
    let s = Server::start().await;
    s.bucket("ufb").await;
    let r = s
        .req("GET", "/ufb?userDefinedLogFieldsConfig")
        .oss()
        .send()
        .await;
    r.assert_error(404, "NoSuchUserDefinedLogFieldsConfig");
    let conf = "<UserDefinedLogFieldsConfiguration><HeaderSet><header>x-trace</header>\
                </HeaderSet><ParamSet><parameter>tag</parameter></ParamSet>\
                </UserDefinedLogFieldsConfiguration>";
    let r = s
        .req("PUT", "/ufb?userDefinedLogFieldsConfig")
        .oss()
        .body(conf)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s
        .req("GET", "/ufb?userDefinedLogFieldsConfig")
        .oss()
        .send()
        .await;
    assert_eq!(r.xml("header").as_deref(), Some("x-trace"));
    let r = s
        .req("PUT", "/ufb?logging")
        .oss()
        .body(logging_xml("ufb", ""))
        .send()
        .await;
    assert_eq!(r.status, 200);
    s.put("ufb", "k", "v").await;
    let r = s
        .req("GET", "/ufb/k?tag=t1")
        .oss()
        .header("x-trace", "abc")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let written = flush(&s).await;
    let name = written["written"][0].as_str().unwrap().to_string();
    assert!(name.starts_with("ufb/ufb20"), "{name}");
    let text = s.req("GET", &format!("/{name}")).oss().send().await.text();
    let last = text.lines().last().unwrap();
    let f = fields(last);
    assert_eq!(f[14], "GetObject");
    assert_eq!(f.len(), 29, "{last}");
    assert_eq!(f[28], "x-trace=abc&tag=t1");
}

/// The flusher writes the buffered lines on its own every `access_log_interval`.
#[tokio::test]
async fn logs_are_written_on_a_schedule() {
    let s =
        Server::start_with(|c| c.access_log_interval = std::time::Duration::from_millis(200)).await;
    s.bucket("sched").await;
    let r = s
        .req("PUT", "/sched?logging")
        .oss()
        .body(logging_xml("sched", "log-"))
        .send()
        .await;
    assert_eq!(r.status, 200);
    s.put("sched", "obj", "x").await;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let list = s.req("GET", "/sched?prefix=log-sched").oss().send().await;
        let keys = list.xml_all("Key");
        if let Some(key) = keys.first() {
            let text = s
                .req("GET", &format!("/sched/{key}"))
                .oss()
                .send()
                .await
                .text();
            assert!(text.contains("\"PutObject\" \"sched\" \"obj\""), "{text}");
            return;
        }
    }
    panic!("no log object was written on schedule");
}

/// A graceful stop writes the lines still buffered.
#[tokio::test]
async fn graceful_stop_writes_buffered_logs() {
    let s = Server::start().await;
    s.bucket("stoplog").await;
    let r = s
        .req("PUT", "/stoplog?logging")
        .oss()
        .body(logging_xml("stoplog", "l/"))
        .send()
        .await;
    assert_eq!(r.status, 200);
    s.put("stoplog", "k", "v").await;
    let dir = s.stop().await;
    let store = ossemu_store::Store::open(&ossemu_store::StoreOptions {
        data_dir: Some(dir.path().to_path_buf()),
    })
    .unwrap();
    let logs: Vec<String> = store
        .meta()
        .scan_objects("stoplog", ossemu_store::ScanFrom::At(""))
        .map(|r| r.unwrap().0)
        .filter(|k| k.starts_with("l/stoplog"))
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
}

/// S3's PutBucketLogging and GetBucketLogging take the same `<BucketLoggingStatus>`, and an
/// S3 request to a logged bucket is logged too (in OSS's line format).
#[tokio::test]
async fn s3_configures_logging_and_its_requests_are_logged() {
    let s = Server::start().await;
    s.bucket("s3-logged").await;
    s.bucket("s3-logs").await;
    let r = s
        .req("PUT", "/s3-logged?logging")
        .s3()
        .body(logging_xml("s3-logs", "acc/"))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/s3-logged?logging").s3().send().await;
    assert!(
        g.text()
            .contains("xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""),
        "{}",
        g.text()
    );
    assert_eq!(g.xml("TargetBucket").as_deref(), Some("s3-logs"));
    assert_eq!(g.xml("TargetPrefix").as_deref(), Some("acc/"));
    let p = s.req("PUT", "/s3-logged/k").s3().body("v").send().await;
    assert_eq!(p.status, 200);
    let written = flush(&s).await;
    let key = written["written"][0]
        .as_str()
        .expect("a log object")
        .to_string();
    let key = key.strip_prefix("s3-logs/").expect("in the target bucket");
    let log = s.req("GET", &format!("/s3-logs/{key}")).s3().send().await;
    let line = log
        .text()
        .lines()
        .find(|l| l.contains("PutObject"))
        .map(fields);
    let line = line.unwrap_or_else(|| panic!("no PutObject line in {}", log.text()));
    assert!(line.iter().any(|f| f == "s3-logged"), "{line:?}");
    // An empty status turns it off.
    let off = s
        .req("PUT", "/s3-logged?logging")
        .s3()
        .body(r#"<BucketLoggingStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#)
        .send()
        .await;
    assert_eq!(off.status, 200, "{}", off.text());
    let g = s.req("GET", "/s3-logged?logging").s3().send().await;
    assert_eq!(g.xml("TargetBucket"), None);
}
