//! `[intake]` as written (sizes in MiB), and its conversion into [`Intake`] and the mail
//! [`Limits`].

use serde::Deserialize;

use super::Invalid;
use crate::config::sender_auth::{self, SenderAuthFile};
use crate::config::{ConfigError, Intake};
use crate::mail::Limits;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct IntakeFile {
    plausibility_bound: u64,
    replies_per_sender_per_hour: u32,
    max_message_mib: u64,
    max_attachments: usize,
    max_uncompressed_mib: u64,
    max_nesting: usize,
    worker_memory_mib: u64,
    worker_seconds: u64,
    sender_auth: SenderAuthFile,
}

impl Default for IntakeFile {
    fn default() -> Self {
        let limits = Limits::default();
        Self {
            plausibility_bound: 100_000,
            replies_per_sender_per_hour: 10,
            max_message_mib: limits.max_message_bytes >> 20,
            max_attachments: limits.max_attachments,
            max_uncompressed_mib: limits.max_uncompressed_bytes >> 20,
            max_nesting: limits.max_depth,
            worker_memory_mib: 512,
            worker_seconds: 10,
            sender_auth: SenderAuthFile::default(),
        }
    }
}

pub(super) fn build(file: IntakeFile, invalid: &Invalid) -> Result<Intake, ConfigError> {
    Ok(Intake {
        sender_auth: sender_auth::parse(file.sender_auth, invalid)?,
        plausibility_bound: file.plausibility_bound,
        replies_per_sender_per_hour: file.replies_per_sender_per_hour,
        limits: Limits {
            max_message_bytes: file.max_message_mib << 20,
            max_attachments: file.max_attachments,
            max_uncompressed_bytes: file.max_uncompressed_mib << 20,
            max_depth: file.max_nesting,
        },
        worker_memory_mib: file.worker_memory_mib.max(64),
        worker_seconds: file.worker_seconds.max(1),
    })
}
