//! Error response bodies (`<Error>` documents), shared by both dialects.

use crate::codec::{XML_DECLARATION, escape};

/// An `<Error>` document. Elements are written in the order OSS uses: Code, Message,
/// RequestId, HostId, then the context fields in the order given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorBody {
    /// Error code, e.g. `NoSuchKey`.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// The request id.
    pub request_id: String,
    /// The host the request addressed.
    pub host_id: String,
    /// Context elements such as `BucketName`, `Key`, `StringToSign`, `EC`.
    pub fields: Vec<(String, String)>,
}

impl ErrorBody {
    /// Renders the document with the XML declaration.
    pub fn to_xml(&self) -> String {
        let mut s = String::with_capacity(256);
        s.push_str(XML_DECLARATION);
        s.push_str("\n<Error>\n");
        push(&mut s, "Code", &self.code);
        push(&mut s, "Message", &self.message);
        push(&mut s, "RequestId", &self.request_id);
        push(&mut s, "HostId", &self.host_id);
        for (k, v) in &self.fields {
            push(&mut s, k, v);
        }
        s.push_str("</Error>\n");
        s
    }
}

fn push(s: &mut String, name: &str, value: &str) {
    s.push_str("  <");
    s.push_str(name);
    s.push('>');
    s.push_str(&escape(value));
    s.push_str("</");
    s.push_str(name);
    s.push_str(">\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_in_order_and_escapes() {
        let body = ErrorBody {
            code: "NoSuchKey".into(),
            message: "The specified key does not exist.".into(),
            request_id: "5C06A3B67B8B5A3DA422AAAA".into(),
            host_id: "b.localhost".into(),
            fields: vec![("Key".into(), "a<&>b".into())],
        };
        assert_eq!(
            body.to_xml(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>NoSuchKey</Code>\n  \
             <Message>The specified key does not exist.</Message>\n  \
             <RequestId>5C06A3B67B8B5A3DA422AAAA</RequestId>\n  <HostId>b.localhost</HostId>\n  \
             <Key>a&lt;&amp;&gt;b</Key>\n</Error>\n"
        );
    }
}
