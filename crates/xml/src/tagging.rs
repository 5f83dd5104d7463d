//! Object tagging (`Tagging`): the Put/GetObjectTagging document of both dialects.

use serde::{Deserialize, Serialize};

/// One `<Tag>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// Tag key; absent in a request reads as empty (and is refused).
    #[serde(default)]
    pub key: String,
    /// Tag value; may be empty.
    #[serde(default)]
    pub value: String,
}

/// `<TagSet>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagSet {
    /// The tags, in document order.
    #[serde(rename = "Tag", default)]
    pub tags: Vec<Tag>,
}

/// PutObjectTagging body and GetObjectTagging response, root `Tagging`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tagging {
    /// S3 namespace on output, or none.
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<String>,
    /// The tag set; a request without one is malformed.
    #[serde(default)]
    pub tag_set: Option<TagSet>,
}

impl Tagging {
    /// A response document for `pairs`.
    pub fn new(pairs: &[(String, String)], xmlns: Option<&str>) -> Self {
        Self {
            xmlns: xmlns.map(str::to_owned),
            tag_set: Some(TagSet {
                tags: pairs
                    .iter()
                    .map(|(k, v)| Tag {
                        key: k.clone(),
                        value: v.clone(),
                    })
                    .collect(),
            }),
        }
    }

    /// The tags as `(key, value)` pairs; `None` without a `TagSet`.
    pub fn pairs(self) -> Option<Vec<(String, String)>> {
        self.tag_set
            .map(|s| s.tags.into_iter().map(|t| (t.key, t.value)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{S3_NS, from_xml, to_xml_as};

    #[test]
    fn parses_and_renders() {
        let body = br#"<Tagging><TagSet><Tag><Key>a</Key><Value>1 &amp; 2</Value></Tag><Tag><Value></Value><Key>b</Key></Tag></TagSet></Tagging>"#;
        let t: Tagging = from_xml(body, "Tagging", 1 << 16).unwrap();
        let pairs = t.pairs().unwrap();
        assert_eq!(
            pairs,
            [("a".into(), "1 & 2".into()), ("b".into(), String::new())]
        );
        let out = to_xml_as("Tagging", &Tagging::new(&pairs, Some(S3_NS)));
        assert!(
            out.ends_with(&format!(
                "<Tagging xmlns=\"{S3_NS}\"><TagSet><Tag><Key>a</Key><Value>1 &amp; 2</Value></Tag><Tag><Key>b</Key><Value/></Tag></TagSet></Tagging>"
            )),
            "{out}"
        );
        let empty = to_xml_as("Tagging", &Tagging::new(&[], None));
        assert!(empty.ends_with("<Tagging><TagSet/></Tagging>"), "{empty}");
    }

    #[test]
    fn without_tag_set() {
        let t: Tagging = from_xml(b"<Tagging/>", "Tagging", 1 << 16).unwrap();
        assert_eq!(t.pairs(), None);
        assert!(from_xml::<Tagging>(b"<Tags/>", "Tagging", 1 << 16).is_err());
    }
}
