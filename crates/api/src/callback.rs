//! OSS upload callbacks: the `x-oss-callback` / `x-oss-callback-var` headers (or the
//! `callback` / `callback-var` query parameters, or PostObject's `callback` and `x:` form
//! fields) of PutObject, CompleteMultipartUpload and PostObject.
//!
//! The parameters are checked before anything is stored (InvalidArgument, as OSS words it).
//! After the object is stored, ossemu POSTs the body built from `callbackBody` to each
//! `callbackUrl` in turn until one answers 200 with a JSON body, which becomes the answer to
//! the client; if none does, the client gets 203 `CallbackFailed` and the object stays. The
//! callback carries OSS's signature: `authorization` is the base64 RSA-MD5 (PKCS#1 v1.5)
//! signature of `url_decode(path) + query + "\n" + body`, and `x-oss-pub-key-url` the base64
//! URL of the public key, which ossemu serves at `/_ossemu/callback_pub_key_v1.pem` (a key
//! pair of its own, made on first use). Only `http://` callback URLs are reached.

mod image;

use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use md5::{Digest, Md5};
use rsa::pkcs8::EncodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use serde::Deserialize;

use crate::body::{Body, full};
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// Where ossemu serves its callback public key (path-style host).
pub const PUB_KEY_PATH: &str = "/_ossemu/callback_pub_key_v1.pem";
/// Largest `callback` / `callback-var` parameter, decoded.
const MAX_PARAM: usize = 5 * 1024;
/// Largest callback answer accepted.
pub(crate) const MAX_ANSWER: usize = 3 << 20;
/// How long one callback URL may take to answer.
const TIMEOUT: Duration = Duration::from_secs(5);
/// The DER prefix of an MD5 DigestInfo (PKCS#1 v1.5 signatures).
const MD5_PREFIX: [u8; 18] = [
    0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00,
    0x04, 0x10,
];

/// The key pair that signs callbacks, and its public half as PEM.
pub struct CallbackKey {
    key: RsaPrivateKey,
    /// The public key, `-----BEGIN PUBLIC KEY-----` PEM.
    pub pem: String,
}

impl std::fmt::Debug for CallbackKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CallbackKey")
    }
}

/// The process's callback key pair (1024-bit RSA, as OSS's `callback_pub_key_v1.pem`), made
/// on first use.
pub fn key() -> &'static CallbackKey {
    static KEY: OnceLock<CallbackKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut rng = rsa::rand_core::OsRng;
        let key = RsaPrivateKey::new(&mut rng, 1024).expect("RSA key generation");
        let pem = key
            .to_public_key()
            .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
            .expect("PEM encoding");
        CallbackKey { key, pem }
    })
}

/// The padding and digest OSS's callback signature uses: PKCS#1 v1.5 over MD5.
pub fn md5_padding() -> Pkcs1v15Sign {
    Pkcs1v15Sign {
        hash_len: Some(16),
        prefix: MD5_PREFIX.into(),
    }
}

/// How the callback body is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyType {
    Form,
    Json,
}

/// A checked callback request.
#[derive(Clone, Debug)]
pub struct Callback {
    urls: Vec<String>,
    host: Option<String>,
    body: String,
    body_type: BodyType,
    vars: Vec<(String, String)>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Param {
    #[serde(default)]
    callback_url: String,
    #[serde(default)]
    callback_host: Option<String>,
    #[serde(default)]
    callback_body: String,
    #[serde(default)]
    callback_body_type: Option<String>,
}

fn invalid(m: impl Into<String>) -> ApiError {
    ApiError::msg(Code::InvalidArgument, m.into())
}

/// A base64 JSON parameter, decoded.
fn decode(b64: &str, what: &str) -> ApiResult<Vec<u8>> {
    let raw = BASE64
        .decode(b64.trim())
        .map_err(|_| invalid(format!("The {what} parameter is not valid base64.")))?;
    if raw.len() > MAX_PARAM {
        return Err(invalid(format!(
            "The {what} parameter is longer than 5 KB."
        )));
    }
    Ok(raw)
}

impl Callback {
    /// The callback of a PutObject or CompleteMultipartUpload request, if it has one: the
    /// headers, or the query parameters, not both.
    pub fn from_request(cx: &Ctx) -> ApiResult<Option<Self>> {
        let header = |n: &str| cx.header(n);
        let (cb, var) = match (
            header("x-oss-callback").or(header("x-oss-callback-var")),
            cx.query.get("callback").or(cx.query.get("callback-var")),
        ) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "Callback parameters are given both in the URL and in headers.",
                ));
            }
            (Some(_), None) => (header("x-oss-callback"), header("x-oss-callback-var")),
            (None, Some(_)) => (cx.query.get("callback"), cx.query.get("callback-var")),
            (None, None) => return Ok(None),
        };
        let Some(cb) = cb else {
            return Err(invalid("callback-var is given without callback."));
        };
        let vars = match var {
            Some(v) => parse_vars(&decode(v, "callback-var")?)?,
            None => Vec::new(),
        };
        Self::parse(cb, vars).map(Some)
    }

    /// [`Callback::from_request`] for an OSS request; S3 has no callbacks (`None`).
    pub fn for_dialect(cx: &Ctx) -> ApiResult<Option<Self>> {
        match cx.dialect {
            crate::dialect::Dialect::Oss => Self::from_request(cx),
            crate::dialect::Dialect::S3 => Ok(None),
        }
    }

    /// A PostObject's callback: its `callback` field and its `x:` fields.
    pub fn from_form(callback: &str, vars: Vec<(String, String)>) -> ApiResult<Self> {
        Self::parse(callback, vars)
    }

    fn parse(b64: &str, vars: Vec<(String, String)>) -> ApiResult<Self> {
        let raw = decode(b64, "callback")?;
        let p: Param = serde_json::from_slice(&raw)
            .map_err(|_| invalid("The callback parameter is not valid JSON."))?;
        let urls: Vec<String> = p
            .callback_url
            .split(';')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect();
        if urls.is_empty() || urls.len() > 5 {
            return Err(invalid("callbackUrl names 1 to 5 URLs."));
        }
        for u in &urls {
            target(u).ok_or_else(|| invalid(format!("The callbackUrl {u:?} is not valid.")))?;
        }
        if p.callback_body.is_empty() {
            return Err(invalid("callbackBody is empty."));
        }
        let body_type = match p.callback_body_type.as_deref() {
            None | Some("application/x-www-form-urlencoded") => BodyType::Form,
            Some("application/json") => BodyType::Json,
            Some(other) => {
                return Err(invalid(format!(
                    "callbackBodyType {other:?} is neither application/x-www-form-urlencoded nor application/json."
                )));
            }
        };
        check_template(&p.callback_body)?;
        Ok(Self {
            urls,
            host: p.callback_host.filter(|h| !h.is_empty()),
            body: p.callback_body,
            body_type,
            vars,
        })
    }
}

/// `callback-var`: a JSON object whose `x:` keys are the variables. Other keys are left
/// unused rather than refused: oss2's `test_sign_url_with_callback` sends its callback
/// parameter again as `callback-var` and expects the upload to reach the callback (203).
fn parse_vars(raw: &[u8]) -> ApiResult<Vec<(String, String)>> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(raw)
        .map_err(|_| invalid("The callback-var parameter is not a JSON object."))?;
    let vars = map.into_iter().filter(|(k, _)| k.starts_with("x:"));
    Ok(vars
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => (k, s),
            other => (k, other.to_string()),
        })
        .collect())
}

/// Every `${` in a callback body is closed by `}` around a non-empty name.
fn check_template(body: &str) -> ApiResult<()> {
    let mut rest = body;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        match after.find('}') {
            Some(0) | None => {
                return Err(invalid(
                    "A variable of callbackBody is not of the form ${var}.",
                ));
            }
            Some(j) => rest = &after[j + 1..],
        }
    }
    Ok(())
}

/// What a callback tells about the stored object.
#[derive(Clone, Debug)]
pub struct Uploaded<'a> {
    /// Bucket.
    pub bucket: &'a str,
    /// Object key.
    pub key: &'a str,
    /// ETag, without quotes.
    pub etag: &'a str,
    /// Size in bytes.
    pub size: u64,
    /// Content-Type.
    pub mime: &'a str,
    /// Width, height and format, for an image.
    pub image: Option<(u32, u32, &'static str)>,
}

/// How many leading bytes of an object are read to tell an image's size.
pub const IMAGE_HEAD: u64 = 64 * 1024;

/// `${imageInfo.*}` of an object whose first bytes are `head`.
pub fn image_info(head: &[u8]) -> Option<(u32, u32, &'static str)> {
    image::sniff(head)
}

impl Callback {
    /// The callback body with its variables replaced, encoded as the body type asks.
    fn render(&self, up: &Uploaded<'_>) -> String {
        let value = |name: &str| -> Option<String> {
            Some(match name {
                "bucket" => up.bucket.to_string(),
                "object" => up.key.to_string(),
                "etag" => up.etag.to_string(),
                "size" => up.size.to_string(),
                "mimeType" => up.mime.to_string(),
                "imageInfo.height" => up.image.map(|i| i.1.to_string()).unwrap_or_default(),
                "imageInfo.width" => up.image.map(|i| i.0.to_string()).unwrap_or_default(),
                "imageInfo.format" => up.image.map(|i| i.2.to_string()).unwrap_or_default(),
                var => self.vars.iter().find(|(k, _)| k == var)?.1.clone(),
            })
        };
        let mut out = String::with_capacity(self.body.len());
        let mut rest = self.body.as_str();
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let end = after.find('}').unwrap_or(after.len());
            let name = &after[..end];
            let v = value(name).unwrap_or_default();
            match self.body_type {
                BodyType::Form => out.extend(form_urlencoded::byte_serialize(v.as_bytes())),
                BodyType::Json if name == "size" => out.push_str(&v),
                BodyType::Json => out.push_str(&serde_json::Value::String(v).to_string()),
            }
            rest = after.get(end + 1..).unwrap_or_default();
        }
        out.push_str(rest);
        out
    }

    /// Sends the callback; the first answer that is 200 with a JSON body, or why none was.
    pub async fn send(&self, endpoint: &str, up: &Uploaded<'_>) -> Result<Bytes, String> {
        let body = self.render(up);
        let pub_key_url = BASE64.encode(format!("http://{endpoint}{PUB_KEY_PATH}"));
        let mut why = String::new();
        for url in &self.urls {
            match self.send_one(url, &body, &pub_key_url).await {
                Ok(answer) => return Ok(answer),
                Err(e) => why = e,
            }
        }
        Err(why)
    }

    async fn send_one(&self, url: &str, body: &str, pub_key_url: &str) -> Result<Bytes, String> {
        let (authority, path_query) =
            target(url).ok_or_else(|| format!("invalid callback url {url}"))?;
        let (path, query) = match path_query.split_once('?') {
            Some((p, q)) => (p.to_string(), format!("?{q}")),
            None => (path_query.clone(), String::new()),
        };
        let decoded = percent_encoding::percent_decode_str(&path).decode_utf8_lossy();
        let to_sign = format!("{decoded}{query}\n{body}");
        let digest = Md5::digest(to_sign.as_bytes());
        let signature = key()
            .key
            .sign(md5_padding(), &digest)
            .map_err(|e| format!("signing: {e}"))?;
        let content_type = match self.body_type {
            BodyType::Form => "application/x-www-form-urlencoded",
            BodyType::Json => "application/json",
        };
        let host = self.host.clone().unwrap_or_else(|| authority.clone());
        let req = http::Request::post(format!("http://{authority}{path_query}"))
            .header(http::header::HOST, host)
            .header(http::header::CONTENT_TYPE, content_type)
            .header("authorization", BASE64.encode(signature))
            .header("x-oss-pub-key-url", pub_key_url)
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| e.to_string())?;
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<Full<Bytes>>();
        let answer = tokio::time::timeout(TIMEOUT, async {
            let resp = client.request(req).await.map_err(|e| format!("{e}"))?;
            let status = resp.status();
            let bytes = Limited::new(resp.into_body(), MAX_ANSWER)
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            Ok::<_, String>((status, bytes))
        })
        .await
        .map_err(|_| format!("Error status : -1 (timeout) {authority}"))??;
        match answer {
            (StatusCode::OK, b) if serde_json::from_slice::<serde_json::Value>(&b).is_ok() => Ok(b),
            (StatusCode::OK, _) => Err("Response body is not valid json format.".into()),
            (s, _) => Err(format!("Error status : {}.", s.as_u16())),
        }
    }
}

/// `host[:port]` and `/path?query` of a callback URL (`http://` optional); `None` for one
/// that is not a valid http URL.
pub(crate) fn target(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    if rest.starts_with("https://") || rest.contains("://") {
        return None;
    }
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    if host.is_empty() || port.is_some_and(|p| p.parse::<u16>().map_or(true, |n| n == 0)) {
        return None;
    }
    Some((authority.to_string(), path))
}

/// The answer to a write that asked for a callback: `stored` (the write's own answer) with
/// the callback server's JSON body in place of its own, or 203 CallbackFailed with the
/// write's headers (the object stays).
pub async fn answer(
    cx: &Ctx,
    callback: &Callback,
    up: &Uploaded<'_>,
    stored: Response<Body>,
) -> ApiResult<Response<Body>> {
    let headers: HeaderMap = stored.headers().clone();
    match callback.send(&cx.endpoint_host(), up).await {
        Ok(body) => {
            let mut r = Response::new(full(body.clone()));
            for (k, v) in &headers {
                if k != http::header::CONTENT_TYPE && k != http::header::CONTENT_LENGTH {
                    r.headers_mut().insert(k, v.clone());
                }
            }
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r.headers_mut()
                .insert(http::header::CONTENT_LENGTH, HeaderValue::from(body.len()));
            Ok(r)
        }
        Err(why) => {
            tracing::info!(bucket = up.bucket, key = up.key, "callback failed: {why}");
            let mut e = ApiError::msg(Code::CallbackFailed, why);
            for (k, v) in &headers {
                if k == http::header::ETAG || k.as_str().starts_with("x-oss-") {
                    e.headers.push((k.clone(), v.clone()));
                }
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cb(body: &str, body_type: Option<&str>) -> Callback {
        let mut j = serde_json::json!({"callbackUrl": "127.0.0.1:9/cb", "callbackBody": body});
        if let Some(t) = body_type {
            j["callbackBodyType"] = t.into();
        }
        let vars = vec![("x:who".to_string(), "a b&c".to_string())];
        Callback::from_form(&BASE64.encode(j.to_string()), vars).expect("valid")
    }

    #[test]
    fn renders_form_and_json_bodies() {
        let up = Uploaded {
            bucket: "b",
            key: "k 1",
            etag: "E",
            size: 5,
            mime: "text/plain",
            image: None,
        };
        assert_eq!(
            cb(
                "bucket=${bucket}&object=${object}&size=${size}&who=${x:who}",
                None
            )
            .render(&up),
            "bucket=b&object=k+1&size=5&who=a+b%26c"
        );
        assert_eq!(
            cb(
                r#"{"object":${object},"size":${size},"mime":${mimeType}}"#,
                Some("application/json")
            )
            .render(&up),
            r#"{"object":"k 1","size":5,"mime":"text/plain"}"#
        );
    }

    #[test]
    fn refuses_bad_parameters() {
        let bad = |j: serde_json::Value| Callback::from_form(&BASE64.encode(j.to_string()), vec![]);
        assert!(bad(serde_json::json!({"callbackUrl": "", "callbackBody": "a"})).is_err());
        assert!(bad(serde_json::json!({"callbackUrl": "h:test", "callbackBody": "a"})).is_err());
        assert!(bad(serde_json::json!({"callbackUrl": "h/x", "callbackBody": ""})).is_err());
        assert!(bad(serde_json::json!({"callbackUrl": "h", "callbackBody": "${"})).is_err());
        let six = "a;b;c;d;e;f";
        assert!(bad(serde_json::json!({"callbackUrl": six, "callbackBody": "a"})).is_err());
        let t = serde_json::json!({"callbackUrl": "h", "callbackBody": "a", "callbackBodyType": "text/xml"});
        assert!(bad(t).is_err());
        assert!(Callback::from_form("not base64!", vec![]).is_err());
        assert!(parse_vars(br#"[1]"#).is_err());
        let vars = parse_vars(br#"{"y:a":"1","x:b":2}"#).unwrap();
        assert_eq!(vars, [("x:b".to_string(), "2".to_string())]);
        assert_eq!(target("10.0.0.1:8080/cb?x=1").unwrap().1, "/cb?x=1");
        assert_eq!(target("http://h").unwrap(), ("h".into(), "/".into()));
        assert!(target("https://h/x").is_none());
    }
}
