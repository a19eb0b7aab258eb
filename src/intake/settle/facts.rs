//! What a plan needs from the store, read inside the intake transaction before anything of the
//! message is written: the versions already stored, the replies sent to the sender within the
//! hour, the cases the message answers or corrects, the addresses a bounce may mark. The mail's
//! photos are written to disk here too (by content, so writing one twice is harmless), since a
//! plan counts the stored ones.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::Settler;
use super::corrections::corrects_one;
use crate::domain::echo::printable_line;
use crate::domain::fields::MonthlyValues;
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::intake::assess::{Reading, Verdict};
use crate::mail::{NoReplyReason, dsn};
use crate::store::cases::Current;
use crate::store::outbox;
use crate::store::submissions;
use crate::store::{StoreError, Tx};

pub(crate) use super::cases::StoredPhoto;

/// A bounce is read for at most this many quoted Message-IDs and failed recipients: a real DSN
/// has one or two of each, and a forged one must not cost a query per line.
const MAX_BOUNCE_IDS: usize = 10;
const MAX_BOUNCE_RECIPIENTS: usize = 50;

/// What the store said before the message is settled.
#[derive(Debug, Default, Clone)]
pub(crate) struct Facts {
    /// The version that counts now, for each period of the unit's accepted monthly forms.
    pub previous: Vec<Previous>,
    /// Replies queued to the sender within the last hour.
    pub recent_replies: i64,
    /// The case this message's one case form corrects.
    pub corrected: Option<Current>,
    /// The unit's cases whose receipt this message replies to, with that receipt's number.
    pub answered: Vec<(Current, String)>,
    /// The mail's images, written under `photos/` (only when a case takes them).
    pub photos: Vec<StoredPhoto>,
    /// A bounce of our mail: the failed addresses our quoted mail was sent to, and why.
    pub bounced: Vec<String>,
    pub bounce_reason: String,
}

/// A stored monthly version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Previous {
    pub period: Period,
    pub version: i64,
    pub received_at: DateTime<Utc>,
    pub values: MonthlyValues,
}

/// What earlier messages of the same settling transaction read or wrote of the two facts every
/// monthly form needs, so a batch reads each from the store once: the counting version of a
/// unit's period and the replies queued to an address within the hour. Each message settled
/// updates them with what it wrote ([`Known::wrote`]); a message settled another way (held for
/// staff) or undone clears them, and they are read again.
#[derive(Debug, Default)]
pub(crate) struct Known {
    latest: HashMap<(String, Period), Option<Previous>>,
    replies: HashMap<String, i64>,
}

impl Known {
    /// Forgets everything: the next message reads the store again.
    pub fn clear(&mut self) {
        self.latest.clear();
        self.replies.clear();
    }

    /// `version` was written as the unit's counting version of its period.
    pub fn wrote(&mut self, unit_code: &str, version: Previous) {
        self.latest
            .insert((unit_code.to_string(), version.period), Some(version));
    }

    /// A reply to `recipient` was queued now.
    pub fn queued(&mut self, recipient: &str) {
        if let Some(count) = self.replies.get_mut(recipient) {
            *count += 1;
        }
    }
}

/// Whether a mail of photos alone may answer earlier cases (photos sent after the receipt).
pub(crate) fn wants_later_photos(reading: &Reading) -> bool {
    !reading.photos.is_empty()
        && reading.cases.is_empty()
        && reading.monthly.is_empty()
        && reading.errors.is_empty()
}

impl Settler<'_> {
    /// Reads the facts the plan of `verdict` needs.
    pub(super) async fn facts(
        &self,
        tx: &mut Tx,
        verdict: &Verdict<'_>,
        known: &mut Known,
    ) -> Result<Facts, StoreError> {
        let mut facts = Facts::default();
        match verdict {
            Verdict::NoReply { .. } if self.message.no_reply == Some(NoReplyReason::Bounce) => {
                self.bounce(tx, &mut facts).await?;
            }
            Verdict::NoReply { .. } | Verdict::UnknownSender { .. } => {}
            Verdict::Unit { unit, reading } => {
                self.unit_facts(tx, unit, reading, &mut facts, known)
                    .await?;
                if let Some(from) = &self.message.from {
                    facts.recent_replies = self.recent_replies(tx, &from.address, known).await?;
                }
            }
        }
        Ok(facts)
    }

    async fn unit_facts(
        &self,
        tx: &mut Tx,
        unit: &Unit,
        reading: &Reading,
        facts: &mut Facts,
        known: &mut Known,
    ) -> Result<(), StoreError> {
        for form in reading.monthly.iter().filter_map(|m| m.form.as_ref().ok()) {
            if facts.previous.iter().any(|p| p.period == form.period) {
                continue;
            }
            if let Some(latest) = self.latest(tx, unit, form.period, known).await? {
                facts.previous.push(latest);
            }
        }
        let later_photos = wants_later_photos(reading);
        if corrects_one(reading) || later_photos {
            facts.answered = self.answered_cases(tx, unit).await?;
        }
        let period = Period::open_at(self.config.office.zone.date_of(self.row.received_at));
        facts.corrected = self
            .corrected_case(tx, unit, reading, period, &facts.answered)
            .await?;
        // Images are stored only when a case takes them (SPEC §4): a monthly form's or a
        // rejected case's pictures stay in the raw mail and nowhere else.
        let cases_take = reading.cases.iter().any(|c| c.form.is_ok());
        if cases_take || (later_photos && !facts.answered.is_empty()) {
            facts.photos = self.store_photos(reading);
        }
        Ok(())
    }

    /// The counting version of the unit's `period`, from `known` or else the store.
    async fn latest(
        &self,
        tx: &mut Tx,
        unit: &Unit,
        period: Period,
        known: &mut Known,
    ) -> Result<Option<Previous>, StoreError> {
        let key = (unit.code.as_str().to_string(), period);
        if let Some(latest) = known.latest.get(&key) {
            return Ok(latest.clone());
        }
        let latest = submissions::latest(tx, &key.0, period)
            .await?
            .map(|latest| Previous {
                period,
                version: latest.version,
                received_at: latest.received_at,
                values: latest.values,
            });
        known.latest.insert(key, latest.clone());
        Ok(latest)
    }

    /// The replies queued to `address` within the hour, from `known` or else the store.
    async fn recent_replies(
        &self,
        tx: &mut Tx,
        address: &str,
        known: &mut Known,
    ) -> Result<i64, StoreError> {
        if let Some(count) = known.replies.get(address) {
            return Ok(*count);
        }
        let since = self.now - Duration::hours(1);
        let count = outbox::count_to_recipient_since(tx, address, since).await?;
        known.replies.insert(address.to_string(), count);
        Ok(count)
    }

    /// A bounce of one of our own mails: the failed addresses to mark, so they are not mailed
    /// again until mail from them arrives. Only an address that the quoted message of ours was
    /// sent to counts (SPEC §13): a forged DSN that lists every unit under one real Message-ID
    /// marks one address at most.
    async fn bounce(&self, tx: &mut Tx, facts: &mut Facts) -> Result<(), StoreError> {
        let bounce = dsn::read(self.raw);
        facts.bounce_reason = printable_line(bounce.reason.as_deref().unwrap_or("bounced"));
        let quoted = &bounce.returned_ids[..bounce.returned_ids.len().min(MAX_BOUNCE_IDS)];
        for address in bounce.failed.iter().take(MAX_BOUNCE_RECIPIENTS) {
            if !outbox::sent_to_any(tx, quoted, address).await? {
                tracing::info!(address = %printable_line(address), "a bounce names an address our quoted mail was not sent to: ignored");
                continue;
            }
            facts.bounced.push(address.clone());
        }
        Ok(())
    }
}
