//! The S3 calls the drills make beyond single-object reads and writes: bucket creation,
//! multipart uploads, listings of objects, uploads and parts.

use anyhow::{Context as _, bail};
use bytes::Bytes;
use http::{Method, StatusCode};

use crate::client::{Response, S3Client};
use crate::xml::{elements, first_text};

/// Fails with the response's status and error code unless it has status `want`; returns it.
pub async fn expect(r: Response, want: StatusCode, what: &str) -> anyhow::Result<Response> {
    if r.status != want {
        bail!("{}", r.unexpected(what).await);
    }
    Ok(r)
}

/// `"ABC"` → `abc`: an ETag header as the lower-case hex the drills compare.
pub fn bare_etag(raw: &str) -> String {
    raw.trim().trim_matches('"').to_ascii_lowercase()
}

/// CreateBucket (S3).
pub async fn create_bucket(client: &S3Client, bucket: &str) -> anyhow::Result<()> {
    let r = client
        .send(Method::PUT, &format!("/{bucket}"), &[], Bytes::new())
        .await?;
    expect(r, StatusCode::OK, &format!("creating bucket {bucket}"))
        .await?
        .drain()
        .await?;
    Ok(())
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// ETag, bare lower-case.
    pub etag: String,
}

/// Every object of `bucket` (ListObjectsV2, all pages).
pub async fn list_objects(client: &S3Client, bucket: &str) -> anyhow::Result<Vec<Listed>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut q: Vec<(&str, &str)> = vec![("list-type", "2"), ("max-keys", "1000")];
        if let Some(t) = &token {
            q.push(("continuation-token", t));
        }
        let r = client
            .send(Method::GET, &format!("/{bucket}"), &q, Bytes::new())
            .await?;
        let doc = expect(r, StatusCode::OK, "ListObjectsV2")
            .await?
            .bytes()
            .await?;
        for c in elements(&doc, "Contents") {
            out.push(Listed {
                key: first_text(c, "Key").context("a listed object without a Key")?,
                size: first_text(c, "Size")
                    .and_then(|s| s.parse().ok())
                    .context("a listed object without a Size")?,
                etag: bare_etag(&first_text(c, "ETag").unwrap_or_default()),
            });
        }
        if first_text(&doc, "IsTruncated").as_deref() != Some("true") {
            return Ok(out);
        }
        token = Some(
            first_text(&doc, "NextContinuationToken")
                .context("a truncated listing without NextContinuationToken")?,
        );
    }
}

/// Multipart uploads in progress in `bucket`, as `(key, upload id)`.
pub async fn list_uploads(
    client: &S3Client,
    bucket: &str,
) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut markers: Option<(String, String)> = None;
    loop {
        let mut q: Vec<(&str, &str)> = vec![("uploads", "")];
        if let Some((k, u)) = &markers {
            q.push(("key-marker", k));
            q.push(("upload-id-marker", u));
        }
        let r = client
            .send(Method::GET, &format!("/{bucket}"), &q, Bytes::new())
            .await?;
        let doc = expect(r, StatusCode::OK, "ListMultipartUploads")
            .await?
            .bytes()
            .await?;
        for u in elements(&doc, "Upload") {
            out.push((
                first_text(u, "Key").context("an upload without a Key")?,
                first_text(u, "UploadId").context("an upload without an UploadId")?,
            ));
        }
        if first_text(&doc, "IsTruncated").as_deref() != Some("true") {
            return Ok(out);
        }
        markers = Some((
            first_text(&doc, "NextKeyMarker").unwrap_or_default(),
            first_text(&doc, "NextUploadIdMarker").unwrap_or_default(),
        ));
        if markers.as_ref().is_some_and(|(k, _)| k.is_empty()) {
            bail!("a truncated upload listing without NextKeyMarker");
        }
    }
}

/// Sizes of the parts of an upload (ListParts, all pages).
pub async fn list_part_sizes(
    client: &S3Client,
    bucket: &str,
    key: &str,
    upload_id: &str,
) -> anyhow::Result<Vec<u64>> {
    let mut out = Vec::new();
    let mut marker = String::from("0");
    loop {
        let q = [
            ("uploadId", upload_id),
            ("part-number-marker", marker.as_str()),
        ];
        let r = client
            .send(Method::GET, &format!("/{bucket}/{key}"), &q, Bytes::new())
            .await?;
        let doc = expect(r, StatusCode::OK, &format!("ListParts {key}"))
            .await?
            .bytes()
            .await?;
        for p in elements(&doc, "Part") {
            out.push(
                first_text(p, "Size")
                    .and_then(|s| s.parse().ok())
                    .context("a part without a Size")?,
            );
        }
        if first_text(&doc, "IsTruncated").as_deref() != Some("true") {
            return Ok(out);
        }
        marker = first_text(&doc, "NextPartNumberMarker")
            .context("a truncated part listing without NextPartNumberMarker")?;
    }
}

/// AbortMultipartUpload.
pub async fn abort_upload(
    client: &S3Client,
    bucket: &str,
    key: &str,
    upload_id: &str,
) -> anyhow::Result<()> {
    let r = client
        .send(
            Method::DELETE,
            &format!("/{bucket}/{key}"),
            &[("uploadId", upload_id)],
            Bytes::new(),
        )
        .await?;
    expect(
        r,
        StatusCode::NO_CONTENT,
        &format!("AbortMultipartUpload {key}"),
    )
    .await?
    .drain()
    .await?;
    Ok(())
}

/// CreateMultipartUpload; returns the upload id.
pub async fn initiate(client: &S3Client, bucket: &str, key: &str) -> anyhow::Result<String> {
    let r = client
        .send(
            Method::POST,
            &format!("/{bucket}/{key}"),
            &[("uploads", "")],
            Bytes::new(),
        )
        .await?;
    let doc = expect(r, StatusCode::OK, &format!("CreateMultipartUpload {key}"))
        .await?
        .bytes()
        .await?;
    first_text(&doc, "UploadId").context("CreateMultipartUpload answered without an UploadId")
}

/// UploadPart; returns the part's ETag (bare).
pub async fn upload_part(
    client: &S3Client,
    bucket: &str,
    key: &str,
    upload_id: &str,
    number: u32,
    body: Bytes,
) -> anyhow::Result<String> {
    let n = number.to_string();
    let r = client
        .send(
            Method::PUT,
            &format!("/{bucket}/{key}"),
            &[("partNumber", &n), ("uploadId", upload_id)],
            body,
        )
        .await?;
    let r = expect(r, StatusCode::OK, &format!("UploadPart {key} #{number}")).await?;
    let etag = bare_etag(r.header("etag"));
    r.drain().await?;
    Ok(etag)
}

/// CompleteMultipartUpload with `parts` (`(number, bare etag)`); returns the object's ETag.
pub async fn complete(
    client: &S3Client,
    bucket: &str,
    key: &str,
    upload_id: &str,
    parts: &[(u32, String)],
) -> anyhow::Result<String> {
    let mut body = String::from("<CompleteMultipartUpload>");
    for (n, etag) in parts {
        body.push_str(&format!(
            "<Part><PartNumber>{n}</PartNumber><ETag>\"{etag}\"</ETag></Part>"
        ));
    }
    body.push_str("</CompleteMultipartUpload>");
    let r = client
        .send(
            Method::POST,
            &format!("/{bucket}/{key}"),
            &[("uploadId", upload_id)],
            Bytes::from(body),
        )
        .await?;
    let doc = expect(r, StatusCode::OK, &format!("CompleteMultipartUpload {key}"))
        .await?
        .bytes()
        .await?;
    if let Some(code) = first_text(&doc, "Code") {
        bail!("CompleteMultipartUpload {key}: 200 with error {code}");
    }
    Ok(bare_etag(&first_text(&doc, "ETag").unwrap_or_default()))
}

/// What a GET found: absent, or the body's MD5, length and ETag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// 404.
    Absent,
    /// 200.
    Present {
        /// MD5 of the body read.
        md5: [u8; 16],
        /// Bytes read.
        size: u64,
        /// ETag header, bare.
        etag: String,
    },
}

/// GETs `/bucket/key`, hashing the body.
pub async fn get_found(client: &S3Client, bucket: &str, key: &str) -> anyhow::Result<Found> {
    let r = client
        .send(Method::GET, &format!("/{bucket}/{key}"), &[], Bytes::new())
        .await
        .with_context(|| format!("GET {key}"))?;
    match r.status {
        StatusCode::NOT_FOUND => {
            r.drain().await?;
            Ok(Found::Absent)
        }
        StatusCode::OK => {
            let etag = bare_etag(r.header("etag"));
            let (md5, size) = r.md5().await.with_context(|| format!("GET {key}"))?;
            Ok(Found::Present { md5, size, etag })
        }
        _ => bail!("{}", r.unexpected(&format!("GET {key}")).await),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags() {
        assert_eq!(bare_etag("\"ABC-2\""), "abc-2");
        assert_eq!(bare_etag("abc"), "abc");
    }
}
