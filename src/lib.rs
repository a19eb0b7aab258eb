//! reportdesk reads a district safety committee office's mailbox, parses and validates every
//! unit's monthly statistics form (附件3) into SQLite, and answers each sender within seconds with
//! a receipt or an exact list of what to fix.
//!
//! # Layout
//! The functional core is pure and unit-tested where it lives; IO sits at the edges.
//!
//! - [`domain`]: values that can only be valid: [`domain::period::Period`], the eleven
//!   [`domain::fields::Field`]s and [`domain::fields::MonthlyValues`], phone numbers, units and
//!   the roster.
//! - [`forms`]: reading workbooks by their labels (never by fixed cells), validating the monthly
//!   form cell by cell, and writing the official template.
//! - [`mail`]: parsing inbound mail (encodings, attachments, archives, forwarded mail, which mail
//!   must never be answered), the local Maildir, and the IMAP and SMTP clients.
//! - [`archive`]: zip archives under limits (zip-bomb guard), shared by mail and forms.
//! - [`intake`]: one raw message to a record, a report and a reply: [`intake::assess`] is the
//!   pure half, the rest writes it all in one transaction.
//! - [`reminders`]: deadlines, working days, and which reminders are due when (pure), plus the
//!   scheduler task that queues them.
//! - [`replies`]: the Chinese text of receipts, returns and help replies, and their MIME form.
//! - [`store`]: SQLite through sqlx; migrations in `migrations/`; one file of queries per table.
//! - [`inbound`]: the local Maildir or an IMAP folder (IDLE, reconnects) feeding intake.
//! - [`delivery`]: the outbox worker, to the local Maildir or SMTP.
//! - [`export`]: the month's summary workbook for the city (汇总上报).
//! - [`status`]: who has and who has not reported, the district summary, a unit's months: one
//!   query layer for the CLI and the bot; [`checks`]: the notice's checks as met / not yet / missed.
//! - [`bot`]: the staff chat bot (teloxide), a task of `run`.
//! - [`config`], [`clock`], [`telemetry`]: settings, the one clock, logging.
//! - [`app`], [`daemon`], [`check`], [`demo`], [`cli`]: start-up, the daemon's tasks and the
//!   commands.

pub mod app;
pub mod archive;
pub mod bot;
pub mod check;
pub mod checks;
pub mod cli;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod export;
pub mod forms;
pub mod inbound;
pub mod intake;
pub mod mail;
pub mod reminders;
pub mod replies;
pub mod status;
pub mod store;
pub mod telemetry;
