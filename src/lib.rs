//! reportdesk reads a district safety committee office's mailbox, parses and validates every
//! unit's monthly statistics form (附件3) into SQLite, and answers each sender within seconds with
//! a receipt or an exact list of what to fix.
//!
//! # Layout
//! The functional core is pure and unit-tested where it lives; IO sits at the edges. Modules are
//! listed lowest first; each imports only from those above it in this list (no import circles:
//! `scripts/module-graph` checks).
//!
//! - [`domain`]: values that can only be valid: [`domain::period::Period`], the eleven
//!   [`domain::fields::Field`]s and [`domain::fields::MonthlyValues`], phone numbers, units and
//!   the roster, the working-day calendar, the deadline rules ([`domain::deadline`]) and the
//!   office's time zone ([`domain::OfficeZone`]: the office-local date of an instant).
//! - [`clock`], [`telemetry`]: the one clock, logging; [`durable`]: files made durable in
//!   batches (one sync per batch, not per file).
//! - [`archive`]: zip archives under limits (zip-bomb guard), shared by mail and forms.
//! - [`mail`]: parsing inbound mail (encodings, attachments, archives, forwarded mail, which mail
//!   must never be answered) and the local Maildir; pure but for the Maildir.
//! - [`sender`]: sender verdicts (pass / fail / none) from DKIM verified here and the office's
//!   own `Authentication-Results` (SPEC §13).
//! - [`forms`]: reading workbooks by their labels (never by fixed cells), validating the monthly
//!   form cell by cell, and writing the official template.
//! - [`config`]: settings, checked once at load.
//! - [`net`]: the IMAP and SMTP clients and their TLS set-up.
//! - [`store`]: SQLite through sqlx; migrations in `migrations/`; one file of queries per table.
//! - [`app`]: the shared handles (config, clock, database, template, wake-up signals), no
//!   orchestration.
//! - [`replies`]: the Chinese text of receipts, returns and help replies, their MIME form, and
//!   [`replies::queue::queue_mail`], the one way a mail is built and queued in a transaction.
//! - [`notice_checks`]: the notice's checks as met / not yet / missed (pure); [`status`]: who has
//!   and who has not reported, the district summary, a unit's months: one query layer for the
//!   CLI and the bot.
//! - [`intake`]: raw messages to records, reports and replies, in batches (group commit):
//!   [`intake::assess`] reads, a pure plan decides what to record and answer, a small writer
//!   applies it in the batch's transaction.
//! - [`reminders`]: which reminders are due when (pure), plus the scheduler task that queues them.
//! - [`export`]: the month's summary workbook for the city (汇总上报): the district's own 附件3
//!   first, then the units, the missing, the checks and the cases; each case also as a `.docx`;
//!   [`submit`]: mailing that summary to the city office, once per month.
//! - [`inbound`]: the local Maildir or an IMAP folder (IDLE, reconnects) feeding intake;
//!   [`delivery`]: the outbox worker, to the local Maildir or SMTP; [`bot`]: the staff chat bot
//!   (teloxide). Each task is given the handles it uses.
//! - [`daemon`]: orchestration: one pass, the transports, the daemon's tasks; [`config_check`],
//!   [`demo`], [`cli`]: the commands.
//! - [`notify`]: the WeCom, DingTalk and Feishu group robots (SPEC §14), fed by a durable queue.
//! - [`worker`]: the attachment reader process (SPEC §12); `fuzz_targets`: what each fuzz target
//!   of `fuzz/` runs, replayed by `cargo test`.
//! - [`web`]: the staff web console (axum, server-rendered pages), a task of `run`.
//! - [`ops`]: running for years: the data dir's lock, permission errors that name the owner,
//!   health, backup and restore.
//!
//! The last five sit among the others by part (`LAYERS` in `scripts/module-graph` places every
//! module): `ops::access` at the bottom with `domain`, `worker` with `app`;
//! `notify`'s robots and alerts and the rest of `ops` with `status`; `notify::stream`,
//! `notify::dispatch` and `web` with the tasks. The `[[notify]]` and `[dingtalk]` tables are read in
//! [`config`] (`config::notify`, `config::dingtalk`), so `config` imports nothing above it.

/// The version and git revision, as `reportdesk --version` prints them: "0.1.0 (abc1234)".
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("REPORTDESK_GIT_REV"),
    ")"
);

pub mod app;
pub mod archive;
pub mod bot;
pub mod cli;
pub mod clock;
pub mod config;
pub mod config_check;
pub mod daemon;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod durable;
pub mod export;
pub mod forms;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod inbound;
pub mod intake;
pub mod mail;
pub mod net;
pub mod notice_checks;
pub mod notify;
pub mod ops;
pub mod reminders;
pub mod replies;
pub mod sender;
pub mod status;
pub mod store;
pub mod submit;
pub mod telemetry;
pub mod web;
pub mod worker;
