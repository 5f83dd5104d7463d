//! OSS Signature Version 2 (HMAC-SHA256, base64): `Authorization: OSS2
//! AccessKeyId:ak,AdditionalHeaders:h1;h2,Signature:sig` and the presigned form
//! `?x-oss-signature-version=OSS2&x-oss-access-key-id=&x-oss-expires=&x-oss-signature=`
//! (`x-oss-additional-headers` optional).
//!
//! StringToSign: `VERB \n Content-MD5 \n Content-Type \n Date \n` then every `x-oss-*` and
//! additional header as `name:value\n` (lower-case names, sorted), the additional header names
//! sorted and joined with `;` and `\n`, then the CanonicalizedResource: `/bucket/key`
//! percent-encoded whole (`/` too), then `?` and every query parameter but the signature,
//! names and values percent-encoded, sorted, `name` alone for an empty value. A presigned URL
//! signs its `x-oss-expires` where the header form signs `Date`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::mac::hmac_sha256;
use super::request::{AuthError, Request, Target, join_pairs, required, uri_encode};
use super::scheme::{Canonical, Scheme};
use super::time::{check_expiry, check_skew, parse_http_date, parse_iso8601_basic};

/// The `Authorization` algorithm and the presigned `x-oss-signature-version` of V2.
pub(super) const OSS2_ALGORITHM: &str = "OSS2";

/// A parsed OSS V2 signature, header or presigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssV2Auth {
    /// [`Scheme::OssV2Header`] or [`Scheme::OssV2Query`].
    pub scheme: Scheme,
    /// Access key id.
    pub access_key_id: String,
    /// Lower-case names of the headers signed besides `x-oss-*` (sorted).
    pub additional_headers: Vec<String>,
    /// Base64 signature as sent.
    pub signature: String,
    /// Presigned expiry, Unix seconds (`x-oss-expires`).
    pub expires: Option<i64>,
}

fn header_list(v: &str) -> Vec<String> {
    let mut names: Vec<String> = v
        .split(';')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Parses `Authorization: OSS2 AccessKeyId:ak,AdditionalHeaders:h1;h2,Signature:sig`.
pub(super) fn parse_header(req: &Request<'_>) -> Result<OssV2Auth, AuthError> {
    let value = req.authorization().unwrap_or_default().trim();
    let malformed = || AuthError::MalformedAuthorization(value.to_owned());
    let rest = value.strip_prefix(OSS2_ALGORITHM).ok_or_else(malformed)?;
    let (mut ak, mut extra, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once(':').ok_or_else(malformed)?;
        match k.trim() {
            "AccessKeyId" => ak = Some(v.trim()),
            "AdditionalHeaders" => extra = Some(v.trim()),
            "Signature" => sig = Some(v.trim()),
            _ => return Err(malformed()),
        }
    }
    let (Some(ak), Some(sig)) = (ak, sig) else {
        return Err(malformed());
    };
    if ak.is_empty() || sig.is_empty() {
        return Err(malformed());
    }
    Ok(OssV2Auth {
        scheme: Scheme::OssV2Header,
        access_key_id: ak.to_owned(),
        additional_headers: extra.map(header_list).unwrap_or_default(),
        signature: sig.to_owned(),
        expires: None,
    })
}

/// Parses the presigned form.
pub(super) fn parse_query(req: &Request<'_>) -> Result<OssV2Auth, AuthError> {
    let ak = required(req, "x-oss-access-key-id")?;
    let expires = required(req, "x-oss-expires")?;
    let signature = required(req, "x-oss-signature")?;
    let expires = expires
        .parse::<i64>()
        .map_err(|e| AuthError::MalformedQueryParam {
            name: "x-oss-expires",
            reason: e.to_string(),
        })?;
    Ok(OssV2Auth {
        scheme: Scheme::OssV2Query,
        access_key_id: ak.to_owned(),
        additional_headers: req
            .query_param("x-oss-additional-headers")
            .map(header_list)
            .unwrap_or_default(),
        signature: signature.to_owned(),
        expires: Some(expires),
    })
}

impl OssV2Auth {
    /// The StringToSign (one form).
    pub(super) fn canonical_forms(&self, req: &Request<'_>, target: &Target<'_>) -> Vec<Canonical> {
        let date = match self.expires {
            Some(e) => e.to_string(),
            None => req.header("date").unwrap_or_default().to_owned(),
        };
        let mut names: Vec<String> = req
            .headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .filter(|n| n.starts_with("x-oss-") || self.additional_headers.contains(n))
            .collect();
        names.sort();
        names.dedup();
        let mut sts = format!(
            "{}\n{}\n{}\n{date}\n",
            req.method,
            req.header("content-md5").unwrap_or_default(),
            req.header("content-type").unwrap_or_default(),
        );
        for name in names {
            sts.push_str(&name);
            sts.push(':');
            sts.push_str(&req.header_joined(&name).unwrap_or_default());
            sts.push('\n');
        }
        sts.push_str(&self.additional_headers.join(";"));
        sts.push('\n');
        sts.push_str(&resource(req, target));
        vec![Canonical {
            canonical_request: None,
            string_to_sign: sts,
        }]
    }

    /// The base64 signature of `canonical` under `secret`.
    pub(super) fn sign(canonical: &Canonical, secret: &str) -> String {
        BASE64.encode(hmac_sha256(
            secret.as_bytes(),
            canonical.string_to_sign.as_bytes(),
        ))
    }

    /// Whether the signature matches one of `forms` under `secret` (constant-time compare).
    pub(super) fn matches_any(&self, forms: &[Canonical], secret: &str) -> bool {
        forms.iter().any(|c| {
            let mine = Self::sign(c, secret);
            let (a, b) = (mine.as_bytes(), self.signature.as_bytes());
            a.len() == b.len()
                && std::hint::black_box(a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y))) == 0
        })
    }

    /// Presigned: not past `x-oss-expires`. Header: `x-oss-date`, else `Date`, within
    /// `max_skew` of `now`.
    pub(super) fn check_time(
        &self,
        req: &Request<'_>,
        now: i64,
        max_skew: i64,
    ) -> Result<(), AuthError> {
        if let Some(e) = self.expires {
            return check_expiry(e, now);
        }
        let value = req
            .header("x-oss-date")
            .or_else(|| req.header("date"))
            .ok_or(AuthError::MissingDate)?;
        let t =
            parse_http_date(value).or_else(|e| parse_iso8601_basic(value.trim()).map_err(|_| e))?;
        if t < 0 {
            return Err(AuthError::MalformedDate(value.to_string()));
        }
        check_skew(t, now, max_skew)
    }
}

/// `%2Fbucket%2Fkey` (or `%2F`), then `?` and the sorted, encoded query.
fn resource(req: &Request<'_>, target: &Target<'_>) -> String {
    let path = match target.bucket {
        Some(b) => format!("/{b}/{}", target.key.unwrap_or_default()),
        None => "/".to_owned(),
    };
    let mut out = uri_encode(&path, false);
    let mut pairs: Vec<(String, String)> = req
        .query
        .iter()
        .filter(|(k, _)| k != "x-oss-signature")
        .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
        .collect();
    pairs.sort();
    if !pairs.is_empty() {
        out.push('?');
        out.push_str(&join_pairs(pairs.into_iter(), true));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A StringToSign and signature computed by oss2 2.19.1's `AuthV2` (its
    /// `_ProviderAuthV2__get_bytes_to_sign` and `__make_signature`) for this request.
    #[test]
    fn matches_oss2_authv2() {
        let headers = vec![
            (
                "date".to_owned(),
                "Wed, 02 Dec 2026 10:00:00 GMT".to_owned(),
            ),
            ("content-type".to_owned(), "text/plain".to_owned()),
            ("x-oss-meta-a".to_owned(), "1".to_owned()),
            ("range".to_owned(), "bytes=0-1".to_owned()),
        ];
        let query = vec![
            ("prefix".to_owned(), "a/b c".to_owned()),
            ("acl".to_owned(), String::new()),
        ];
        let req = Request {
            method: "GET",
            raw_path: "/bkt/dir/k%20ey",
            query: &query,
            headers: &headers,
        };
        let target = Target {
            bucket: Some("bkt"),
            key: Some("dir/k ey"),
            virtual_host: false,
        };
        let auth = OssV2Auth {
            scheme: Scheme::OssV2Header,
            access_key_id: "ak".into(),
            additional_headers: vec!["range".into()],
            signature: String::new(),
            expires: None,
        };
        let sts = &auth.canonical_forms(&req, &target)[0];
        assert_eq!(
            sts.string_to_sign,
            "GET\n\ntext/plain\nWed, 02 Dec 2026 10:00:00 GMT\nrange:bytes=0-1\n\
             x-oss-meta-a:1\nrange\n%2Fbkt%2Fdir%2Fk%20ey?acl&prefix=a%2Fb%20c"
        );
        assert_eq!(
            OssV2Auth::sign(sts, "secret"),
            "klbeiySkl5NI3QpXEM1eeP/rLzmi/6CoSJ0AUy3VY/Q="
        );
    }
}
