//! `[intake.sender_auth]` as written, and its parsing into [`SenderAuth`] (SPEC §13).

use serde::Deserialize;

use super::ConfigError;
use crate::sender::{Mode, SenderAuth};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct SenderAuthFile {
    mode: String,
    authserv_ids: Vec<String>,
    dkim: bool,
    require_pass: bool,
}

impl Default for SenderAuthFile {
    fn default() -> Self {
        let defaults = SenderAuth::default();
        Self {
            mode: "enforce".into(),
            authserv_ids: defaults.authserv_ids,
            dkim: defaults.dkim,
            require_pass: defaults.require_pass,
        }
    }
}

pub(super) fn parse(
    file: SenderAuthFile,
    invalid: &dyn Fn(&'static str, String) -> ConfigError,
) -> Result<SenderAuth, ConfigError> {
    let mode = Mode::parse(file.mode.trim()).ok_or_else(|| {
        invalid(
            "intake.sender_auth.mode",
            format!(
                "{:?} is not one of \"off\", \"report\", \"enforce\"",
                file.mode
            ),
        )
    })?;
    let mut authserv_ids = Vec::with_capacity(file.authserv_ids.len());
    for id in file.authserv_ids {
        let id = id.trim().to_ascii_lowercase();
        if id.is_empty() || id.contains([';', ' ', '=']) {
            return Err(invalid(
                "intake.sender_auth.authserv_ids",
                format!(
                    "{id:?} is not an authserv-id: write the first word of the office server's Authentication-Results header, e.g. \"mx.qq.com\""
                ),
            ));
        }
        authserv_ids.push(id);
    }
    Ok(SenderAuth {
        mode,
        authserv_ids,
        dkim: file.dkim,
        require_pass: file.require_pass,
    })
}
