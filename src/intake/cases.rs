//! Settling typical-case forms inside the intake transaction: each accepted form becomes a case
//! of the month of receipt, the mail's images become its work photos (stored by content, never
//! under a name from the sender), and photos sent later in a reply to a case's receipt join that
//! case. The tip source is stored but never logged or echoed in the ingest line.

use sha2::{Digest, Sha256};

use super::assess::{CaseReadingOf, Reading};
use super::report::{FormReport, Outcome};
use super::settle::Settler;
use crate::clock::local_text;
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::forms::Finding;
use crate::forms::case::missing_photos_warning;
use crate::replies::text::RecordedCase;
use crate::store::cases::{self, NewCase};
use crate::store::{StoreError, Tx};

/// What the cases of one message came to.
#[derive(Default)]
pub(super) struct Settled {
    pub reports: Vec<FormReport>,
    pub recorded: Vec<RecordedCase>,
    /// The problems of the returned case forms, each naming its attachment.
    pub fixes: Vec<Finding>,
}

impl Settler<'_> {
    /// Records the accepted case forms with the mail's photos; lists what to fix in the others.
    pub(super) async fn settle_cases(
        &self,
        tx: &mut Tx,
        unit: &Unit,
        reading: &Reading,
        period: Period,
    ) -> Result<Settled, StoreError> {
        let mut settled = Settled::default();
        let mut corrected = self.corrected_case(tx, unit, reading, period).await?;
        // Images are stored only when a case takes them (SPEC §4): a monthly form's or a
        // rejected case's pictures stay in the raw mail and nowhere else.
        let photos = if reading.cases.iter().any(|c| c.form.is_ok()) {
            self.store_photos(reading)
        } else {
            vec![]
        };
        for case in &reading.cases {
            let mut warnings: Vec<String> =
                case.warnings.iter().map(Finding::warning_text).collect();
            match &case.form {
                Ok(form) => {
                    let prior = corrected.take();
                    // A correction stays in the month of the case it corrects.
                    let case_period = prior
                        .as_ref()
                        .and_then(|p| Period::parse(&p.period).ok())
                        .unwrap_or(period);
                    let version = prior.as_ref().map_or(1, |p| p.version + 1);
                    let id = cases::insert(
                        tx,
                        &NewCase {
                            unit_code: unit.code.as_str(),
                            period: &case_period.to_string(),
                            message_row: self.row.id,
                            received_at: self.row.received_at,
                            attachment: &case.attachment,
                            receipt_no: &self.receipt_no(),
                            form,
                            version,
                        },
                    )
                    .await?;
                    if let Some(prior) = &prior {
                        cases::replace(tx, prior.id, id, photos.is_empty()).await?;
                    }
                    for photo in &photos {
                        cases::add_photo(
                            tx,
                            id,
                            &photo.sha256,
                            &photo.path,
                            photo.size,
                            self.row.id,
                        )
                        .await?;
                    }
                    if photos.is_empty() && prior.is_none() {
                        warnings.push(missing_photos_warning().warning_text());
                    }
                    let mut report = case_report(
                        case,
                        Outcome::Accepted,
                        case_period,
                        vec![],
                        warnings.clone(),
                    );
                    report.version = Some(version);
                    settled.reports.push(report);
                    settled.recorded.push(RecordedCase {
                        attachment: case.attachment.clone(),
                        period: case_period,
                        photos: photos.len(),
                        reward: form.reward_yuan,
                        warnings,
                        version,
                        replaces: prior
                            .map(|p| local_text(p.received_at, self.config.office.timezone)),
                    });
                }
                Err(problems) => {
                    settled.reports.push(case_report(
                        case,
                        Outcome::Rejected,
                        period,
                        problems.clone(),
                        warnings,
                    ));
                    settled.fixes.extend(problems.iter().cloned());
                }
            }
        }
        Ok(settled)
    }

    /// Photos in a reply to one of our receipts join the cases that receipt answered. Returns the
    /// photo count and the receipt numbers, or `None` when the mail answers no case.
    pub(super) async fn later_photos(
        &self,
        tx: &mut Tx,
        unit: &Unit,
        reading: &Reading,
    ) -> Result<Option<(usize, Vec<String>)>, StoreError> {
        if reading.photos.is_empty() || !reading.cases.is_empty() || !reading.monthly.is_empty() {
            return Ok(None);
        }
        let targets: Vec<(i64, String)> = self
            .answered_cases(tx, unit)
            .await?
            .into_iter()
            .map(|(case, receipt_no)| (case.id, receipt_no))
            .collect();
        if targets.is_empty() {
            return Ok(None);
        }
        let photos = self.store_photos(reading);
        for (case_id, _) in &targets {
            for photo in &photos {
                cases::add_photo(
                    tx,
                    *case_id,
                    &photo.sha256,
                    &photo.path,
                    photo.size,
                    self.row.id,
                )
                .await?;
            }
        }
        Ok(Some((
            photos.len(),
            targets.into_iter().map(|(_, r)| r).collect(),
        )))
    }

    /// Writes each image under `photos/` by its content hash, once per content.
    /// A photo that cannot be written is logged and left out (the raw mail keeps it anyway).
    fn store_photos(&self, reading: &Reading) -> Vec<StoredPhoto> {
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
                && let Err(error) = super::write_atomically(&path, &attachment.bytes)
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
struct StoredPhoto {
    /// The content hash, hex: the photo's name and identity.
    sha256: String,
    /// Relative to the data dir: `photos/ab/abcd….jpg`.
    path: String,
    size: u64,
}

fn case_report(
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
