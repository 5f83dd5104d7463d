//! The object attributes a write sets: Content-Type, the stored standard headers, user
//! metadata, the object ACL, tags and the server-side encryption asked for. One parser with
//! one set of limits reads them from either source: the request headers (PutObject,
//! AppendObject, CopyObject with `REPLACE`, InitiateMultipartUpload) or the fields of a
//! PostObject form.

use http::{HeaderMap, HeaderValue};

use crate::dialect::{Dialect, either_header};
use crate::error::{ApiError, ApiResult, Code};
use crate::handlers::tagging::{check_tags, object_limits};
use crate::handlers::{acl_refused, canned_acl_ok};

/// Total size of user metadata names and values.
pub const MAX_USER_META: usize = 8 * 1024;

/// Headers stored with an object and returned on GET/HEAD.
const STORED_HEADERS: &[&str] = &[
    "content-encoding",
    "content-disposition",
    "cache-control",
    "expires",
    "content-language",
];

/// Content-Type when the writer sends none.
const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

pub use ossemu_store::ObjectAttrs;

/// Where the attributes come from: `(name, value)` pairs with lower-case names.
#[derive(Clone, Copy, Debug)]
pub enum Source<'a> {
    /// The request headers, read in the request's dialect: the ACL is `x-oss-object-acl` or
    /// `x-amz-acl`, tags are `x-oss-tagging` / `x-amz-tagging` in query-string form.
    Headers {
        /// The request headers.
        headers: &'a HeaderMap,
        /// The request's dialect.
        dialect: Dialect,
    },
    /// A PostObject form: the ACL is `acl` or `x-oss-object-acl`, tags are a `Tagging` XML
    /// document in `tagging`.
    Form {
        /// The fields before the file, names lower-cased, in order.
        fields: &'a [(String, String)],
        /// The file part's Content-Type.
        file_type: Option<&'a str>,
        /// Whether the form is S3-style (its objects are private unless it says otherwise).
        s3: bool,
    },
}

/// Reads the attributes and checks them: user metadata at most [`MAX_USER_META`] bytes of
/// names and values (MetadataTooLarge), a canned ACL of the dialect (InvalidArgument), tags
/// within the object limits (InvalidTag), a server-side encryption the dialect has.
pub fn parse(src: &Source<'_>) -> ApiResult<ObjectAttrs> {
    let headers = STORED_HEADERS
        .iter()
        .filter_map(|name| Some((name.to_string(), src.stored_header(name)?)))
        .collect();
    let user_meta = user_meta(src.pairs())?;
    let acl = object_acl(src)?;
    let mut tagging = Vec::new();
    if let Some(mut tags) = src.tags()? {
        check_tags(&mut tags, object_limits(src.dialect()))?;
        tagging = tags;
    }
    let sse = crate::sse::parse(src.dialect(), |name| src.value(name))?;
    let storage_class = match src.dialect() {
        Dialect::Oss => src
            .value("x-oss-storage-class")
            .map(|c| crate::handlers::storage::oss_class(&c))
            .transpose()?,
        Dialect::S3 => src
            .value("x-amz-storage-class")
            .map(|c| crate::handlers::storage::s3_class(&c))
            .transpose()?,
    };
    Ok(ObjectAttrs {
        content_type: src.content_type(),
        headers,
        user_meta,
        acl,
        grants: None,
        tagging,
        sse,
        storage_class,
    })
}

impl<'a> Source<'a> {
    /// A form field's value (first one).
    fn field(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A header's value when it is visible ASCII.
    fn header(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
        headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn content_type(&self) -> String {
        let given = match *self {
            Source::Headers { headers, .. } => {
                Self::header(headers, "content-type").filter(|v| !v.is_empty())
            }
            Source::Form {
                fields, file_type, ..
            } => Self::field(fields, "content-type").or(file_type),
        };
        given.unwrap_or(DEFAULT_CONTENT_TYPE).to_string()
    }

    /// A stored standard header. `aws-chunked` in a Content-Encoding header is transfer
    /// framing, not a stored encoding, and is left out.
    fn stored_header(&self, name: &str) -> Option<String> {
        match *self {
            Source::Headers { headers, .. } => {
                let v = header_text(headers.get(name)?);
                if name == "content-encoding" {
                    without_aws_chunked(v)
                } else {
                    Some(v)
                }
            }
            Source::Form { fields, .. } => Self::field(fields, name).map(str::to_string),
        }
    }

    /// The value of header or field `name` (lower-case), as text.
    fn value(&self, name: &str) -> Option<String> {
        match *self {
            Source::Headers { headers, .. } => headers.get(name).map(header_text),
            Source::Form { fields, .. } => Self::field(fields, name).map(str::to_string),
        }
    }

    /// Every `(name, value)` pair, in order.
    fn pairs(&self) -> Vec<(&'a str, String)> {
        match *self {
            Source::Headers { headers, .. } => headers
                .iter()
                .map(|(n, v)| (n.as_str(), header_text(v)))
                .collect(),
            Source::Form { fields, .. } => fields
                .iter()
                .map(|(n, v)| (n.as_str(), v.clone()))
                .collect(),
        }
    }

    /// The canned ACL asked for, with the name of the header or field that asked.
    fn acl(&self) -> Option<(&'static str, &'a str)> {
        match *self {
            Source::Headers { headers, dialect } => {
                let name = match dialect {
                    Dialect::Oss => "x-oss-object-acl",
                    Dialect::S3 => "x-amz-acl",
                };
                Self::header(headers, name).map(|v| (name, v))
            }
            Source::Form { fields, .. } => ["acl", "x-oss-object-acl"]
                .into_iter()
                .find_map(|name| Self::field(fields, name).map(|v| (name, v))),
        }
    }

    /// The dialect whose tag rules apply: the request's, or S3 for an S3-style form.
    fn dialect(&self) -> Dialect {
        match *self {
            Source::Headers { dialect, .. } => dialect,
            Source::Form { s3: true, .. } => Dialect::S3,
            Source::Form { s3: false, .. } => Dialect::Oss,
        }
    }

    /// S3 objects are private unless the writer says otherwise; OSS objects inherit the
    /// bucket's ACL.
    fn private_by_default(&self) -> bool {
        match *self {
            Source::Headers { dialect, .. } => dialect == Dialect::S3,
            Source::Form { s3, .. } => s3,
        }
    }

    /// The tags as sent, unchecked: a query string in a header, a `Tagging` document in a form.
    fn tags(&self) -> ApiResult<Option<Vec<(String, String)>>> {
        match *self {
            Source::Headers { headers, dialect } => Ok(either_header(headers, dialect, "tagging")
                .map(|t| {
                    form_urlencoded::parse(t.as_bytes())
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect()
                })),
            Source::Form { fields, .. } => {
                let Some(doc) = Self::field(fields, "tagging") else {
                    return Ok(None);
                };
                let tagging = ossemu_xml::from_xml::<ossemu_xml::tagging::Tagging>(
                    doc.as_bytes(),
                    "Tagging",
                    doc.len(),
                )?;
                let pairs = tagging
                    .pairs()
                    .ok_or_else(|| ApiError::msg(Code::MalformedXML, "Tagging has no TagSet."))?;
                Ok(Some(pairs))
            }
        }
    }
}

/// A header value as text, one char per byte (Latin-1), so that any bytes a client sends
/// come back exactly (see [`crate::handlers::header_bytes`]).
fn header_text(v: &HeaderValue) -> String {
    v.as_bytes().iter().map(|&b| b as char).collect()
}

/// A Content-Encoding without `aws-chunked`; `None` when nothing else is left.
fn without_aws_chunked(v: String) -> Option<String> {
    if !v
        .split(',')
        .any(|e| e.trim().eq_ignore_ascii_case("aws-chunked"))
    {
        return Some(v);
    }
    let rest = v
        .split(',')
        .map(str::trim)
        .filter(|e| !e.eq_ignore_ascii_case("aws-chunked") && !e.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    (!rest.is_empty()).then_some(rest)
}

/// The user metadata among `pairs` (`x-oss-meta-*` and `x-amz-meta-*`, prefix removed), at
/// most [`MAX_USER_META`] bytes of names and values.
fn user_meta(pairs: Vec<(&str, String)>) -> ApiResult<Vec<(String, String)>> {
    let mut meta = Vec::new();
    let mut size = 0usize;
    for (name, value) in pairs {
        if let Some(m) = name
            .strip_prefix("x-oss-meta-")
            .or_else(|| name.strip_prefix("x-amz-meta-"))
        {
            size += m.len() + value.len();
            meta.push((m.to_string(), value));
        }
    }
    if size > MAX_USER_META {
        return Err(ApiError::msg(
            Code::MetadataTooLarge,
            format!(
                "Your metadata headers exceed the maximum allowed metadata size: {size} bytes of names and values, the limit is {MAX_USER_META}."
            ),
        ));
    }
    Ok(meta)
}

/// The object ACL to store: `None` for `default` (inherit) and, unless the source's objects
/// are private by default, for none given. A canned ACL the dialect does not have is refused
/// (see [`acl_refused`]).
fn object_acl(src: &Source<'_>) -> ApiResult<Option<String>> {
    match src.acl() {
        Some((name, acl)) if !canned_acl_ok(src.dialect(), true, acl) => {
            Err(acl_refused(src.dialect(), true, name, acl))
        }
        Some((_, acl)) => Ok((acl != "default").then(|| acl.to_string())),
        None if src.private_by_default() => Ok(Some("private".into())),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests;
