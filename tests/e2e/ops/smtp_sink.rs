//! A small SMTP server on loopback that keeps every message it is given, answering slowly on
//! purpose (`delay` per message) so deliveries from several processes overlap.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct SmtpSink {
    pub port: u16,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl SmtpSink {
    pub fn start(delay: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let kept = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let kept = kept.clone();
                std::thread::spawn(move || {
                    let _ = session(stream, &kept, delay);
                });
            }
        });
        Self { port, received }
    }

    /// Every message received so far, raw.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        self.received.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

fn session(stream: TcpStream, kept: &Mutex<Vec<Vec<u8>>>, delay: Duration) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut input = BufReader::new(stream);
    out.write_all(b"220 sink ESMTP\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => out.write_all(b"250-sink\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")?,
            "HELO" => out.write_all(b"250 sink\r\n")?,
            "AUTH" => out.write_all(b"235 2.7.0 ok\r\n")?,
            "DATA" => {
                out.write_all(b"354 go on\r\n")?;
                let mut body = Vec::new();
                loop {
                    let mut chunk = Vec::new();
                    if input.read_until(b'\n', &mut chunk)? == 0 {
                        return Ok(());
                    }
                    if chunk == b".\r\n" {
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                std::thread::sleep(delay);
                if let Ok(mut all) = kept.lock() {
                    all.push(body);
                }
                out.write_all(b"250 2.0.0 queued\r\n")?;
            }
            "QUIT" => {
                out.write_all(b"221 bye\r\n")?;
                return Ok(());
            }
            _ => out.write_all(b"250 ok\r\n")?,
        }
    }
}

/// The Message-ID header of a raw message.
pub fn message_id(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    text.lines().take_while(|l| !l.is_empty()).find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("message-id")
            .then(|| value.trim().to_string())
    })
}
