//! What taking in a message came to: the `outcome` of the ingest line (SPEC §7), kept on the
//! message in the database and shown in the console's log.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Accepted,
    Rejected,
    Ignored,
    Duplicate,
    /// Failed to finish three times: set aside (SPEC §12), nothing sent.
    Quarantined,
    /// A form from a registered address whose sender check failed (SPEC §13): nothing recorded
    /// until staff approve it.
    Held,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Accepted,
        Outcome::Rejected,
        Outcome::Ignored,
        Outcome::Duplicate,
        Outcome::Quarantined,
        Outcome::Held,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Rejected => "rejected",
            Outcome::Ignored => "ignored",
            Outcome::Duplicate => "duplicate",
            Outcome::Quarantined => "quarantined",
            Outcome::Held => "held",
        }
    }

    /// The outcome `text` names ([`Outcome::as_str`]'s words), if any.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_reads_back_from_its_word_and_nothing_else_does() {
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
            let json = serde_json::to_string(&outcome).unwrap();
            assert_eq!(json, format!("\"{}\"", outcome.as_str()));
        }
        assert_eq!(Outcome::parse("Accepted"), None);
        assert_eq!(Outcome::parse(""), None);
    }
}
