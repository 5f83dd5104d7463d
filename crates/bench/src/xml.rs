//! Just enough XML reading for S3 responses: element texts and element counts.
//!
//! S3 response documents are flat and machine-written, so a scan for `<Tag>` … `</Tag>`
//! is exact for the elements read here (`Code`, `IsTruncated`, `NextContinuationToken`,
//! `Key`, `CommonPrefixes`), none of which nest inside themselves.

/// The unescaped text of the first `<tag>` element, if any.
pub fn first_text(doc: &[u8], tag: &str) -> Option<String> {
    let doc = std::str::from_utf8(doc).ok()?;
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = doc.find(&open)? + open.len();
    let len = doc[start..].find(&close)?;
    Some(unescape(&doc[start..start + len]))
}

/// The raw (still escaped) contents of every `<tag>…</tag>` element, in order; for picking
/// fields out of repeated blocks such as `<Contents>` or `<Upload>` with [`first_text`].
pub fn elements<'a>(doc: &'a [u8], tag: &str) -> Vec<&'a [u8]> {
    let Ok(text) = std::str::from_utf8(doc) else {
        return Vec::new();
    };
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(&after.as_bytes()[..j]);
        rest = &after[j + close.len()..];
    }
    out
}

/// The raw contents of every element named one of `tags`, in document order, each with the
/// index of its tag in `tags`: for listings that interleave two kinds of block, such as
/// ListObjectVersions' `<Version>` and `<DeleteMarker>`.
pub fn elements_of<'a>(doc: &'a [u8], tags: &[&str]) -> Vec<(usize, &'a [u8])> {
    let Ok(text) = std::str::from_utf8(doc) else {
        return Vec::new();
    };
    let marks: Vec<(String, String)> = tags
        .iter()
        .map(|t| (format!("<{t}>"), format!("</{t}>")))
        .collect();
    // The next opening of each tag at or after `at` (absolute offsets, found once each).
    let find = |n: usize, at: usize| text[at..].find(marks[n].0.as_str()).map(|i| at + i);
    let mut next: Vec<Option<usize>> = (0..marks.len()).map(|n| find(n, 0)).collect();
    let mut out = Vec::new();
    while let Some((i, n)) = next
        .iter()
        .enumerate()
        .filter_map(|(n, i)| i.map(|i| (i, n)))
        .min()
    {
        let body = i + marks[n].0.len();
        let Some(j) = text[body..].find(marks[n].1.as_str()) else {
            break;
        };
        out.push((n, &doc[body..body + j]));
        let at = body + j + marks[n].1.len();
        for (m, slot) in next.iter_mut().enumerate() {
            if slot.is_some_and(|p| p < at) {
                *slot = find(m, at);
            }
        }
    }
    out
}

/// How many `<tag>` elements (with or without attributes) `doc` holds.
pub fn count(doc: &[u8], tag: &str) -> usize {
    let Ok(doc) = std::str::from_utf8(doc) else {
        return 0;
    };
    let open = format!("<{tag}");
    doc.match_indices(&open)
        .filter(|(i, _)| {
            matches!(
                doc.as_bytes().get(i + open.len()),
                Some(b'>' | b' ' | b'/' | b'\t' | b'\n' | b'\r')
            )
        })
        .count()
}

/// Replaces the five predefined entities and numeric character references.
pub fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';') else { break };
        let entity = &rest[1..semi];
        let ch = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>list/</Prefix>
<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>
<NextContinuationToken>a&amp;b&#x2F;c&#61;</NextContinuationToken>
<Contents><Key>list/a</Key><Size>0</Size></Contents><Contents><Key>list/b</Key></Contents>
<CommonPrefixes><Prefix>list/p/</Prefix></CommonPrefixes><KeyCountx/></ListBucketResult>"#;

    #[test]
    fn reads_listing_fields() {
        assert_eq!(first_text(LIST, "IsTruncated").as_deref(), Some("true"));
        assert_eq!(
            first_text(LIST, "NextContinuationToken").as_deref(),
            Some("a&b/c=")
        );
        assert_eq!(count(LIST, "Key"), 2);
        assert_eq!(count(LIST, "Contents"), 2);
        assert_eq!(count(LIST, "CommonPrefixes"), 1);
        assert_eq!(count(LIST, "KeyCount"), 1);
        assert_eq!(first_text(LIST, "Missing"), None);
        assert_eq!(
            first_text(b"<Error><Code>NoSuchKey</Code></Error>", "Code").as_deref(),
            Some("NoSuchKey")
        );
    }

    #[test]
    fn repeated_blocks() {
        let blocks = elements(LIST, "Contents");
        assert_eq!(blocks.len(), 2);
        assert_eq!(first_text(blocks[0], "Key").as_deref(), Some("list/a"));
        assert_eq!(first_text(blocks[1], "Key").as_deref(), Some("list/b"));
        assert!(elements(b"<a>", "a").is_empty());
    }

    #[test]
    fn interleaved_blocks() {
        let doc = b"<R><VersionIdMarker>m</VersionIdMarker><Version><Key>a</Key></Version>\
            <DeleteMarker><Key>a</Key></DeleteMarker><Version><Key>b</Key></Version></R>";
        let blocks = elements_of(doc, &["Version", "DeleteMarker"]);
        let kinds: Vec<usize> = blocks.iter().map(|(n, _)| *n).collect();
        assert_eq!(kinds, [0, 1, 0]);
        assert_eq!(first_text(blocks[2].1, "Key").as_deref(), Some("b"));
        assert!(elements_of(b"<Version>open", &["Version"]).is_empty());
    }

    #[test]
    fn unescape_leaves_unknown_entities() {
        assert_eq!(unescape("x &bogus; &lt;y&gt; &"), "x &bogus; <y> &");
    }
}
