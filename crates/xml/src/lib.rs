//! Request and response XML documents of the OSS and S3 dialects, and error bodies.
//!
//! Request types are lenient (child order free, unknown elements ignored, booleans
//! case-insensitive) and are parsed with [`from_xml`], which also checks the root element and
//! the size. Response types serialize with [`to_xml`] (root from the type) or [`to_xml_as`]
//! (root given); the S3 dialect sets the `xmlns` field. No I/O happens here.
//!
//! Element names are the PascalCase form of the field names (`rename_all = "PascalCase"` on
//! every type); a field keeps an explicit `rename` only where the wire name differs from that
//! (`ID`, `ETag`, `MirrorURL`, singular names of repeated elements, `@xmlns`, `$text`, ...).
//! The golden tests in `tests/` pin the resulting names.

pub mod acl;
pub mod bucket;
pub mod cname;
pub mod codec;
pub mod cors;
pub mod error;
pub mod lifecycle;
pub mod list;
pub mod multipart;
pub mod object;
pub mod region;
pub mod tagging;
pub mod website;

pub use codec::{
    CodecError, S3_NS, XML_DECLARATION, escape, from_xml, parse_bool, root_element, to_xml,
    to_xml_as,
};
pub use error::ErrorBody;
