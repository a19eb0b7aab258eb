//! The handler tree: the allow-list at the root, then one endpoint that reads the message,
//! queries the shared status layer and sends the answer. Kept apart from start-up so tests
//! drive the same tree.

use std::sync::Arc;

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::types::{Me, ParseMode};
use thiserror::Error;

use super::access::{Audience, CaseDetail, Role, speaks_in};
use super::answers;
use super::ask::{self, Ask, Parsed};
use super::held::{self, HeldAsk};
use super::text::{MAX_MESSAGE_CHARS, split};
use crate::app::{App, AppError};
use crate::domain::echo::printable_text;
use crate::reminders::manual;
use crate::reminders::run::Scheduler;
use crate::status;
use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum BotError {
    #[error("Bot API request failed: {0}")]
    Request(#[from] teloxide::RequestError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    App(String),
}

impl From<AppError> for BotError {
    fn from(error: AppError) -> Self {
        BotError::App(error.to_string())
    }
}

impl From<crate::export::ExportError> for BotError {
    fn from(error: crate::export::ExportError) -> Self {
        BotError::App(error.to_string())
    }
}

/// The whole handler tree: messages only; strangers are refused at the root.
pub fn schema() -> UpdateHandler<BotError> {
    Update::filter_message()
        .filter(|msg: Message, app: Arc<App>| {
            let listed = speaks_in(msg.chat.id.0, msg.chat.is_private(), &app.config.bot);
            if !listed {
                tracing::warn!(
                    chat = msg.chat.id.0,
                    "message in a group not in [bot] chats: not answered"
                );
            }
            listed
        })
        .filter_map(|msg: Message, app: Arc<App>| {
            Some(Role::of(msg.from.as_ref().map(|u| u.id.0), &app.config.bot))
        })
        .branch(dptree::filter(|role: Role| role == Role::Stranger).endpoint(refuse))
        .branch(dptree::endpoint(answer))
}

/// Sends HTML text, split into messages within Telegram's limit.
/// Control characters from mail never reach a chat (SPEC §13).
pub async fn send(bot: &Bot, chat: ChatId, html: &str) -> Result<(), teloxide::RequestError> {
    let html = printable_text(html);
    for chunk in split(&html, MAX_MESSAGE_CHARS) {
        bot.send_message(chat, chunk)
            .parse_mode(ParseMode::Html)
            .await?;
    }
    Ok(())
}

fn parse(msg: &Message, me: &Me, app: &App) -> Option<Parsed> {
    let today = app.today();
    msg.text()
        .map(|text| ask::parse(text, me.username(), &app.config.roster.current(), today))
}

/// One refusal line to anyone not configured; in a group, only when the message was meant for
/// the bot (so a stranger's chatter is not answered at all). The attempt is logged.
async fn refuse(bot: Bot, msg: Message, me: Me, app: Arc<App>) -> Result<(), BotError> {
    let Some(parsed) = parse(&msg, &me, &app) else {
        return Ok(());
    };
    if !msg.chat.is_private() && parsed == Parsed::Unknown {
        return Ok(());
    }
    let user = msg.from.as_ref().map(|u| u.id.0);
    let name = msg.from.as_ref().and_then(|u| u.username.clone());
    tracing::warn!(
        ?user,
        ?name,
        chat = msg.chat.id.0,
        "refused a user not in [bot] staff or admins"
    );
    send(&bot, msg.chat.id, answers::REFUSAL).await?;
    Ok(())
}

async fn answer(bot: Bot, msg: Message, me: Me, app: Arc<App>, role: Role) -> Result<(), BotError> {
    let Some(parsed) = parse(&msg, &me, &app) else {
        return Ok(());
    };
    let audience = Audience::of(msg.chat.is_private());
    if let Parsed::Ask(Ask::Export(period)) = parsed {
        return export(&bot, &msg, &app, period, audience).await;
    }
    let who = format!("chat:{}", msg.from.as_ref().map_or(0, |u| u.id.0));
    if let Some(reply) = reply(&app, parsed, role, audience, &who).await? {
        send(&bot, msg.chat.id, &reply).await?;
    }
    Ok(())
}

/// The answer to a message from staff or an admin, the same on every channel (Telegram here,
/// DingTalk in `notify::stream`); `None`: chatter in a group, left unanswered. `who` names the
/// asker in the audit log of what they change (`chat:ID`, `dingtalk:ID`).
pub async fn reply(
    app: &App,
    parsed: Parsed,
    role: Role,
    audience: Audience,
    who: &str,
) -> Result<Option<String>, BotError> {
    Ok(Some(match parsed {
        Parsed::Ask(ask) => respond(app, ask, role, audience, who).await?,
        Parsed::BadMonth(arg) => answers::bad_month(&arg),
        Parsed::BadId(arg) => held::bad_id(&arg),
        Parsed::UnknownUnit(name) => answers::unknown_unit(&name),
        Parsed::Unknown if audience == Audience::Private => answers::NOT_UNDERSTOOD.to_string(),
        Parsed::Unknown => return Ok(None),
    }))
}

/// The answer to a question from staff or an admin (`who`: as for [`reply`]).
pub async fn respond(
    app: &App,
    ask: Ask,
    role: Role,
    audience: Audience,
    who: &str,
) -> Result<String, BotError> {
    let (config, store) = (&app.config, &app.store);
    Ok(match ask {
        Ask::Missing(period) => answers::missing(&status::load(config, store, period).await?),
        Ask::Status(period) => answers::status(&status::load(config, store, period).await?),
        Ask::Unit(code) => match config.roster.by_code(&code) {
            Some(unit) => answers::unit(&status::unit::load(config, store, &unit).await?, audience),
            None => answers::unknown_unit(&code),
        },
        Ask::QuarterSummary(quarter) => {
            let today = app.today();
            answers::quarter_summary(
                &status::summary::load_quarter(config, store, quarter, today).await?,
            )
        }
        Ask::Export(_) => answers::EXPORT_PRIVATE_ONLY.to_string(),
        Ask::Summary(period) => {
            let today = app.today();
            answers::summary(&status::summary::load(config, store, period, today).await?)
        }
        Ask::Cases(period) => answers::cases(
            period,
            &status::cases::load(config, store, period).await?,
            CaseDetail::of(role, audience),
        ),
        Ask::Remind if role.may_remind() => {
            answers::remind(&manual::remind_missing_now(Scheduler::of(app)).await?)
        }
        Ask::Remind => answers::ADMINS_ONLY.to_string(),
        Ask::Held => held::act(app, HeldAsk::List, role, audience, who).await?,
        Ask::Approve(id) => held::act(app, HeldAsk::Approve(id), role, audience, who).await?,
        Ask::Reject(id) => held::act(app, HeldAsk::Reject(id), role, audience, who).await?,
        Ask::Help => answers::help(),
    })
}

/// `/export`: the month's workbook as a document, in private chats only (it holds case
/// summaries); never with tip sources.
async fn export(
    bot: &Bot,
    msg: &Message,
    app: &App,
    period: crate::domain::period::Period,
    audience: Audience,
) -> Result<(), BotError> {
    if audience != Audience::Private {
        send(bot, msg.chat.id, answers::EXPORT_PRIVATE_ONLY).await?;
        return Ok(());
    }
    let bytes = crate::export::build(&app.config, &app.store, app.today(), period, false).await?;
    let name = format!("{}安全生产举报奖励宣传工作月情况汇总表.xlsx", period.zh());
    bot.send_document(
        msg.chat.id,
        teloxide::types::InputFile::memory(bytes).file_name(name),
    )
    .await?;
    Ok(())
}
