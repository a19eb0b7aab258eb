//! Domain alignment (DMARC's relaxed mode, RFC 7489 §3.1): a domain that signs or passes aligns
//! with the From domain when one is the other or a subdomain of it, never across a public suffix.

/// Second-level suffixes under which a two-label name is not one organisation (`gov.cn`,
/// `com.cn`, …): the ones Chinese units mail from. Without a full public suffix list, a name with
/// one of these as its parent must match exactly.
const PUBLIC_SUFFIXES: [&str; 8] = [
    "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn", "mil.cn", "cq.cn",
];

/// The domain of an address or a bare domain, lower-cased, without a trailing dot.
pub fn domain_of(value: &str) -> String {
    let domain = value.rsplit_once('@').map_or(value, |(_, d)| d);
    domain
        .trim()
        .trim_end_matches('.')
        .trim_matches(['<', '>'])
        .to_ascii_lowercase()
}

/// Whether `signer` aligns with `from` (both domains).
pub fn aligned(signer: &str, from: &str) -> bool {
    let (signer, from) = (domain_of(signer), domain_of(from));
    if signer.is_empty() || from.is_empty() {
        return false;
    }
    if signer == from {
        return true;
    }
    let (short, long) = if signer.len() < from.len() {
        (&signer, &from)
    } else {
        (&from, &signer)
    };
    long.ends_with(&format!(".{short}")) && is_organisational(short)
}

/// A name that can stand for one organisation: at least two labels, and not a public suffix.
fn is_organisational(domain: &str) -> bool {
    domain.contains('.') && !PUBLIC_SUFFIXES.contains(&domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_align_but_public_suffixes_do_not() {
        assert!(aligned("qq.com", "QQ.com."));
        assert!(aligned("mail.tiaodeng.gov.cn", "tiaodeng.gov.cn"));
        assert!(aligned("tiaodeng.gov.cn", "a@mail.tiaodeng.gov.cn"));
        assert!(
            !aligned("gov.cn", "tiaodeng.gov.cn"),
            "a public suffix stands for nobody"
        );
        assert!(!aligned("com", "qq.com"));
        assert!(!aligned("evil-qq.com", "qq.com"));
        assert!(!aligned("evil.gov.cn", "tiaodeng.gov.cn"));
        assert!(!aligned("", "qq.com"));
    }
}
