//! `Authentication-Results` headers (RFC 8601), read only from the office's own servers.
//!
//! A header is `authserv-id [version]; method=result [reason=…] [ptype.property=value …]; …`,
//! with comments in parentheses anywhere. Anyone can write such a header into a message, so only
//! those whose authserv-id the office lists count, and of those only the topmost one per
//! authserv-id: the receiving server adds its own above everything that came with the message
//! (RFC 8601 §5 also has it remove look-alikes).

use super::align::{aligned, domain_of};
use super::{Evidence, Method, Outcome, Source};

/// The most results read from one header: a real one has three or four.
const MAX_RESULTS: usize = 16;

/// One `method=result` statement with the properties that matter for alignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub method: String,
    pub result: String,
    /// `header.d` (DKIM), `header.from` (DMARC), `smtp.mailfrom` (SPF), lower-cased domains.
    pub domain: Option<String>,
}

/// A parsed header: its authserv-id (lower-cased) and statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Results {
    pub authserv_id: String,
    pub statements: Vec<Statement>,
}

/// The evidence in `headers` (values in message order, topmost first) from the servers in
/// `trusted`, judged against the From domain.
pub fn evidence(headers: &[String], trusted: &[String], from_domain: &str) -> Vec<Evidence> {
    let mut seen: Vec<String> = Vec::new();
    let mut found = Vec::new();
    for value in headers {
        let Some(results) = parse(value) else {
            continue;
        };
        let listed = trusted
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&results.authserv_id));
        if !listed || seen.contains(&results.authserv_id) {
            continue;
        }
        seen.push(results.authserv_id.clone());
        for statement in &results.statements {
            if let Some(e) = judge(&results.authserv_id, statement, from_domain) {
                found.push(e);
            }
        }
    }
    found
}

fn judge(server: &str, statement: &Statement, from_domain: &str) -> Option<Evidence> {
    let method = match statement.method.as_str() {
        "dkim" => Method::Dkim,
        "dmarc" => Method::Dmarc,
        "spf" => Method::Spf,
        _ => return None,
    };
    let outcome = match statement.result.as_str() {
        "pass" => Outcome::Pass,
        "fail" => Outcome::Fail,
        _ => return None,
    };
    // A result about another domain (a mailing list's signature, a forwarder's envelope) says
    // nothing about this From; a pass must name its domain to count.
    let aligned = match &statement.domain {
        Some(domain) => aligned(domain, from_domain),
        None => outcome == Outcome::Fail,
    };
    aligned.then(|| Evidence {
        source: Source::Header(server.to_string()),
        method,
        outcome,
        domain: statement.domain.clone(),
    })
}

/// Parses one header value; `None` when it has no authserv-id.
pub fn parse(value: &str) -> Option<Results> {
    let text = without_comments(value);
    let mut parts = split_outside_quotes(&text, ';').into_iter();
    let head = parts.next()?;
    let authserv_id = head.split_whitespace().next()?.to_ascii_lowercase();
    if authserv_id.contains('=') {
        return None;
    }
    let statements = parts
        .filter_map(|part| statement(&part))
        .take(MAX_RESULTS)
        .collect();
    Some(Results {
        authserv_id,
        statements,
    })
}

fn statement(part: &str) -> Option<Statement> {
    let tokens = tokens(part);
    let (first, rest) = tokens.split_first()?;
    let (method, result) = first.split_once('=')?;
    let method = method.split('/').next()?.trim().to_ascii_lowercase();
    let result = result.trim().to_ascii_lowercase();
    let wanted = match method.as_str() {
        "dkim" => "header.d",
        "dmarc" => "header.from",
        "spf" => "smtp.mailfrom",
        _ => "",
    };
    let domain = rest.iter().find_map(|t| {
        let (key, value) = t.split_once('=')?;
        key.eq_ignore_ascii_case(wanted)
            .then(|| domain_of(value.trim_matches('"')))
    });
    Some(Statement {
        method,
        result,
        domain,
    })
}

/// `key = value` pairs glued back together (`dkim = pass` is `dkim=pass`), split on whitespace.
fn tokens(part: &str) -> Vec<String> {
    let mut glued = String::with_capacity(part.len());
    let mut chars = part.split_whitespace().peekable();
    while let Some(word) = chars.next() {
        glued.push_str(word);
        let joins = word.ends_with('=') || chars.peek().is_some_and(|next| next.starts_with('='));
        if !joins && chars.peek().is_some() {
            glued.push(' ');
        }
    }
    glued.split(' ').map(str::to_string).collect()
}

/// The value with RFC 5322 comments (nested parentheses, outside quoted strings) removed.
fn without_comments(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    for c in value.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                if depth == 0 {
                    out.push(c);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            c if depth == 0 => out.push(if c.is_whitespace() { ' ' } else { c }),
            _ => {}
        }
    }
    out
}

fn split_outside_quotes(text: &str, separator: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                if let Some(p) = parts.last_mut() {
                    p.push(c);
                }
            }
            c if c == separator && !quoted => parts.push(String::new()),
            c => {
                if let Some(p) = parts.last_mut() {
                    p.push(c);
                }
            }
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    const QQ: &str = "mx.qq.com; dkim=pass (1024-bit key) header.d=tiaodeng.gov.cn header.s=s1; \
                      spf=pass (qq.com: domain of a@tiaodeng.gov.cn) smtp.mailfrom=a@tiaodeng.gov.cn; \
                      dmarc=pass (policy=none) header.from=tiaodeng.gov.cn";

    fn trusted() -> Vec<String> {
        vec!["mx.qq.com".into()]
    }

    #[test]
    fn reads_methods_results_and_domains_around_comments() {
        let results = parse(QQ).unwrap();
        assert_eq!(results.authserv_id, "mx.qq.com");
        assert_eq!(
            results.statements,
            vec![
                Statement {
                    method: "dkim".into(),
                    result: "pass".into(),
                    domain: Some("tiaodeng.gov.cn".into())
                },
                Statement {
                    method: "spf".into(),
                    result: "pass".into(),
                    domain: Some("tiaodeng.gov.cn".into())
                },
                Statement {
                    method: "dmarc".into(),
                    result: "pass".into(),
                    domain: Some("tiaodeng.gov.cn".into())
                },
            ]
        );
        let spaced =
            parse("mx1.163.com 1; dkim = fail (bad sig) header.d = \"x.cn\"; none").unwrap();
        assert_eq!(spaced.authserv_id, "mx1.163.com");
        assert_eq!(spaced.statements[0].result, "fail");
        assert_eq!(spaced.statements[0].domain.as_deref(), Some("x.cn"));
        assert!(parse("dkim=pass").is_none(), "no authserv-id");
    }

    #[test]
    fn only_the_listed_servers_count_and_only_their_topmost_header() {
        let forged = "mx.qq.com; dkim=pass header.d=tiaodeng.gov.cn".to_string();
        let real = "mx.qq.com; spf=fail smtp.mailfrom=tiaodeng.gov.cn; dkim=none; dmarc=fail header.from=tiaodeng.gov.cn".to_string();
        let other = "evil.example; dkim=pass header.d=tiaodeng.gov.cn".to_string();
        let found = evidence(
            &[real.clone(), forged.clone(), other.clone()],
            &trusted(),
            "tiaodeng.gov.cn",
        );
        assert!(
            found.iter().all(|e| e.outcome == Outcome::Fail),
            "{found:?}"
        );
        assert_eq!(found.len(), 2);
        assert!(evidence(&[other], &trusted(), "tiaodeng.gov.cn").is_empty());
        assert!(
            evidence(&[real], &[], "tiaodeng.gov.cn").is_empty(),
            "nothing listed, nothing trusted"
        );
    }

    #[test]
    fn a_pass_for_another_domain_is_no_evidence() {
        let list = vec![
            "mx.qq.com; dkim=pass header.d=lists.example.org; dmarc=pass header.from=evil.example"
                .to_string(),
        ];
        assert!(evidence(&list, &trusted(), "tiaodeng.gov.cn").is_empty());
        let sub = vec!["mx.qq.com; dkim=pass header.d=mail.tiaodeng.gov.cn".to_string()];
        assert_eq!(
            evidence(&sub, &trusted(), "tiaodeng.gov.cn").len(),
            1,
            "relaxed alignment"
        );
    }
}
