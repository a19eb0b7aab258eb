//! Walks a parsed message and gathers every attached file, opening zips and forwarded messages.
//!
//! Depth counts every level of nesting: multipart containers, `message/rfc822` parts and zip
//! archives. The root part is at depth 0, the files of an ordinary `multipart/mixed` at 1, a zip's
//! members one deeper than the zip. A container whose contents would lie deeper than
//! `max_depth` is not opened (a `TooDeep` problem). The whole message gets
//! `max_uncompressed_bytes` to inflate (SPEC §6): every archive, nested or not, and every
//! zip-based workbook or Word file (xlsx, ods, docx: charged what its entries declare, which is
//! what reading it will inflate) draw on that one budget, so neither a zip of zips nor fifty zips
//! side by side can multiply it. Walking stops as soon as more than `max_attachments` files are
//! found, which also bounds how many archives are inflated.

use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

use super::attachments::{
    Attachment, AttachmentKind, AttachmentProblem, ProblemKind, clean_file_name, clean_member_path,
    is_junk_member,
};
use super::body::raw_body_bytes;
use super::headers::part_raw;
use super::kind::{Treatment, treatment};
use super::limits::Limits;
use super::params::param;
use super::parse::{Parsed, parse_full};
use crate::archive::{self, ArchiveError};

/// Nesting is never followed deeper than this, whatever the configuration says: the walk is
/// recursive and must not exhaust the stack.
const HARD_MAX_DEPTH: usize = 32;

/// Every attached file of `message` (in document order) and what went wrong on the way.
pub(crate) fn collect(
    message: &Message<'_>,
    limits: &Limits,
    password: Option<&[u8]>,
) -> (Vec<Attachment>, Vec<AttachmentProblem>) {
    let mut collector = Collector::new(limits, password);
    collector.walk_message(message, 0);
    collector.finish()
}

struct Collector<'l> {
    limits: &'l Limits,
    /// The sender's archive password, for encrypted zips (SPEC §4 "encrypted when necessary").
    password: Option<&'l [u8]>,
    max_depth: usize,
    attachments: Vec<Attachment>,
    problems: Vec<AttachmentProblem>,
    unnamed: usize,
    full: bool,
    /// Bytes the rest of the message may still inflate.
    budget: u64,
}

impl<'l> Collector<'l> {
    fn new(limits: &'l Limits, password: Option<&'l [u8]>) -> Self {
        Self {
            limits,
            password,
            max_depth: limits.max_depth.min(HARD_MAX_DEPTH),
            attachments: Vec::new(),
            problems: Vec::new(),
            unnamed: 0,
            full: false,
            budget: limits.max_uncompressed_bytes,
        }
    }

    fn finish(mut self) -> (Vec<Attachment>, Vec<AttachmentProblem>) {
        if self.full {
            let limit = self.limits.max_attachments;
            self.problems.push(AttachmentProblem::new(
                "",
                ProblemKind::TooManyAttachments { limit },
            ));
        }
        (self.attachments, self.problems)
    }

    fn walk_message(&mut self, message: &Message<'_>, depth: usize) {
        if !message.parts.is_empty() {
            self.walk_part(message, 0, depth);
        }
    }

    fn walk_part(&mut self, message: &Message<'_>, id: u32, depth: usize) {
        let Some(part) = message.parts.get(id as usize) else {
            return;
        };
        if self.full {
            return;
        }
        match &part.body {
            PartType::Multipart(children) => {
                if self.may_open(depth, "") {
                    // mail-parser stores children after their parent; anything else would loop.
                    for &child in children.iter().filter(|child| **child > id) {
                        self.walk_part(message, child, depth + 1);
                    }
                }
            }
            PartType::Message(inner) => {
                if self.may_open(depth, &part_name(message, part).unwrap_or_default()) {
                    self.walk_message(inner, depth + 1);
                }
            }
            PartType::Text(_) | PartType::Html(_) => {
                if is_attached_file(message, part) {
                    let name = self.display_name(message, part);
                    self.add_file(
                        name,
                        content_type(part),
                        raw_body_bytes(message, part),
                        depth,
                    );
                }
            }
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
                if is_nested_message(part) {
                    let name = self.display_name(message, part);
                    self.walk_unparsed_message(name, bytes, depth);
                } else if !is_report_structure(part) {
                    let name = self.display_name(message, part);
                    self.add_file(name, content_type(part), bytes.to_vec(), depth);
                }
            }
        }
    }

    /// A `message/rfc822` part mail-parser left as bytes (it opens only three encoded levels).
    fn walk_unparsed_message(&mut self, name: String, bytes: &[u8], depth: usize) {
        if !self.may_open(depth, &name) {
            return;
        }
        match parse_full(bytes) {
            Parsed::Message(inner) => self.walk_message(&inner, depth + 1),
            Parsed::TooNested(_) => {
                let limit = self.max_depth;
                self.problems
                    .push(AttachmentProblem::new(name, ProblemKind::TooDeep { limit }));
            }
            Parsed::Broken(_) | Parsed::Nothing => {
                self.push(Attachment {
                    name,
                    kind: AttachmentKind::Other,
                    bytes: bytes.to_vec(),
                });
            }
        }
    }

    /// Whether the contents of a container at `depth` may be looked at; records why not.
    fn may_open(&mut self, depth: usize, name: &str) -> bool {
        if depth < self.max_depth {
            return true;
        }
        let limit = self.max_depth;
        self.problems
            .push(AttachmentProblem::new(name, ProblemKind::TooDeep { limit }));
        false
    }

    /// Keeps a file or, for an archive, its contents; a zip-based document is charged to the
    /// message's budget here, before anything reads it.
    fn add_file(
        &mut self,
        name: String,
        content_type: Option<String>,
        bytes: Vec<u8>,
        depth: usize,
    ) {
        match treatment(&name, content_type.as_deref(), &bytes) {
            Treatment::Keep(kind) => {
                if self.charge_document(&name, kind, &bytes) {
                    self.push(Attachment { name, kind, bytes });
                }
            }
            Treatment::Unpack => self.unpack(name, bytes, depth),
        }
    }

    /// Takes what a zip-based workbook or Word file declares it inflates to from the budget;
    /// false (and a `TooLarge` problem) when that is more than is left. A damaged zip costs
    /// nothing here: reading it says it is damaged.
    fn charge_document(&mut self, name: &str, kind: AttachmentKind, bytes: &[u8]) -> bool {
        let zipped = matches!(kind, AttachmentKind::Spreadsheet | AttachmentKind::Docx)
            && bytes.starts_with(b"PK");
        let Some(declared) = zipped.then(|| archive::declared_size(bytes).ok()).flatten() else {
            return true;
        };
        match self.budget.checked_sub(declared) {
            Some(left) => {
                self.budget = left;
                true
            }
            None => {
                let limit = self.limits.max_uncompressed_bytes;
                self.problems.push(AttachmentProblem::new(
                    name,
                    ProblemKind::TooLarge { limit },
                ));
                false
            }
        }
    }

    fn unpack(&mut self, name: String, bytes: Vec<u8>, depth: usize) {
        if !self.may_open(depth, &name) {
            self.push(Attachment {
                name,
                kind: AttachmentKind::Archive,
                bytes,
            });
            return;
        }
        let entries = match archive::extract_with(&bytes, self.budget, self.password) {
            Ok(entries) => entries,
            Err(error) => return self.refuse_archive(name, bytes, &error),
        };
        drop(bytes);
        let inflated: u64 = entries.iter().map(|e| e.bytes.len() as u64).sum();
        self.budget = self.budget.saturating_sub(inflated);
        for entry in entries {
            let path = clean_member_path(&entry.name);
            if self.full || path.is_empty() || is_junk_member(&entry.name) {
                continue;
            }
            self.add_file(format!("{name}/{path}"), None, entry.bytes, depth + 1);
        }
    }

    fn refuse_archive(&mut self, name: String, bytes: Vec<u8>, error: &ArchiveError) {
        let kind = match error {
            ArchiveError::TooLarge { .. } => ProblemKind::TooLarge {
                limit: self.limits.max_uncompressed_bytes,
            },
            ArchiveError::Damaged(_) => ProblemKind::Damaged,
            ArchiveError::Encrypted(_) => ProblemKind::Encrypted,
            ArchiveError::WrongPassword(_) => ProblemKind::WrongPassword,
        };
        self.problems
            .push(AttachmentProblem::new(name.clone(), kind));
        self.push(Attachment {
            name,
            kind: AttachmentKind::Archive,
            bytes,
        });
    }

    fn push(&mut self, attachment: Attachment) {
        if self.attachments.len() < self.limits.max_attachments {
            self.attachments.push(attachment);
        } else {
            self.full = true;
        }
    }

    /// The part's file name made safe, or a made-up one ("未命名附件1.jpg") when it has none.
    fn display_name(&mut self, message: &Message<'_>, part: &MessagePart<'_>) -> String {
        let given = part_name(message, part)
            .map(|n| clean_file_name(&n))
            .unwrap_or_default();
        if !given.is_empty() {
            return given;
        }
        self.unnamed += 1;
        let extension = content_type(part)
            .as_deref()
            .map(extension_for)
            .unwrap_or_default();
        format!("未命名附件{}{extension}", self.unnamed)
    }
}

/// The decoded file name: Content-Disposition `filename`, else Content-Type `name`.
fn part_name(message: &Message<'_>, part: &MessagePart<'_>) -> Option<String> {
    let from_raw = |header: &str, parameter: &str| {
        part_raw(message, part, header).and_then(|raw| param(raw, parameter))
    };
    from_raw("Content-Disposition", "filename")
        .or_else(|| from_raw("Content-Type", "name"))
        .or_else(|| part.attachment_name().map(str::to_string))
}

/// `type/subtype`, lower-cased.
fn content_type(part: &MessagePart<'_>) -> Option<String> {
    let ct = part.content_type()?;
    let subtype = ct.subtype().unwrap_or_default();
    Some(format!("{}/{}", ct.ctype(), subtype).to_ascii_lowercase())
}

/// A text part is a file (not a body) when it has a name or is marked as an attachment.
fn is_attached_file(message: &Message<'_>, part: &MessagePart<'_>) -> bool {
    let marked = part
        .content_disposition()
        .is_some_and(|cd| cd.ctype().eq_ignore_ascii_case("attachment"));
    marked || part_name(message, part).is_some()
}

fn is_nested_message(part: &MessagePart<'_>) -> bool {
    matches!(
        content_type(part).as_deref(),
        Some("message/rfc822" | "message/global")
    )
}

/// Machine parts of reports and signatures, which nobody attached on purpose.
fn is_report_structure(part: &MessagePart<'_>) -> bool {
    let Some(content_type) = content_type(part) else {
        return false;
    };
    content_type.starts_with("message/")
        || matches!(
            content_type.as_str(),
            "application/pgp-signature"
                | "application/pkcs7-signature"
                | "application/x-pkcs7-signature"
                | "application/pgp-encrypted"
        )
}

fn extension_for(content_type: &str) -> &'static str {
    match content_type {
        "image/jpeg" | "image/jpg" | "image/pjpeg" => ".jpg",
        "image/png" => ".png",
        "image/gif" => ".gif",
        "image/webp" => ".webp",
        "image/heic" => ".heic",
        "image/bmp" => ".bmp",
        "application/zip" | "application/x-zip-compressed" | "application/x-zip" => ".zip",
        "application/vnd.ms-excel" => ".xls",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => ".xlsx",
        "application/vnd.oasis.opendocument.spreadsheet" => ".ods",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => ".docx",
        "text/plain" => ".txt",
        "text/html" => ".html",
        "message/rfc822" => ".eml",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::test_mail::{file, mail_with, multipart, part_b64, xlsx, zip_of};

    fn collect_raw(raw: &[u8], limits: &Limits) -> (Vec<Attachment>, Vec<AttachmentProblem>) {
        let message = mail_parser::MessageParser::default().parse(raw).unwrap();
        collect(&message, limits, None)
    }

    #[test]
    fn depth_counts_multiparts_and_archives() {
        // The files of the top-level multipart are at depth 1, a zip's members at 2.
        let raw = mail_with(&[file("a.zip", &zip_of(&[("报表.xlsx", &xlsx())]))]);
        let one = Limits {
            max_depth: 1,
            ..Limits::default()
        };
        let (attachments, problems) = collect_raw(&raw, &one);
        assert_eq!(attachments[0].kind, AttachmentKind::Archive);
        assert_eq!(problems[0].kind, ProblemKind::TooDeep { limit: 1 });
        let two = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        let (attachments, problems) = collect_raw(&raw, &two);
        assert_eq!(attachments[0].name, "a.zip/报表.xlsx");
        assert!(problems.is_empty());
    }

    #[test]
    fn the_configured_depth_is_capped() {
        let limits = Limits {
            max_depth: usize::MAX,
            ..Limits::default()
        };
        assert_eq!(Collector::new(&limits, None).max_depth, HARD_MAX_DEPTH);
    }

    #[test]
    fn report_parts_and_signatures_are_not_attachments() {
        let status = b"Content-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n".to_vec();
        let signature = part_b64(
            &[b"Content-Type: application/pkcs7-signature; name=smime.p7s"],
            b"sig",
        );
        let raw = [
            b"From: a@b.c\r\n".as_slice(),
            &multipart("report", "r", &[status, signature]),
        ]
        .concat();
        let (attachments, problems) = collect_raw(&raw, &Limits::default());
        assert!(
            attachments.is_empty() && problems.is_empty(),
            "{attachments:?}"
        );
    }

    #[test]
    fn zero_allowed_attachments_reports_at_once() {
        let limits = Limits {
            max_attachments: 0,
            ..Limits::default()
        };
        let (attachments, problems) = collect_raw(&mail_with(&[file("a.xlsx", &xlsx())]), &limits);
        assert!(attachments.is_empty());
        assert_eq!(
            problems[0].kind,
            ProblemKind::TooManyAttachments { limit: 0 }
        );
    }

    #[test]
    fn made_up_names_carry_an_extension_from_the_mime_type() {
        assert_eq!(extension_for("image/jpeg"), ".jpg");
        assert_eq!(extension_for("application/x-zip-compressed"), ".zip");
        assert_eq!(extension_for("application/octet-stream"), "");
    }
}
