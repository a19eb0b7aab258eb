//! Turning an attachment's bytes into a [`Workbook`], safely.
//!
//! The format is told by content, not by file name: a zip is xlsx/xlsm (or a WPS `.et` saved as
//! xlsx) or ods (xlsb is refused); an OLE compound file is a BIFF `.xls` or a password-protected
//! xlsx. A zip's declared sizes are checked against the limit before any part is inflated (zip 9
//! then refuses to inflate any entry beyond its declared size). An xlsx is read here, not by
//! calamine ([`xlsx_package`], [`xlsx_sheet`]): only the parts a form reader uses, each sheet in
//! one pass and cell by cell, so a sheet with one cell at A1 and one at XFD1048576 costs two
//! cells, not seventeen billion; its declared shared-strings count is still checked first by
//! [`xlsx_guard`]. xls and ods go through calamine, which builds their sheets densely, after
//! [`xls_guard`] and [`ods_guard`] have checked their extent.

use std::io::{Cursor, Read, Seek};

use calamine::{Data, Ods, Reader, SheetType, SheetVisible, Xls, Xlsx};
use thiserror::Error;

mod ods_guard;
mod xls_continues;
mod xls_guard;
mod xlsx_guard;
mod xlsx_package;
mod xlsx_sheet;
mod xlsx_text;

use super::workbook::{CellValue, Merge, Sheet, Workbook};
use crate::archive::{self, ArchiveError};

/// At most this many non-empty cells are read from one workbook; a form has about fifty.
pub const MAX_CELLS: usize = 200_000;

/// The largest grid (rows × columns) an xls or ods sheet may span: calamine builds those sheets
/// as dense grids, so their extent, not their content, decides the memory used.
pub const MAX_SHEET_AREA: u64 = 1_000_000;

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Why an attachment could not be read as a workbook.
#[derive(Debug, Error, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum WorkbookError {
    /// Not a spreadsheet at all (a renamed text file, a Word document, a PDF…).
    #[error("not a spreadsheet")]
    NotASpreadsheet,
    /// A spreadsheet that is cut short or corrupt.
    #[error("the spreadsheet is damaged: {0}")]
    Damaged(String),
    /// Inflates to more than the limit.
    #[error("the spreadsheet inflates to more than {limit} bytes")]
    TooLarge { limit: u64 },
    /// Holds more cells than any form would.
    #[error("the spreadsheet has more than {limit} non-empty cells")]
    TooManyCells { limit: usize },
    /// Protected by a password, so its content is encrypted.
    #[error("the spreadsheet is password-protected")]
    Encrypted,
}

impl WorkbookError {
    /// What the reporting unit is told, in Chinese.
    pub fn user_message(&self) -> String {
        match self {
            WorkbookError::NotASpreadsheet => {
                "附件不是可以读取的表格文件（可能是改了扩展名的其他文件）。\
                请用Excel或WPS打开报表，另存为 .xlsx 格式后重新发送。"
                    .to_string()
            }
            WorkbookError::Damaged(_) => "文件已损坏或不完整，无法打开。\
                请用Excel或WPS重新保存后再发送；如通过压缩包发送，请确认压缩包完整。"
                .to_string(),
            WorkbookError::TooLarge { limit } => format!(
                "文件解压后超过{}，远超报表应有的大小，为安全起见没有读取。\
                请只保留报表本身（删除多余的工作表和数据），另存为 .xlsx 后重新发送。",
                crate::domain::text::size_text(*limit)
            ),
            WorkbookError::TooManyCells { limit } => format!(
                "表格超过{limit}个单元格，远超报表应有的大小，没有读取。\
                请只保留报表本身（删除多余的工作表和数据），另存为 .xlsx 后重新发送。"
            ),
            WorkbookError::Encrypted => "文件设置了打开密码，无法读取。\
                请取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后重新发送。"
                .to_string(),
        }
    }
}

/// Reads a workbook from an attachment's bytes. `max_uncompressed` bounds what a zip-based file
/// may inflate to.
///
/// calamine panics on some malformed files (e.g. a truncated `.xls` trips an assertion in its
/// record reader), so the parse runs under `catch_unwind` and a panic is reported as `Damaged`.
/// This relies on the binary keeping the default `panic = "unwind"`.
pub fn open_workbook(bytes: &[u8], max_uncompressed: u64) -> Result<Workbook, WorkbookError> {
    std::panic::catch_unwind(|| open_unguarded(bytes, max_uncompressed)).unwrap_or_else(|_| {
        Err(WorkbookError::Damaged(
            "the spreadsheet reader panicked on this file".to_string(),
        ))
    })
}

fn open_unguarded(bytes: &[u8], max_uncompressed: u64) -> Result<Workbook, WorkbookError> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        open_zip_based(bytes, max_uncompressed)
    } else if bytes.starts_with(&CFB_MAGIC) {
        open_compound(bytes)
    } else {
        Err(WorkbookError::NotASpreadsheet)
    }
}

enum ZipKind {
    Xlsx,
    Xlsb,
    Ods,
}

fn open_zip_based(bytes: &[u8], limit: u64) -> Result<Workbook, WorkbookError> {
    // The guards share one parse of the zip directory; calamine makes its own.
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    let declared = archive::declared_size_of(&mut zip).map_err(|e| match e {
        ArchiveError::Damaged(msg) => WorkbookError::Damaged(msg),
        ArchiveError::TooLarge { limit } => WorkbookError::TooLarge { limit },
        ArchiveError::Encrypted(_) | ArchiveError::WrongPassword(_) => WorkbookError::Encrypted,
    })?;
    if declared > limit {
        return Err(WorkbookError::TooLarge { limit });
    }
    match zip_kind(&zip)? {
        ZipKind::Xlsx => {
            xlsx_guard::check(&mut zip, limit)?;
            xlsx_package::read(&mut zip, limit)
        }
        // xlsb is rare in the offices and calamine reads it as a dense grid sized by the file,
        // which no guard here bounds: the unit is asked to save as xlsx instead.
        ZipKind::Xlsb => Err(WorkbookError::NotASpreadsheet),
        ZipKind::Ods => {
            ods_guard::check(bytes, limit)?;
            let mut book: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(|e| match e {
                calamine::OdsError::Password => WorkbookError::Encrypted,
                calamine::OdsError::InvalidMime(_) => WorkbookError::NotASpreadsheet,
                other => damaged(other),
            })?;
            read_ranges(&mut book, |_, _| Vec::new())
        }
    }
}

/// Tells the zip-based formats apart by their parts.
fn zip_kind<R: Read + Seek>(zip: &zip::ZipArchive<R>) -> Result<ZipKind, WorkbookError> {
    let names: Vec<&[u8]> = zip.file_names_raw().collect();
    let has = |name: &str| {
        names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name.as_bytes()))
    };
    if has("mimetype") && has("content.xml") {
        Ok(ZipKind::Ods)
    } else if has("xl/workbook.bin") {
        Ok(ZipKind::Xlsb)
    } else if has("xl/workbook.xml")
        || has("[Content_Types].xml") && names.iter().any(|n| n.starts_with(b"xl/"))
    {
        Ok(ZipKind::Xlsx)
    } else {
        Err(WorkbookError::NotASpreadsheet)
    }
}

fn open_compound(bytes: &[u8]) -> Result<Workbook, WorkbookError> {
    xls_guard::check(bytes)?;
    match Xls::new(Cursor::new(bytes)) {
        Ok(mut book) => read_ranges(&mut book, |book: &mut Xls<_>, name| {
            book.merge_cells_by_sheet_name(name)
                .map(|dims| dims.iter().map(merge_of).collect())
                .unwrap_or_default()
        }),
        Err(calamine::XlsError::Password) => Err(WorkbookError::Encrypted),
        Err(xls_error) => {
            // A password-protected xlsx is an OLE file holding an "EncryptedPackage" stream.
            if let Err(calamine::XlsxError::Password) = Xlsx::new(Cursor::new(bytes)) {
                return Err(WorkbookError::Encrypted);
            }
            let text = xls_error.to_string();
            if text.contains("Cannot find Workbook stream") {
                Err(WorkbookError::NotASpreadsheet)
            } else {
                Err(WorkbookError::Damaged(text))
            }
        }
    }
}

/// Reads every worksheet through calamine's `Range` (formats read whole at open anyway).
fn read_ranges<RS, R>(
    book: &mut R,
    merges_of: impl Fn(&mut R, &str) -> Vec<Merge>,
) -> Result<Workbook, WorkbookError>
where
    RS: Read + Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let mut budget = MAX_CELLS;
    let mut sheets = Vec::new();
    for meta in book.sheets_metadata().to_vec() {
        if meta.typ != SheetType::WorkSheet {
            continue;
        }
        let range = book.worksheet_range(&meta.name).map_err(damaged)?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let mut cells = Vec::new();
        for (row, col, data) in range.used_cells() {
            let value = from_data(data);
            if value == CellValue::Empty {
                continue;
            }
            budget = budget
                .checked_sub(1)
                .ok_or(WorkbookError::TooManyCells { limit: MAX_CELLS })?;
            cells.push((offset(row0, row), offset(col0, col), value));
        }
        let merges = merges_of(book, &meta.name);
        let mut sheet = Sheet::new(meta.name.clone(), cells, merges);
        sheet.hidden = meta.visible != SheetVisible::Visible;
        sheets.push(sheet);
    }
    Ok(Workbook { sheets })
}

fn offset(start: u32, relative: usize) -> u32 {
    start.saturating_add(u32::try_from(relative).unwrap_or(u32::MAX))
}

fn merge_of(dims: &calamine::Dimensions) -> Merge {
    Merge {
        start: dims.start,
        end: dims.end,
    }
}

fn damaged(error: impl std::fmt::Display) -> WorkbookError {
    WorkbookError::Damaged(error.to_string())
}

fn from_data(data: &Data) -> CellValue {
    match data {
        Data::Int(i) => CellValue::Int(*i),
        Data::Float(f) => CellValue::Number(*f),
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map_or(CellValue::Number(dt.as_f64()), CellValue::Date),
        Data::DateTimeIso(s) => iso_date(s),
        Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Error(e) => CellValue::Error(e.to_string()),
        Data::Empty => CellValue::Empty,
    }
}

/// ods writes dates as ISO text: `2026-10-15` or `2026-10-15T09:30:00`.
fn iso_date(text: &str) -> CellValue {
    use chrono::{NaiveDate, NaiveDateTime};
    if let Ok(dt) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return CellValue::Date(dt);
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => CellValue::Date(date.and_time(chrono::NaiveTime::MIN)),
        Err(_) => CellValue::Text(text.to_string()),
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod xlsx_parity_tests;
