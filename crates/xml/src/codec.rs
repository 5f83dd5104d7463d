//! Generic helpers for request and response bodies: parsing that checks the root element, and
//! serialisation that writes the XML declaration.
//!
//! quick-xml's serde deserializer never looks at the root element's name, so [`from_xml`] reads
//! the first start tag itself and refuses a body whose root is not the expected one.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The declaration every response body starts with.
pub const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// Why a body could not be parsed or written. Every parse failure maps to `MalformedXML`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The body is larger than the operation allows.
    #[error("body larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is not UTF-8.
    #[error("body is not UTF-8")]
    NotUtf8,
    /// The root element has another name than the operation expects.
    #[error("expected root element {expected}, found {found}")]
    WrongRoot {
        /// The root element the operation expects.
        expected: &'static str,
        /// The local name found.
        found: String,
    },
    /// The body is not well-formed (or has no root element), or an element's text does not fit
    /// its type.
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// A value could not be written (a bug, never caused by input).
    #[error("cannot serialise: {0}")]
    Serialize(String),
}

impl CodecError {
    /// The OSS/S3 error code for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            CodecError::Serialize(_) => "InternalError",
            _ => "MalformedXML",
        }
    }
}

/// The root element of a document: its local name and the namespace bound to its prefix (or
/// the default namespace when it has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootElement {
    /// Local name, without any prefix.
    pub name: String,
    /// Namespace URI, if one is declared on the root element for its prefix.
    pub namespace: Option<String>,
}

/// Reads the root element of `text` (skipping the declaration, comments, processing
/// instructions and a DOCTYPE).
pub fn root_element(text: &str) -> Result<RootElement, CodecError> {
    let mut reader = Reader::from_str(text);
    loop {
        let event = reader
            .read_event()
            .map_err(|e| CodecError::Malformed(e.to_string()))?;
        let start = match event {
            Event::Start(s) | Event::Empty(s) => s,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => continue,
            Event::Text(t) if t.trim().is_empty() => continue,
            Event::Eof => {
                return Err(CodecError::Malformed("no root element".to_owned()));
            }
            _ => {
                return Err(CodecError::Malformed(
                    "text before the root element".to_owned(),
                ));
            }
        };
        let qname = start.name();
        let name = qname.local_name().as_ref().to_owned();
        let ns_attr = match qname.prefix() {
            Some(p) => format!("xmlns:{}", p.as_ref()),
            None => "xmlns".to_owned(),
        };
        let mut namespace = None;
        for attr in start.attributes() {
            let attr = attr.map_err(|e| CodecError::Malformed(e.to_string()))?;
            if attr.key.as_ref() == ns_attr {
                let value = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| CodecError::Malformed(e.to_string()))?;
                namespace = Some(value.into_owned());
            }
        }
        return Ok(RootElement { name, namespace });
    }
}

/// Parses `body` into `T` after checking that it is UTF-8, at most `limit` bytes, and that its
/// root element's local name is `root` (with or without a namespace).
pub fn from_xml<T: DeserializeOwned>(
    body: &[u8],
    root: &'static str,
    limit: usize,
) -> Result<T, CodecError> {
    if body.len() > limit {
        return Err(CodecError::TooLarge { limit });
    }
    let text = std::str::from_utf8(body).map_err(|_| CodecError::NotUtf8)?;
    let found = root_element(text)?;
    if found.name != root {
        return Err(CodecError::WrongRoot {
            expected: root,
            found: found.name,
        });
    }
    quick_xml::de::from_str(text).map_err(|e| CodecError::Malformed(e.to_string()))
}

/// Serialises `value` with the XML declaration, a newline, and two-space indentation. The root
/// element's name comes from the type's `#[serde(rename)]`.
pub fn to_xml<T: Serialize>(value: &T) -> Result<String, CodecError> {
    let mut out = String::from(XML_DECLARATION);
    out.push('\n');
    let mut ser = quick_xml::se::Serializer::new(&mut out);
    ser.indent(' ', 2);
    value
        .serialize(ser)
        .map_err(|e| CodecError::Serialize(e.to_string()))?;
    Ok(finish(out))
}

/// The S3 response namespace.
pub const S3_NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Serialises `value` as the document element `root` (for DTOs used under several roots),
/// with the XML declaration and no indentation.
pub fn to_xml_as<T: Serialize>(root: &str, value: &T) -> String {
    let mut out = String::with_capacity(512);
    out.push_str(XML_DECLARATION);
    out.push('\n');
    match quick_xml::se::to_writer_with_root(&mut out, root, value) {
        Ok(_) => finish(out),
        // The response DTOs only hold strings, numbers, booleans and sequences, which
        // always serialise; this branch is never taken with them.
        Err(e) => format!(
            "{XML_DECLARATION}\n<Error><Code>InternalError</Code><Message>{}</Message></Error>",
            escape(&e.to_string())
        ),
    }
}

/// Escapes text for element content: the markup characters, and the control characters XML
/// text cannot hold as themselves (see [`with_references`]).
pub fn escape(s: &str) -> Cow<'_, str> {
    let escaped = quick_xml::escape::escape(s);
    if escaped.contains(needs_reference) {
        Cow::Owned(with_references(&escaped))
    } else {
        escaped
    }
}

/// Whether `c` cannot appear as itself in XML text: a C0 control other than tab and newline
/// (XML 1.0 forbids them; a raw carriage return would be read back as a newline, which is
/// why quick-xml already writes it as `&#13;`).
fn needs_reference(c: char) -> bool {
    c < ' ' && c != '\t' && c != '\n'
}

/// `text` (already escaped) with its control characters written as character references
/// (`&#x1;`), as S3 writes them: the bytes never break the document's framing, a
/// carriage return survives a parser's line-end normalisation, and the rest, which XML 1.0
/// cannot carry at all, reach the client visibly; `encoding-type=url` returns such names
/// intact where the API offers it.
fn with_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_reference(c) {
            out.push_str(&format!("&#x{:X};", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A serialised document with its control characters referenced. The serialiser writes none
/// itself (its indentation is spaces and newlines), so every one found came from text.
fn finish(doc: String) -> String {
    if doc.contains(needs_reference) {
        with_references(&doc)
    } else {
        doc
    }
}

/// Parses a boolean case-insensitively (`true`, `True`, `FALSE`, ...).
pub fn parse_bool(s: &str) -> Option<bool> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_element_plain_namespaced_and_prefixed() {
        let r = root_element(r#"<?xml version="1.0"?><!-- c --><A><B/></A>"#).unwrap();
        assert_eq!(
            r,
            RootElement {
                name: "A".to_owned(),
                namespace: None
            }
        );
        let r = root_element(r#"<A xmlns="urn:x"/>"#).unwrap();
        assert_eq!(r.namespace.as_deref(), Some("urn:x"));
        let r = root_element(r#"<s3:A xmlns:s3="urn:y" xmlns="urn:z"></s3:A>"#).unwrap();
        assert_eq!(r.name, "A");
        assert_eq!(r.namespace.as_deref(), Some("urn:y"));
    }

    #[test]
    fn root_element_refuses_empty_and_text() {
        assert_eq!(
            root_element("  ").unwrap_err(),
            CodecError::Malformed("no root element".to_owned())
        );
        assert_eq!(
            root_element("hello<A/>").unwrap_err(),
            CodecError::Malformed("text before the root element".to_owned())
        );
    }

    #[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
    #[serde(rename = "Thing", rename_all = "PascalCase")]
    struct Thing {
        name: String,
    }

    #[test]
    fn from_xml_checks_root_size_and_utf8() {
        let ok: Thing = from_xml(b"<Thing><Name>x</Name></Thing>", "Thing", 100).unwrap();
        assert_eq!(ok.name, "x");
        let bom: Thing = from_xml(
            "\u{FEFF}<?xml version=\"1.0\"?>\n<Thing><Name>y</Name></Thing>".as_bytes(),
            "Thing",
            100,
        )
        .unwrap();
        assert_eq!(bom.name, "y");
        assert_eq!(
            from_xml::<Thing>(b"<Other><Name>x</Name></Other>", "Thing", 100).unwrap_err(),
            CodecError::WrongRoot {
                expected: "Thing",
                found: "Other".to_owned()
            }
        );
        assert_eq!(
            from_xml::<Thing>(b"<Thing><Name>x</Name></Thing>", "Thing", 10).unwrap_err(),
            CodecError::TooLarge { limit: 10 }
        );
        assert_eq!(
            from_xml::<Thing>(b"<Thing>\xff</Thing>", "Thing", 100).unwrap_err(),
            CodecError::NotUtf8
        );
        let e = from_xml::<Thing>(b"<Thing><Name>x</Thing>", "Thing", 100).unwrap_err();
        assert_eq!(e.code(), "MalformedXML");
    }

    #[test]
    fn control_characters_become_references() {
        assert_eq!(escape("a\u{1}b\rc\td\ne&"), "a&#x1;b&#13;c\td\ne&amp;");
        assert!(matches!(escape("plain"), Cow::Borrowed("plain")));
        let doc = to_xml_as(
            "Thing",
            &Thing {
                name: "k\u{1f}\u{7f}".to_owned(),
            },
        );
        assert!(
            doc.ends_with("<Thing><Name>k&#x1F;\u{7f}</Name></Thing>"),
            "{doc}"
        );
    }

    #[test]
    fn to_xml_writes_declaration() {
        let s = to_xml(&Thing {
            name: "a&b".to_owned(),
        })
        .unwrap();
        assert_eq!(
            s,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Thing>\n  <Name>a&amp;b</Name>\n</Thing>"
        );
    }
}
