//! DKIM signatures verified ourselves (mail-auth), within a DNS budget.
//!
//! Keys come from DNS through a small cache of our own; the whole check of one message takes at
//! most [`DNS_BUDGET`], after which it says nothing (a host without DNS processes mail at full
//! speed, every verdict `none`). A DNS failure is never a `fail`: only a signature of the From
//! domain that does not verify is. Keys may also be pinned (`with_keys`): the tests use that
//! instead of the network, and an office without outside DNS could too.
//!
//! Hashing the body is the costly part (mail-auth does it while parsing, once per distinct
//! canonicalization): it never runs on the async runtime's threads. The whole check of one
//! message runs on a blocking thread ([`tokio::task::spawn_blocking`]), its DNS lookups driven
//! from there, and a message over [`MAX_HASHED_BYTES`] is not hashed at all (no evidence: its
//! verdict rests on the office's `Authentication-Results`).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::DkimError;
use mail_auth::{
    AuthenticatedMessage, DkimResult, DnsError, MessageAuthenticator, Parameters, ResolverCache,
    Txt,
};

use super::align::aligned;
use super::{Evidence, Method, Outcome, Source};

/// All DNS lookups of one message together, at most.
pub const DNS_BUDGET: Duration = Duration::from_secs(2);

/// More signatures than this on one message are not checked at all: real mail has one or two,
/// and each costs a lookup and a hash of the body.
const MAX_SIGNATURES: usize = 5;

/// A message larger than this is not hashed for DKIM (no evidence from our own check). Forms
/// are a few hundred KB; only mail carrying many photos comes near it.
pub const MAX_HASHED_BYTES: usize = 25 * 1024 * 1024;

/// Keys kept at most; the cache is emptied when full (units' domains are few).
const MAX_CACHED: usize = 1_000;

/// A key given in a DNS name was not valid.
#[derive(Debug, thiserror::Error)]
#[error("the DKIM key record for {name} cannot be read")]
pub struct BadKey {
    pub name: String,
}

/// Verifies DKIM signatures. Cheap to clone: clones share the resolver and the key cache.
#[derive(Clone)]
pub struct DkimChecker {
    inner: Arc<Inner>,
}

struct Inner {
    authenticator: Option<MessageAuthenticator>,
    keys: KeyCache,
}

impl DkimChecker {
    fn new(authenticator: Option<MessageAuthenticator>, keys: KeyCache) -> Self {
        Self {
            inner: Arc::new(Inner {
                authenticator,
                keys,
            }),
        }
    }

    /// Keys from the system's DNS (`/etc/resolv.conf`); without one, nothing is checked.
    pub fn system() -> Self {
        Self::new(system_authenticator(), KeyCache::default())
    }

    /// Keys from the system's DNS, except the names pinned here (`selector._domainkey.domain`,
    /// TXT record text: `[intake.sender_auth] dkim_keys`), which are never looked up.
    pub fn pinned(records: &[(String, String)]) -> Result<Self, BadKey> {
        let keys = KeyCache::default();
        for (name, record) in records {
            keys.put(fqdn(name), parse_key(name, record)?, None);
        }
        Ok(Self::new(system_authenticator(), keys))
    }

    /// Only the keys given (`selector._domainkey.domain`, TXT record text); every other name is
    /// as if DNS did not answer. No network at all.
    pub fn with_keys(records: &[(&str, &str)]) -> Result<Self, BadKey> {
        let keys = KeyCache {
            offline: true,
            ..KeyCache::default()
        };
        for (name, record) in records {
            keys.put(fqdn(name), parse_key(name, record)?, None);
        }
        let authenticator = MessageAuthenticator::new_system_conf()
            .or_else(|_| MessageAuthenticator::new_cloudflare())
            .ok();
        Ok(Self::new(authenticator, keys))
    }

    /// What the message's signatures say about the From domain, with signature expiry (`x=`)
    /// judged at `now`, the one clock (`--now`), never the wall clock. The hashing and the
    /// lookups run on a blocking thread; the caller's task only waits.
    pub async fn evidence(
        &self,
        raw: &[u8],
        from_domain: &str,
        now: DateTime<Utc>,
    ) -> Vec<Evidence> {
        if self.inner.authenticator.is_none() || !worth_hashing(raw) {
            return vec![];
        }
        let (inner, raw, from_domain) = (self.inner.clone(), raw.to_vec(), from_domain.to_string());
        let runtime = tokio::runtime::Handle::current();
        let job = move || runtime.block_on(inner.evidence(&raw, &from_domain, now));
        match tokio::task::spawn_blocking(job).await {
            Ok(evidence) => evidence,
            Err(error) => {
                tracing::error!(%error, "DKIM check stopped: no evidence");
                vec![]
            }
        }
    }
}

/// Whether `raw` is to be hashed at all: a signature header in it, at most
/// [`MAX_SIGNATURES`] of them, and within [`MAX_HASHED_BYTES`]. Checked before anything is
/// copied or parsed.
fn worth_hashing(raw: &[u8]) -> bool {
    if raw.len() > MAX_HASHED_BYTES {
        if signature_headers(raw) > 0 {
            tracing::info!(
                bytes = raw.len(),
                "message over the DKIM hashing bound: signature not checked"
            );
        }
        return false;
    }
    // mail-auth hashes the body once for every distinct canonicalization and `l=` of the
    // signatures, so their number bounds the work.
    let count = signature_headers(raw);
    if count > MAX_SIGNATURES {
        tracing::info!(count, "too many DKIM signatures: not checked");
    }
    count > 0 && count <= MAX_SIGNATURES
}

impl Inner {
    /// [`DkimChecker::evidence`] on the blocking thread: parsing hashes the body.
    async fn evidence(&self, raw: &[u8], from_domain: &str, now: DateTime<Utc>) -> Vec<Evidence> {
        let Some(authenticator) = &self.authenticator else {
            return vec![];
        };
        let Some(mut message) = AuthenticatedMessage::parse(raw) else {
            return vec![];
        };
        drop_expired(&mut message, now);
        if message.dkim_headers.is_empty() {
            return vec![];
        }
        let params = Parameters::new(&message).with_txt_cache(&self.keys);
        let Ok(outputs) = tokio::time::timeout(DNS_BUDGET, authenticator.verify_dkim(params)).await
        else {
            tracing::info!("DKIM check ran out of its DNS budget: no evidence");
            return vec![];
        };
        outputs
            .iter()
            .filter_map(|output| {
                let signer = output.signature()?.d.to_ascii_lowercase();
                let outcome = match output.result() {
                    DkimResult::Pass => Outcome::Pass,
                    DkimResult::Fail(_) => Outcome::Fail,
                    // mail-auth calls a body that changed after signing "neutral"; RFC 6376
                    // §6.1.3 makes it a failed signature: an edited copy of a signed mail.
                    DkimResult::Neutral(mail_auth::Error::Dkim(DkimError::FailedBodyHashMatch)) => {
                        Outcome::Fail
                    }
                    _ => return None,
                };
                aligned(&signer, from_domain).then_some(Evidence {
                    source: Source::Ours,
                    method: Method::Dkim,
                    outcome,
                    domain: Some(signer),
                })
            })
            .collect()
    }
}

/// How many top-level `DKIM-Signature` headers `raw` has (folded lines are not counted twice).
fn signature_headers(raw: &[u8]) -> usize {
    let mut count = 0;
    for line in raw.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        let name = b"dkim-signature:";
        if line.len() >= name.len() && line[..name.len()].eq_ignore_ascii_case(name) {
            count += 1;
        }
    }
    count
}

/// Applies signature expiry at `now`: an expired signature (`x=` not after `now`, or not after
/// its own `t=`) is removed, so it is no evidence, as mail-auth would make it; every other one
/// has its `x=` cleared, so mail-auth does not judge it again by the wall clock (it has no way
/// to be given a time). `x=` is read from the parsed header only: the signed bytes stay as
/// they came, so the signature check itself is unchanged.
fn drop_expired(message: &mut AuthenticatedMessage<'_>, now: DateTime<Utc>) {
    let now = u64::try_from(now.timestamp()).unwrap_or(0);
    message.dkim_headers.retain_mut(|header| {
        let signature = &mut header.header;
        if signature.x == 0 {
            return true;
        }
        let live = signature.x > signature.t && signature.x > now;
        if live {
            signature.x = 0;
        } else {
            tracing::info!(domain = %signature.d, "DKIM signature expired: no evidence");
        }
        live
    });
}

fn system_authenticator() -> Option<MessageAuthenticator> {
    MessageAuthenticator::new_system_conf()
        .map_err(|error| tracing::warn!(%error, "no DNS resolver: DKIM signatures are not checked"))
        .ok()
}

/// Whether `record` is the text of a DKIM key record (for checking the config at load).
pub fn is_key_record(record: &str) -> bool {
    DomainKey::parse(record.as_bytes()).is_ok()
}

fn parse_key(name: &str, record: &str) -> Result<Txt, BadKey> {
    DomainKey::parse(record.as_bytes())
        .map(Txt::from)
        .map_err(|_| BadKey {
            name: name.to_string(),
        })
}

fn fqdn(name: &str) -> Box<str> {
    let mut name = name.trim().to_ascii_lowercase();
    if !name.ends_with('.') {
        name.push('.');
    }
    name.into_boxed_str()
}

/// A record and when it expires (`None`: pinned, never).
type Cached = (Txt, Option<Instant>);

/// The TXT cache mail-auth consults before DNS. Offline, a name not in it answers "no resolver",
/// which mail-auth turns into a temporary error: no evidence, never a fail.
#[derive(Default)]
struct KeyCache {
    /// A record and when it expires (`None`: pinned, never).
    entries: Mutex<HashMap<Box<str>, Cached>>,
    offline: bool,
}

impl KeyCache {
    fn put(&self, name: Box<str>, value: Txt, until: Option<Instant>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_CACHED {
                entries.retain(|_, (_, until)| until.is_none());
            }
            entries.insert(name, (value, until));
        }
    }
}

impl ResolverCache<Box<str>, Txt> for KeyCache {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let now = Instant::now();
        let found = self.entries.lock().ok().and_then(|e| {
            e.get(name)
                .filter(|(_, until)| until.is_none_or(|u| u > now))
                .map(|(txt, _)| txt.clone())
        });
        match found {
            None if self.offline => Some(Txt::Error(mail_auth::Error::Dns(DnsError::Resolver(
                "offline: key not pinned".into(),
            )))),
            found => found,
        }
    }

    fn remove<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.entries
            .lock()
            .ok()
            .and_then(|mut e| e.remove(name))
            .map(|(txt, _)| txt)
    }

    fn insert(&self, key: Box<str>, value: Txt, valid_until: Instant) {
        self.put(key, value, Some(valid_until));
    }
}
