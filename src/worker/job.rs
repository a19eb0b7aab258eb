//! What the reader is asked and answers, and the reading itself ([`read`]): parse the raw
//! message, walk its parts and archives, open each workbook and Word file. Pure apart from the
//! `progress` callback; the worker process and the in-process fallback both run exactly this.

use serde::{Deserialize, Serialize};

use crate::forms::docx::{Document, DocxError, read_docx};
use crate::forms::{Workbook, WorkbookError, open_workbook};
use crate::mail::{AttachmentKind, InboundMessage, Limits, parse_message_with_password};

/// One message to read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    pub max_message_bytes: u64,
    pub max_attachments: usize,
    pub max_uncompressed_bytes: u64,
    pub max_depth: usize,
    /// The sender's archive password, for encrypted zips, when its unit has one.
    #[serde(with = "serde_bytes")]
    pub password: Option<Vec<u8>>,
    /// Byte fields travel as CBOR byte strings: serde's default for `Vec<u8>` is an array of
    /// integers, one item per byte (the 2,000-message bench: worker +250 % over in-process
    /// with arrays, +21 % with byte strings).
    #[serde(with = "serde_bytes")]
    pub raw: Vec<u8>,
}

impl Job {
    pub fn new(raw: &[u8], limits: &Limits, password: Option<&[u8]>) -> Self {
        Self {
            max_message_bytes: limits.max_message_bytes,
            max_attachments: limits.max_attachments,
            max_uncompressed_bytes: limits.max_uncompressed_bytes,
            max_depth: limits.max_depth,
            password: password.map(<[u8]>::to_vec),
            raw: raw.to_vec(),
        }
    }

    pub fn limits(&self) -> Limits {
        Limits {
            max_message_bytes: self.max_message_bytes,
            max_attachments: self.max_attachments,
            max_uncompressed_bytes: self.max_uncompressed_bytes,
            max_depth: self.max_depth,
        }
    }
}

/// A workbook or Word file opened by the reader, in the order of the message's attachments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Opened {
    /// Not a form file (a photo, a PDF…): nothing was opened.
    Nothing,
    Workbook(Result<Workbook, WorkbookError>),
    Document(Result<Document, DocxError>),
}

/// The message as read. Only photos keep their bytes (intake stores them); every other file was
/// opened here and is carried by `opened` instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub message: InboundMessage,
    pub opened: Vec<Opened>,
}

/// Reads `job`, calling `progress` with each file's name before opening it. Each file's bytes
/// are let go as soon as it is opened, so one at a time is held beside its opened form.
pub fn read(job: &Job, mut progress: impl FnMut(&str)) -> Reply {
    let limits = job.limits();
    let mut message = parse_message_with_password(&job.raw, &limits, job.password.as_deref());
    let mut opened = Vec::with_capacity(message.attachments.len());
    for attachment in &mut message.attachments {
        let item = match attachment.kind {
            AttachmentKind::Spreadsheet => {
                progress(&attachment.name);
                let bytes = std::mem::take(&mut attachment.bytes);
                Opened::Workbook(open_workbook(&bytes, limits.max_uncompressed_bytes))
            }
            AttachmentKind::Docx => {
                progress(&attachment.name);
                let bytes = std::mem::take(&mut attachment.bytes);
                Opened::Document(read_docx(&bytes, limits.max_uncompressed_bytes))
            }
            AttachmentKind::Image => Opened::Nothing,
            AttachmentKind::Archive | AttachmentKind::Other => {
                attachment.bytes = Vec::new();
                Opened::Nothing
            }
        };
        opened.push(item);
    }
    Reply { message, opened }
}

/// Encodes a value for a frame (CBOR: binary, and floats such as NaN survive).
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Decodes a frame's value.
pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, String> {
    ciborium::from_reader(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::CellValue;

    #[test]
    fn bytes_travel_as_byte_strings_not_arrays_of_integers() {
        let raw: Vec<u8> = (0..4096u32).map(|i| (i % 251) as u8).collect();
        let limits = Limits::default();
        let encoded = encode(&Job::new(&raw, &limits, Some(b"secret"))).unwrap();
        // An array of integers takes two bytes for every byte of 24 or more.
        assert!(encoded.len() < raw.len() + 200, "{} bytes", encoded.len());
        let decoded: Job = decode(&encoded).unwrap();
        assert_eq!(decoded.raw, raw);
        assert_eq!(decoded.password.as_deref(), Some(&b"secret"[..]));
    }

    #[test]
    fn a_reply_survives_the_wire() {
        let sheet = crate::forms::Sheet::new(
            "表",
            [
                (0, 0, CellValue::Number(f64::NAN)),
                (3, 1, CellValue::Text("公开信".into())),
            ],
            vec![],
        );
        let reply = Reply {
            message: InboundMessage {
                subject: "报表".into(),
                ..InboundMessage::default()
            },
            opened: vec![
                Opened::Workbook(Ok(Workbook {
                    sheets: vec![sheet],
                })),
                Opened::Document(Err(DocxError::TooManyCells { limit: 3 })),
                Opened::Nothing,
            ],
        };
        let back: Reply = decode(&encode(&reply).unwrap()).unwrap();
        assert_eq!(back.message, reply.message);
        assert_eq!(back.opened[1..], reply.opened[1..]);
        let Opened::Workbook(Ok(workbook)) = &back.opened[0] else {
            panic!("a workbook")
        };
        assert_eq!(workbook.sheets[0].cell(3, 1).as_text(), Some("公开信"));
        assert!(matches!(workbook.sheets[0].cell(0, 0), CellValue::Number(n) if n.is_nan()));
    }
}
