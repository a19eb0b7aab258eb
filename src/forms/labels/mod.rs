//! Finding labels in cells the way units type them (SPEC §3).
//!
//! A label is compared after [`normalize`]: full-width folded to half-width, whitespace and quotes
//! removed, bracketed parts such as the unit `（封）` removed, a leading enumerator (`1.`, `一、`, `①`)
//! and trailing colons dropped. The normalised text must then equal one alias in a table exactly;
//! the tables are data (`FIELD_ALIASES`, `HEADER_ALIASES`, `CASE_PART_ALIASES`): the monthly
//! table is the fields plus the headers, the case table ([`case_labels`]) its parts plus the
//! headers. A cell may also carry its value inline (`填报单位：跳磴镇`), even several label/value
//! pairs on one line (`填报单位：跳磴镇　填报人：张丽`).

mod aliases;
mod case;

pub use aliases::{FIELD_ALIASES, HEADER_ALIASES, Header, MonthlyLabel, monthly_labels};
pub use case::{CASE_GUIDANCE, CASE_PART_ALIASES, CaseLabel, CasePart, case_labels};

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::domain::text::half_width_char;

/// A label found in a cell, with the value written after it in the same cell, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMatch<K> {
    pub key: K,
    pub inline: Option<String>,
}

/// Normalised aliases and what they name, with an index by alias (the first entry of an alias
/// wins, as a scan in order would find it).
#[derive(Debug, Clone)]
pub struct LabelTable<K> {
    entries: Vec<(String, K)>,
    index: HashMap<String, K, BuildHasherDefault<Fnv>>,
}

/// FNV-1a, for the index: it holds a fixed table's aliases and is only read, so no input can
/// lengthen its chains, and SipHash showed in a form read's profile (issue 17).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl<K: Copy + PartialEq> LabelTable<K> {
    pub fn new<'a>(aliases: impl IntoIterator<Item = (&'a str, K)>) -> Self {
        let entries = aliases
            .into_iter()
            .map(|(alias, key)| (normalize(alias), key))
            .collect::<Vec<_>>();
        let mut index = HashMap::with_capacity_and_hasher(entries.len(), Default::default());
        for (alias, key) in &entries {
            index.entry(alias.clone()).or_insert(*key);
        }
        Self { entries, index }
    }

    /// What this label text names, if anything.
    pub fn lookup(&self, label: &str) -> Option<K> {
        // Every text cell a reader looks at is looked up, several times: the normalised text
        // goes into one buffer per thread rather than a new String each time, and the same text
        // looked up again at once (in the monthly table, then the case table) is not normalised
        // again.
        LOOKUP_BUFFER.with_borrow_mut(|buffer| {
            if buffer.label != label {
                normalize_into(label, &mut buffer.normalized);
                buffer.label.clear();
                buffer.label.push_str(label);
            }
            let found = if buffer.normalized.is_empty() {
                None
            } else {
                self.index.get(buffer.normalized.as_str()).copied()
            };
            if buffer.label.capacity() > MAX_KEPT_BUFFER
                || buffer.normalized.capacity() > MAX_KEPT_BUFFER
            {
                // A huge cell's text is not kept for the life of the thread.
                *buffer = LookupBuffer::EMPTY;
            }
            found
        })
    }

    /// Normalised aliases that name two different things (a table must have none).
    pub fn ambiguous_aliases(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, (alias, key)) in self.entries.iter().enumerate() {
            let clash = self
                .entries
                .iter()
                .skip(i + 1)
                .any(|(a, k)| a == alias && k != key);
            if clash {
                out.push(alias.clone());
            }
        }
        out
    }

    /// The labels in a cell's text: none, one (`公开信（封）`, `填报单位：跳磴镇`) or several pairs on
    /// one line (`填报单位：跳磴镇　填报人：张丽`). Empty inline values are `None`.
    pub fn match_cell(&self, text: &str) -> Vec<LabelMatch<K>> {
        if let Some(key) = self.lookup(text) {
            return vec![LabelMatch { key, inline: None }];
        }
        let Some((first_colon, _)) = text.char_indices().find(|&(_, c)| is_colon(c)) else {
            return Vec::new();
        };
        let Some(first) = self.lookup(text.get(..first_colon).unwrap_or_default()) else {
            return Vec::new();
        };
        self.split_pairs(text, first, first_colon)
    }

    /// Splits `label：value  label：value…` after the first label, found at `first_colon`.
    fn split_pairs(&self, text: &str, first: K, first_colon: usize) -> Vec<LabelMatch<K>> {
        let mut matches = Vec::new();
        let mut key = first;
        let mut value_start = first_colon + colon_len(text, first_colon);
        let mut search_from = value_start;
        let mut budget = MAX_LOOKUPS_PER_CELL;
        while let Some((colon, next_key, label_start)) =
            self.next_label(text, search_from, &mut budget)
        {
            matches.push(LabelMatch {
                key,
                inline: clean_value(text.get(value_start..label_start).unwrap_or_default()),
            });
            key = next_key;
            value_start = colon + colon_len(text, colon);
            search_from = value_start;
        }
        matches.push(LabelMatch {
            key,
            inline: clean_value(text.get(value_start..).unwrap_or_default()),
        });
        matches
    }

    /// The next `label：` at or after `from`: (colon position, key, where the label starts). The
    /// label is the end of the text before the colon, back to whitespace, the longest that matches.
    ///
    /// One forward scan: the start of the current token and its last [`MAX_LABEL_CHARS`]
    /// character positions are carried along, so each colon costs a bounded amount of work
    /// however many colons a cell holds (it was quadratic: 100,000 colons took 34 s). A label
    /// holds no colon, so a colon ends every candidate: each is at most [`MAX_LABEL_CHARS`]
    /// characters long; and `budget` bounds the lookups of the whole cell (no form's cell needs
    /// more).
    fn next_label(&self, text: &str, from: usize, budget: &mut usize) -> Option<(usize, K, usize)> {
        let rest = text.get(from..)?;
        let mut recent = std::collections::VecDeque::with_capacity(MAX_LABEL_CHARS + 1);
        for (offset, c) in rest.char_indices() {
            let at = from + offset;
            if c.is_whitespace() {
                recent.clear();
                continue;
            }
            if is_colon(c) {
                // The candidates, longest first: from the token's start, if it is short, else
                // from the oldest of its last few characters.
                for &start in &recent {
                    *budget = budget.checked_sub(1)?;
                    if let Some(key) = self.lookup(text.get(start..at)?) {
                        return Some((at, key, start));
                    }
                }
                // No label holds a colon: the next one starts after this. (Kept, a letter
                // before a run of colons made every candidate span the whole run: found by
                // fuzzing, 20,000 colons after `填报单位：x` took 20 s.)
                recent.clear();
                continue;
            }
            recent.push_back(at);
            if recent.len() > MAX_LABEL_CHARS {
                recent.pop_front();
            }
        }
        None
    }
}

/// The longest label text tried before a colon inside a line of several pairs.
const MAX_LABEL_CHARS: usize = 24;

/// The most label lookups one cell's pairs may cost (a line of ten pairs needs a few hundred).
const MAX_LOOKUPS_PER_CELL: usize = 4096;

fn is_colon(c: char) -> bool {
    c == ':' || c == '：'
}

fn colon_len(text: &str, at: usize) -> usize {
    text.get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or(1, char::len_utf8)
}

fn clean_value(value: &str) -> Option<String> {
    let trimmed = value
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
        .trim_end_matches([',', '，', ';', '；']);
    let trimmed = trimmed.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// The largest lookup buffer kept between lookups (labels are a few dozen bytes).
const MAX_KEPT_BUFFER: usize = 4096;

/// The last label looked up on this thread and its normalised text.
struct LookupBuffer {
    label: String,
    normalized: String,
}

impl LookupBuffer {
    /// `""`, whose normalised text is `""`.
    const EMPTY: Self = Self {
        label: String::new(),
        normalized: String::new(),
    };
}

thread_local! {
    static LOOKUP_BUFFER: std::cell::RefCell<LookupBuffer> =
        const { std::cell::RefCell::new(LookupBuffer::EMPTY) };
}

/// Normalises a label for comparison (see the module doc). One pass and one allocation.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// [`normalize`] into `out` (cleared first), allocating only when `out` is too small.
fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    let mut depth = 0usize;
    for c in text.chars().map(half_width_char) {
        if c.is_whitespace() || is_quote(c) {
            continue;
        }
        match c {
            '(' | '[' | '【' | '〔' | '（' => depth += 1,
            ')' | ']' | '】' | '〕' | '）' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let enumerator = out.len() - strip_enumerator(out).len();
    if enumerator > 0 {
        out.drain(..enumerator);
    }
    let kept = out.trim_end_matches([':', '：']).len();
    out.truncate(kept);
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '”' | '‘' | '’' | '「' | '」' | '『' | '』'
    )
}

fn is_numeral(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

/// Drops a leading `1.`, `1、`, `1)`, `一、`, `①`.
fn strip_enumerator(text: &str) -> &str {
    let circled = text.strip_prefix(|c: char| ('\u{2460}'..='\u{2473}').contains(&c));
    if let Some(rest) = circled {
        return rest;
    }
    let digits_end = text
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_digit() || is_numeral(c)))
        .map_or(text.len(), |(i, _)| i);
    if digits_end == 0 {
        return text;
    }
    let rest = text.get(digits_end..).unwrap_or_default();
    match rest.strip_prefix(['.', '、', ')', '．']) {
        Some(after) if !after.is_empty() && !after.starts_with(|c: char| c.is_ascii_digit()) => {
            after
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests;
