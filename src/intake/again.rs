//! A stored message through intake again (SPEC §13): mail kept from an unknown sender once its
//! address is registered (`reprocess ID`), and a held message staff approved (`held approve
//! ID`). Both count at the original receipt time and are answered as new mail would be.

use chrono::{DateTime, Utc};

use super::report::{IngestReport, Outcome};
use super::{Intake, IntakeError, Trust, unreadable};
use crate::domain::echo;
use crate::mail;
use crate::sender::{SenderCheck, Verdict};
use crate::store::held as store_held;
use crate::store::messages;

impl Intake<'_> {
    /// Runs a kept message through intake again (SPEC §13): mail from an address that was not in
    /// the roster when it came, now registered. It counts at its original receipt time; the
    /// reply goes out as for new mail. Anything else is refused, so nothing is recorded twice.
    pub async fn reprocess(
        &self,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<IngestReport, IntakeError> {
        let refuse = |reason: String| IntakeError::NotReprocessable { id, reason };
        let row = messages::by_id(&self.store, id)
            .await?
            .ok_or_else(|| refuse("no message has this ID (see `reportdesk status`)".into()))?;
        let kept = row.state == "processed"
            && row.unit_code.is_none()
            && row.outcome == Some(Outcome::Rejected);
        if !kept {
            return Err(refuse(format!(
                "it is not mail kept from an unknown sender (outcome {}, unit {})",
                row.outcome.map_or("-", Outcome::as_str),
                row.unit_code.as_deref().unwrap_or("-")
            )));
        }
        let sender = row.sender.clone().unwrap_or_default();
        if self.config.roster.by_address(&sender).is_none() {
            return Err(refuse(format!(
                "{} is still not in the roster {}: add it to a unit's `addresses` first",
                echo::printable_line(&sender),
                self.config.roster_path.display()
            )));
        }
        let path = self.config.data_dir.join(&row.raw_path);
        let raw = std::fs::read(&path).map_err(|source| IntakeError::RawStore { path, source })?;
        let head = mail::parse_headers_only(&raw, unreadable(None));
        let file = format!("reprocess:{id}");
        self.process(&raw, head, &row, &file, now, Trust::Kept)
            .await
    }

    /// `held approve ID`: the held message runs through intake as if its sender were verified,
    /// at its original receipt time; the receipt (or return) goes out as for any other mail.
    /// `by` (the console user, `cli`, `chat:ID`) goes to the audit log in its transaction.
    /// The one path of the CLI, the web console and the admin chat commands.
    pub async fn approve_held(
        &self,
        id: i64,
        now: DateTime<Utc>,
        by: &str,
    ) -> Result<IngestReport, IntakeError> {
        let pending = store_held::pending(&self.store, id)
            .await?
            .ok_or(IntakeError::NotHeld { id })?;
        let row = messages::by_id(&self.store, id)
            .await?
            .ok_or(IntakeError::NotHeld { id })?;
        let check = SenderCheck {
            verdict: pending.sender_check.unwrap_or(Verdict::None),
            evidence: pending.evidence(),
        };
        let path = self.config.data_dir.join(&row.raw_path);
        let raw = std::fs::read(&path).map_err(|source| IntakeError::RawStore { path, source })?;
        let head = mail::parse_headers_only(&raw, unreadable(None));
        let file = format!("held:{id}");
        self.process(
            &raw,
            head,
            &row,
            &file,
            now,
            Trust::Approved {
                check,
                by: by.to_string(),
            },
        )
        .await
    }
}
