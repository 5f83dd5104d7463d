//! Event notifications: PutBucketNotificationConfiguration naming webhook targets, and the S3
//! event messages a loopback webhook receiver gets for every kind of write, in order, after
//! retries, past a hanging receiver, and across a restart of the binary.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ossemu_api::notify::Webhook;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use crate::origin::Origin;
use crate::support::*;

/// How the receiver answers.
#[derive(Clone)]
enum Answer {
    /// 200.
    Ok,
    /// Records the POST, then waits for the gate before answering 200.
    Hang(Arc<Notify>),
}

/// One POST the receiver got.
#[derive(Clone, Debug)]
struct Post {
    path: String,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Post {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The only record.
    fn record(&self) -> &Value {
        let records = self.body["Records"].as_array().expect("Records");
        assert_eq!(records.len(), 1, "{}", self.body);
        &records[0]
    }

    fn event(&self) -> String {
        self.record()["eventName"].as_str().unwrap().to_string()
    }

    fn key(&self) -> String {
        self.record()["s3"]["object"]["key"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// A webhook receiver on loopback: records every POST, answers as told.
struct Receiver {
    addr: SocketAddr,
    posts: Arc<Mutex<Vec<Post>>>,
    answer: Arc<Mutex<Answer>>,
}

/// A loopback address nothing listens on (yet).
async fn free_addr() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap()
}

impl Receiver {
    async fn start() -> Self {
        Self::start_on(free_addr().await).await
    }

    async fn start_on(addr: SocketAddr) -> Self {
        let listener = TcpListener::bind(addr).await.unwrap();
        let posts: Arc<Mutex<Vec<Post>>> = Arc::default();
        let answer = Arc::new(Mutex::new(Answer::Ok));
        let (p, a) = (posts.clone(), answer.clone());
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(serve(sock, p.clone(), a.clone()));
            }
        });
        Self {
            addr,
            posts,
            answer,
        }
    }

    fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    fn posts(&self) -> Vec<Post> {
        self.posts.lock().unwrap().clone()
    }

    /// Waits (up to 90 s: delivery backs off for about a minute) for `n` POSTs.
    async fn wait_for(&self, n: usize) -> Vec<Post> {
        for _ in 0..9000 {
            let got = self.posts();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{n} POSTs expected, got {:?}", self.posts());
    }
}

async fn serve(mut sock: TcpStream, posts: Arc<Mutex<Vec<Post>>>, answer: Arc<Mutex<Answer>>) {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        match sock.read(&mut tmp).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&tmp[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("/")
        .to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        match sock.read(&mut tmp).await {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&tmp[..n]),
        }
    }
    let body = serde_json::from_slice(&body).expect("a JSON body");
    let how = answer.lock().unwrap().clone();
    posts.lock().unwrap().push(Post {
        path,
        headers,
        body,
    });
    if let Answer::Hang(gate) = how {
        gate.notified().await;
    }
    let _ = sock
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        .await;
}

fn hook(name: &str, url: &str) -> Webhook {
    Webhook {
        name: name.into(),
        url: url.into(),
        auth_header: None,
    }
}

/// A server whose webhook targets are `hooks`.
async fn server(hooks: Vec<Webhook>) -> Server {
    Server::start_with(|c| c.webhooks = hooks).await
}

async fn put_notification(s: &Server, bucket: &str, xml: &str) -> Resp {
    s.req("PUT", &format!("/{bucket}?notification"))
        .s3()
        .body(xml.to_string())
        .send()
        .await
}

/// Every object event of `bucket` to target `name`.
fn everything(name: &str) -> String {
    format!(
        "<NotificationConfiguration><QueueConfiguration><Id>all</Id><Queue>arn:aws:sqs:us-east-1:000000000000:{name}</Queue><Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:*</Event></QueueConfiguration></NotificationConfiguration>"
    )
}

async fn subscribed(s: &Server, bucket: &str, name: &str) {
    let r = put_notification(s, bucket, &everything(name)).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn configuration_round_trips_and_bad_input_gets_s3_errors() {
    let s = server(vec![
        hook("orders", "http://127.0.0.1:9/a"),
        hook("audit", "http://127.0.0.1:9/b"),
    ])
    .await;
    s.bucket("notes").await;
    let empty = s.req("GET", "/notes?notification").s3().send().await;
    assert_eq!(empty.status, 200);
    assert!(
        empty.text().contains(
            "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>"
        ),
        "{}",
        empty.text()
    );
    let conf = "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
        <TopicConfiguration><Topic>arn:aws:sns:us-east-1:000000000000:audit</Topic><Event>s3:ObjectRemoved:*</Event></TopicConfiguration>\
        <QueueConfiguration><Id>csv-in</Id><Queue>arn:aws:sqs:us-east-1:000000000000:orders</Queue><Event>s3:ObjectCreated:Put</Event><Event>s3:ObjectCreated:Mirror</Event>\
        <Filter><S3Key><FilterRule><Name>prefix</Name><Value>in/</Value></FilterRule><FilterRule><Name>suffix</Name><Value>.csv</Value></FilterRule></S3Key></Filter></QueueConfiguration>\
        <CloudFunctionConfiguration><Id>fn</Id><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:orders</CloudFunction><Event>s3:ObjectCreated:CompleteMultipartUpload</Event></CloudFunctionConfiguration>\
        </NotificationConfiguration>";
    let r = put_notification(&s, "notes", conf).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = s.req("GET", "/notes?notification").s3().send().await;
    assert_eq!(g.status, 200);
    assert_eq!(
        g.xml_all("Event"),
        [
            "s3:ObjectRemoved:*",
            "s3:ObjectCreated:Put",
            "s3:ObjectCreated:Mirror",
            "s3:ObjectCreated:CompleteMultipartUpload"
        ]
    );
    let ids = g.xml_all("Id");
    assert_eq!(ids.len(), 3);
    assert!(!ids[0].is_empty(), "an Id is made up for the topic");
    assert_eq!(&ids[1..], ["csv-in", "fn"]);
    assert_eq!(
        g.xml("Queue").as_deref(),
        Some("arn:aws:sqs:us-east-1:000000000000:orders")
    );
    assert_eq!(
        g.xml("CloudFunction").as_deref(),
        Some("arn:aws:lambda:us-east-1:000000000000:function:orders")
    );
    assert_eq!(g.xml_all("Value"), ["in/", ".csv"]);
    assert_eq!(g.xml_all("Name"), ["prefix", "suffix"]);

    // An ARN naming no declared target, as S3 refuses a destination it cannot validate.
    let unknown = everything("nobody");
    let r = put_notification(&s, "notes", &unknown).await;
    r.assert_error(400, "InvalidArgument");
    assert_eq!(
        r.xml("Message").as_deref(),
        Some("Unable to validate the following destination configurations")
    );
    assert_eq!(
        r.xml("ArgumentName1").as_deref(),
        Some("arn:aws:sqs:us-east-1:000000000000:nobody")
    );
    let r = put_notification(
        &s,
        "notes",
        &everything("orders").replace("s3:ObjectRemoved:*", "s3:ObjectRestore:Post"),
    )
    .await;
    r.assert_error(400, "InvalidArgument");
    assert_eq!(
        r.xml("ArgumentValue").as_deref(),
        Some("s3:ObjectRestore:Post")
    );
    let bad_rule = conf.replace("<Name>suffix</Name>", "<Name>middle</Name>");
    put_notification(&s, "notes", &bad_rule)
        .await
        .assert_error(400, "InvalidArgument");
    put_notification(
        &s,
        "notes",
        "<NotificationConfiguration><QueueConfiguration>",
    )
    .await
    .assert_error(400, "MalformedXML");
    // Two destinations that could take the same event.
    let overlap = everything("orders").replace(
        "</NotificationConfiguration>",
        "<TopicConfiguration><Topic>arn:aws:sns:us-east-1:000000000000:audit</Topic><Event>s3:ObjectCreated:Put</Event></TopicConfiguration></NotificationConfiguration>",
    );
    let r = put_notification(&s, "notes", &overlap).await;
    r.assert_error(400, "InvalidArgument");
    assert_eq!(
        r.xml("Message").as_deref(),
        Some(
            "Configurations overlap. Configurations on the same bucket cannot share a common event type."
        )
    );
    // A refused configuration leaves the stored one as it was.
    let again = s.req("GET", "/notes?notification").s3().send().await;
    assert_eq!(again.text(), g.text());
    // Only the owner.
    s.req("GET", "/notes?notification")
        .s3_as("alt", "alt-secret")
        .send()
        .await
        .assert_error(403, "AccessDenied");
    // S3's skip-destination-validation stores an unknown target; its events go nowhere.
    let r = s
        .req("PUT", "/notes?notification")
        .s3()
        .header("x-amz-skip-destination-validation", "true")
        .body(unknown.clone())
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let stored = s.req("GET", "/notes?notification").s3().send().await;
    assert_eq!(
        stored.xml("Queue").as_deref(),
        Some("arn:aws:sqs:us-east-1:000000000000:nobody")
    );
    s.put("notes", "unheard", "x").await;
    let m = s.req("GET", "/_ossemu/metrics").send().await.text();
    assert!(
        m.contains("ossemu_notification_queue_length{target=\"orders\"} 0"),
        "{m}"
    );
    assert!(!m.contains("target=\"nobody\""), "{m}");
    // An empty configuration turns notifications off.
    let r = put_notification(&s, "notes", "<NotificationConfiguration/>").await;
    assert_eq!(r.status, 200);
    let off = s.req("GET", "/notes?notification").s3().send().await;
    assert!(off.xml("Event").is_none(), "{}", off.text());
    s.req("GET", "/no-such-bucket?notification")
        .s3()
        .send()
        .await
        .assert_error(404, "NoSuchBucket");
}

#[tokio::test]
async fn every_write_path_sends_its_event() {
    let rx = Receiver::start().await;
    let s = server(vec![Webhook {
        auth_header: Some(("Authorization".into(), "Bearer t0ken".into())),
        ..hook("orders", &rx.url())
    }])
    .await;
    s.req("PUT", "/events")
        .oss()
        .header("x-oss-acl", "public-read-write")
        .send()
        .await;
    subscribed(&s, "events", "orders").await;

    let put = s.put("events", "docs/a b+c.txt", "hello").await;
    let copy = s
        .req("PUT", "/events/copy.txt")
        .s3()
        .header("x-amz-copy-source", "/events/docs/a%20b%2Bc.txt")
        .send()
        .await;
    assert_eq!(copy.status, 200, "{}", copy.text());
    // CompleteMultipartUpload.
    let id = s
        .req("POST", "/events/mp.bin?uploads")
        .s3()
        .send()
        .await
        .xml("UploadId")
        .unwrap();
    let part = s
        .req("PUT", &format!("/events/mp.bin?partNumber=1&uploadId={id}"))
        .s3()
        .body(vec![7u8; 1000])
        .send()
        .await;
    let done = s
        .req("POST", &format!("/events/mp.bin?uploadId={id}"))
        .s3()
        .body(format!(
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>",
            part.h("etag").unwrap()
        ))
        .send()
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    // PostObject (an anonymous form into a public-read-write bucket).
    let (ct, form) = crate::post_object::form(&[("key", "form.txt")], b"from a form");
    let posted = s
        .req("POST", "/events")
        .header("content-type", &ct)
        .body(form)
        .send()
        .await;
    assert_eq!(posted.status, 204, "{}", posted.text());
    // AppendObject counts as a Put.
    let appended = s
        .req("POST", "/events/log.txt?append&position=0")
        .oss()
        .body("line\n")
        .send()
        .await;
    assert_eq!(appended.status, 200, "{}", appended.text());
    let del = s.req("DELETE", "/events/copy.txt").s3().send().await;
    assert_eq!(del.status, 204);
    let batch = "<Delete><Object><Key>form.txt</Key></Object></Delete>";
    let multi = s
        .req("POST", "/events?delete")
        .s3()
        .header("content-md5", &md5_b64(batch.as_bytes()))
        .body(batch)
        .send()
        .await;
    assert_eq!(multi.status, 200, "{}", multi.text());
    // A delete of a missing key changes nothing and sends nothing.
    let missing = s.req("DELETE", "/events/never-was").s3().send().await;
    assert_eq!(missing.status, 204);
    // A failed write sends nothing.
    s.req("PUT", "/events/bad-md5")
        .s3()
        .header("content-md5", &md5_b64(b"other"))
        .body("body")
        .send()
        .await
        .assert_error(400, "BadDigest");

    let posts = rx.wait_for(7).await;
    let events: Vec<(String, String)> = posts.iter().map(|p| (p.event(), p.key())).collect();
    assert_eq!(
        events,
        [
            ("ObjectCreated:Put", "docs/a+b%2Bc.txt"),
            ("ObjectCreated:Copy", "copy.txt"),
            ("ObjectCreated:CompleteMultipartUpload", "mp.bin"),
            ("ObjectCreated:Post", "form.txt"),
            ("ObjectCreated:Put", "log.txt"),
            ("ObjectRemoved:Delete", "copy.txt"),
            ("ObjectRemoved:Delete", "form.txt"),
        ]
        .map(|(e, k)| (e.to_string(), k.to_string()))
    );
    let first = &posts[0];
    assert_eq!(first.path, "/hook");
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(first.header("authorization"), Some("Bearer t0ken"));
    let r = first.record();
    assert_eq!(r["eventVersion"], "2.1");
    assert_eq!(r["eventSource"], "aws:s3");
    assert_eq!(r["awsRegion"], "oss-cn-hangzhou");
    assert!(r["eventTime"].as_str().unwrap().ends_with('Z'));
    assert_eq!(r["userIdentity"]["principalId"], AK);
    assert_eq!(r["requestParameters"]["sourceIPAddress"], "127.0.0.1");
    assert_eq!(
        r["responseElements"]["x-amz-request-id"].as_str(),
        put.h("x-oss-request-id")
    );
    assert_eq!(r["s3"]["s3SchemaVersion"], "1.0");
    assert_eq!(r["s3"]["configurationId"], "all");
    assert_eq!(r["s3"]["bucket"]["name"], "events");
    assert_eq!(r["s3"]["bucket"]["ownerIdentity"]["principalId"], AK);
    assert_eq!(r["s3"]["bucket"]["arn"], "arn:aws:s3:::events");
    assert_eq!(r["s3"]["object"]["size"], 5);
    assert_eq!(r["s3"]["object"]["eTag"], md5_hex(b"hello"));
    assert!(r["s3"]["object"].get("versionId").is_none());
    let mp = posts[2].record();
    let mp_etag = done.xml("ETag").unwrap();
    assert_eq!(mp["s3"]["object"]["size"], 1000);
    assert_eq!(
        mp["s3"]["object"]["eTag"].as_str().unwrap(),
        mp_etag.trim_matches('"')
    );
    assert_eq!(
        posts[3].record()["userIdentity"]["principalId"],
        "Anonymous"
    );
    assert_eq!(posts[4].record()["s3"]["object"]["size"], 5);
    let removed = posts[5].record();
    assert!(removed["s3"]["object"].get("size").is_none());
    // Sequencers grow.
    let seq: Vec<String> = posts
        .iter()
        .map(|p| {
            p.record()["s3"]["object"]["sequencer"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(seq.windows(2).all(|w| w[0] < w[1]), "{seq:?}");
    // Nothing else arrives (a later event is delivered after every earlier one).
    s.put("events", "last", "x").await;
    let posts = rx.wait_for(8).await;
    assert_eq!(posts.len(), 8);
    assert_eq!(posts[7].key(), "last");
}

#[tokio::test]
async fn versioned_deletes_and_filters() {
    let rx = Receiver::start().await;
    let s = server(vec![hook("orders", &rx.url()), hook("audit", &rx.url())]).await;
    s.bucket("vers").await;
    s.set_versioning("vers", "Enabled").await;
    let conf = "<NotificationConfiguration>\
        <QueueConfiguration><Id>csv</Id><Queue>arn:aws:sqs:us-east-1:000000000000:orders</Queue><Event>s3:ObjectCreated:Put</Event>\
        <Filter><S3Key><FilterRule><Name>prefix</Name><Value>in/</Value></FilterRule><FilterRule><Name>suffix</Name><Value>.csv</Value></FilterRule></S3Key></Filter></QueueConfiguration>\
        <TopicConfiguration><Id>markers</Id><Topic>arn:aws:sns:us-east-1:000000000000:audit</Topic><Event>s3:ObjectRemoved:DeleteMarkerCreated</Event></TopicConfiguration>\
        </NotificationConfiguration>";
    assert_eq!(put_notification(&s, "vers", conf).await.status, 200);
    s.put("vers", "out/a.csv", "no").await;
    s.put("vers", "in/a.txt", "no").await;
    let v1 = s.put("vers", "in/a.csv", "yes").await;
    let marker = s.req("DELETE", "/vers/in/a.csv").s3().send().await;
    assert_eq!(marker.h("x-amz-delete-marker"), Some("true"));
    // Removing a version for good is ObjectRemoved:Delete, which nobody asked for here.
    let version = v1.h("x-oss-version-id").unwrap().to_string();
    let gone = s
        .req("DELETE", &format!("/vers/in/a.csv?versionId={version}"))
        .s3()
        .send()
        .await;
    assert_eq!(gone.status, 204);
    s.put("vers", "in/b.csv", "yes").await;
    let posts = rx.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let posts_now = rx.posts();
    assert_eq!(posts_now.len(), 3, "{posts_now:?}");
    let mut seen: Vec<(String, String, String)> = posts
        .iter()
        .map(|p| {
            (
                p.record()["s3"]["configurationId"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                p.event(),
                p.key(),
            )
        })
        .collect();
    // Two targets deliver independently; within each the order holds.
    seen.sort();
    assert_eq!(
        seen,
        [
            ("csv", "ObjectCreated:Put", "in/a.csv"),
            ("csv", "ObjectCreated:Put", "in/b.csv"),
            ("markers", "ObjectRemoved:DeleteMarkerCreated", "in/a.csv"),
        ]
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );
    let put_event = posts
        .iter()
        .find(|p| p.key() == "in/a.csv" && p.event() == "ObjectCreated:Put")
        .unwrap();
    assert_eq!(
        put_event.record()["s3"]["object"]["versionId"].as_str(),
        Some(version.as_str())
    );
    let marker_event = posts
        .iter()
        .find(|p| p.event() == "ObjectRemoved:DeleteMarkerCreated")
        .unwrap();
    assert_eq!(
        marker_event.record()["s3"]["object"]["versionId"].as_str(),
        marker.h("x-amz-version-id")
    );
}

#[tokio::test]
async fn mirrored_object_sends_a_mirror_event() {
    let rx = Receiver::start().await;
    let origin = Origin::start().await;
    origin.file(
        "/o/pic.png",
        b"picture bytes",
        &[("content-type", "image/png")],
    );
    let s = server(vec![hook("orders", &rx.url())]).await;
    s.req("PUT", "/mirrored")
        .oss()
        .header("x-oss-acl", "public-read")
        .send()
        .await;
    let website = format!(
        "<WebsiteConfiguration><RoutingRules><RoutingRule><RuleNumber>1</RuleNumber><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><RedirectType>Mirror</RedirectType><MirrorURL>{}o/</MirrorURL></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>",
        origin.url()
    );
    let r = s
        .req("PUT", "/mirrored?website")
        .oss()
        .body(website)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let only_mirror = "<NotificationConfiguration><QueueConfiguration><Queue>arn:aws:sqs:us-east-1:000000000000:orders</Queue><Event>s3:ObjectCreated:Mirror</Event></QueueConfiguration></NotificationConfiguration>";
    assert_eq!(
        put_notification(&s, "mirrored", only_mirror).await.status,
        200
    );
    let g = s.req("GET", "/mirrored/pic.png").send().await;
    assert_eq!(g.status, 200);
    assert_eq!(g.body, b"picture bytes".to_vec());
    // Served from the store now: no second event.
    assert_eq!(s.req("GET", "/mirrored/pic.png").send().await.status, 200);
    s.put("mirrored", "plain", "not a mirror event").await;
    let posts = rx.wait_for(1).await;
    assert_eq!(posts[0].event(), "ObjectCreated:Mirror");
    assert_eq!(posts[0].key(), "pic.png");
    let r = posts[0].record();
    assert_eq!(r["s3"]["object"]["size"], 13);
    assert_eq!(r["s3"]["object"]["eTag"], md5_hex(b"picture bytes"));
    assert_eq!(r["userIdentity"]["principalId"], "Anonymous");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.posts().len(), 1, "{:?}", rx.posts());
}

/// A receiver that is down gets the events once it comes up: delivery retries.
#[tokio::test]
async fn a_receiver_down_at_first_gets_the_events_when_it_comes_up() {
    let addr = free_addr().await;
    let s = server(vec![hook("late", &format!("http://{addr}/hook"))]).await;
    s.bucket("early").await;
    subscribed(&s, "early", "late").await;
    s.put("early", "one", "1").await;
    s.put("early", "two", "22").await;
    // Attempts fail while nothing listens.
    let failed = || async {
        let m = s.req("GET", "/_ossemu/metrics").send().await.text();
        m.lines()
            .find(|l| l.starts_with("ossemu_notification_failed_attempts_total{target=\"late\"}"))
            .and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    for _ in 0..500 {
        if failed().await >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(failed().await >= 2);
    let rx = Receiver::start_on(addr).await;
    let posts = rx.wait_for(2).await;
    assert_eq!(
        posts.iter().map(Post::key).collect::<Vec<_>>(),
        ["one", "two"]
    );
    let m = s.req("GET", "/_ossemu/metrics").send().await.text();
    assert!(
        m.contains("ossemu_notifications_total{target=\"late\",outcome=\"delivered\"} 2"),
        "{m}"
    );
    assert!(m.contains("ossemu_notification_queue_length{target=\"late\"} 0"));
}

/// A receiver that does not answer holds no request: a PUT is answered while the receiver
/// still sits on the message of an earlier one.
#[tokio::test]
async fn a_hanging_receiver_does_not_hold_requests() {
    let rx = Receiver::start().await;
    let gate = Arc::new(Notify::new());
    *rx.answer.lock().unwrap() = Answer::Hang(gate.clone());
    let s = server(vec![hook("slow", &rx.url())]).await;
    s.bucket("busy").await;
    subscribed(&s, "busy", "slow").await;
    s.put("busy", "first", "1").await;
    // The receiver has the first message and does not answer it...
    rx.wait_for(1).await;
    // ...and later writes are answered all the same.
    for k in ["second", "third"] {
        s.put("busy", k, "2").await;
    }
    assert_eq!(
        rx.posts().len(),
        1,
        "in order: the next waits for the first"
    );
    *rx.answer.lock().unwrap() = Answer::Ok;
    gate.notify_one();
    let posts = rx.wait_for(3).await;
    assert_eq!(
        posts.iter().map(Post::key).collect::<Vec<_>>(),
        ["first", "second", "third"]
    );
}

/// A full queue drops its oldest message and counts it.
#[tokio::test]
async fn a_full_queue_drops_the_oldest() {
    let addr = free_addr().await;
    let s = Server::start_with(|c| {
        c.webhooks = vec![hook("small", &format!("http://{addr}/hook"))];
        c.notify_queue = 2;
    })
    .await;
    s.bucket("full").await;
    subscribed(&s, "full", "small").await;
    for k in ["k1", "k2", "k3"] {
        s.put("full", k, "v").await;
    }
    let m = s.req("GET", "/_ossemu/metrics").send().await.text();
    assert!(
        m.contains("ossemu_notifications_total{target=\"small\",outcome=\"dropped\"} 1"),
        "{m}"
    );
    let rx = Receiver::start_on(addr).await;
    let posts = rx.wait_for(2).await;
    assert_eq!(
        posts.iter().map(Post::key).collect::<Vec<_>>(),
        ["k2", "k3"]
    );
}

/// Events queued while the receiver is down survive `kill -9` of the binary and are
/// delivered by the next run; the targets and the bucket's notifications come from the
/// configuration file (an OSS bucket: no S3 request configures them).
#[tokio::test]
async fn queued_events_survive_a_restart_of_the_binary() {
    let addr = free_addr().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ossemu.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[[webhooks]]
name = "orders"
url = "http://{addr}/orders"
auth_header = "X-Hook-Token: s3cret"

[[buckets]]
name = "shop"
notifications = [{{ target = "orders", events = ["s3:ObjectCreated:*"], prefix = "orders/", id = "new-orders" }}]
"#
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let args = [
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        data.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ];
    let b = Binary::start(&args, &[]);
    let conf = b.req("GET", "/shop?notification").s3().send().await;
    assert_eq!(
        conf.xml("Id").as_deref(),
        Some("new-orders"),
        "{}",
        conf.text()
    );
    for k in ["orders/1.json", "other/x", "orders/2.json"] {
        let r = b
            .req("PUT", &format!("/shop/{k}"))
            .oss()
            .body("{}")
            .send()
            .await;
        assert_eq!(r.status, 200);
    }
    let m = b.req("GET", "/_ossemu/metrics").send().await.text();
    assert!(
        m.contains("ossemu_notification_queue_length{target=\"orders\"} 2"),
        "{m}"
    );
    b.kill();

    let rx = Receiver::start_on(addr).await;
    let b = Binary::start(&args, &[]);
    let posts = rx.wait_for(2).await;
    assert_eq!(
        posts.iter().map(Post::key).collect::<Vec<_>>(),
        ["orders/1.json", "orders/2.json"]
    );
    assert_eq!(posts[0].path, "/orders");
    assert_eq!(posts[0].header("x-hook-token"), Some("s3cret"));
    assert_eq!(posts[0].record()["s3"]["configurationId"], "new-orders");
    // Delivered messages leave the queue, and are not delivered again by the next run.
    let mut left = String::new();
    for _ in 0..500 {
        left = b.req("GET", "/_ossemu/metrics").send().await.text();
        if left.contains("ossemu_notification_queue_length{target=\"orders\"} 0") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        left.contains("ossemu_notification_queue_length{target=\"orders\"} 0"),
        "{left}"
    );
    b.terminate();
    assert!(b.wait());
    let b = Binary::start(&args, &[]);
    b.req("PUT", "/shop/orders/3.json")
        .oss()
        .body("{}")
        .send()
        .await;
    let posts = rx.wait_for(3).await;
    assert_eq!(posts.len(), 3, "{posts:?}");
    assert_eq!(posts[2].key(), "orders/3.json");
    drop(b);
}

/// Lifecycle expirations are `s3:LifecycleExpiration:*` events (not `s3:ObjectRemoved:*`),
/// requested by `s3.amazonaws.com`.
#[tokio::test]
async fn lifecycle_expirations_send_their_events() {
    let rx = Receiver::start().await;
    let s = server(vec![hook("lc", &rx.url())]).await;
    s.bucket("expiring").await;
    s.set_versioning("expiring", "Enabled").await;
    let conf = "<NotificationConfiguration><QueueConfiguration><Id>removed</Id><Queue>arn:aws:sqs:us-east-1:000000000000:lc</Queue><Event>s3:ObjectRemoved:*</Event></QueueConfiguration>\
        <QueueConfiguration><Id>expired</Id><Queue>arn:aws:sqs:us-east-1:000000000000:lc</Queue><Event>s3:LifecycleExpiration:*</Event></QueueConfiguration></NotificationConfiguration>";
    assert_eq!(put_notification(&s, "expiring", conf).await.status, 200);
    s.put("expiring", "old.log", "bye").await;
    let rules = "<LifecycleConfiguration><Rule><ID>x</ID><Prefix></Prefix><Status>Enabled</Status>\
        <Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>";
    let r = s
        .req("PUT", "/expiring?lifecycle")
        .oss()
        .body(rules)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let at = chrono::DateTime::from_timestamp_millis(ossemu_store::now_ms() + 3 * 86_400_000)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let run = s
        .req("POST", &format!("/_ossemu/lifecycle/run?at={}", enc(&at)))
        .send()
        .await;
    assert_eq!(run.status, 200, "{}", run.text());
    let posts = rx.wait_for(1).await;
    let r = posts[0].record();
    assert_eq!(posts[0].event(), "LifecycleExpiration:DeleteMarkerCreated");
    assert_eq!(posts[0].key(), "old.log");
    assert_eq!(r["s3"]["configurationId"], "expired");
    assert_eq!(r["eventVersion"], "2.3");
    assert_eq!(r["userIdentity"]["principalId"], "s3.amazonaws.com");
    assert_eq!(
        r["requestParameters"]["sourceIPAddress"],
        "s3.amazonaws.com"
    );
    assert_eq!(
        r["responseElements"]["x-amz-request-id"]
            .as_str()
            .unwrap()
            .len(),
        16
    );
    assert!(r["s3"]["object"]["versionId"].as_str().is_some());
    // A client's delete is ObjectRemoved, for the other destination.
    s.put("expiring", "now", "x").await;
    s.req("DELETE", "/expiring/now").s3().send().await;
    let posts = rx.wait_for(2).await;
    assert_eq!(posts[1].event(), "ObjectRemoved:DeleteMarkerCreated");
    assert_eq!(posts[1].record()["s3"]["configurationId"], "removed");
}
