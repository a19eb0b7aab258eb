//! A WordprocessingML package: the fixed parts (content types, relationships) around a
//! `document.xml` and its pictures, zipped with the `zip` crate. Pictures are stored as they
//! are (they are compressed already); the XML parts are deflated.

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use super::image::ImageKind;

/// A picture part: `word/media/image{n}.{ext}`, related as `rIdImg{n}`.
pub struct Media<'a> {
    pub kind: ImageKind,
    pub bytes: &'a [u8],
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Default Extension="jpeg" ContentType="image/jpeg"/><Default Extension="gif" ContentType="image/gif"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// The relationship id of picture `n` (1-based), as `document.xml` refers to it.
pub fn media_id(n: usize) -> String {
    format!("rIdImg{n}")
}

fn document_rels(media: &[Media<'_>]) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, m) in media.iter().enumerate() {
        out.push_str(&format!(
            r#"<Relationship Id="{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image{}.{}"/>"#,
            media_id(i + 1),
            i + 1,
            m.kind.extension()
        ));
    }
    out.push_str("</Relationships>");
    out
}

/// The whole `.docx`.
pub fn package(document_xml: &str, media: &[Media<'_>]) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let parts = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("word/_rels/document.xml.rels", document_rels(media)),
        ("word/document.xml", document_xml.to_string()),
    ];
    for (name, text) in parts {
        zip.start_file(name, deflated)?;
        zip.write_all(text.as_bytes())?;
    }
    for (i, m) in media.iter().enumerate() {
        zip.start_file(
            format!("word/media/image{}.{}", i + 1, m.kind.extension()),
            stored,
        )?;
        zip.write_all(m.bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}
