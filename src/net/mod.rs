//! The network clients of a live mailbox, apart from the pure mail parsing in [`crate::mail`]:
//! `imap_client` (IMAP with IDLE, used by [`crate::inbound::imap`]), `smtp_client` (sending, used
//! by [`crate::delivery`]; a pool of reused connections), `pace` (the per-minute cap on sending),
//! `tls` (rustls set-up, the bundled roots or a private CA) and `utf7`
//! (IMAP folder names on the wire).

pub mod imap_client;
pub mod pace;
pub mod smtp_client;
pub mod tls;
pub mod utf7;
