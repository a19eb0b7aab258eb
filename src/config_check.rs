//! `check-config`: loads the config and roster, then tries every configured server and says in
//! plain words what works and what does not. Nothing is read from or written to the mailboxes.

use crate::app::App;
use crate::config::{Inbound, Outbound};
use crate::net::imap_client::Connection;

/// One line of the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub ok: bool,
    pub what: String,
}

impl Finding {
    fn ok(what: impl Into<String>) -> Self {
        Self {
            ok: true,
            what: what.into(),
        }
    }
    fn failed(what: impl Into<String>) -> Self {
        Self {
            ok: false,
            what: what.into(),
        }
    }
}

/// Everything `check-config` found, in the order it looked.
pub async fn run(app: &App) -> Vec<Finding> {
    let config = &app.config;
    let mut findings = vec![
        Finding::ok(format!("config {}", config.path.display())),
        Finding::ok(format!(
            "roster {}: {} units",
            config.roster_path.display(),
            config.roster.units().len()
        )),
        Finding::ok(format!("database {}", config.database_url)),
    ];
    findings.push(match &config.inbound {
        Inbound::Maildir => Finding::ok(format!(
            "inbound: local Maildir {}",
            config.data_dir.join("mail/inbox").display()
        )),
        Inbound::Imap(settings) => check_imap(app, settings).await,
    });
    findings.push(match &config.outbound {
        Outbound::Maildir => Finding::ok(format!(
            "outbound: local Maildir {}",
            config.data_dir.join("mail/outbox").display()
        )),
        Outbound::Smtp(_) => match crate::daemon::transport(app) {
            Ok(crate::delivery::Transport::Smtp(smtp)) => match smtp.check().await {
                Ok(()) => Finding::ok("outbound: SMTP login works"),
                Err(error) => Finding::failed(format!("outbound: {error}")),
            },
            Ok(_) => Finding::failed("outbound: not SMTP"),
            Err(error) => Finding::failed(format!("outbound: {error}")),
        },
    });
    if config.bot.enabled {
        findings.push(check_bot(app).await);
    }
    for (ok, what) in crate::notify::probe::check(&config.notify, &config.path) {
        findings.push(Finding { ok, what });
    }
    findings
}

/// The bot token works when the Bot API answers getMe with it.
async fn check_bot(app: &App) -> Finding {
    use teloxide::requests::Requester;
    let bot = match crate::bot::connect(app) {
        Ok(bot) => bot,
        Err(error) => return Finding::failed(format!("bot: {error}")),
    };
    match bot.get_me().await {
        Ok(me) => Finding::ok(format!(
            "bot: @{} at {}",
            me.user.username.as_deref().unwrap_or("?"),
            app.config.bot.api_url
        )),
        Err(error) => Finding::failed(format!("bot: {error}")),
    }
}

async fn check_imap(app: &App, settings: &crate::config::ServerSettings) -> Finding {
    let password = match app.secret(&settings.password_env, "inbound.password_env") {
        Ok(password) => password,
        Err(error) => return Finding::failed(format!("inbound: {error}")),
    };
    let mut connection = match Connection::open(settings, &password).await {
        Ok(connection) => connection,
        Err(error) => return Finding::failed(format!("inbound: {error}")),
    };
    let finding = match connection.select(&settings.folder).await {
        Ok(state) => Finding::ok(format!(
            "inbound: IMAP {} folder {} (UIDVALIDITY {}); IDLE {}, MOVE {}",
            connection.server(),
            settings.folder,
            state.uid_validity,
            yes_no(connection.has("IDLE")),
            yes_no(connection.has("MOVE")),
        )),
        Err(error) => Finding::failed(format!("inbound: {error}")),
    };
    connection.close().await;
    finding
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no (polling)" }
}

/// The findings as printed lines.
pub fn render(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{} {}\n", if f.ok { "ok  " } else { "FAIL" }, f.what))
        .collect()
}
