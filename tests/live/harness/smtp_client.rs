//! A minimal blocking SMTP submission client (EHLO, AUTH PLAIN, MAIL, RCPT, DATA) so tests can
//! send through the stack without the product's client, and see the server's exact refusal.

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::Engine;

#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    #[error("cannot talk to the SMTP server on port {port}: {source}")]
    Io { port: u16, source: io::Error },
    #[error("the SMTP server answered {code} {text} to {command}")]
    Refused {
        command: String,
        code: u16,
        text: String,
    },
}

impl SmtpError {
    /// The SMTP reply code of a refusal (e.g. 550), `None` for a connection problem.
    pub fn code(&self) -> Option<u16> {
        match self {
            SmtpError::Refused { code, .. } => Some(*code),
            SmtpError::Io { .. } => None,
        }
    }
}

/// Submits `raw` from `from` (also the AUTH login) to `to` on 127.0.0.1:`port`.
pub fn submit(
    port: u16,
    from: &str,
    password: &str,
    to: &str,
    raw: &[u8],
) -> Result<(), SmtpError> {
    let io_err = |source| SmtpError::Io { port, source };
    let stream = TcpStream::connect(("127.0.0.1", port)).map_err(io_err)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(io_err)?;
    let mut session = Session {
        reader: BufReader::new(stream.try_clone().map_err(io_err)?),
        writer: stream,
        port,
    };
    session.expect("greeting", None, 220)?;
    session.expect("EHLO", Some(b"EHLO harness.test\r\n"), 250)?;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("\0{from}\0{password}"));
    session.expect(
        "AUTH PLAIN",
        Some(format!("AUTH PLAIN {token}\r\n").as_bytes()),
        235,
    )?;
    session.expect(
        "MAIL FROM",
        Some(format!("MAIL FROM:<{from}>\r\n").as_bytes()),
        250,
    )?;
    session.expect(
        "RCPT TO",
        Some(format!("RCPT TO:<{to}>\r\n").as_bytes()),
        250,
    )?;
    session.expect("DATA", Some(b"DATA\r\n"), 354)?;
    session.expect("end of data", Some(&dot_stuffed(raw)), 250)?;
    session.expect("QUIT", Some(b"QUIT\r\n"), 221)
}

struct Session {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    port: u16,
}

impl Session {
    /// Sends `line` (if any) and checks the reply code.
    fn expect(&mut self, command: &str, line: Option<&[u8]>, want: u16) -> Result<(), SmtpError> {
        let port = self.port;
        if let Some(line) = line {
            self.writer
                .write_all(line)
                .map_err(|source| SmtpError::Io { port, source })?;
        }
        let (code, text) = self
            .read_reply()
            .map_err(|source| SmtpError::Io { port, source })?;
        if code == want {
            return Ok(());
        }
        Err(SmtpError::Refused {
            command: command.to_string(),
            code,
            text,
        })
    }

    /// Reads a possibly multi-line reply (`250-...` lines, then `250 ...`).
    fn read_reply(&mut self) -> io::Result<(u16, String)> {
        let mut text = String::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed",
                ));
            }
            let line = line.trim_end();
            let code = line.get(..3).and_then(|c| c.parse().ok()).ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, format!("bad reply {line:?}"))
            })?;
            text.push_str(line.get(4..).unwrap_or(""));
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok((code, text));
            }
            text.push(' ');
        }
    }
}

/// The DATA payload: CRLF line ends, leading dots doubled, terminated by `.` alone.
fn dot_stuffed(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + 64);
    for line in raw.split_inclusive(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_stuffing_doubles_leading_dots_and_uses_crlf() {
        assert_eq!(
            dot_stuffed(b"a\n.b\r\nc"),
            b"a\r\n..b\r\nc\r\n.\r\n".to_vec()
        );
        assert_eq!(dot_stuffed(b""), b".\r\n".to_vec());
    }
}
