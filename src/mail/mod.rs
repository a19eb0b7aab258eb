//! Inbound mail: raw message bytes in, an [`InboundMessage`] out.
//!
//! Layout: `message` (the result and [`parse_message`]), `classify` (whether to reply),
//! `attachments` (attached files and problems), `collect` (walking MIME parts and archives),
//! `kind` (what a file is), `headers` and `params` (raw header decoding: GBK, RFC 2047, RFC 2231),
//! `body` (part bodies re-read from the raw bytes), `parse` (mail-parser called safely),
//! `limits` (the size and shape limits), and `maildir` (the local Maildir used in and out on the
//! embedded default). The network clients (IMAP, SMTP, TLS) live in [`crate::net`].

mod attachments;
mod body;
mod classify;
mod collect;
pub mod dsn;
mod headers;
mod kind;
mod limits;
pub mod maildir;
mod message;
mod params;
mod parse;

#[cfg(test)]
mod acceptance_tests;
#[cfg(test)]
mod limits_tests;
#[cfg(test)]
mod scenario_tests;
#[cfg(test)]
mod test_mail;

pub use attachments::{Attachment, AttachmentKind, AttachmentProblem, ProblemKind};
pub use classify::NoReplyReason;
pub use headers::Mailbox;
pub use limits::Limits;
pub use message::{
    InboundMessage, message_key, parse_headers_only, parse_message, parse_message_with_password,
};
