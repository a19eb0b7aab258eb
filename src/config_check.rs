//! `check-config`: loads the config and roster, then tries every configured server and says in
//! plain words what works and what does not. Nothing is read from or written to the mailboxes.

use crate::config::{Config, Inbound, Outbound};
use crate::net::imap_client::Connection;

/// One line of the verdict (a name apart from [`crate::forms::Finding`], what a reader found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckLine {
    pub ok: bool,
    pub what: String,
}

impl CheckLine {
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
pub async fn run(config: &Config) -> Vec<CheckLine> {
    let mut findings = vec![
        CheckLine::ok(format!("config {}", config.path.display())),
        CheckLine::ok(format!(
            "roster {}: {} units",
            config.roster_path.display(),
            config.roster.current().units().len()
        )),
        CheckLine::ok(format!("database {}", config.database_url)),
    ];
    findings.push(match &config.inbound {
        Inbound::Maildir => CheckLine::ok(format!(
            "inbound: local Maildir {}",
            config.data_dir.join("mail/inbox").display()
        )),
        Inbound::Imap(settings) => check_imap(config, settings).await,
    });
    findings.push(match &config.outbound {
        Outbound::Maildir => CheckLine::ok(format!(
            "outbound: local Maildir {}",
            config.data_dir.join("mail/outbox").display()
        )),
        Outbound::Smtp(settings) => check_smtp(config, settings).await,
    });
    if config.bot.enabled {
        findings.push(check_bot(config).await);
    }
    for (ok, what) in crate::notify::probe::check(&config.notify, &config.path) {
        findings.push(CheckLine { ok, what });
    }
    if config.dingtalk.enabled {
        findings.push(check_dingtalk(config).await);
    }
    findings
}

async fn check_smtp(config: &Config, settings: &crate::config::ServerSettings) -> CheckLine {
    let smtp = crate::config::read_secret(
        &config.path,
        &settings.password_env,
        "outbound.password_env",
    )
    .map_err(|e| e.to_string())
    .and_then(|password| {
        crate::net::smtp_client::Smtp::new(
            settings,
            &password,
            &config.office.address,
            config.sending,
        )
        .map_err(|e| e.to_string())
    });
    match smtp {
        Ok(smtp) => match smtp.check().await {
            Ok(()) => CheckLine::ok("outbound: SMTP login works"),
            Err(error) => CheckLine::failed(format!("outbound: {error}")),
        },
        Err(error) => CheckLine::failed(format!("outbound: {error}")),
    }
}

/// `[dingtalk]`: both variables set, and the gateway gives a connection with them.
async fn check_dingtalk(config: &Config) -> CheckLine {
    let settings = &config.dingtalk;
    let secret = |var: &str, key| crate::config::read_secret(&config.path, var, key);
    let credentials =
        secret(&settings.client_id_env, "dingtalk.client_id_env").and_then(|client_id| {
            secret(&settings.client_secret_env, "dingtalk.client_secret_env").map(|client_secret| {
                crate::notify::stream::Credentials {
                    client_id,
                    client_secret,
                }
            })
        });
    let credentials = match credentials {
        Ok(credentials) => credentials,
        Err(error) => return CheckLine::failed(format!("dingtalk: {error}")),
    };
    match crate::notify::stream::check(settings, &credentials).await {
        Ok(what) => CheckLine::ok(format!("dingtalk: {what}")),
        Err(error) => CheckLine::failed(format!("dingtalk: {error}")),
    }
}

/// The bot token works when the Bot API answers getMe with it.
async fn check_bot(config: &Config) -> CheckLine {
    use teloxide::requests::Requester;
    let bot = match crate::bot::connect(config) {
        Ok(bot) => bot,
        Err(error) => return CheckLine::failed(format!("bot: {error}")),
    };
    match bot.get_me().await {
        Ok(me) => CheckLine::ok(format!(
            "bot: @{} at {}",
            me.user.username.as_deref().unwrap_or("?"),
            config.bot.api_url
        )),
        Err(error) => CheckLine::failed(format!("bot: {error}")),
    }
}

async fn check_imap(config: &Config, settings: &crate::config::ServerSettings) -> CheckLine {
    let password = match crate::config::read_secret(
        &config.path,
        &settings.password_env,
        "inbound.password_env",
    ) {
        Ok(password) => password,
        Err(error) => return CheckLine::failed(format!("inbound: {error}")),
    };
    let mut connection = match Connection::open(settings, &password).await {
        Ok(connection) => connection,
        Err(error) => return CheckLine::failed(format!("inbound: {error}")),
    };
    let finding = match connection.select(&settings.folder).await {
        Ok(state) => CheckLine::ok(format!(
            "inbound: IMAP {} folder {} (UIDVALIDITY {}); IDLE {}, MOVE {}",
            connection.server(),
            settings.folder,
            state.uid_validity,
            yes_no(connection.has("IDLE")),
            yes_no(connection.has("MOVE")),
        )),
        Err(error) => CheckLine::failed(format!("inbound: {error}")),
    };
    connection.close().await;
    finding
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no (polling)" }
}

/// The findings as printed lines.
pub fn render(findings: &[CheckLine]) -> String {
    findings
        .iter()
        .map(|f| format!("{} {}\n", if f.ok { "ok  " } else { "FAIL" }, f.what))
        .collect()
}
