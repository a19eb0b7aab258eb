//! Which earlier case a case form corrects (SPEC §4): one sent in reply to the receipt of an
//! earlier case (In-Reply-To / References), or whose subject says 更正 / 修改 / 重报 while the
//! unit has exactly one case that month, replaces that case as its next version. Anything else
//! is a new case. Only a message with exactly one accepted case form corrects anything, so a
//! form is never matched to a case by guesswork.

use super::Settler;
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::intake::assess::Reading;
use crate::store::cases::{self, Current};
use crate::store::{StoreError, Tx};

/// Words in a subject that ask for a correction.
const CORRECTION_WORDS: [&str; 3] = ["更正", "修改", "重报"];

/// Only a message with exactly one accepted case form corrects anything.
pub(super) fn corrects_one(reading: &Reading) -> bool {
    reading.cases.iter().filter(|c| c.form.is_ok()).count() == 1
}

/// Whether a subject asks for a correction.
pub(super) fn asks_for_correction(subject: &str) -> bool {
    CORRECTION_WORDS.iter().any(|word| subject.contains(word))
}

impl Settler<'_> {
    /// The case (as it counts now) that this message's one case form corrects, if any;
    /// `answered` are the unit's cases whose receipt the message replies to.
    pub(super) async fn corrected_case(
        &self,
        tx: &mut Tx,
        unit: &Unit,
        reading: &Reading,
        period: Period,
        answered: &[(Current, String)],
    ) -> Result<Option<Current>, StoreError> {
        if !corrects_one(reading) {
            return Ok(None);
        }
        if !answered.is_empty() {
            // A reply to a receipt of several cases names none of them.
            let only = (answered.len() == 1).then(|| answered.first());
            return Ok(only.flatten().map(|(case, _)| case.clone()));
        }
        if !asks_for_correction(&self.message.subject) {
            return Ok(None);
        }
        let mut this_month =
            cases::current_of_unit(tx, unit.code.as_str(), &period.to_string()).await?;
        Ok(if this_month.len() == 1 {
            this_month.pop()
        } else {
            None
        })
    }

    /// The unit's cases, as they count now, whose receipt this message replies to.
    pub(super) async fn answered_cases(
        &self,
        tx: &mut Tx,
        unit: &Unit,
    ) -> Result<Vec<(Current, String)>, StoreError> {
        let parents = self
            .message
            .in_reply_to
            .iter()
            .chain(self.message.references.iter());
        let mut found: Vec<(Current, String)> = Vec::new();
        for parent in parents {
            for (id, receipt_no) in cases::answered_by(tx, parent, unit.code.as_str()).await? {
                if let Some(current) = cases::current(tx, id).await?
                    && !found.iter().any(|(c, _)| c.id == current.id)
                {
                    found.push((current, receipt_no));
                }
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correction_words_in_the_subject() {
        assert!(asks_for_correction("跳磴镇典型案例（更正）"));
        assert!(asks_for_correction("Re: 修改后的案例"));
        assert!(asks_for_correction("重报：典型案例"));
        assert!(!asks_for_correction("典型案例报送"));
    }
}
