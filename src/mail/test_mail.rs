//! Builders of small hand-written messages and archives for the tests.

use std::io::{Cursor, Write};

use base64::Engine as _;

use super::{AttachmentKind, InboundMessage, Limits, parse_message};

pub(crate) const HEAD: &str = "From: =?utf-8?B?6Lez56O06ZWH?= <Unit@Example.cn>\r\nTo: office@example.cn\r\nSubject: =?utf-8?B?5oql6KGo?=\r\nMessage-ID: <m1@example.cn>\r\nMIME-Version: 1.0\r\n";

pub(crate) const TEXT_BODY: &str = "Content-Type: text/plain; charset=utf-8\r\n\r\n请查收。\r\n";

/// A multipart of the given subtype around `parts` (each a complete part: headers, blank line,
/// body), with the top-level headers in front when `top` is set.
pub(crate) fn multipart(subtype: &str, boundary: &str, parts: &[Vec<u8>]) -> Vec<u8> {
    let mut out =
        format!("Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\r\n\r\n").into_bytes();
    for part in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        out.extend_from_slice(part);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// A whole message: the usual headers, a text body and `attachments`.
pub(crate) fn mail_with(attachments: &[Vec<u8>]) -> Vec<u8> {
    let mut parts = vec![TEXT_BODY.as_bytes().to_vec()];
    parts.extend_from_slice(attachments);
    [
        HEAD.as_bytes(),
        &multipart("mixed", "outer-boundary", &parts),
    ]
    .concat()
}

/// A base64 part with the given header lines (each without CRLF).
pub(crate) fn part_b64(header_lines: &[&[u8]], bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in header_lines {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n\r\n");
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    for chunk in encoded.as_bytes().chunks(76) {
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// An `application/octet-stream` attachment named by a plain (UTF-8) `filename`.
pub(crate) fn file(name: &str, bytes: &[u8]) -> Vec<u8> {
    let disposition = format!("Content-Disposition: attachment; filename=\"{name}\"");
    part_b64(
        &[
            b"Content-Type: application/octet-stream",
            disposition.as_bytes(),
        ],
        bytes,
    )
}

pub(crate) fn parse(raw: &[u8]) -> InboundMessage {
    parse_message(raw, &Limits::default())
}

pub(crate) fn names_and_kinds(message: &InboundMessage) -> Vec<(String, AttachmentKind)> {
    message
        .attachments
        .iter()
        .map(|a| (a.name.clone(), a.kind))
        .collect()
}

pub(crate) fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    zip_with(files, zip::CompressionMethod::Deflated)
}

pub(crate) fn zip_with(files: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in files {
        if name.ends_with('/') {
            writer.add_directory(*name, options).unwrap();
        } else {
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
    }
    writer.finish().unwrap();
    out.into_inner()
}

/// The smallest thing the sniffer takes for a workbook.
pub(crate) fn xlsx() -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/workbook.xml", b"<workbook/>"),
    ])
}

pub(crate) const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01";

pub(crate) fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(text).0.into_owned()
}
