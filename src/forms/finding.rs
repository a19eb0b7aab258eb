//! What a reader or intake found: one [`Finding`] with a [`Severity`], about a [`FieldKey`], in
//! an attachment and a cell, with a message in plain Chinese.
//!
//! A problem stops the form (or the mail) and is listed in the return; a warning is worth saying
//! but the form is recorded. A form reader finds both in cells; intake finds problems of the mail
//! itself (an unreadable file, a limit, an unknown sender).
//!
//! This is also the one place a finding becomes text: the items of the ingest line ([`ingest`],
//! SPEC §7: `field`, optional `cell`, `message`; warnings as strings, [`Finding::warning_text`])
//! and the numbered lines of a return ([`Finding::return_line`]).

use std::fmt;

use super::labels::{CasePart, Header};
use crate::domain::fields::Field;

/// How much a finding weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Severity {
    /// The form (or the mail) cannot be recorded as it is: the unit is asked to fix it.
    Problem,
    /// Worth telling the unit; the form is recorded all the same.
    Warning,
}

/// What a finding is about: the `field` of the ingest line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FieldKey {
    /// One of the eleven values (SPEC §3): `open_letters`…
    Value(Field),
    /// A header or footer field: `unit`, `period`, `filled_by`, `phone`, `filled_on`.
    Header(Header),
    /// A content part of a case form: `tip_source`, `facts`, … `overview`, `remarks`.
    Case(CasePart),
    /// Which sheet of a workbook was read: `sheet`.
    Sheet,
    /// A case's work photos: `photos`.
    Photos,
    /// An attachment as a whole (unreadable, too large, no form in it): `attachment`.
    Attachment,
    /// The sender's address: `sender`.
    Sender,
    /// A limit of the whole mail (SPEC §6, all or nothing): `limit`.
    Limit,
}

impl FieldKey {
    /// The key as the ingest line writes it.
    pub fn key(self) -> &'static str {
        match self {
            FieldKey::Value(field) => field.key(),
            FieldKey::Header(header) => header.key(),
            FieldKey::Case(part) => part.key(),
            FieldKey::Sheet => "sheet",
            FieldKey::Photos => "photos",
            FieldKey::Attachment => "attachment",
            FieldKey::Sender => "sender",
            FieldKey::Limit => "limit",
        }
    }
}

impl fmt::Display for FieldKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl PartialEq<&str> for FieldKey {
    fn eq(&self, other: &&str) -> bool {
        self.key() == *other
    }
}

impl From<Field> for FieldKey {
    fn from(field: Field) -> Self {
        FieldKey::Value(field)
    }
}

impl From<Header> for FieldKey {
    fn from(header: Header) -> Self {
        FieldKey::Header(header)
    }
}

impl From<CasePart> for FieldKey {
    fn from(part: CasePart) -> Self {
        FieldKey::Case(part)
    }
}

/// One thing found wrong with, or worth saying about, a submission.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub field: FieldKey,
    /// The attachment it is about; `None` when it is about the mail as a whole. Readers leave it
    /// empty (they do not know the file's name); intake sets it.
    pub attachment: Option<String>,
    /// Where, e.g. `Sheet1!J5`, when it is about one cell.
    pub cell: Option<String>,
    /// What was found and how to fix it, in plain Chinese.
    pub message: String,
}

impl Finding {
    /// Something that makes the form (or the mail) unacceptable.
    pub fn problem(
        field: impl Into<FieldKey>,
        cell: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Problem, field.into(), cell, message.into())
    }

    /// Something worth telling the unit that does not stop the form.
    pub fn warning(
        field: impl Into<FieldKey>,
        cell: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, field.into(), cell, message.into())
    }

    fn new(severity: Severity, field: FieldKey, cell: Option<String>, message: String) -> Self {
        Self {
            severity,
            field,
            attachment: None,
            cell,
            message,
        }
    }

    /// The same finding, about the attachment `name`.
    pub fn in_attachment(mut self, name: &str) -> Self {
        self.attachment = Some(name.to_string());
        self
    }

    pub fn is_problem(&self) -> bool {
        self.severity == Severity::Problem
    }

    /// A warning as the ingest line and a receipt write it: `Sheet1!J5：…`, or the message alone.
    pub fn warning_text(&self) -> String {
        match &self.cell {
            Some(cell) => format!("{cell}：{}", self.message),
            None => self.message.clone(),
        }
    }

    /// A problem as a line of a return, naming the file and the cell: `附件《a.xlsx》Sheet1!J5：…`.
    pub fn return_line(&self) -> String {
        match (&self.attachment, &self.cell) {
            (Some(a), Some(c)) => format!("附件《{a}》{c}：{}", self.message),
            (Some(a), None) => format!("附件《{a}》：{}", self.message),
            (None, Some(c)) => format!("{c}：{}", self.message),
            (None, None) => self.message.clone(),
        }
    }
}

/// The `errors` items of the ingest line (SPEC §7): `{"field", "cell"?, "message"}`, for
/// `#[serde(serialize_with = …)]`.
pub mod ingest {
    use serde::ser::{SerializeSeq, Serializer};

    use super::Finding;

    #[derive(serde::Serialize)]
    struct Item<'a> {
        field: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        cell: Option<&'a str>,
        message: std::borrow::Cow<'a, str>,
    }

    /// A form's findings: the form's report names the attachment, so its items do not.
    pub fn form_items<S: Serializer>(findings: &[Finding], s: S) -> Result<S::Ok, S::Error> {
        items(findings, s, |f| f.message.as_str().into())
    }

    /// The mail's findings: an item about one attachment names it in its message.
    pub fn mail_items<S: Serializer>(findings: &[Finding], s: S) -> Result<S::Ok, S::Error> {
        items(findings, s, |f| match &f.attachment {
            Some(name) => format!("附件《{name}》：{}", f.message).into(),
            None => f.message.as_str().into(),
        })
    }

    fn items<'a, S: Serializer>(
        findings: &'a [Finding],
        s: S,
        message: impl Fn(&'a Finding) -> std::borrow::Cow<'a, str>,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(findings.len()))?;
        for finding in findings {
            seq.serialize_element(&Item {
                field: finding.field.key(),
                cell: finding.cell.as_deref(),
                message: message(finding),
            })?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Line<'a> {
        #[serde(serialize_with = "ingest::form_items")]
        form: &'a [Finding],
        #[serde(serialize_with = "ingest::mail_items")]
        mail: &'a [Finding],
    }

    #[test]
    fn keys_are_those_of_the_ingest_line() {
        assert_eq!(FieldKey::from(Field::OpenLetters), "open_letters");
        assert_eq!(FieldKey::from(Header::Period).key(), "period");
        assert_eq!(FieldKey::from(CasePart::Overview).to_string(), "overview");
        assert_eq!(FieldKey::Attachment, "attachment");
        assert_eq!(FieldKey::Limit, "limit");
    }

    #[test]
    fn items_name_the_attachment_only_outside_a_form() {
        let cell = Finding::problem(Header::Phone, Some("Sheet1!C4".into()), "电话有误。")
            .in_attachment("a.xlsx");
        let file = Finding::problem(FieldKey::Attachment, None, "打不开。").in_attachment("b.xls");
        let json = serde_json::to_string(&Line {
            form: std::slice::from_ref(&cell),
            mail: std::slice::from_ref(&file),
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"form":[{"field":"phone","cell":"Sheet1!C4","message":"电话有误。"}],"mail":[{"field":"attachment","message":"附件《b.xls》：打不开。"}]}"#
        );
        assert_eq!(cell.return_line(), "附件《a.xlsx》Sheet1!C4：电话有误。");
        assert_eq!(file.return_line(), "附件《b.xls》：打不开。");
    }

    #[test]
    fn a_warning_names_its_cell() {
        let warning = Finding::warning(
            Field::SlogansPosters,
            Some("Sheet1!J5".into()),
            "已按0记录。",
        );
        assert!(!warning.is_problem());
        assert_eq!(warning.warning_text(), "Sheet1!J5：已按0记录。");
        let plain = Finding::warning(FieldKey::Photos, None, "请补发照片。");
        assert_eq!(plain.warning_text(), "请补发照片。");
    }
}
