//! Settling a verdict inside the intake transaction, in three steps: read the [`Facts`] the
//! store holds ([`super::facts`]), [`plan`] what to record and answer (pure), and
//! [`Settler::apply`] the plan ([`super::apply`]). The ingest report comes back as written.

mod apply;
pub(crate) mod cases;
mod corrections;
pub(crate) mod facts;

use chrono::{DateTime, Utc};

use facts::{Facts, Known};

use crate::config::Config;
use crate::domain::period::Period;
use crate::intake::Answering;
use crate::intake::assess::Verdict;
use crate::intake::plan::{Input, plan};
use crate::intake::report::IngestReport;
use crate::mail::InboundMessage;
use crate::sender::SenderCheck;
use crate::store::installation::MessageIdSecret;
use crate::store::messages::MessageRow;
use crate::store::writes::Writes;
use crate::store::{Framing, StoreError, Tx};

pub(crate) struct Settler<'a> {
    pub config: &'a Config,
    pub template: &'a [u8],
    pub message: &'a InboundMessage,
    pub raw: &'a [u8],
    pub row: &'a MessageRow,
    pub file: &'a str,
    pub now: DateTime<Utc>,
    /// The sender verdict (SPEC §13); `None` when the check is off.
    pub sender_check: Option<&'a SenderCheck>,
    /// Staff approved this message after it was held.
    pub approved: bool,
    /// Whether the sender is mailed its reply.
    pub answering: Answering,
    /// Signs the reply's Message-ID (read once per transaction).
    pub secret: &'a MessageIdSecret,
}

impl Settler<'_> {
    pub async fn settle(
        &self,
        tx: &mut Tx,
        verdict: Verdict<'_>,
        open_period: Period,
        known: &mut Known,
        framed: (Writes, &Framing),
    ) -> Result<IngestReport, StoreError> {
        let facts: Facts = self.facts(tx, &verdict, known).await?;
        let input = Input {
            config: self.config,
            message: self.message,
            row: self.row,
            file: self.file,
            sender_check: self.sender_check,
            approved: self.approved,
            answering: self.answering,
            open_period,
        };
        let planned = plan(&input, &verdict, &facts);
        if let Verdict::UnknownSender { reading } = &verdict
            && reading.has_forms_or_errors()
        {
            tracing::warn!(
                sender = planned.report.from.as_deref().unwrap_or("-"),
                subject = %self.message.subject,
                raw = %self.row.raw_path,
                "form from an address not in the roster: kept for staff, not answered"
            );
        }
        self.apply(tx, planned, &facts.photos, known, framed).await
    }
}
