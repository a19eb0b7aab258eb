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
    /// Pinned DKIM keys: `"selector._domainkey.domain" = "v=DKIM1; k=…; p=…"`.
    dkim_keys: std::collections::BTreeMap<String, String>,
}

impl Default for SenderAuthFile {
    fn default() -> Self {
        let defaults = SenderAuth::default();
        Self {
            mode: "enforce".into(),
            authserv_ids: defaults.authserv_ids,
            dkim: defaults.dkim,
            require_pass: defaults.require_pass,
            dkim_keys: std::collections::BTreeMap::new(),
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
    let mut dkim_keys = Vec::with_capacity(file.dkim_keys.len());
    for (name, record) in file.dkim_keys {
        let name = name.trim().to_ascii_lowercase();
        if !name.contains("._domainkey.") || !crate::sender::dkim::is_key_record(&record) {
            return Err(invalid(
                "intake.sender_auth.dkim_keys",
                format!(
                    "{name:?} = {record:?} is not a DKIM key: the name is \"selector._domainkey.domain\" and the value the TXT record's text, \"v=DKIM1; k=rsa; p=…\""
                ),
            ));
        }
        dkim_keys.push((name, record));
    }
    Ok(SenderAuth {
        mode,
        authserv_ids,
        dkim: file.dkim,
        require_pass: file.require_pass,
        dkim_keys,
    })
}
