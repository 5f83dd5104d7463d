//! `${imageInfo.*}` of a callback: the width, height and format of an image object, read
//! from the headers of its first bytes (PNG, GIF, BMP, WebP and JPEG); empty for anything
//! else, as OSS leaves them for objects that are not images.

/// Width, height and format (`png`, `gif`, `bmp`, `webp`, `jpg`) of the image whose first
/// bytes are `head`, when they tell.
pub fn sniff(head: &[u8]) -> Option<(u32, u32, &'static str)> {
    let be16 = |i: usize| {
        Some(u32::from(u16::from_be_bytes(
            head.get(i..i + 2)?.try_into().ok()?,
        )))
    };
    let le16 = |i: usize| {
        Some(u32::from(u16::from_le_bytes(
            head.get(i..i + 2)?.try_into().ok()?,
        )))
    };
    let be32 = |i: usize| Some(u32::from_be_bytes(head.get(i..i + 4)?.try_into().ok()?));
    let le32 =
        |i: usize| Some(i32::from_le_bytes(head.get(i..i + 4)?.try_into().ok()?).unsigned_abs());
    let le24 = |i: usize| {
        let b = head.get(i..i + 3)?;
        Some(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
    };
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some((be32(16)?, be32(20)?, "png"));
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Some((le16(6)?, le16(8)?, "gif"));
    }
    if head.starts_with(b"BM") && head.len() >= 26 {
        return Some((le32(18)?, le32(22)?, "bmp"));
    }
    if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return match head.get(12..16)? {
            b"VP8 " => Some((le16(26)? & 0x3fff, le16(28)? & 0x3fff, "webp")),
            b"VP8L" => {
                let b = u32::from_le_bytes(head.get(21..25)?.try_into().ok()?);
                Some(((b & 0x3fff) + 1, ((b >> 14) & 0x3fff) + 1, "webp"))
            }
            b"VP8X" => Some((le24(24)? + 1, le24(27)? + 1, "webp")),
            _ => None,
        };
    }
    if head.starts_with(&[0xff, 0xd8]) {
        return jpeg(head, be16);
    }
    None
}

/// A JPEG's size from its first start-of-frame marker.
fn jpeg(head: &[u8], be16: impl Fn(usize) -> Option<u32>) -> Option<(u32, u32, &'static str)> {
    let mut i = 2;
    while i + 4 <= head.len() {
        if head[i] != 0xff {
            return None;
        }
        let marker = head[i + 1];
        if marker == 0xff {
            i += 1;
            continue;
        }
        let len = be16(i + 2)? as usize;
        let sof = matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc);
        if sof {
            return Some((be16(i + 7)?, be16(i + 5)?, "jpg"));
        }
        i += 2 + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_common_formats() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(sniff(&png), Some((640, 480, "png")));
        let gif = b"GIF89a\x20\x03\x58\x02rest";
        assert_eq!(sniff(gif), Some((800, 600, "gif")));
        // SOI, an APP0 segment of 16 bytes, then SOF0: 8-bit, height 300, width 400.
        let mut jpg = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10];
        jpg.extend_from_slice(&[0; 14]);
        jpg.extend_from_slice(&[0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0x2c, 0x01, 0x90]);
        assert_eq!(sniff(&jpg), Some((400, 300, "jpg")));
        assert_eq!(sniff(b"hello world"), None);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n"), None);
    }
}
