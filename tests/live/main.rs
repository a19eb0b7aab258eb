//! Live mail tests: a real Dovecot and SMTP server on loopback (see `harness`), exercised with
//! SMTP submissions and IMAP clients. Run `scripts/install-test-deps` once (it installs Dovecot
//! and aiosmtpd when missing), then `cargo test --test live`. Tests of the product against the
//! stack go in further modules of this binary and use `harness::MailStack`.

mod backlog;
mod daemon;
mod events;
mod fallbacks;
#[allow(dead_code)]
#[path = "../common/guard.rs"]
mod guard;
mod harness;
mod imap;
mod lifecycle;
mod pool;
mod running;
mod smtp;
mod support;
