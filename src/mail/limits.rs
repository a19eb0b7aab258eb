//! The size and shape limits for inbound mail (SPEC §6), read by the parser and the walk over
//! MIME parts and archives.

/// Size and shape limits for inbound mail (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Raw message size above which no attachment is read.
    pub max_message_bytes: u64,
    /// Files kept after unpacking archives; the rest are reported.
    pub max_attachments: usize,
    /// Bytes one message may inflate to: all its archives (nested or not) and zip-based
    /// workbooks and Word files together.
    pub max_uncompressed_bytes: u64,
    /// MIME plus archive nesting followed at most (never more than 32 whatever is set here).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_bytes: 50 * 1024 * 1024,
            max_attachments: 50,
            max_uncompressed_bytes: 100 * 1024 * 1024,
            max_depth: 10,
        }
    }
}
