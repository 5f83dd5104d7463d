//! Request and response XML documents of the OSS and S3 dialects, and error bodies.
//!
//! Request types are lenient (child order free, unknown elements ignored, booleans
//! case-insensitive) and are parsed with [`from_xml`], which also checks the root element.
//! Response types serialize with [`to_xml`]; the S3 dialect sets the `xmlns` field.
//! No I/O happens here.

pub mod acl;
pub mod bucket;
mod codec;
pub mod error;
pub mod list;
pub mod multipart;
pub mod object;

pub use codec::{
    DECLARATION, S3_NS, XmlError, escape, from_xml, lenient_bool, parse_bool, root_name, to_xml,
};
pub use error::ErrorBody;
