//! What an attached file is: decided by its name's extension, its declared MIME type, and its
//! first bytes.
//!
//! Content that identifies itself beyond doubt (an OOXML workbook or document, an ODF spreadsheet,
//! a JPEG/PNG/GIF/WebP/HEIC picture) wins over the name, because units rename files. Otherwise the
//! extension decides: a `.txt` renamed `.xlsx` stays a spreadsheet and the form reader says it is
//! not one. Weak signatures (OLE2, a plain zip, BMP's "BM") and the MIME type only decide when the
//! name says nothing. Only the zip's central directory is read to tell what it holds; nothing is
//! inflated here.

use std::io::Cursor;

use super::attachments::AttachmentKind;

/// What to do with an attached file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Treatment {
    Keep(AttachmentKind),
    Unpack,
}

/// What a file name's extension says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameHint {
    Known(Treatment),
    KnownOther,
    Nothing,
}

/// What the bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniffed {
    Certain(AttachmentKind),
    Zip,
    Ole,
    Bmp,
    Nothing,
}

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// Decides how to treat a file named `name` (already decoded), declared as `content_type`
/// (`type/subtype`, if any), holding `bytes`.
pub(crate) fn treatment(name: &str, content_type: Option<&str>, bytes: &[u8]) -> Treatment {
    let sniffed = sniff(bytes);
    if let Sniffed::Certain(kind) = sniffed {
        return Treatment::Keep(kind);
    }
    match name_hint(name) {
        NameHint::Known(treatment) => treatment,
        NameHint::KnownOther => Treatment::Keep(AttachmentKind::Other),
        NameHint::Nothing => match sniffed {
            Sniffed::Zip => Treatment::Unpack,
            Sniffed::Ole => Treatment::Keep(AttachmentKind::Spreadsheet),
            Sniffed::Bmp => Treatment::Keep(AttachmentKind::Image),
            Sniffed::Certain(_) | Sniffed::Nothing => content_type_hint(content_type),
        },
    }
}

/// The lower-cased extension of the last path component, without the dot.
pub(crate) fn extension(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let (stem, ext) = base.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.trim().to_ascii_lowercase())
}

fn name_hint(name: &str) -> NameHint {
    use AttachmentKind::{Docx, Image, Spreadsheet};
    let Some(ext) = extension(name) else {
        return NameHint::Nothing;
    };
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" | "et" => NameHint::Known(Treatment::Keep(Spreadsheet)),
        "docx" => NameHint::Known(Treatment::Keep(Docx)),
        "jpg" | "jpeg" | "jfif" | "png" | "gif" | "webp" | "heic" | "heif" | "bmp" => {
            NameHint::Known(Treatment::Keep(Image))
        }
        "zip" => NameHint::Known(Treatment::Unpack),
        "doc" | "dot" | "docm" | "wps" | "ppt" | "pps" | "pptx" | "odt" | "odp" | "pdf" | "ofd"
        | "txt" | "csv" | "rtf" | "msg" | "eml" | "rar" | "7z" | "gz" | "tgz" | "tar" | "htm"
        | "html" | "xml" | "mp4" | "mov" | "avi" | "mp3" | "wav" | "amr" | "exe" | "dat" => {
            NameHint::KnownOther
        }
        _ => NameHint::Nothing,
    }
}

fn content_type_hint(content_type: Option<&str>) -> Treatment {
    use AttachmentKind::{Docx, Image, Other, Spreadsheet};
    let Some(content_type) = content_type else {
        return Treatment::Keep(Other);
    };
    match content_type.to_ascii_lowercase().as_str() {
        "application/vnd.ms-excel"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.ms-excel.sheet.macroenabled.12"
        | "application/vnd.oasis.opendocument.spreadsheet" => Treatment::Keep(Spreadsheet),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            Treatment::Keep(Docx)
        }
        "application/zip" | "application/x-zip-compressed" | "application/x-zip" => {
            Treatment::Unpack
        }
        other if other.starts_with("image/") => Treatment::Keep(Image),
        _ => Treatment::Keep(Other),
    }
}

fn sniff(bytes: &[u8]) -> Sniffed {
    use AttachmentKind::Image;
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"\xFF\xD8\xFF")
        || starts(b"\x89PNG\r\n\x1a\n")
        || starts(b"GIF87a")
        || starts(b"GIF89a")
    {
        return Sniffed::Certain(Image);
    }
    if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") || is_heic(bytes) {
        return Sniffed::Certain(Image);
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        return sniff_zip(bytes);
    }
    if starts(OLE_MAGIC) {
        return Sniffed::Ole;
    }
    if starts(b"BM") && bytes.len() > 26 {
        return Sniffed::Bmp;
    }
    Sniffed::Nothing
}

fn is_heic(bytes: &[u8]) -> bool {
    const BRANDS: [&[u8]; 8] = [
        b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
    ];
    bytes.get(4..8) == Some(b"ftyp")
        && bytes
            .get(8..12)
            .is_some_and(|brand| BRANDS.contains(&brand))
}

/// Tells an OOXML workbook or document or an ODF spreadsheet from any other zip.
fn sniff_zip(bytes: &[u8]) -> Sniffed {
    use AttachmentKind::{Docx, Spreadsheet};
    // ODF requires an uncompressed `mimetype` entry first, so its text sits near the start.
    let head = bytes.get(..bytes.len().min(256)).unwrap_or_default();
    if head.windows(ODS_MIMETYPE.len()).any(|w| w == ODS_MIMETYPE) {
        return Sniffed::Certain(Spreadsheet);
    }
    let names = entry_names(bytes);
    let has = |wanted: &[&[u8]]| names.iter().any(|n| wanted.contains(&n.as_slice()));
    if has(&[b"xl/workbook.xml", b"xl/workbook.bin"]) {
        Sniffed::Certain(Spreadsheet)
    } else if has(&[b"word/document.xml"]) {
        Sniffed::Certain(Docx)
    } else {
        Sniffed::Zip
    }
}

/// The entry names of a zip: from its central directory, or, when that is missing (a file cut
/// short), from the chain of local headers, which lists top-level entries only. A directory that
/// does not list the first local entry belongs to something else (the zip reader, searching
/// backwards, can find the directory of a stored zip inside a truncated one) and is ignored.
fn entry_names(bytes: &[u8]) -> Vec<Vec<u8>> {
    let local = local_header_names(bytes);
    match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => {
            let central: Vec<Vec<u8>> = archive.file_names_raw().map(<[u8]>::to_vec).collect();
            let consistent = local.first().is_none_or(|first| central.contains(first));
            if consistent { central } else { local }
        }
        Err(_) => local,
    }
}

fn local_header_names(bytes: &[u8]) -> Vec<Vec<u8>> {
    const MAX_ENTRIES: usize = 10_000;
    let mut names = Vec::new();
    let mut offset = 0usize;
    while names.len() < MAX_ENTRIES
        && bytes
            .get(offset..)
            .is_some_and(|b| b.starts_with(b"PK\x03\x04"))
    {
        let header = bytes.get(offset..).unwrap_or_default();
        let (Some(flags), Some(size), Some(name_len), Some(extra_len)) = (
            le16(header, 6),
            le32(header, 18),
            le16(header, 26),
            le16(header, 28),
        ) else {
            break;
        };
        let Some(name) = header.get(30..30 + usize::from(name_len)) else {
            break;
        };
        names.push(name.to_vec());
        if flags & 0x08 != 0 {
            break; // sizes follow the data: the next header cannot be found without inflating
        }
        let entry_len = 30 + usize::from(name_len) + usize::from(extra_len);
        let Some(next) = offset
            .checked_add(entry_len)
            .and_then(|o| o.checked_add(size as usize))
        else {
            break;
        };
        offset = next;
    }
    names
}

fn le16(bytes: &[u8], at: usize) -> Option<u16> {
    let pair: [u8; 2] = bytes.get(at..at + 2)?.try_into().ok()?;
    Some(u16::from_le_bytes(pair))
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    let quad: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(quad))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::test_mail::{zip_of, zip_with};
    use AttachmentKind::{Docx, Image, Other, Spreadsheet};
    use std::io::Write;

    fn xlsx() -> Vec<u8> {
        zip_of(&[
            ("[Content_Types].xml", b"<x/>"),
            ("xl/workbook.xml", b"<workbook/>"),
        ])
    }

    /// As LibreOffice writes it: `mimetype` first and stored, the rest deflated.
    fn ods() -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut writer = zip::ZipWriter::new(&mut out);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        writer.start_file("mimetype", stored).unwrap();
        writer.write_all(ODS_MIMETYPE).unwrap();
        writer
            .start_file("content.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(b"<office:document-content/>").unwrap();
        writer.finish().unwrap();
        out.into_inner()
    }

    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF";

    #[test]
    fn the_extension_decides_when_content_says_nothing() {
        assert_eq!(
            treatment("报表.XLSX", None, b"plain text"),
            Treatment::Keep(Spreadsheet)
        );
        assert_eq!(treatment("a.et", None, b""), Treatment::Keep(Spreadsheet));
        assert_eq!(treatment("案例.docx", None, b""), Treatment::Keep(Docx));
        assert_eq!(treatment("p.HEIC", None, b""), Treatment::Keep(Image));
        assert_eq!(treatment("a.zip", None, b"junk"), Treatment::Unpack);
        assert_eq!(treatment("说明.pdf", None, b"%PDF"), Treatment::Keep(Other));
    }

    #[test]
    fn certain_content_wins_over_a_lying_name() {
        assert_eq!(
            treatment("报表.xls", None, &xlsx()),
            Treatment::Keep(Spreadsheet)
        );
        assert_eq!(
            treatment("报表.zip", None, &xlsx()),
            Treatment::Keep(Spreadsheet)
        );
        assert_eq!(
            treatment("报表.docx", None, &xlsx()),
            Treatment::Keep(Spreadsheet)
        );
        assert_eq!(treatment("photo.xlsx", None, JPEG), Treatment::Keep(Image));
        let docx = zip_of(&[("word/document.xml", b"<w/>")]);
        assert_eq!(treatment("报表", None, &docx), Treatment::Keep(Docx));
    }

    #[test]
    fn names_without_extension_are_sniffed() {
        assert_eq!(
            treatment("报表", Some("application/octet-stream"), &xlsx()),
            Treatment::Keep(Spreadsheet)
        );
        assert_eq!(
            treatment("报表", None, &[OLE_MAGIC, b"rest"].concat()),
            Treatment::Keep(Spreadsheet)
        );
        assert_eq!(
            treatment("报表.tmp", None, &zip_of(&[("a.txt", b"x")])),
            Treatment::Unpack
        );
        assert_eq!(
            treatment("scan", None, &[b"BM".as_slice(), &[0; 40]].concat()),
            Treatment::Keep(Image)
        );
        let mut ods = ods();
        assert_eq!(treatment("x", None, &ods), Treatment::Keep(Spreadsheet));
        ods.truncate(120);
        assert_eq!(treatment("x", None, &ods), Treatment::Keep(Spreadsheet));
    }

    #[test]
    fn weak_signatures_do_not_override_a_known_other_extension() {
        assert_eq!(
            treatment("旧文档.doc", None, OLE_MAGIC),
            Treatment::Keep(Other)
        );
        assert_eq!(
            treatment("幻灯片.pptx", None, &zip_of(&[("ppt/p.xml", b"x")])),
            Treatment::Keep(Other)
        );
        assert_eq!(
            treatment("报表.xlsx", None, &zip_of(&[("a.txt", b"x")])),
            Treatment::Keep(Spreadsheet)
        );
    }

    #[test]
    fn the_mime_type_decides_last() {
        assert_eq!(
            treatment("noname", Some("application/vnd.ms-excel"), b"?"),
            Treatment::Keep(Spreadsheet)
        );
        assert_eq!(
            treatment("noname", Some("image/x-unknown"), b"?"),
            Treatment::Keep(Image)
        );
        assert_eq!(
            treatment("noname", Some("application/x-zip-compressed"), b"?"),
            Treatment::Unpack
        );
        assert_eq!(
            treatment("noname", Some("application/octet-stream"), b"?"),
            Treatment::Keep(Other)
        );
        assert_eq!(treatment("noname", None, b""), Treatment::Keep(Other));
    }

    #[test]
    fn a_zip_holding_a_stored_workbook_is_still_a_zip() {
        let inner = xlsx();
        let outer = zip_with(
            &[("11月/报表.xlsx", &inner)],
            zip::CompressionMethod::Stored,
        );
        assert_eq!(treatment("报表.zip", None, &outer), Treatment::Unpack);
        let cut = &outer[..outer.len() - 30];
        assert_eq!(
            treatment("报表", None, cut),
            Treatment::Unpack,
            "local headers: top level only"
        );
    }

    #[test]
    fn a_truncated_workbook_is_recognised_from_its_local_headers() {
        let whole = zip_of(&[
            ("xl/workbook.xml", b"<workbook/>"),
            ("xl/x.xml", &[b'x'; 200]),
        ]);
        let cut = &whole[..whole.len() / 2];
        assert_eq!(treatment("报表", None, cut), Treatment::Keep(Spreadsheet));
    }

    #[test]
    fn extensions() {
        assert_eq!(extension("a/b.c/报表.XLSX").as_deref(), Some("xlsx"));
        assert_eq!(extension(".bashrc"), None);
        assert_eq!(extension("报表"), None);
        assert_eq!(extension("报表."), None);
    }
}
