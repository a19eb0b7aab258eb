//! `export --cases-dir DIR`: every case of the month written as `NN-单位-回执编号.docx`, with its
//! stored photos read from the data dir (each bounded in size, never from outside it).

use std::path::{Component, Path, PathBuf};

use thiserror::Error;

use super::docx::{CaseDocument, case_docx};
use crate::config::Config;
use crate::domain::period::Period;
use crate::store::papers::{self, CasePaper};
use crate::store::{Store, StoreError};

/// A stored photo larger than this is left out of the document (mail limits keep them smaller).
const MAX_PHOTO_BYTES: u64 = 32 << 20;

#[derive(Debug, Error)]
pub enum CaseFilesError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot build the document for case {receipt_no}: {message}")]
    Docx { receipt_no: String, message: String },
}

/// Writes the month's case documents into `dir` (created if needed); returns their paths.
pub async fn write_case_documents(
    config: &Config,
    store: &Store,
    period: Period,
    with_tip_sources: bool,
    dir: &Path,
) -> Result<Vec<PathBuf>, CaseFilesError> {
    std::fs::create_dir_all(dir).map_err(|source| CaseFilesError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let cases = papers::cases_of_period(store, &period.to_string()).await?;
    let mut written = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let photos = read_photos(
            &config.data_dir,
            &papers::photo_paths(store, case.id).await?,
        );
        let unit = config.roster.by_code(&case.unit_code);
        let unit_name = unit
            .as_ref()
            .map_or(case.unit_code.as_str(), |u| u.name.as_str());
        let doc = document(config, case, unit_name, with_tip_sources, photos);
        let bytes = case_docx(&doc).map_err(|e| CaseFilesError::Docx {
            receipt_no: case.receipt_no.clone(),
            message: e.to_string(),
        })?;
        let path = dir.join(file_name(n + 1, unit_name, &case.receipt_no));
        std::fs::write(&path, bytes).map_err(|source| CaseFilesError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

fn document<'a>(
    config: &Config,
    case: &'a CasePaper,
    unit_name: &'a str,
    with_tip_sources: bool,
    photos: Vec<Vec<u8>>,
) -> CaseDocument<'a> {
    let received = crate::clock::local_text(case.received_at, config.office.zone.tz());
    CaseDocument {
        unit_name,
        tip_source: case.tip_source.as_deref().filter(|_| with_tip_sources),
        facts: case.facts.as_deref(),
        enforcement: case.enforcement.as_deref(),
        reward: case.reward.as_deref(),
        overview: case.overview.as_deref(),
        remarks: case.remarks.as_deref(),
        filled_by: case.filled_by.as_deref(),
        phone: case.phone.as_deref(),
        filled_on: case.filled_on.as_deref(),
        provenance: format!("{}收到，回执编号 {}", received, case.receipt_no),
        photos,
    }
}

/// `01-跳磴镇-RD-20261119-000004.docx`; path separators never come through.
pub fn file_name(n: usize, unit_name: &str, receipt_no: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_control() || "/\\:*?\"<>|".contains(c) {
                    '_'
                } else {
                    c
                }
            })
            .collect()
    };
    format!("{n:02}-{}-{}.docx", clean(unit_name), clean(receipt_no))
}

/// The photos that can be read; one that cannot is logged and left out.
fn read_photos(data_dir: &Path, paths: &[String]) -> Vec<Vec<u8>> {
    paths
        .iter()
        .filter_map(|relative| {
            let inside = Path::new(relative)
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
            if !inside {
                tracing::warn!(path = %relative, "a photo path leaves the data dir: skipped");
                return None;
            }
            let path = data_dir.join(relative);
            if !std::fs::metadata(&path).is_ok_and(|m| m.len() <= MAX_PHOTO_BYTES) {
                tracing::warn!(path = %path.display(), "photo missing or too large for a document");
                return None;
            }
            std::fs::read(&path)
                .inspect_err(|error| {
                    tracing::warn!(path = %path.display(), %error, "cannot read a photo");
                })
                .ok()
        })
        .collect()
}
