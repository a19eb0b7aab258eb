//! One way to queue a mail: build it ([`super::mime::build`]) and put it in the outbox inside the
//! caller's transaction, so it is written together with what caused it. Used by intake (replies)
//! and the reminder scheduler.

use thiserror::Error;

use super::mime::{self, MimeError, Outgoing};
use crate::store::outbox::{self, NewReply, ReplyKind};
use crate::store::writes::Writes;
use crate::store::{StoreError, Tx};

/// Why a mail was not queued.
#[derive(Debug, Error)]
pub enum QueueError {
    /// The mail could not be built (a malformed address): nothing was queued, the transaction
    /// is still usable.
    #[error(transparent)]
    Build(#[from] MimeError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Builds `mail` and queues it to `mail.to_address` as `kind`, answering `message_row` when
/// there is one; returns the outbox row's id.
pub async fn queue_mail(
    tx: &mut Tx,
    mail: &Outgoing<'_>,
    kind: ReplyKind,
    message_row: Option<i64>,
) -> Result<i64, QueueError> {
    let body = mime::build(mail)?;
    Ok(outbox::enqueue(tx, &reply(mail, kind, message_row, &body)).await?)
}

/// [`queue_mail`] as one of several [`Writes`]: the mail is built now and queued when they run.
pub fn queue_mail_into(
    writes: &mut Writes,
    mail: &Outgoing<'_>,
    kind: ReplyKind,
    message_row: Option<i64>,
) -> Result<(), MimeError> {
    let body = mime::build(mail)?;
    outbox::enqueue_into(writes, &reply(mail, kind, message_row, &body));
    Ok(())
}

fn reply<'a>(
    mail: &Outgoing<'a>,
    kind: ReplyKind,
    message_row: Option<i64>,
    body: &'a [u8],
) -> NewReply<'a> {
    NewReply {
        message_row,
        kind,
        recipient: mail.to_address,
        subject: mail.subject,
        outgoing_id: mail.message_id,
        body,
        created_at: mail.date,
    }
}
