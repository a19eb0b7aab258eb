//! The command line (SPEC §7): argument parsing and one function per command. This is the
//! binary's edge, so errors here are `anyhow` with context a person can act on.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};

use crate::app::App;
use crate::clock::Clock;
use crate::domain::period::Period;

mod admin;
mod mail;
mod reports;

use admin::{notify_test, quarantine_list, quarantine_release, user};
pub use mail::print_taken;
use mail::{held, ingest, remind, reprocess, submit};
use reports::{health, quarter_status, status, template};

#[derive(Debug, Parser)]
#[command(
    name = "reportdesk",
    version = crate::VERSION,
    about = "Reads the office mailbox, validates the units' monthly forms into SQLite and answers every sender."
)]
pub struct Cli {
    /// The configuration file.
    #[arg(long, global = true, default_value = "config/reportdesk.toml")]
    pub config: PathBuf,
    /// The data dir (SQLite file, local maildirs, stored raw mail); overrides the config's.
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// The clock, as RFC 3339 (e.g. 2026-11-12T10:30:00+08:00), for tests and re-running a past day.
    #[arg(long, global = true, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Log lines as plain text (no colour unless on a terminal) or one JSON object per line.
    #[arg(long, global = true, value_enum, default_value_t)]
    pub log_format: crate::telemetry::LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The daemon: takes in the inbox and delivers replies until SIGINT/SIGTERM.
    Run {
        /// Make one pass and exit.
        #[arg(long)]
        once: bool,
    },
    /// Seeds a fresh data dir with sample mail, processes it and shows the result.
    Demo,
    /// Runs intake on raw messages (.eml files); prints one JSON line per message.
    Ingest {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Who has and who has not reported for a month.
    Status {
        /// The month, YYYY-MM (default: the month open now).
        #[arg(long, conflicts_with = "quarter")]
        month: Option<String>,
        /// A calendar quarter instead, e.g. 2026-Q4: its totals and the notice's checks.
        #[arg(long)]
        quarter: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Writes the district summary workbook of a month (汇总上报).
    Export {
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Include the tip sources (线索来源) of the cases: for an admin, on purpose.
        #[arg(long)]
        with_tip_sources: bool,
        /// Also write each case of the month as a Word document (附件2) with its photos here.
        #[arg(long)]
        cases_dir: Option<PathBuf>,
    },
    /// Mails the month's district summary to `[office] upstream_address` (汇总上报), once.
    Submit {
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
        /// Send it again although it was sent already (a correction).
        #[arg(long)]
        again: bool,
    },
    /// Queues the reminders due at --now (or now) and delivers them; --dry-run only lists them.
    Remind {
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Runs mail kept from an unknown sender through intake again, once its address is in the
    /// roster (the ID is in `status`); it counts at its original receipt time.
    Reprocess { id: i64 },
    /// Checks the config and roster and tries the configured mail servers.
    CheckConfig,
    /// The WeCom, DingTalk and Feishu group robots of the `[[notify]]` tables.
    Notify {
        #[command(subcommand)]
        action: NotifyAction,
    },
    /// Web console users (SPEC §15).
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// One archive of the database, raw mail, photos, config and roster (`-o FILE`), or checks
    /// an archive (`--verify FILE`).
    Backup {
        #[arg(
            short = 'o',
            long = "output",
            required_unless_present = "verify",
            conflicts_with = "verify"
        )]
        output: Option<PathBuf>,
        #[arg(long)]
        verify: Option<PathBuf>,
    },
    /// Restores a backup into the folder given by --data-dir, which must be new or empty.
    Restore { file: PathBuf },
    /// Healthy (exit 0) or degraded (exit 1): mailbox polls, outbox backlog, failures.
    Health {
        #[arg(long)]
        json: bool,
    },
    /// Writes a blank form template.
    Template {
        kind: TemplateKind,
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// Forms held because their sender check failed (SPEC §13): lists them, or approves or
    /// rejects one.
    #[command(args_conflicts_with_subcommands = true)]
    Held {
        #[command(subcommand)]
        action: Option<HeldAction>,
        /// The list as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Messages set aside after failing to finish three times (SPEC §12).
    Quarantine {
        #[command(subcommand)]
        action: QuarantineAction,
    },
    /// The attachment reader process (started by reportdesk itself; see `worker`).
    #[command(hide = true)]
    ReadWorker {
        #[arg(long)]
        memory_mib: u64,
        #[arg(long)]
        max_message_bytes: u64,
    },
}

impl Command {
    /// Whether the command only reads the database and prints (no child processes, no mail):
    /// such a command ends quietly on a closed stdout ([`crate::ops::pipe`]).
    pub fn only_prints(&self) -> bool {
        matches!(
            self,
            Command::Status { .. } | Command::Health { .. } | Command::CheckConfig
        )
    }
}

#[derive(Debug, Subcommand)]
pub enum QuarantineAction {
    /// Lists the quarantined messages (id, sender, subject, attempts, last error, raw file).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Releases one (by the id `list` shows): a running daemon tries it again within seconds,
    /// else the next pass or start-up.
    Release { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum HeldAction {
    /// Records it as if its sender were verified, at its original receipt time (receipt sent).
    Approve { id: i64 },
    /// Drops it: nothing recorded, no reply; the unit's registered addresses are told.
    Reject { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum NotifyAction {
    /// Sends one test line to every robot and prints what each platform answered.
    Test,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Adds a user; the password is read from standard input (asked for on a terminal).
    Add {
        name: String,
        /// May also chase units, see tip sources, approve or reject held forms, edit the roster.
        #[arg(long)]
        admin: bool,
    },
    /// Sets a user's password (and ends their sessions).
    Passwd { name: String },
    /// Removes a user (and ends their sessions).
    Remove { name: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TemplateKind {
    /// 附件3: the monthly statistics form.
    Monthly,
    /// 附件2: the typical-case form.
    Case,
}

fn parse_now(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{e}: expected RFC 3339, e.g. 2026-11-12T10:30:00+08:00"))
}

/// Runs the parsed command; the exit code is 0 on success.
pub async fn run(cli: Cli) -> Result<i32> {
    let clock = cli.now.map_or(Clock::System, Clock::Fixed);
    match cli.command {
        Command::Template { kind, output } => template(kind, &output).map(|()| 0),
        Command::ReadWorker { .. } => anyhow::bail!("read-worker is started by reportdesk itself"),
        Command::Quarantine { action } => {
            let app = open(&cli.config, cli.data_dir.as_deref(), clock).await?;
            match action {
                QuarantineAction::List { json } => {
                    quarantine_list(&app, json).await?;
                }
                QuarantineAction::Release { id } => {
                    quarantine_release(&app, id).await?;
                }
            }
            Ok(0)
        }
        Command::Held { action, json } => {
            let app = open(&cli.config, cli.data_dir.as_deref(), clock).await?;
            held(&app, action, json).await
        }
        Command::Ingest { files } => {
            let app = open(&cli.config, cli.data_dir.as_deref(), clock).await?;
            ingest(&app, &files).await
        }
        Command::Reprocess { id } => {
            let app = open(&cli.config, cli.data_dir.as_deref(), clock).await?;
            reprocess(&app, id).await
        }
        Command::Status {
            quarter: Some(quarter),
            json,
            ..
        } => {
            let app = open(&cli.config, cli.data_dir.as_deref(), clock).await?;
            quarter_status(&app, &quarter, json).await.map(|()| 0)
        }
        Command::Status { month, json, .. } => {
            let app = open(&cli.config, cli.data_dir.as_deref(), clock).await?;
            status(&app, month.as_deref(), json).await.map(|()| 0)
        }
        Command::Run { once } => {
            let app = open(&cli.config, cli.data_dir.as_deref(), clock).await?;
            let _lock = crate::ops::lock::acquire(&app.config.data_dir)?;
            crate::daemon::run(app, once, print_taken).await.map(|()| 0)
        }
        Command::Export {
            month,
            output,
            with_tip_sources,
            cases_dir,
        } => {
            let period = parse_month(&month)?;
            let app = open(&cli.config, cli.data_dir.as_deref(), clock).await?;
            let bytes = crate::export::build(
                &app.config,
                &app.store,
                app.today(),
                period,
                with_tip_sources,
            )
            .await?;
            std::fs::write(&output, bytes)
                .with_context(|| format!("cannot write {}", output.display()))?;
            eprintln!("wrote {}", output.display());
            if let Some(dir) = cases_dir {
                let (config, store) = (&app.config, &app.store);
                let written = crate::export::case_files::write_case_documents(
                    config,
                    store,
                    period,
                    with_tip_sources,
                    &dir,
                )
                .await?;
                eprintln!(
                    "wrote {} case documents into {}",
                    written.len(),
                    dir.display()
                );
            }
            Ok(0)
        }
        Command::Submit { month, again } => {
            let period = parse_month(&month)?;
            let app = open(&cli.config, cli.data_dir.as_deref(), clock).await?;
            submit(&app, period, again).await
        }
        Command::Remind { dry_run, json } => {
            let app = open(&cli.config, cli.data_dir.as_deref(), clock).await?;
            remind(&app, dry_run, json).await.map(|()| 0)
        }
        Command::CheckConfig => {
            // Creates and changes nothing: no App (it would create the data dir and migrate).
            let config = crate::config::Config::load(&cli.config, cli.data_dir.as_deref())
                .with_context(|| format!("cannot start with {}", cli.config.display()))?;
            let files = crate::ops::preflight::run(&config, clock.now()).await;
            print!("{}", crate::ops::preflight::render(&files));
            let findings = crate::config_check::run(&config).await;
            print!("{}", crate::config_check::render(&findings));
            let failed = findings.iter().any(|f| !f.ok) || crate::ops::preflight::failed(&files);
            Ok(i32::from(failed))
        }
        Command::Backup {
            verify: Some(file), ..
        } => {
            let manifest = crate::ops::backup::verify(&file)?;
            println!(
                "{}: {} files, all checksums match (taken {})",
                file.display(),
                manifest.files.len(),
                manifest.created_at
            );
            Ok(0)
        }
        Command::Backup { output, .. } => {
            let output = output.context("give -o FILE or --verify FILE")?;
            let app = open(&cli.config, cli.data_dir.as_deref(), clock).await?;
            let manifest =
                crate::ops::backup::create(&app.store, &app.config, &output, app.now()).await?;
            eprintln!(
                "wrote {} ({} files)",
                output.display(),
                manifest.files.len()
            );
            Ok(0)
        }
        Command::Restore { file } => {
            let into = cli.data_dir.clone().context(
                "restore needs --data-dir DIR: the new (or empty) folder to restore into",
            )?;
            let manifest = crate::ops::backup::restore(&file, &into)?;
            eprintln!(
                "restored {} files into {}; the config and roster of the backup are in {}",
                manifest.files.len(),
                into.display(),
                into.join(crate::ops::backup::manifest::CONFIG_DIR)
                    .display()
            );
            Ok(0)
        }
        Command::Health { json } => {
            let app = open(&cli.config, cli.data_dir.as_deref(), clock).await?;
            let health = health(&app).await?;
            if json {
                println!("{}", serde_json::to_string(&health)?);
            } else {
                print!("{}", crate::ops::health::render(&health));
            }
            Ok(i32::from(!health.healthy))
        }
        Command::Notify {
            action: NotifyAction::Test,
        } => notify_test(&cli.config, cli.data_dir.as_deref(), clock).await,
        Command::User { action } => {
            let app = open(&cli.config, cli.data_dir.as_deref(), clock).await?;
            user(&app, action).await.map(|()| 0)
        }
        Command::Demo => crate::demo::run(&cli.config, cli.data_dir.as_deref(), clock)
            .await
            .map(|()| 0),
    }
}

fn parse_month(month: &str) -> Result<Period> {
    Period::parse(month)
        .with_context(|| format!("--month {month:?}: expected YYYY-MM, e.g. 2026-11"))
}

async fn open(config: &Path, data_dir: Option<&Path>, clock: Clock) -> Result<App> {
    App::load(config, data_dir, clock)
        .await
        .with_context(|| format!("cannot start with {}", config.display()))
}
