//! Encoding and decoding documents: the XML declaration on output, the root-name check and a
//! size-agnostic, order-insensitive serde parse on input.

use serde::{Serialize, de::DeserializeOwned};

/// The declaration every response body starts with.
pub const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// The S3 response namespace.
pub const S3_NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Why a request body could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum XmlError {
    /// Not well-formed, or a value of the wrong type.
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// Well-formed, but the root element is not the one the operation takes.
    #[error("expected root element <{expected}>, found <{found}>")]
    WrongRoot {
        /// The operation's root element.
        expected: &'static str,
        /// What the body had.
        found: String,
    },
}

/// Serializes `value` as the document element `root`, with the XML declaration.
pub fn to_xml<T: Serialize>(root: &str, value: &T) -> String {
    let mut out = String::with_capacity(512);
    out.push_str(DECLARATION);
    out.push('\n');
    // Serializing plain DTOs into a String cannot fail except on unsupported types, which
    // the DTOs in this crate do not use.
    match quick_xml::se::to_writer_with_root(&mut out, root, value) {
        Ok(_) => out,
        Err(e) => format!(
            "{DECLARATION}\n<Error><Code>InternalError</Code><Message>{e}</Message></Error>"
        ),
    }
}

/// The local name of the first element of `body`.
pub fn root_name(body: &[u8]) -> Result<String, XmlError> {
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Start(e)) | Ok(quick_xml::events::Event::Empty(e)) => {
                return Ok(e.local_name().into_inner().to_owned());
            }
            Ok(quick_xml::events::Event::Eof) => {
                return Err(XmlError::Malformed("empty document".into()));
            }
            Ok(_) => {}
            Err(e) => return Err(XmlError::Malformed(e.to_string())),
        }
        buf.clear();
    }
}

/// Parses `body` whose document element must be `root`.
pub fn from_xml<T: DeserializeOwned>(body: &[u8], root: &'static str) -> Result<T, XmlError> {
    let found = root_name(body)?;
    if found != root {
        return Err(XmlError::WrongRoot {
            expected: root,
            found,
        });
    }
    let text = std::str::from_utf8(body).map_err(|e| XmlError::Malformed(e.to_string()))?;
    quick_xml::de::from_str(text).map_err(|e| XmlError::Malformed(e.to_string()))
}

/// Escapes text for element content.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

/// Parses a boolean case-insensitively (`true`, `True`, `FALSE`, ...).
pub fn parse_bool(s: &str) -> Option<bool> {
    if s.trim().eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.trim().eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Serde helper: a case-insensitive boolean element.
pub mod lenient_bool {
    use serde::{Deserialize, Deserializer, de::Error};

    /// Deserializes `true`/`True`/`false`/... .
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_bool(&s).ok_or_else(|| D::Error::custom(format!("invalid boolean {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Doc {
        #[serde(rename = "A")]
        a: String,
    }

    #[test]
    fn root_is_checked() {
        assert_eq!(
            from_xml::<Doc>(b"<Doc><A>x</A></Doc>", "Doc").unwrap(),
            Doc { a: "x".into() }
        );
        assert_eq!(
            from_xml::<Doc>(b"<Other><A>x</A></Other>", "Doc").unwrap_err(),
            XmlError::WrongRoot {
                expected: "Doc",
                found: "Other".into()
            }
        );
        assert!(matches!(
            from_xml::<Doc>(b"<Doc><A>x</Doc>", "Doc"),
            Err(XmlError::Malformed(_))
        ));
        assert!(matches!(
            from_xml::<Doc>(b"", "Doc"),
            Err(XmlError::Malformed(_))
        ));
    }

    #[test]
    fn namespaced_and_declared_input_parses() {
        let body = br#"<?xml version="1.0"?><Doc xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><A>y</A></Doc>"#;
        assert_eq!(from_xml::<Doc>(body, "Doc").unwrap().a, "y");
    }
}
