//! The entry points of the fuzz targets (`fuzz/`), kept in the library so that `cargo test`
//! replays every saved crasher (`tests/fixtures/fuzz-regressions/<target>/`) through exactly the
//! code the fuzzer ran, without a fuzzing engine. Each takes arbitrary bytes and must return
//! without panicking, aborting, hanging or swelling, whatever they are.

use crate::domain::period::Period;
use crate::forms::case::{CaseContext, read_case_docx, read_case_workbook};
use crate::forms::docx::read_docx;
use crate::forms::labels::{case_labels, monthly_labels, normalize};
use crate::forms::monthly::{ReadContext, read_monthly};
use crate::forms::{detect_docx_kind, detect_kind, open_workbook};
use crate::mail::{AttachmentKind, Limits, message_key, parse_message};

/// What a fuzzed file may inflate to: smaller than the product's 100 MiB, so that a run spends
/// its time on many inputs rather than a few large ones.
const FUZZ_UNCOMPRESSED: u64 = 16 * 1024 * 1024;

/// A fuzz target's entry point.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as `scripts/fuzz` and the replay test know them.
pub const TARGETS: [(&str, Target); 4] = [
    ("mail", mail),
    ("workbook", workbook),
    ("docx", docx),
    ("labels", labels),
];

/// A raw message: parsing, classification, the attachments walk, and every form read.
pub fn mail(data: &[u8]) {
    let limits = Limits {
        max_uncompressed_bytes: FUZZ_UNCOMPRESSED,
        ..Limits::default()
    };
    let message = parse_message(data, &limits);
    let _ = message_key(&message, data);
    for attachment in &message.attachments {
        match attachment.kind {
            AttachmentKind::Spreadsheet => workbook(&attachment.bytes),
            AttachmentKind::Docx => docx(&attachment.bytes),
            _ => {}
        }
    }
}

/// Bytes as a workbook (xlsx, xls, ods): loading, then the monthly and case readers.
pub fn workbook(data: &[u8]) {
    let (Ok(workbook), Some(open_period)) = (
        open_workbook(data, FUZZ_UNCOMPRESSED),
        Period::new(2026, 11),
    ) else {
        return;
    };
    let names = ["跳磴镇".to_string()];
    let ctx = ReadContext {
        open_period,
        subject: "11月报表",
        unit_names: Some(&names),
        plausibility_bound: 100_000,
    };
    let _ = detect_kind(&workbook);
    let _ = read_monthly(&workbook, &ctx);
    let _ = read_case_workbook(&workbook, &case_context(&names));
}

/// Bytes as a Word `.docx`: loading, then the case reader.
pub fn docx(data: &[u8]) {
    let Ok(document) = read_docx(data, FUZZ_UNCOMPRESSED) else {
        return;
    };
    let names = ["跳磴镇".to_string()];
    let _ = detect_docx_kind(&document);
    let _ = read_case_docx(&document, &case_context(&names));
}

/// Bytes as a cell's text: the label splitter of both tables.
pub fn labels(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = normalize(&text);
    let _ = monthly_labels().match_cell(&text);
    let _ = case_labels().match_cell(&text);
}

fn case_context(names: &[String]) -> CaseContext<'_> {
    CaseContext {
        unit_names: Some(names),
        max_chars: CaseContext::DEFAULT_MAX_CHARS,
    }
}
