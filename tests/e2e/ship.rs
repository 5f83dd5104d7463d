//! Shipping: the configuration file, the compose example, health, metrics, CORS, shutdown.

use crate::origin::Origin;
use crate::support::*;

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// The documented example config, run twice on the same data directory: the buckets,
/// domains, rules and CORS rules exist after each start, and nothing is duplicated.
#[tokio::test]
async fn config_file_round_trip_twice() {
    let origin = Origin::start().await;
    origin.file("/img/cat.png", b"meow", &[("content-type", "image/png")]);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = origin.url();
    let args = [
        "--config",
        concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/config/ossemu.toml"),
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        data.to_str().unwrap(),
    ];
    for round in 0..2 {
        let b = Binary::start(&args, &[("ORIGIN_URL", &url)]);
        let list = b.req("GET", "/").oss().send().await;
        assert_eq!(list.xml_all("Name"), ["assets", "uploads"], "round {round}");
        assert_eq!(
            b.req("GET", "/assets?acl")
                .oss()
                .send()
                .await
                .xml("Grant")
                .as_deref(),
            Some("public-read")
        );
        // The alt credential from the file works.
        assert_eq!(
            b.req("GET", "/")
                .oss_as("alt", "alt-secret")
                .send()
                .await
                .status,
            200
        );
        // Rule 1 mirrors through the custom domain; rule 2 redirects.
        let r = b
            .req("GET", "/img/cat.png")
            .host("assets.example.test")
            .send()
            .await;
        assert_eq!(r.status, 200, "round {round}: {}", r.text());
        assert_eq!(r.text(), "meow");
        let r = b
            .req("GET", "/old/page.html")
            .host("assets.example.test")
            .send()
            .await;
        assert_eq!(r.status, 302);
        assert_eq!(
            r.h("location"),
            Some("https://www.example.com/old/page.html")
        );
        // CORS from the file.
        let r = b
            .req("OPTIONS", "/assets/x")
            .header("origin", "http://localhost:3000")
            .header("access-control-request-method", "PUT")
            .send()
            .await;
        assert_eq!(r.status, 200);
        let cnames = b.req("GET", "/assets?cname").oss().send().await;
        assert_eq!(cnames.xml_all("Domain"), ["assets.example.test"]);
        let site = b.req("GET", "/assets?website").oss().send().await;
        assert_eq!(site.xml_all("RuleNumber"), ["1", "2"]);
        b.kill();
    }
    assert_eq!(
        origin.hits("/img/cat.png").len(),
        1,
        "mirrored once, then local"
    );
}

#[test]
fn every_config_error_names_file_line_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let site = |rule: &str| {
        format!(
            "[[buckets]]\nname = \"web\"\nwebsite = \"\"\"\n<WebsiteConfiguration><RoutingRules>{rule}</RoutingRules></WebsiteConfiguration>\n\"\"\"\n"
        )
    };
    let cases: Vec<(String, usize, &str)> = vec![
        ("listen = \"127.0.0.1:9000\"\nlisten = 5\n".into(), 2, "duplicate key"),
        ("surprise = true\n".into(), 1, "unknown field `surprise`"),
        ("listen = \"not an address\"\n".into(), 1, "listen: invalid socket address"),
        ("\n[[buckets]]\nname = \"Bad_Name\"\n".into(), 3, "invalid bucket name"),
        ("[[buckets]]\nname = \"okname\"\nacl = \"everyone\"\n".into(), 3, "invalid ACL"),
        ("[[buckets]]\nname = \"okname\"\nowner = \"stranger\"\n".into(), 3, "owner \"stranger\" is not a configured credential"),
        ("[[buckets]]\nname = \"dup\"\n[[buckets]]\nname = \"dup\"\n".into(), 4, "declared twice"),
        ("[[buckets]]\nname = \"one\"\ncnames = [\"x.example.test\"]\n[[buckets]]\nname = \"two\"\ncnames = [\"x.example.test\"]\n".into(), 6, "already bound to bucket one"),
        ("[[buckets]]\nname = \"one\"\ncnames = [\"localhost\"]\n".into(), 3, "not a domain"),
        ("auth = \"maybe\"\n".into(), 1, "auth must be one of on, off"),
        ("[mirror]\ntag = \"loud\"\n".into(), 2, "mirror_tag must be one of url, bare"),
        ("[mirror]\norigins = \"intranet\"\n".into(), 2, "mirror_origins must be one of public, local, any"),
        ("metrics = \"maybe\"\n".into(), 1, "metrics must be one of open, auth, off"),
        ("[mirror]\nmax_object_size = \"6g\"\n".into(), 2, "max_object_size: \"6g\": a mirror object size limit is from 1 byte to 5g"),
        ("[[buckets]]\nname = \"okname\"\nmirror_max_object_size = \"huge\"\n".into(), 3, "mirror_max_object_size: \"huge\" is not a size"),
        ("secret_key = \"${OSSEMU_TEST_SURELY_UNSET}\"\n".into(), 1, "environment variable OSSEMU_TEST_SURELY_UNSET is not set"),
        (site("<RoutingRule><RuleNumber>1</RuleNumber><Condition/><Redirect><RedirectType>External</RedirectType><HttpRedirectCode>308</HttpRedirectCode></Redirect></RoutingRule>"), 3, "RoutingRule 1: HttpRedirectCode must be 301, 302 or 307"),
        (site("<RoutingRule>"), 3, "MalformedXML"),
        ("[[buckets]]\nname = \"web\"\nwebsite_file = \"missing.xml\"\n".into(), 3, "cannot read"),
        ("[[buckets]]\nname = \"web\"\nseed = \"no-such-dir\"\n".into(), 3, "no-such-dir: No such file"),
        ("[[buckets]]\nname = \"web\"\nseed = \"bad0.toml\"\n".into(), 3, "bad0.toml is not a directory"),
        ("[[buckets]]\nname = \"web\"\ncors = \"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>FETCH</AllowedMethod></CORSRule></CORSConfiguration>\"\n".into(), 3, "unsupported HTTP method"),
    ];
    for (i, (text, line, problem)) in cases.iter().enumerate() {
        let path = write(dir.path(), &format!("bad{i}.toml"), text);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ossemu"))
            .args(["check-config", &path])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{text}");
        assert!(err.contains(&format!("{path}:{line}:")), "{text}\n→ {err}");
        assert!(err.contains(problem), "{text}\n→ {err}");
    }
    // The server refuses to start with the same message.
    let bad = write(
        dir.path(),
        "start.toml",
        "[[buckets]]\nname = \"Bad_Name\"\n",
    );
    let err = Binary::try_start(
        &["--config", &bad, "--memory", "--listen", "127.0.0.1:0"],
        &[],
    )
    .err()
    .expect("refused");
    assert!(
        err.contains(&format!("{bad}:2: invalid bucket name")),
        "{err}"
    );
    let good = std::process::Command::new(env!("CARGO_BIN_EXE_ossemu"))
        .args([
            "check-config",
            concat!(env!("CARGO_MANIFEST_DIR"), "/docker/ossemu.toml"),
        ])
        .output()
        .unwrap();
    assert!(good.status.success());
    assert!(
        String::from_utf8_lossy(&good.stdout)
            .contains("ok (1 buckets, 1 custom domains, 2 routing rules")
    );
}

/// docker/docker-compose.yml's configuration on the binary, without Docker (tests/docker runs
/// the compose file itself): the `origin` service is a loopback origin serving docker/origin.
#[tokio::test]
async fn compose_example_works() {
    let origin = Origin::start().await;
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/docker/origin");
    for name in ["img/logo.svg", "img/hello.txt"] {
        origin.file(
            &format!("/{name}"),
            &std::fs::read(format!("{root}/{name}")).unwrap(),
            &[],
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let b = Binary::start(
        &[
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            dir.path().to_str().unwrap(),
        ],
        &[
            (
                "OSSEMU_CONFIG",
                concat!(env!("CARGO_MANIFEST_DIR"), "/docker/ossemu.toml"),
            ),
            ("ORIGIN_URL", &origin.url()),
        ],
    );
    let r = b
        .req("GET", "/img/logo.svg")
        .host("assets.example.test")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        &r.body[..],
        &std::fs::read(format!("{root}/img/logo.svg")).unwrap()[..]
    );
    assert!(
        r.h("x-oss-tag")
            .unwrap()
            .starts_with("MIRROR http%3a%2f%2f127.0.0.1")
    );
    let r = b.req("GET", "/assets/img/hello.txt").send().await;
    assert_eq!(r.text(), "served by the example origin\n");
    let r = b
        .req("GET", "/old/page.html")
        .host("assets.example.test")
        .send()
        .await;
    assert_eq!(r.status, 302);
    assert_eq!(
        r.h("location"),
        Some("https://www.example.com/old/page.html")
    );
    let r = b
        .req("GET", "/index.html")
        .host("assets.example.test")
        .send()
        .await;
    assert_eq!(r.h("content-type"), Some("text/html"));
    assert_eq!(
        &r.body[..],
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docker/seed/assets/index.html"
        ))
        .unwrap()[..]
    );
    let health = std::process::Command::new(env!("CARGO_BIN_EXE_ossemu"))
        .args(["health", "--url", &format!("http://{}", b.addr)])
        .output()
        .unwrap();
    assert!(health.status.success(), "{health:?}");
    let metrics = b.req("GET", "/_ossemu/metrics").send().await.text();
    assert!(
        metrics.contains("ossemu_mirror_fetches_total{outcome=\"stored\"} 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn health_and_metrics_after_known_traffic() {
    let s = Server::start().await;
    let origin = Origin::start().await;
    origin.file("/m", b"mirrored", &[]);
    let h = s.req("GET", "/_ossemu/health").send().await;
    assert_eq!(h.status, 200);
    assert_eq!(h.text(), "{\"status\":\"ok\"}\n");
    s.bucket("met").await;
    for k in ["a", "b", "c"] {
        s.put("met", k, "12345").await;
    }
    s.req("GET", "/met/a").s3().send().await;
    s.req("GET", "/met/zzz").oss().send().await;
    let cfg = format!(
        "<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>7</RuleNumber><Condition><KeyPrefixEquals>go/</KeyPrefixEquals></Condition><Redirect><RedirectType>External</RedirectType><HostName>example.com</HostName></Redirect></RoutingRule><RoutingRule><RuleNumber>8</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>{}</MirrorURL></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>",
        origin.url()
    );
    s.req("PUT", "/met?website").oss().body(cfg).send().await;
    s.req("POST", "/met?cname&comp=add").oss().body("<BucketCnameConfiguration><Cname><Domain>met.example.test</Domain></Cname></BucketCnameConfiguration>").send().await;
    s.req("GET", "/go/x")
        .host("met.example.test")
        .host_bucket("met")
        .oss()
        .send()
        .await;
    s.req("GET", "/go/y")
        .host("met.example.test")
        .host_bucket("met")
        .oss()
        .send()
        .await;
    assert_eq!(s.req("GET", "/met/m").oss().send().await.text(), "mirrored");
    wait_until(|| s.state.mirror.in_flight() == 0).await;
    let m = s.req("GET", "/_ossemu/metrics").send().await;
    assert_eq!(m.h("content-type"), Some("text/plain; version=0.0.4"));
    let text = m.text();
    for line in [
        "ossemu_requests_total{operation=\"PutObject\",dialect=\"oss\",status=\"200\"} 3",
        "ossemu_requests_total{operation=\"GetObject\",dialect=\"s3\",status=\"200\"} 1",
        "ossemu_requests_total{operation=\"GetObject\",dialect=\"oss\",status=\"404\"} 1",
        "ossemu_requests_total{operation=\"GetObject\",dialect=\"oss\",status=\"301\"} 2",
        "ossemu_requests_total{operation=\"CreateBucket\",dialect=\"oss\",status=\"200\"} 1",
        "ossemu_redirects_total{bucket=\"met\",rule=\"7\"} 2",
        "ossemu_mirror_fetches_total{outcome=\"stored\"} 1",
        "ossemu_mirror_origin_seconds_count 1",
        "ossemu_mirror_received_bytes_total 8",
        "ossemu_mirror_in_flight 0",
        "ossemu_buffered_request_bytes 0",
        "ossemu_buffer_budget_bytes 33554432",
    ] {
        assert!(text.contains(line), "missing {line}\n{text}");
    }
    assert!(text.contains("ossemu_request_duration_seconds_count{operation=\"PutObject\"} 3"));
    let received: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("ossemu_received_bytes_total "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(received >= 15, "3 × 5 body bytes at least, got {received}");
}

#[tokio::test]
async fn cors_preflight_and_actual_requests() {
    let s = Server::start().await;
    s.bucket("web-app").await;
    let preflight = |origin: &str, method: &str, headers: Option<&str>| {
        let mut r = s
            .req("OPTIONS", "/web-app/upload.bin")
            .header("origin", origin)
            .header("access-control-request-method", method);
        if let Some(h) = headers {
            r = r.header("access-control-request-headers", h);
        }
        r.send()
    };
    let r = preflight("http://localhost:3000", "PUT", None).await;
    let body = r.assert_error(403, "AccessForbidden");
    assert!(body.contains("CORS is not enabled"), "{body}");
    let conf = "<CORSConfiguration><CORSRule><AllowedOrigin>http://localhost:3000</AllowedOrigin><AllowedOrigin>https://*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>content-type</AllowedHeader><AllowedHeader>x-oss-*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>300</MaxAgeSeconds></CORSRule></CORSConfiguration>";
    let r = s
        .req("PUT", "/web-app?cors")
        .oss()
        .header("content-md5", &md5_b64(conf.as_bytes()))
        .body(conf)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // What a browser sends before a PUT from a dev front end.
    let r = preflight(
        "http://localhost:3000",
        "PUT",
        Some("Content-Type, X-OSS-Meta-Author"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.h("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert_eq!(r.h("access-control-allow-methods"), Some("GET, PUT"));
    assert_eq!(
        r.h("access-control-allow-headers"),
        Some("content-type, x-oss-meta-author")
    );
    assert_eq!(r.h("access-control-expose-headers"), Some("ETag"));
    assert_eq!(r.h("access-control-max-age"), Some("300"));
    assert_eq!(r.h("access-control-allow-credentials"), Some("true"));
    assert!(r.h("vary").unwrap().contains("Origin"));
    assert_eq!(
        preflight("https://app.example.com", "GET", None)
            .await
            .status,
        200
    );
    // A preflight for a presigned URL carries its query, signed for the PUT: it is not
    // checked (preflights are never authenticated).
    let r = s
        .req("OPTIONS", "/web-app/upload.bin?OSSAccessKeyId=ossemu&Expires=4102444800&Signature=c2lnbmVkLWZvci1QVVQ%3D")
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "PUT")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.h("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    // Refused: unknown origin, method or header.
    preflight("http://evil.test", "PUT", None)
        .await
        .assert_error(403, "AccessForbidden");
    preflight("http://localhost:3000", "DELETE", None)
        .await
        .assert_error(403, "AccessForbidden");
    preflight("http://localhost:3000", "PUT", Some("authorization"))
        .await
        .assert_error(403, "AccessForbidden");
    s.req("OPTIONS", "/web-app/x")
        .header("access-control-request-method", "PUT")
        .send()
        .await
        .assert_error(400, "InvalidRequest");
    // Actual requests with an Origin get the CORS headers.
    s.put("web-app", "f", "data").await;
    let r = s
        .req("GET", "/web-app/f")
        .oss()
        .header("origin", "http://localhost:3000")
        .send()
        .await;
    assert_eq!(
        r.h("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert_eq!(r.h("access-control-expose-headers"), Some("ETag"));
    let r = s
        .req("GET", "/web-app/f")
        .oss()
        .header("origin", "http://evil.test")
        .send()
        .await;
    assert!(r.h("access-control-allow-origin").is_none());
    // Configuration API in both dialects.
    let r = s.req("GET", "/web-app?cors").s3().send().await;
    assert!(
        r.text()
            .contains("<CORSConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"),
        "{}",
        r.text()
    );
    assert_eq!(r.xml_all("AllowedMethod"), ["GET", "PUT"]);
    let r = s.req("GET", "/web-app?cors").oss().send().await;
    assert_eq!(r.xml("MaxAgeSeconds").as_deref(), Some("300"));
    s.req("PUT", "/web-app?cors").oss().body("<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>FETCH</AllowedMethod></CORSRule></CORSConfiguration>").send().await.assert_error(400, "InvalidRequest");
    s.req("GET", "/web-app?cors")
        .oss_as("alt", "alt-secret")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    assert_eq!(
        s.req("DELETE", "/web-app?cors").oss().send().await.status,
        204
    );
    s.req("GET", "/web-app?cors")
        .oss()
        .send()
        .await
        .assert_error(404, "NoSuchCORSConfiguration");
}

/// SIGTERM while a PUT is in flight: the PUT completes (and survives a restart), or, when the
/// client gives up, nothing is left.
#[tokio::test]
async fn sigterm_during_put() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    let args = ["--listen", "127.0.0.1:0", "--data-dir", data.as_str()];

    let b = Binary::start(&args, &[]);
    assert_eq!(b.req("PUT", "/term").oss().send().await.status, 200);
    let body = vec![b'z'; 2 << 20];
    let mut c = half_put_then_sigterm(&b, "/term/finished", &body).await;
    c.write_all(&body[1 << 20..]).await.unwrap();
    let mut reply = vec![0u8; 512];
    let n = c.read(&mut reply).await.unwrap();
    assert!(String::from_utf8_lossy(&reply[..n]).starts_with("HTTP/1.1 200"));
    drop(c);
    assert!(b.wait(), "clean exit after the in-flight PUT");

    let b = Binary::start(&args, &[]);
    let g = b.req("GET", "/term/finished").oss().send().await;
    assert_eq!(g.body.len(), 2 << 20);
    // Now a client that stops sending after SIGTERM: nothing is stored.
    let c = half_put_then_sigterm(&b, "/term/abandoned", &body).await;
    drop(c);
    b.wait();
    let b = Binary::start(&args, &[]);
    assert_eq!(
        b.req("GET", "/term/abandoned").oss().send().await.status,
        404
    );
    assert_eq!(count_files(&dir.path().join("tmp")), 0);
    assert_eq!(
        b.req("GET", "/term/finished").oss().send().await.body.len(),
        2 << 20
    );
}

/// Sends the head and the first MiB of a PUT of `body`, then SIGTERM to the server; returns
/// the connection, still open.
async fn half_put_then_sigterm(b: &Binary, path: &str, body: &[u8]) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let head = b
        .req("PUT", path)
        .oss()
        .header("content-length", &body.len().to_string())
        .raw_head();
    let mut c = tokio::net::TcpStream::connect(b.addr).await.unwrap();
    c.write_all(head.as_bytes()).await.unwrap();
    c.write_all(&body[..1 << 20]).await.unwrap();
    b.terminate();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    c
}

#[tokio::test]
async fn locked_data_dir_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let _first = Binary::start(&["--listen", "127.0.0.1:0", "--data-dir", data], &[]);
    let err = Binary::try_start(&["--listen", "127.0.0.1:0", "--data-dir", data], &[])
        .err()
        .expect("the second server must refuse");
    assert!(err.contains("is in use by another ossemu process"), "{err}");
}

#[tokio::test]
async fn json_request_log_lines() {
    let b = Binary::start(
        &[
            "--listen",
            "127.0.0.1:0",
            "--memory",
            "--log-format",
            "json",
        ],
        &[],
    );
    assert_eq!(b.req("PUT", "/logs").oss().send().await.status, 200);
    let rule = "<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>4</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>External</RedirectType><HostName>example.com</HostName></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>";
    b.req("PUT", "/logs?website").oss().body(rule).send().await;
    let r = b.req("GET", "/logs/missing.txt").oss().send().await;
    assert_eq!(r.status, 400);
    let id = r.h("x-oss-request-id").unwrap().to_string();
    wait_until(|| b.log.lock().unwrap().iter().any(|l| l.contains(&id))).await;
    let line = b
        .log
        .lock()
        .unwrap()
        .iter()
        .find(|l| l.contains(&id))
        .unwrap()
        .clone();
    for field in [
        "\"message\":\"request\"",
        &format!("\"request_id\":\"{id}\""),
        "\"dialect\":\"Oss\"",
        "\"op\":\"GetObject\"",
        "\"bucket\":\"logs\"",
        "\"key\":\"missing.txt\"",
        "\"status\":400",
        "\"rule\":\"4\"",
        "\"ms\":",
        "\"bytes\":",
    ] {
        assert!(line.contains(field), "{field} not in {line}");
    }
    assert!(line.starts_with('{') && line.ends_with('}'), "{line}");

    // The bytes are those that went each way, streamed bodies included.
    let line_of = |id: String| {
        let b = &b;
        async move {
            wait_until(|| b.log.lock().unwrap().iter().any(|l| l.contains(&id))).await;
            let log = b.log.lock().unwrap();
            log.iter().find(|l| l.contains(&id)).unwrap().clone()
        }
    };
    let put = b
        .req("PUT", "/logs/eleven.txt")
        .oss()
        .body("hello world")
        .send()
        .await;
    let line = line_of(put.h("x-oss-request-id").unwrap().to_string()).await;
    assert!(line.contains("\"bytes_in\":11,"), "{line}");
    assert!(line.contains("\"bytes\":0,"), "{line}");
    let get = b.req("GET", "/logs/eleven.txt").oss().send().await;
    assert_eq!(get.text(), "hello world");
    let line = line_of(get.h("x-oss-request-id").unwrap().to_string()).await;
    assert!(line.contains("\"bytes_in\":0,"), "{line}");
    assert!(line.contains("\"bytes\":11,"), "{line}");
}

/// `--cname` binds after the configuration file is applied, so it may name one of its
/// buckets, on a fresh (here in-memory) store; bad domains and unknown buckets stop start-up.
#[tokio::test]
async fn cname_flag_binds_a_bucket_the_config_declares() {
    let origin = Origin::start().await;
    origin.file("/img/cat.png", b"meow", &[("content-type", "image/png")]);
    let url = origin.url();
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/config/ossemu.toml");
    let base = ["--config", config, "--listen", "127.0.0.1:0", "--memory"];
    let with = |cname: &'static str| {
        let mut a = base.to_vec();
        a.extend(["--cname", cname]);
        a
    };
    let b = Binary::start(&with("files.example.test=assets"), &[("ORIGIN_URL", &url)]);
    let r = b
        .req("GET", "/img/cat.png")
        .host("files.example.test")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "meow");
    let list = b.req("GET", "/assets?cname").oss().send().await;
    assert!(
        list.text().contains("<Domain>files.example.test</Domain>"),
        "{}",
        list.text()
    );
    b.kill();

    let err = Binary::try_start(&with("localhost=assets"), &[("ORIGIN_URL", &url)]).err();
    assert!(
        err.as_deref()
            .is_some_and(|e| e.contains("--cname localhost=assets")
                && e.contains("is not a domain that can be bound")),
        "{err:?}"
    );
    let err = Binary::try_start(&with("x.example.test=nope"), &[("ORIGIN_URL", &url)]).err();
    assert!(
        err.as_deref()
            .is_some_and(|e| e.contains("binding --cname x.example.test=nope")),
        "{err:?}"
    );
}

/// `/_ossemu/...` is the server's own only in path style; in a virtual-host bucket it is a key.
#[tokio::test]
async fn internal_paths_do_not_shadow_keys_of_virtual_host_buckets() {
    let s = Server::start().await;
    s.bucket("vhb").await;
    let put = s
        .req("PUT", "/_ossemu/health")
        .host("vhb.localhost")
        .oss()
        .body("my object")
        .send()
        .await;
    assert_eq!(put.status, 200, "{}", put.text());
    let get = s
        .req("GET", "/_ossemu/health")
        .host("vhb.localhost")
        .oss()
        .send()
        .await;
    assert_eq!(get.status, 200);
    assert_eq!(get.text(), "my object");
    let listed = s.req("GET", "/vhb").oss().send().await;
    assert_eq!(listed.xml_all("Key"), ["_ossemu/health"]);
    let health = s.req("GET", "/_ossemu/health").send().await;
    assert_eq!(health.text(), "{\"status\":\"ok\"}\n");
}

/// Owner ids and display names from the file (default credential and `[[credentials]]`),
/// a bucket's `owner` by access key or by owner id, and the environment winning over the file.
#[tokio::test]
async fn owner_ids_from_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "owners.toml",
        r#"access_key = "main"
secret_key = "main-secret"
owner_id = "100001"
display_name = "Main User"

[[credentials]]
access_key = "alt"
secret_key = "alt-secret"
display_name = "Alt User"
owner_id = "200002"

[[buckets]]
name = "mains"

[[buckets]]
name = "alts"
owner = "alt"

[[buckets]]
name = "alts-by-id"
owner = "200002"
"#,
    );
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_ossemu"))
        .args(["check-config", &path])
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
    let args = [
        "--config",
        path.as_str(),
        "--memory",
        "--listen",
        "127.0.0.1:0",
    ];
    let b = Binary::start(&args, &[]);
    let mine = b.req("GET", "/").oss_as("main", "main-secret").send().await;
    assert_eq!(mine.xml_all("Name"), ["mains"], "{}", mine.text());
    assert_eq!(mine.xml("ID").as_deref(), Some("100001"));
    assert_eq!(mine.xml("DisplayName").as_deref(), Some("Main User"));
    let alts = b.req("GET", "/").s3_as("alt", "alt-secret").send().await;
    assert_eq!(
        alts.xml_all("Name"),
        ["alts", "alts-by-id"],
        "{}",
        alts.text()
    );
    let acl = b
        .req("GET", "/alts?acl")
        .oss_as("alt", "alt-secret")
        .send()
        .await;
    assert_eq!(acl.xml("ID").as_deref(), Some("200002"), "{}", acl.text());
    assert_eq!(acl.xml("DisplayName").as_deref(), Some("Alt User"));
    b.kill();
    // The environment wins over the file.
    let b = Binary::start(
        &args,
        &[
            ("OSSEMU_OWNER_ID", "555"),
            ("OSSEMU_DISPLAY_NAME", "From Env"),
        ],
    );
    let r = b
        .req("GET", "/mains?acl")
        .oss_as("main", "main-secret")
        .send()
        .await;
    // The bucket was declared for the default owner, which is now 555.
    assert_eq!(r.xml("ID").as_deref(), Some("555"), "{}", r.text());
    assert_eq!(r.xml("DisplayName").as_deref(), Some("From Env"));
    b.kill();
}

/// `--owner-id` / `--display-name` for the default credential, `--credential` with a name
/// holding an escaped `:` and an owner id, and the flag winning over the environment.
#[tokio::test]
async fn owner_ids_from_flags() {
    let b = Binary::start(
        &[
            "--memory",
            "--listen",
            "127.0.0.1:0",
            "--owner-id",
            "42",
            "--display-name",
            "Flag User",
            "--credential",
            r"other:other-secret:Other\:Name:43",
        ],
        &[("OSSEMU_OWNER_ID", "77")],
    );
    let r = b.req("GET", "/").oss().send().await;
    assert_eq!(r.xml("ID").as_deref(), Some("42"), "{}", r.text());
    assert_eq!(r.xml("DisplayName").as_deref(), Some("Flag User"));
    assert_eq!(
        b.req("PUT", "/others")
            .s3_as("other", "other-secret")
            .send()
            .await
            .status,
        200
    );
    let acl = b
        .req("GET", "/others?acl")
        .s3_as("other", "other-secret")
        .send()
        .await;
    assert_eq!(acl.xml_all("ID"), ["43", "43"], "{}", acl.text());
    assert_eq!(acl.xml("DisplayName").as_deref(), Some("Other:Name"));
    b.kill();
    // Without them, the owner id and display name are the access key, as before.
    let b = Binary::start(&["--memory", "--listen", "127.0.0.1:0"], &[]);
    let r = b.req("GET", "/").oss().send().await;
    assert_eq!(r.xml("ID").as_deref(), Some(AK), "{}", r.text());
    assert_eq!(r.xml("DisplayName").as_deref(), Some(AK));
    b.kill();
}

/// `--metrics auth` asks for HTTP Basic authorization with a configured credential (what a
/// Prometheus `basic_auth` sends); `--metrics off` hides the page; health stays open.
#[tokio::test]
async fn metrics_behind_a_credential_or_off() {
    use base64::Engine;
    let basic = |pair: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    };
    let s = Server::start_with(|c| c.metrics = ossemu_api::MetricsAccess::Auth).await;
    let r = s.req("GET", "/_ossemu/metrics").send().await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.h("www-authenticate"),
        Some("Basic realm=\"ossemu metrics\"")
    );
    assert!(!r.text().contains("ossemu_requests_total"));
    for wrong in [
        "ossemu:wrong",
        "nobody:ossemu-secret",
        "ossemu:ossemu-secretX",
    ] {
        let r = s
            .req("GET", "/_ossemu/metrics")
            .header("authorization", &basic(wrong))
            .send()
            .await;
        assert_eq!(r.status, 401, "{wrong}");
    }
    for right in ["ossemu:ossemu-secret", "alt:alt-secret"] {
        let r = s
            .req("GET", "/_ossemu/metrics")
            .header("authorization", &basic(right))
            .send()
            .await;
        assert_eq!(r.status, 200, "{right}");
        assert!(r.text().contains("ossemu_requests_total"));
    }
    assert_eq!(s.req("GET", "/_ossemu/health").send().await.status, 200);

    let off = Server::start_with(|c| c.metrics = ossemu_api::MetricsAccess::Off).await;
    let r = off
        .req("GET", "/_ossemu/metrics")
        .header("authorization", &basic("ossemu:ossemu-secret"))
        .send()
        .await;
    assert_eq!(r.status, 404);
    assert!(!r.text().contains("ossemu_requests_total"));
    assert_eq!(off.req("GET", "/_ossemu/health").send().await.status, 200);

    // The flag, as the binary takes it.
    let b = Binary::start(
        &["--listen", "127.0.0.1:0", "--memory", "--metrics", "auth"],
        &[],
    );
    assert_eq!(b.req("GET", "/_ossemu/metrics").send().await.status, 401);
    let r = b
        .req("GET", "/_ossemu/metrics")
        .header("authorization", &basic("ossemu:ossemu-secret"))
        .send()
        .await;
    assert_eq!(r.status, 200);
}

/// Without system CA certificates (a scratch or distroless image; here SSL_CERT_FILE and
/// SSL_CERT_DIR name an empty file and an empty directory) ossemu starts and serves, and
/// checks https origins against the roots built into it; with the system's, it uses those.
#[tokio::test]
async fn starts_without_system_ca_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.pem", "");
    let dir_str = dir.path().to_str().unwrap();
    let args = ["--memory", "--listen", "127.0.0.1:0"];
    let b = Binary::start(
        &args,
        &[("SSL_CERT_FILE", &empty), ("SSL_CERT_DIR", dir_str)],
    );
    assert_eq!(b.req("GET", "/_ossemu/health").send().await.status, 200);
    let bundled = "Mozilla roots built into ossemu";
    wait_until(|| b.log.lock().unwrap().iter().any(|l| l.contains(bundled))).await;
    assert!(
        b.log
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("No CA certificates were loaded from the system")),
        "the log says why"
    );
    b.terminate();
    assert!(b.wait(), "a clean exit");

    let system = "/etc/ssl/certs/ca-certificates.crt";
    if !std::path::Path::new(system).exists() {
        eprintln!("{system} is missing: the half with system certificates is not run");
        return;
    }
    let b = Binary::start(
        &args,
        &[("SSL_CERT_FILE", system), ("SSL_CERT_DIR", dir_str)],
    );
    assert_eq!(b.req("GET", "/_ossemu/health").send().await.status, 200);
    b.terminate();
    let log = b.log.clone();
    assert!(b.wait());
    assert!(
        !log.lock().unwrap().iter().any(|l| l.contains(bundled)),
        "the system's certificates are used when there are some"
    );
}

/// A bucket's `seed` directory: its files become objects when their keys are missing, with
/// keys from their relative paths and content types from their extensions; existing objects
/// are kept, deleted ones come back at the next start.
#[tokio::test]
async fn seed_directory_uploads_missing_keys_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("files");
    std::fs::create_dir_all(seed.join("css")).unwrap();
    std::fs::write(seed.join("index.html"), "<h1>seeded</h1>").unwrap();
    std::fs::write(seed.join("css/site.css"), "h1 { color: red }").unwrap();
    std::fs::write(seed.join("data.bin"), vec![7u8; 3 << 20]).unwrap();
    let config = write(
        dir.path(),
        "seed.toml",
        "[[buckets]]\nname = \"site\"\nacl = \"public-read\"\nseed = \"files\"\n",
    );
    let data = dir.path().join("data");
    let args = [
        "--config",
        &config,
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        data.to_str().unwrap(),
    ];
    let b = Binary::start(&args, &[]);
    let r = b.req("GET", "/site/index.html").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "<h1>seeded</h1>");
    assert_eq!(r.h("content-type"), Some("text/html"));
    let r = b.req("GET", "/site/css/site.css").s3().send().await;
    assert_eq!(r.h("content-type"), Some("text/css"));
    assert_eq!(r.text(), "h1 { color: red }");
    let r = b.req("GET", "/site/data.bin").send().await;
    assert_eq!(r.h("content-type"), Some("application/octet-stream"));
    assert_eq!(r.body.len(), 3 << 20);
    assert_eq!(
        r.h("etag").unwrap().to_ascii_lowercase(),
        format!("\"{}\"", md5_hex(&vec![7u8; 3 << 20]))
    );
    let list = b.req("GET", "/site?list-type=2").s3().send().await;
    assert_eq!(
        list.xml_all("Key"),
        ["css/site.css", "data.bin", "index.html"]
    );
    // An object written since is kept; a deleted one comes back.
    b.req("PUT", "/site/index.html")
        .oss()
        .body("edited")
        .send()
        .await;
    b.req("DELETE", "/site/css/site.css").oss().send().await;
    std::fs::write(seed.join("data.bin"), "changed on disk").unwrap();
    b.terminate();
    assert!(b.wait());
    let b = Binary::start(&args, &[]);
    assert_eq!(
        b.req("GET", "/site/index.html").send().await.text(),
        "edited"
    );
    assert_eq!(
        b.req("GET", "/site/css/site.css").send().await.text(),
        "h1 { color: red }"
    );
    assert_eq!(
        b.req("GET", "/site/data.bin").send().await.body.len(),
        3 << 20
    );
    wait_until(|| {
        b.log
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("uploaded=1") && l.contains("present=2"))
    })
    .await;
}
