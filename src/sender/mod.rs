//! Sender verdicts (SPEC §13): whether a message really comes from the domain in its `From:`.
//!
//! Anyone can write a unit's address into `From:`. The evidence is a DKIM signature we verify
//! ourselves ([`dkim`]) and the `Authentication-Results` written by the office's own receiving
//! servers ([`results`]); [`decide`] turns it into `pass`, `fail` or `none`, and
//! [`SenderAuth::holds`] says whether intake holds a form for staff. Everything here is pure
//! except the DNS lookups of [`dkim`], which are bounded in time.

mod align;
pub mod dkim;
pub mod results;

use serde::Serialize;

pub use align::domain_of;
pub use dkim::DkimChecker;

/// What the evidence says about the sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    None,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Verdict> {
        match text {
            "pass" => Some(Verdict::Pass),
            "fail" => Some(Verdict::Fail),
            "none" => Some(Verdict::None),
            _ => None,
        }
    }

    /// How a receipt or a staff view says it, in Chinese.
    pub fn chinese(self) -> &'static str {
        match self {
            Verdict::Pass => "发件人已验证",
            Verdict::Fail => "发件人验证未通过",
            Verdict::None => "发件人未验证（无签名或认证结果）",
        }
    }
}

/// Where a piece of evidence comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A signature we verified.
    Ours,
    /// An `Authentication-Results` header of this listed server.
    Header(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Dkim,
    Dmarc,
    Spf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
}

/// One aligned statement about the From domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub source: Source,
    pub method: Method,
    pub outcome: Outcome,
    pub domain: Option<String>,
}

impl Evidence {
    /// `dkim=pass d=qq.com (verified)`, `spf=fail (mx.qq.com)`: for logs and staff.
    pub fn describe(&self) -> String {
        let method = match self.method {
            Method::Dkim => "dkim",
            Method::Dmarc => "dmarc",
            Method::Spf => "spf",
        };
        let outcome = match self.outcome {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
        };
        let domain = self
            .domain
            .as_deref()
            .map(|d| format!(" {d}"))
            .unwrap_or_default();
        let source = match &self.source {
            Source::Ours => "verified here".to_string(),
            Source::Header(server) => server.clone(),
        };
        format!("{method}={outcome}{domain} ({source})")
    }
}

/// The verdict and what it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SenderCheck {
    pub verdict: Verdict,
    /// The evidence, described; empty for `none`.
    pub evidence: Vec<String>,
}

impl SenderCheck {
    pub fn none() -> Self {
        Self {
            verdict: Verdict::None,
            evidence: vec![],
        }
    }
}

/// `pass` when an aligned DKIM signature or a trusted dkim/dmarc pass vouches for the From
/// domain; `fail` when a trusted dmarc fails, or, with no pass, when a trusted dkim/spf fails or
/// a signature of the From domain does not verify; `none` otherwise.
pub fn decide(evidence: &[Evidence]) -> SenderCheck {
    let is = |method: Option<Method>, outcome: Outcome| {
        evidence
            .iter()
            .filter(|e| e.outcome == outcome && method.is_none_or(|m| e.method == m))
            .collect::<Vec<_>>()
    };
    let dmarc_fail = is(Some(Method::Dmarc), Outcome::Fail);
    let passes: Vec<&Evidence> = is(None, Outcome::Pass)
        .into_iter()
        .filter(|e| e.method != Method::Spf)
        .collect();
    let fails = is(None, Outcome::Fail);
    let (verdict, shown) = if !dmarc_fail.is_empty() {
        (Verdict::Fail, dmarc_fail)
    } else if !passes.is_empty() {
        (Verdict::Pass, passes)
    } else if !fails.is_empty() {
        (Verdict::Fail, fails)
    } else {
        (Verdict::None, vec![])
    };
    SenderCheck {
        verdict,
        evidence: shown.iter().map(|e| e.describe()).collect(),
    }
}

/// `[intake.sender_auth] mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// No check at all: every verdict `none`.
    Off,
    /// Checked and stored; forms are recorded whatever the verdict.
    Report,
    /// Forms whose sender check fails are held for staff.
    Enforce,
}

impl Mode {
    pub fn parse(text: &str) -> Option<Mode> {
        match text {
            "off" => Some(Mode::Off),
            "report" => Some(Mode::Report),
            "enforce" => Some(Mode::Enforce),
            _ => None,
        }
    }
}

/// `[intake.sender_auth]`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderAuth {
    pub mode: Mode,
    /// The office's receiving servers, whose `Authentication-Results` count (lower-cased).
    pub authserv_ids: Vec<String>,
    /// Verify DKIM signatures ourselves.
    pub dkim: bool,
    /// Hold anything that is not `pass` (in `enforce`).
    pub require_pass: bool,
    /// DKIM keys pinned in the config (`selector._domainkey.domain`, TXT record text): never
    /// looked up in DNS.
    pub dkim_keys: Vec<(String, String)>,
}

impl Default for SenderAuth {
    fn default() -> Self {
        Self {
            mode: Mode::Enforce,
            authserv_ids: vec![],
            dkim: true,
            require_pass: false,
            dkim_keys: vec![],
        }
    }
}

impl SenderAuth {
    /// Whether a form from a registered address with this verdict is held.
    pub fn holds(&self, verdict: Verdict) -> bool {
        self.mode == Mode::Enforce
            && (verdict == Verdict::Fail || (self.require_pass && verdict != Verdict::Pass))
    }
}

/// Checks one raw message against its From domain: the trusted headers first (no network), then
/// our own DKIM verification when enabled (DNS, at most [`dkim::DNS_BUDGET`]); signatures expire
/// by `now`, the one clock.
pub async fn check(
    settings: &SenderAuth,
    checker: Option<&DkimChecker>,
    raw: &[u8],
    from_address: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> SenderCheck {
    if settings.mode == Mode::Off {
        return SenderCheck::none();
    }
    let from_domain = domain_of(from_address);
    let headers = results_headers(raw);
    let mut evidence = results::evidence(&headers, &settings.authserv_ids, &from_domain);
    if let Some(checker) = checker.filter(|_| settings.dkim) {
        evidence.extend(checker.evidence(raw, &from_domain, now).await);
    }
    decide(&evidence)
}

/// The top-level `Authentication-Results` values, in order, unfolded. At most 50 are read.
fn results_headers(raw: &[u8]) -> Vec<String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n"));
    let head = String::from_utf8_lossy(&raw[..end.unwrap_or(raw.len())]);
    let mut values: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(value) = current.as_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        values.extend(current.take());
        if values.len() >= 50 {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("authentication-results")
        {
            current = Some(value.trim().to_string());
        }
    }
    values.extend(current);
    values
}

#[cfg(test)]
mod tests;
