//! The ingest line of SPEC §7: one JSON object per message, printed by `ingest` and kept in the
//! database with the message.

use crate::store::outbox::ReplyKind;
use serde::Serialize;

use crate::domain::fields::MonthlyValues;
pub use crate::domain::outcome::Outcome;
use crate::forms::finding::{Finding, ingest};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormReport {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
    pub outcome: Outcome,
    pub period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<MonthlyValues>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed: Option<Vec<Change>>,
    /// The form's problems: `{"field", "cell"?, "message"}` (the report names the attachment).
    #[serde(serialize_with = "ingest::form_items")]
    pub errors: Vec<Finding>,
    pub warnings: Vec<String>,
}

/// A field whose value differs from the previous version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub field: &'static str,
    pub from: u64,
    pub to: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyReport {
    pub to: String,
    pub subject: String,
    pub kind: ReplyKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    pub file: String,
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub unit: Option<String>,
    pub outcome: Outcome,
    pub received_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_no: Option<String>,
    pub forms: Vec<FormReport>,
    /// Problems of the mail itself; an item about one attachment names it in its message.
    #[serde(serialize_with = "ingest::mail_items")]
    pub errors: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub reply: Option<ReplyReport>,
    /// The sender verdict (SPEC §13), when the message was checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_check: Option<crate::sender::Verdict>,
}

impl IngestReport {
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            format!(
                r#"{{"file":{:?},"outcome":"error","error":{:?}}}"#,
                self.file,
                e.to_string()
            )
        })
    }
}

/// The line of a message set aside (SPEC §12): nothing sent.
pub(super) fn quarantined_report(
    file: &str,
    parsed: &crate::mail::InboundMessage,
    row: &crate::store::messages::MessageRow,
) -> IngestReport {
    IngestReport {
        outcome: Outcome::Quarantined,
        note: Some(format!(
            "failed to finish {} times: quarantined (message {}), nothing sent; \
             `reportdesk quarantine release {}` tries it again",
            crate::store::quarantine::MAX_ATTEMPTS,
            row.id,
            row.id
        )),
        ..duplicate_report(file, parsed, row)
    }
}

pub(super) fn duplicate_report(
    file: &str,
    parsed: &crate::mail::InboundMessage,
    row: &crate::store::messages::MessageRow,
) -> IngestReport {
    IngestReport {
        file: file.to_string(),
        message_id: parsed.message_id.clone(),
        from: row.sender.clone(),
        unit: row.unit_code.clone(),
        outcome: Outcome::Duplicate,
        received_at: row.received_at.to_rfc3339(),
        receipt_no: None,
        forms: vec![],
        errors: vec![],
        note: Some(format!(
            "already processed ({}); nothing stored, nothing sent",
            row.outcome.map_or("-", Outcome::as_str)
        )),
        reply: None,
        sender_check: None,
    }
}
