//! Quarantined messages as staff read them: in `status` (text and JSON) and
//! `reportdesk quarantine list | release ID` (SPEC §12).

use anyhow::{Result, bail};

use crate::app::App;
use crate::store::quarantine::{self, Quarantined};

/// The quarantine section of `status`: nothing when none is set aside.
pub fn render_text(list: &[Quarantined]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n已隔离的邮件（连续{}次未能处理完，已搁置，其余邮件照常处理）：{} 封\n",
        quarantine::MAX_ATTEMPTS,
        list.len()
    );
    for message in list {
        out.push_str(&format!(
            "  #{}  {}  {}  「{}」  尝试{}次{}  原件 {}\n",
            message.id,
            message.received_at.format("%Y-%m-%d %H:%M"),
            message.sender.as_deref().unwrap_or("(无发件人)"),
            message.subject,
            message.attempts,
            message
                .last_error
                .as_deref()
                .map(|e| format!("，最后一次：{e}"))
                .unwrap_or_default(),
            message.raw_path
        ));
    }
    out.push_str("  处理：reportdesk quarantine release ID（运行中的服务数秒内重新处理）\n");
    out
}

/// `reportdesk quarantine list [--json]`.
pub async fn list_command(app: &App, json: bool) -> Result<()> {
    let list = quarantine::list(&app.store).await?;
    if json {
        println!("{}", serde_json::to_string(&list)?);
    } else if list.is_empty() {
        println!("没有被隔离的邮件。");
    } else {
        print!("{}", render_text(&list));
    }
    Ok(())
}

/// `reportdesk quarantine release ID`.
pub async fn release_command(app: &App, id: i64) -> Result<()> {
    if !quarantine::release(&app.store, id, app.now()).await? {
        bail!("message {id} is not quarantined (see `reportdesk quarantine list` for the ids)");
    }
    println!(
        "released message {id}: a running daemon tries it again within {} s, else the next \
         pass (or start-up)",
        quarantine::RELEASED_POLL.as_secs()
    );
    Ok(())
}
