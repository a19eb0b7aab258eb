//! The pixel size of a photo, read from its PNG, JPEG or GIF header (no image crate: the header
//! is all a document needs to place the photo with its aspect kept). Hostile input: every read
//! is bounds-checked and the JPEG walk stops at the end of the bytes.

/// A picture format a Word document can embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Gif,
}

impl ImageKind {
    pub fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpeg",
            ImageKind::Gif => "gif",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Gif => "image/gif",
        }
    }
}

/// A picture's format and size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageSize {
    pub kind: ImageKind,
    pub width: u32,
    pub height: u32,
}

/// The format and size, or `None` for anything else or a broken header (zero sizes included).
pub fn image_size(bytes: &[u8]) -> Option<ImageSize> {
    let (kind, width, height) = match bytes {
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => png(bytes)?,
        [0xFF, 0xD8, ..] => jpeg(bytes)?,
        [b'G', b'I', b'F', b'8', ..] => gif(bytes)?,
        _ => return None,
    };
    (width > 0 && height > 0).then_some(ImageSize {
        kind,
        width,
        height,
    })
}

fn be16(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 2)?;
    Some(u32::from(u16::from_be_bytes([b[0], b[1]])))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// The IHDR chunk comes first: its width and height at bytes 16 and 20.
fn png(bytes: &[u8]) -> Option<(ImageKind, u32, u32)> {
    (bytes.get(12..16)? == b"IHDR").then_some(())?;
    Some((ImageKind::Png, be32(bytes, 16)?, be32(bytes, 20)?))
}

/// Logical screen width and height, little-endian, at bytes 6 and 8.
fn gif(bytes: &[u8]) -> Option<(ImageKind, u32, u32)> {
    let b = bytes.get(6..10)?;
    let width = u32::from(u16::from_le_bytes([b[0], b[1]]));
    let height = u32::from(u16::from_le_bytes([b[2], b[3]]));
    Some((ImageKind::Gif, width, height))
}

/// Walks the segments to the first start-of-frame marker, which holds height then width.
fn jpeg(bytes: &[u8]) -> Option<(ImageKind, u32, u32)> {
    let mut at = 2;
    loop {
        // Markers may be padded with any number of 0xFF bytes.
        while *bytes.get(at)? == 0xFF && *bytes.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        at += 2;
        match marker {
            0xD0..=0xD9 | 0x01 => continue,
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                let height = be16(bytes, at + 3)?;
                let width = be16(bytes, at + 5)?;
                return Some((ImageKind::Jpeg, width, height));
            }
            _ => {
                let length = be16(bytes, at)? as usize;
                if length < 2 {
                    return None;
                }
                at = at.checked_add(length)?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG header of the given size (only the header is read).
    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        out.extend_from_slice(b"IHDR");
        out.extend_from_slice(&width.to_be_bytes());
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&[8, 2, 0, 0, 0]);
        out
    }

    #[test]
    fn png_and_gif_sizes_come_from_their_headers() {
        let size = image_size(&png_header(1200, 900)).unwrap();
        assert_eq!(
            (size.kind, size.width, size.height),
            (ImageKind::Png, 1200, 900)
        );
        let gif = [b'G', b'I', b'F', b'8', b'9', b'a', 0x40, 0x01, 0xF0, 0x00];
        let size = image_size(&gif).unwrap();
        assert_eq!((size.width, size.height), (320, 240));
    }

    #[test]
    fn a_jpeg_size_is_found_past_its_app_segments() {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0xAA, 0xBB];
        jpeg.extend_from_slice(&[0xFF, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x02, 0x58, 0x03, 0x20]);
        let size = image_size(&jpeg).unwrap();
        assert_eq!(
            (size.kind, size.width, size.height),
            (ImageKind::Jpeg, 800, 600)
        );
    }

    #[test]
    fn the_fixture_photo_reads_as_a_jpeg() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/cases/a039-photo2.jpg"
        ))
        .unwrap();
        let size = image_size(&bytes).unwrap();
        assert_eq!(size.kind, ImageKind::Jpeg);
        assert!(size.width > 0 && size.height > 0);
    }

    #[test]
    fn broken_headers_give_none_and_never_panic() {
        assert_eq!(image_size(b""), None);
        assert_eq!(image_size(&png_header(0, 10)), None);
        assert_eq!(image_size(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00]), None);
        assert_eq!(image_size(&[0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF]), None);
        let png = png_header(10, 10);
        for cut in 0..png.len() {
            let _ = image_size(&png[..cut]);
        }
        assert_eq!(image_size(b"RIFF....WEBP"), None);
    }
}
