//! One message's savepoint inside a batch's settling transaction: opened by the statements
//! before the message's first write and released after its last, in the same round trips, so
//! one message that fails is undone alone ([`roll_back_to`]) while the rest of the batch stays.
//! No savepoint is ever left open from one message to the next.

use super::writes::Writes;
use super::{StoreError, Tx};

const OPEN: &str = "SAVEPOINT one_message";
const RELEASE: &str = "RELEASE one_message";

/// The statements framing one message's writes; [`Framing::none`] frames nothing (a message
/// settled alone in its own transaction).
pub struct Framing {
    opening: Option<Writes>,
    closes: bool,
}

impl Framing {
    pub fn none() -> Self {
        Self {
            opening: Some(Writes::new()),
            closes: false,
        }
    }

    /// A savepoint around the message's writes.
    pub fn savepoint() -> Self {
        let mut opening = Writes::new();
        opening.push(OPEN);
        Self {
            opening: Some(opening),
            closes: true,
        }
    }

    /// What must run before the message's first write: the caller adds its own statements
    /// after these (and runs them). Empty once taken.
    pub fn open(&mut self) -> Writes {
        self.opening.take().unwrap_or_default()
    }

    /// Whether [`Framing::open`] was called: the savepoint may then be open.
    pub fn opened(&self) -> bool {
        self.opening.is_none()
    }

    /// Ends the message's last writes with the savepoint's release.
    pub fn close(&self, writes: &mut Writes) {
        if self.closes {
            writes.push(RELEASE);
        }
    }
}

/// Undoes what was written since the savepoint opened, and closes it (one round trip).
pub async fn roll_back_to(tx: &mut Tx) -> Result<(), StoreError> {
    let mut writes = Writes::new();
    writes.push("ROLLBACK TO one_message").push(RELEASE);
    writes.run(tx).await.map(|_| ())
}
