//! The files a unit attached, and what kept some of them from being read.
//!
//! An [`Attachment`] is one file after unpacking: `.zip` archives and forwarded messages are opened
//! and their files listed instead (see `collect`), so a form inside `报表.zip/11月/` is found. Names
//! are display names built here, never paths to write to: nothing from the sender's side that could
//! climb out of a folder (`../`, `C:\`) survives [`clean_file_name`] and [`clean_member_path`].
//! A [`AttachmentProblem`] explains in plain Chinese what the unit should do instead.

use std::fmt;

/// What an attached file is, as far as this office is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AttachmentKind {
    /// `.xlsx .xlsm .xls .ods .et`, or content that is a workbook whatever its name.
    Spreadsheet,
    /// A Word `.docx` (a typical-case form).
    Docx,
    /// A photo (`.jpg .jpeg .png .gif .webp .heic .bmp`), also inline pictures of a signature.
    Image,
    /// An archive that could not be unpacked; a matching [`AttachmentProblem`] says why.
    Archive,
    /// Anything else: kept, never dropped silently.
    Other,
}

/// One attached file, after unpacking archives and forwarded messages.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attachment {
    /// Display name; inside archives a path such as `九宫庙报表.zip/11月/报表.xlsx`.
    pub name: String,
    pub kind: AttachmentKind,
    /// A CBOR byte string between the reader and the daemon (not an array of integers).
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attachment")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .finish()
    }
}

/// Why some attachment (or the whole message) could not be taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ProblemKind {
    /// More files than allowed after unpacking; the first `limit` were kept.
    TooManyAttachments { limit: usize },
    /// An archive inflates to more than `limit` bytes.
    TooLarge { limit: u64 },
    /// Archives or forwarded messages nested more than `limit` deep.
    TooDeep { limit: usize },
    /// An archive that cannot be opened (cut short or not a zip).
    Damaged,
    /// An archive protected by a password.
    Encrypted,
    /// Encrypted, and the unit's configured password does not open it.
    WrongPassword,
    /// The raw message is larger than `limit` bytes; no attachment was read.
    MessageTooLarge { limit: u64 },
    /// The reader process died or ran out of time or memory on this file (or, unnamed, on the
    /// message before any file): SPEC §12.
    Unreadable,
}

impl ProblemKind {
    /// A limit of SPEC §6 was exceeded: the whole message is then returned, nothing recorded.
    pub fn is_limit(self) -> bool {
        matches!(
            self,
            ProblemKind::TooManyAttachments { .. }
                | ProblemKind::TooLarge { .. }
                | ProblemKind::TooDeep { .. }
                | ProblemKind::MessageTooLarge { .. }
        )
    }
}

/// A problem with one attachment; `name` is empty when it concerns the whole message
/// (`MessageTooLarge`, `TooManyAttachments`, nesting found before any named part, or a message
/// whose MIME structure the parser could not read, reported as `Damaged`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AttachmentProblem {
    pub name: String,
    pub kind: ProblemKind,
    /// What happened and what to do, in plain Chinese, for the reply to the unit.
    pub message: String,
}

impl AttachmentProblem {
    /// A problem with its Chinese explanation filled in.
    pub fn new(name: impl Into<String>, kind: ProblemKind) -> Self {
        let name = name.into();
        let message = explain(&name, kind);
        Self {
            name,
            kind,
            message,
        }
    }
}

use crate::domain::text::size_text;

fn explain(name: &str, kind: ProblemKind) -> String {
    let what = if name.is_empty() {
        "邮件".to_string()
    } else {
        format!("“{name}”")
    };
    match kind {
        ProblemKind::TooManyAttachments { limit } => format!(
            "附件（包括压缩包里的文件）超过{limit}个，整封邮件都没有处理。请减少附件数量，或分几封邮件发送。"
        ),
        ProblemKind::TooLarge { limit } => format!(
            "压缩包{what}解压后超过{}，为安全起见没有处理。请不要压缩，直接把报表作为附件发送；照片较多时请分几封邮件发送。",
            size_text(limit)
        ),
        ProblemKind::TooDeep { limit } => format!(
            "{what}里压缩包或转发的邮件一层套一层，超过了{limit}层，没有处理。请直接把报表作为附件发送。"
        ),
        ProblemKind::Unreadable => format!(
            "{what}无法读取：读取时超时或占用内存过多，为安全起见已停止读取。请用Excel、WPS或Word重新保存后再发送；如仍不行，请联系区安委办。"
        ),
        ProblemKind::Damaged if name.is_empty() => {
            "邮件的格式已损坏，无法读取其中的附件。请重新发送一次。".to_string()
        }
        ProblemKind::Damaged => format!(
            "压缩包{what}已损坏或不完整，无法打开。请重新压缩后再发送，或直接把报表作为附件发送。"
        ),
        ProblemKind::Encrypted => format!(
            "压缩包{what}设置了密码，无法打开。请去掉密码后重新发送，或直接把报表作为附件发送；如需加密报送，请先与办公室约定贵单位的压缩包密码。"
        ),
        ProblemKind::WrongPassword => format!(
            "压缩包{what}的密码与办公室为贵单位登记的密码不一致，无法打开。请用登记的密码重新压缩后发送。"
        ),
        ProblemKind::MessageTooLarge { limit } => format!(
            "邮件超过{}，没有处理其中的附件。请只附上报表和必要的照片，照片较多时请分几封邮件发送。",
            size_text(limit)
        ),
    }
}

/// A sender-given file name reduced to its last path component, without control characters.
/// Empty when nothing usable is left.
pub(crate) fn clean_file_name(name: &str) -> String {
    name.split(['/', '\\'])
        .map(clean_component)
        .rfind(|c| !c.is_empty())
        .unwrap_or_default()
}

/// A path inside an archive made safe to display: `.`/`..`/empty components dropped, `/` between.
pub(crate) fn clean_member_path(path: &str) -> String {
    path.split(['/', '\\'])
        .map(clean_component)
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

fn clean_component(component: &str) -> String {
    let text: String = component.chars().filter(|c| !c.is_control()).collect();
    let text = text.trim();
    if text.chars().all(|c| c == '.') {
        String::new()
    } else {
        text.to_string()
    }
}

/// Files that archivers add on their own: macOS resource forks and Windows thumbnails.
pub(crate) fn is_junk_member(path: &str) -> bool {
    let mut components = path.split(['/', '\\']).filter(|c| !c.is_empty());
    let base = components.clone().next_back().unwrap_or_default();
    components.any(|c| c.eq_ignore_ascii_case("__MACOSX"))
        || base.starts_with("._")
        || ["thumbs.db", ".ds_store", "desktop.ini"]
            .iter()
            .any(|j| base.eq_ignore_ascii_case(j))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_paths() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_file_name("C:\\Users\\张丽\\桌面\\报表.xlsx"),
            "报表.xlsx"
        );
        assert_eq!(clean_file_name("报表.xlsx/"), "报表.xlsx");
        assert_eq!(clean_file_name(" 报\u{0}表.xlsx\r\n"), "报表.xlsx");
        assert_eq!(clean_file_name("../.."), "");
        assert_eq!(clean_file_name(""), "");
    }

    #[test]
    fn member_paths_keep_folders_but_not_escapes() {
        assert_eq!(clean_member_path("11月/报表.xlsx"), "11月/报表.xlsx");
        assert_eq!(clean_member_path("../../x/./y\\z.xlsx"), "x/y/z.xlsx");
        assert_eq!(clean_member_path("/abs//报表.xls"), "abs/报表.xls");
        assert_eq!(clean_member_path("../"), "");
    }

    #[test]
    fn archiver_junk_is_recognised() {
        assert!(is_junk_member("__MACOSX/11月/._报表.xlsx"));
        assert!(is_junk_member("11月/._报表.xlsx"));
        assert!(is_junk_member("11月/Thumbs.db"));
        assert!(is_junk_member(".DS_Store"));
        assert!(!is_junk_member("11月/报表.xlsx"));
        assert!(!is_junk_member("macosx/报表.xlsx"));
    }

    #[test]
    fn problems_explain_themselves_in_chinese() {
        let p = AttachmentProblem::new(
            "a.zip",
            ProblemKind::TooLarge {
                limit: 100 * 1024 * 1024,
            },
        );
        assert!(
            p.message.contains("“a.zip”") && p.message.contains("100MB"),
            "{}",
            p.message
        );
        let p = AttachmentProblem::new("", ProblemKind::MessageTooLarge { limit: 50 << 20 });
        assert!(p.message.starts_with("邮件超过50MB"), "{}", p.message);
        let p = AttachmentProblem::new("x.zip", ProblemKind::Encrypted);
        assert!(p.message.contains("密码"));
        let p = AttachmentProblem::new("", ProblemKind::TooManyAttachments { limit: 50 });
        assert!(p.message.contains("超过50个") && p.message.contains("整封邮件都没有处理"));
        assert_eq!(size_text(900), "900字节");
        assert_eq!(size_text(2048), "2KB");
    }

    #[test]
    fn debug_output_does_not_dump_the_bytes() {
        let a = Attachment {
            name: "a".into(),
            kind: AttachmentKind::Other,
            bytes: vec![0; 5000],
        };
        assert!(format!("{a:?}").contains("5000 bytes"));
    }
}
