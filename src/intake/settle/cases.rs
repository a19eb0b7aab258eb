//! Typical-case forms' pieces: the mail's images stored as work photos (by content, never under
//! a name from the sender), a case form's line in the ingest report. Which cases are recorded is
//! planned in [`super::plan`]. The tip source is stored but never logged or echoed in the ingest
//! line.

use sha2::{Digest, Sha256};

use super::Settler;
use crate::domain::period::Period;
use crate::forms::Finding;
use crate::intake::assess::{CaseReadingOf, Reading};
use crate::intake::report::{FormReport, Outcome};

impl Settler<'_> {
    /// Writes each image under `photos/` by its content hash, once per content.
    /// A photo that cannot be written is logged and left out (the raw mail keeps it anyway).
    pub(super) fn store_photos(&self, reading: &Reading) -> Vec<StoredPhoto> {
        let mut stored = Vec::new();
        for &index in &reading.photos {
            let Some(attachment) = self.message.attachments.get(index) else {
                continue;
            };
            let sha = hex::encode(Sha256::digest(&attachment.bytes));
            let relative = format!(
                "photos/{}/{sha}.{}",
                &sha[..2],
                image_extension(&attachment.bytes)
            );
            let path = self.config.data_dir.join(&relative);
            if !path.exists()
                && let Err(error) = crate::durable::write_atomically(&path, &attachment.bytes)
            {
                tracing::error!(path = %path.display(), %error, "cannot store a photo");
                continue;
            }
            if !stored.iter().any(|p: &StoredPhoto| p.sha256 == sha) {
                stored.push(StoredPhoto {
                    sha256: sha,
                    path: relative,
                    size: attachment.bytes.len() as u64,
                });
            }
        }
        stored
    }
}

/// A work photo written under the data dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredPhoto {
    /// The content hash, hex: the photo's name and identity.
    pub sha256: String,
    /// Relative to the data dir: `photos/ab/abcd….jpg`.
    pub path: String,
    pub size: u64,
}

pub(crate) fn case_report(
    case: &CaseReadingOf,
    outcome: Outcome,
    period: Period,
    errors: Vec<Finding>,
    warnings: Vec<String>,
) -> FormReport {
    FormReport {
        kind: "case",
        attachment: Some(case.attachment.clone()),
        outcome,
        period: Some(period.to_string()),
        period_source: None,
        version: None,
        late: None,
        values: None,
        changed: None,
        errors,
        warnings,
    }
}

/// The file extension for an image, from its first bytes (never from the sender's name).
fn image_extension(bytes: &[u8]) -> &'static str {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => "jpg",
        [0x89, b'P', b'N', b'G', ..] => "png",
        [b'G', b'I', b'F', b'8', ..] => "gif",
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => "webp",
        [b'B', b'M', ..] => "bmp",
        [_, _, _, _, b'f', b't', b'y', b'p', b'h', b'e', b'i', ..] => "heic",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_types_come_from_the_bytes() {
        assert_eq!(image_extension(&[0xFF, 0xD8, 0xFF, 0xE0]), "jpg");
        assert_eq!(image_extension(b"\x89PNG\r\n"), "png");
        assert_eq!(image_extension(b"RIFF1234WEBPVP8"), "webp");
        assert_eq!(image_extension(b"\0\0\0\x18ftypheic"), "heic");
        assert_eq!(image_extension(b"../../etc/passwd"), "bin");
    }
}
