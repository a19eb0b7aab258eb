//! What the reader is asked and answers, and the reading itself ([`read`]): parse the raw
//! message, walk its parts and archives, open each workbook and Word file and read the forms in
//! it ([`super::reading`]). Pure apart from the `progress` callback; the worker process and the
//! in-process fallback both run exactly this.

use serde::{Deserialize, Serialize};

use super::reading::{ReadSettings, Reading, SenderNames, Step, never_answered, read_attachments};
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
    /// Whom mail is never answered from (then nothing is read).
    pub office_address: String,
    pub settings: ReadSettings,
    /// Whose forms are checked against which unit names.
    pub senders: SenderNames,
}

/// What a job reads a message for, besides its limits and password.
#[derive(Debug, Clone, Copy)]
pub struct Purpose<'a> {
    pub office_address: &'a str,
    pub settings: ReadSettings,
    pub senders: &'a SenderNames,
}

impl Job {
    pub fn new(raw: &[u8], limits: &Limits, password: Option<&[u8]>, purpose: Purpose<'_>) -> Self {
        Self {
            max_message_bytes: limits.max_message_bytes,
            max_attachments: limits.max_attachments,
            max_uncompressed_bytes: limits.max_uncompressed_bytes,
            max_depth: limits.max_depth,
            password: password.map(<[u8]>::to_vec),
            raw: raw.to_vec(),
            office_address: purpose.office_address.to_string(),
            settings: purpose.settings,
            senders: purpose.senders.clone(),
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

/// The message as read: parsed, with what its attachments hold. Only photos keep their bytes
/// (intake stores them); every other file was opened and read here and is carried by
/// `reading` instead. A message never answered is not read (`reading` is empty).
#[derive(Debug, Serialize, Deserialize)]
pub struct Reply {
    pub message: InboundMessage,
    pub reading: Reading,
}

/// Reads `job`, telling `progress` each file's [`Step`].
pub fn read(job: &Job, progress: impl FnMut(Step<'_>)) -> Reply {
    let mut message = parse_message_with_password(&job.raw, &job.limits(), job.password.as_deref());
    let reading = match never_answered(&message, &job.office_address) {
        Some(_) => Reading::default(),
        None => {
            let names = message
                .from
                .as_ref()
                .and_then(|m| job.senders.names_of(&m.address));
            read_attachments(&message, &job.settings, names, progress)
        }
    };
    for attachment in &mut message.attachments {
        if attachment.kind != AttachmentKind::Image {
            attachment.bytes = Vec::new();
        }
    }
    Reply { message, reading }
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
    use crate::domain::period::Period;
    use crate::domain::unit::tiaodeng_roster;
    use crate::forms::template::november_form_of;

    fn job(raw: &[u8], senders: &SenderNames) -> Job {
        let purpose = Purpose {
            office_address: "office@example.gov.cn",
            settings: ReadSettings {
                open_period: Period::new(2026, 11).unwrap(),
                plausibility_bound: 100_000,
                max_uncompressed_bytes: 1 << 24,
            },
            senders,
        };
        Job::new(raw, &Limits::default(), Some(b"secret"), purpose)
    }

    fn mail(from: &str, unit: &str) -> Vec<u8> {
        use base64::Engine;
        let form = november_form_of(unit);
        let b64 = base64::engine::general_purpose::STANDARD.encode(form);
        format!(
            "From: <{from}>\r\nSubject: report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: application/octet-stream; name=\"f.xlsx\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b--\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn a_job_carries_only_the_sender_s_unit() {
        let roster = tiaodeng_roster();
        let unit = SenderNames::of_sender(&roster, Some("TD@example.gov.cn"));
        assert_eq!(unit, SenderNames::of(&roster));
        assert!(unit.names_of("td@example.gov.cn").is_some());
        let stranger = SenderNames::of_sender(&roster, Some("x@qq.example"));
        assert_eq!(stranger, SenderNames::default());
        assert_eq!(
            SenderNames::of_sender(&roster, None),
            SenderNames::default()
        );
    }

    #[test]
    fn bytes_travel_as_byte_strings_not_arrays_of_integers() {
        let raw: Vec<u8> = (0..4096u32).map(|i| (i % 251) as u8).collect();
        let encoded = encode(&job(&raw, &SenderNames::default())).unwrap();
        // An array of integers takes two bytes for every byte of 24 or more.
        assert!(encoded.len() < raw.len() + 400, "{} bytes", encoded.len());
        let decoded: Job = decode(&encoded).unwrap();
        assert_eq!(decoded.raw, raw);
        assert_eq!(decoded.password.as_deref(), Some(&b"secret"[..]));
    }

    #[test]
    fn the_forms_are_read_in_the_job_and_only_the_reading_travels_back() {
        let senders = SenderNames::of(&tiaodeng_roster());
        let raw = mail("TD@example.gov.cn", "跳磴镇");
        let mut files = Vec::new();
        let reply = read(&job(&raw, &senders), |step| files.push(format!("{step:?}")));
        assert_eq!(files, [r#"Opening("f.xlsx")"#, r#"Reading("f.xlsx")"#]);
        assert!(reply.message.attachments[0].bytes.is_empty());
        let form = reply.reading.monthly[0].form.as_ref().unwrap();
        assert_eq!(form.period, Period::new(2026, 11).unwrap());
        assert_eq!(form.values.as_array(), &[3; 11]);
        let encoded = encode(&reply).unwrap();
        assert!(encoded.len() < raw.len() / 4, "{} bytes", encoded.len());
        let back: Reply = decode(&encoded).unwrap();
        assert_eq!(
            format!("{:?}", back.reading),
            format!("{:?}", reply.reading)
        );
        assert_eq!(back.message, reply.message);
    }

    #[test]
    fn a_form_is_checked_against_the_sender_s_unit_and_mail_never_answered_is_not_read() {
        let senders = SenderNames::of(&tiaodeng_roster());
        let wrong_unit = read(&job(&mail("td@example.gov.cn", "别的镇"), &senders), |_| {});
        let unknown = read(&job(&mail("x@qq.example", "别的镇"), &senders), |_| {});
        assert_ne!(
            format!("{:?}", wrong_unit.reading.monthly[0]),
            format!("{:?}", unknown.reading.monthly[0]),
            "the unit's names were not used"
        );
        let ours = read(
            &job(&mail("office@example.gov.cn", "跳磴镇"), &senders),
            |_| panic!("nothing is opened"),
        );
        assert!(ours.reading.monthly.is_empty());
    }
}
