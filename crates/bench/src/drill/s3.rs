//! The S3 calls the drills make beyond single-object reads and writes: bucket creation and
//! versioning, multipart uploads, listings of objects, versions, uploads and parts.

use anyhow::{Context as _, bail};
use bytes::Bytes;
use http::{Method, StatusCode};

use crate::client::{Response, S3Client};
use crate::xml::{elements, elements_of, first_text};

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

/// PutBucketVersioning with `Enabled`.
pub async fn enable_versioning(client: &S3Client, bucket: &str) -> anyhow::Result<()> {
    let body = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
    let r = client
        .send(
            Method::PUT,
            &format!("/{bucket}"),
            &[("versioning", "")],
            Bytes::from_static(body.as_bytes()),
        )
        .await?;
    expect(
        r,
        StatusCode::OK,
        &format!("enabling versioning on {bucket}"),
    )
    .await?
    .drain()
    .await?;
    Ok(())
}

/// The version id a write answered with (`x-amz-version-id`), if any.
pub fn version_id(r: &Response) -> Option<String> {
    Some(r.header("x-amz-version-id").to_owned()).filter(|v| !v.is_empty())
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

/// One entry of ListObjectVersions: an object version or a delete marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedVersion {
    /// Key.
    pub key: String,
    /// Version id.
    pub version_id: String,
    /// `IsLatest`.
    pub latest: bool,
    /// Size and bare ETag of an object version; `None` for a delete marker.
    pub object: Option<(u64, String)>,
}

/// Every version and delete marker of `bucket` in listing order (ListObjectVersions, all
/// pages of at most `page` entries, following NextKeyMarker and NextVersionIdMarker).
pub async fn list_versions(
    client: &S3Client,
    bucket: &str,
    page: usize,
) -> anyhow::Result<Vec<ListedVersion>> {
    let page_size = page.to_string();
    let mut out = Vec::new();
    let mut markers: Option<(String, String)> = None;
    loop {
        let mut q: Vec<(&str, &str)> = vec![("versions", ""), ("max-keys", &page_size)];
        if let Some((k, v)) = &markers {
            q.push(("key-marker", k));
            q.push(("version-id-marker", v));
        }
        let r = client
            .send(Method::GET, &format!("/{bucket}"), &q, Bytes::new())
            .await?;
        let doc = expect(r, StatusCode::OK, "ListObjectVersions")
            .await?
            .bytes()
            .await?;
        let entries = elements_of(&doc, &["Version", "DeleteMarker"]);
        if entries.len() > page {
            bail!(
                "ListObjectVersions: {} entries in a page of at most {page}",
                entries.len()
            );
        }
        for (kind, e) in entries {
            out.push(listed_version(e, kind == 1)?);
        }
        if first_text(&doc, "IsTruncated").as_deref() != Some("true") {
            return Ok(out);
        }
        markers = Some((
            first_text(&doc, "NextKeyMarker")
                .context("a truncated version listing without NextKeyMarker")?,
            first_text(&doc, "NextVersionIdMarker")
                .context("a truncated version listing without NextVersionIdMarker")?,
        ));
    }
}

/// One `<Version>` (or, with `marker`, `<DeleteMarker>`) block of a version listing.
fn listed_version(block: &[u8], marker: bool) -> anyhow::Result<ListedVersion> {
    let key = first_text(block, "Key").context("a listed version without a Key")?;
    let object = if marker {
        None
    } else {
        let size = first_text(block, "Size")
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("{key}: a listed version without a Size"))?;
        Some((
            size,
            bare_etag(&first_text(block, "ETag").unwrap_or_default()),
        ))
    };
    Ok(ListedVersion {
        version_id: first_text(block, "VersionId")
            .with_context(|| format!("{key}: a listed version without a VersionId"))?,
        latest: first_text(block, "IsLatest").as_deref() == Some("true"),
        object,
        key,
    })
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
    Ok(complete_versioned(client, bucket, key, upload_id, parts)
        .await?
        .etag)
}

/// What CompleteMultipartUpload answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completed {
    /// The object's ETag, bare.
    pub etag: String,
    /// The `x-amz-version-id` header (a versioned bucket), if any.
    pub version_id: Option<String>,
}

/// CompleteMultipartUpload with `parts` (`(number, bare etag)`); returns the object's ETag
/// and the version id the answer names.
pub async fn complete_versioned(
    client: &S3Client,
    bucket: &str,
    key: &str,
    upload_id: &str,
    parts: &[(u32, String)],
) -> anyhow::Result<Completed> {
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
    let r = expect(r, StatusCode::OK, &format!("CompleteMultipartUpload {key}")).await?;
    let version_id = version_id(&r);
    let doc = r.bytes().await?;
    if let Some(code) = first_text(&doc, "Code") {
        bail!("CompleteMultipartUpload {key}: 200 with error {code}");
    }
    Ok(Completed {
        etag: bare_etag(&first_text(&doc, "ETag").unwrap_or_default()),
        version_id,
    })
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
    get_version_found(client, bucket, key, None).await
}

/// GETs `/bucket/key`, or with `version_id` that version of it (`?versionId=`), hashing the
/// body.
pub async fn get_version_found(
    client: &S3Client,
    bucket: &str,
    key: &str,
    version_id: Option<&str>,
) -> anyhow::Result<Found> {
    let what = match version_id {
        None => format!("GET {key}"),
        Some(v) => format!("GET {key}?versionId={v}"),
    };
    let q: Vec<(&str, &str)> = version_id.map(|v| ("versionId", v)).into_iter().collect();
    let r = client
        .send(Method::GET, &format!("/{bucket}/{key}"), &q, Bytes::new())
        .await
        .with_context(|| what.clone())?;
    match r.status {
        StatusCode::NOT_FOUND => {
            r.drain().await?;
            Ok(Found::Absent)
        }
        StatusCode::OK => {
            let etag = bare_etag(r.header("etag"));
            let (md5, size) = r.md5().await.with_context(|| what.clone())?;
            Ok(Found::Present { md5, size, etag })
        }
        _ => bail!("{}", r.unexpected(&what).await),
    }
}

/// DeleteObject of one version (`?versionId=`): 204.
pub async fn delete_version(
    client: &S3Client,
    bucket: &str,
    key: &str,
    version_id: &str,
) -> anyhow::Result<()> {
    let r = client
        .send(
            Method::DELETE,
            &format!("/{bucket}/{key}"),
            &[("versionId", version_id)],
            Bytes::new(),
        )
        .await?;
    expect(
        r,
        StatusCode::NO_CONTENT,
        &format!("DELETE {key}?versionId={version_id}"),
    )
    .await?
    .drain()
    .await?;
    Ok(())
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
