//! Looking at and feeding the stack as a mail server would: the flags of a folder, what IMAP
//! clients sent (Dovecot's rawlog), and a message APPENDed with a given INTERNALDATE.

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use super::MailStack;
use super::system::lock;

impl MailStack {
    /// What IMAP clients of `login` sent, every session's `*.in` rawlog joined (needs
    /// `Options::rawlog`).
    pub fn imap_commands(&self, login: &str) -> String {
        let dir = self.home(login).join("rawlog");
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .map(|d| d.filter_map(|e| Some(e.ok()?.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "in"));
        files.sort();
        files
            .iter()
            .map(|p| String::from_utf8_lossy(&fs::read(p).unwrap_or_default()).into_owned())
            .collect()
    }

    /// The flags of each message of a folder, in UID order (`doveadm fetch flags`).
    pub fn flags(&self, login: &str, folder: &str) -> Vec<String> {
        let out = self.doveadm(&["fetch", "-u", login, "flags", "mailbox", folder]);
        String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|l| l.strip_prefix("flags:"))
            .map(|f| f.trim().to_string())
            .collect()
    }

    /// Adds a message to a folder over IMAP APPEND with the given INTERNALDATE (the server's
    /// receipt time), e.g. "21-Nov-2026 00:00:00 +0800", as a mail server records a delivery.
    /// Plain IMAP by hand (LOGIN, APPEND with a literal), every read under a 10 s timeout.
    pub fn append(&self, login: &str, folder: &str, raw: &[u8], internal_date: &str) {
        let password = lock(&self.users)
            .get(login)
            .cloned()
            .unwrap_or_else(|| panic!("append: {login} has no account; call add_user first"));
        if let Err(e) = imap_append(
            self.imap_port(),
            login,
            &password,
            folder,
            raw,
            internal_date,
        ) {
            panic!("APPEND to {login}/{folder} failed: {e}\n{}", self.logs());
        }
    }
}

/// LOGIN, APPEND (with a date and a synchronising literal), LOGOUT.
fn imap_append(
    port: u16,
    login: &str,
    password: &str,
    folder: &str,
    raw: &[u8],
    date: &str,
) -> std::io::Result<()> {
    use std::io::{BufRead, BufReader};
    let stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut expect = |prefix: &str| -> std::io::Result<()> {
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Err(std::io::Error::other("connection closed"));
            }
            if line.starts_with(prefix) {
                return Ok(());
            }
            if line.starts_with("a") && !line.starts_with("* ") {
                return Err(std::io::Error::other(line));
            }
        }
    };
    expect("* OK")?;
    writer.write_all(format!("a1 LOGIN \"{login}\" \"{password}\"\r\n").as_bytes())?;
    expect("a1 OK")?;
    writer
        .write_all(format!("a2 APPEND \"{folder}\" \"{date}\" {{{}}}\r\n", raw.len()).as_bytes())?;
    expect("+")?;
    writer.write_all(raw)?;
    writer.write_all(b"\r\n")?;
    expect("a2 OK")?;
    writer.write_all(b"a3 LOGOUT\r\n")?;
    Ok(())
}
