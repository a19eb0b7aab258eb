//! Tip sources inside a single 典型案例概述 (SPEC §4): the sentences that say where the tip came
//! from can identify a whistleblower, so they are cut out of the overview into the tip-source
//! field, which only admins see and only an export made `--with-tip-sources` carries.
//!
//! A sentence gives the tip source when it (or its first clause after a time phrase such as
//! "2026年10月，") opens with a marker: a label (线索来源、信息来源…), the whistleblower (举报人…),
//! or how the tip came in (经群众举报、接到举报…). A reward sentence that only mentions 举报人
//! ("按规定对举报人给予奖励2000元") is not one: the marker must open the sentence.

/// Openings that make a sentence a tip-source sentence, after full-width folding.
const MARKERS: [&str; 30] = [
    "线索来源",
    "信息来源",
    "案件来源",
    "案源",
    "举报来源",
    "线索系",
    "线索由",
    "线索为",
    "举报人",
    "举报者",
    "实名举报",
    "匿名举报",
    "经群众举报",
    "据群众举报",
    "接群众举报",
    "根据群众举报",
    "群众举报",
    "有群众举报",
    "经举报",
    "据举报",
    "接举报",
    "接到举报",
    "接到群众举报",
    "收到举报",
    "收到群众举报",
    "经群众反映",
    "据群众反映",
    "群众反映",
    "经热线举报",
    "通过12345",
];

/// What [`split`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The tip-source sentences, in order; `None` when there were none.
    pub tip_source: Option<String>,
    /// The overview without them.
    pub overview: String,
}

/// Cuts the tip-source sentences out of `overview`.
pub fn split(overview: &str) -> Split {
    let mut tips = String::new();
    let mut rest = String::new();
    for sentence in sentences(overview) {
        if is_tip_sentence(sentence) {
            tips.push_str(sentence.trim());
        } else {
            rest.push_str(sentence);
        }
    }
    Split {
        tip_source: (!tips.trim().is_empty()).then(|| tips.trim().to_string()),
        overview: rest.trim().to_string(),
    }
}

/// Sentences with their closing punctuation (。！？；or a line break) kept.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let mut cuts: Vec<usize> = text
        .char_indices()
        .filter(|(_, c)| matches!(c, '。' | '！' | '？' | '；' | ';' | '\n'))
        .map(|(i, c)| i + c.len_utf8())
        .collect();
    cuts.push(text.len());
    cuts.dedup();
    cuts.into_iter().filter_map(move |end| {
        let piece = text.get(start..end)?;
        start = end;
        (!piece.is_empty()).then_some(piece)
    })
}

fn is_tip_sentence(sentence: &str) -> bool {
    let folded: String = crate::domain::text::half_width(sentence)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut clauses = folded.split([',', '，', '、']);
    let first = clauses.next().unwrap_or_default();
    if opens_with_marker(first) {
        return true;
    }
    is_time_phrase(first) && clauses.next().is_some_and(opens_with_marker)
}

fn opens_with_marker(clause: &str) -> bool {
    let clause = clause.trim_start_matches(['【', '[', '(', '（', '一', '1', '.', '、']);
    MARKERS.iter().any(|m| clause.starts_with(m))
}

/// "2026年10月", "10月5日上午", "近日", "日前": how a case account often opens.
fn is_time_phrase(clause: &str) -> bool {
    clause.chars().count() <= 16
        && (clause.contains(['年', '月', '日'])
            || ["近日", "日前", "近期", "今年", "上午", "下午"]
                .iter()
                .any(|w| clause.contains(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_labelled_tip_sentence_of_sample_040_is_cut_out() {
        let text = "线索来源：2026年10月，建胜镇某小区居民通过12345热线举报，称附近一处废旧厂房内有人非法储存瓶装液化石油气。简要案情：镇安办联合派出所到场核查，查获钢瓶46个。执法处罚：罚款3万元。奖励发放：按规定对举报人给予奖励2000元。";
        let split = split(text);
        assert_eq!(
            split.tip_source.as_deref(),
            Some(
                "线索来源：2026年10月，建胜镇某小区居民通过12345热线举报，称附近一处废旧厂房内有人非法储存瓶装液化石油气。"
            )
        );
        assert!(
            split.overview.starts_with("简要案情："),
            "{}",
            split.overview
        );
        assert!(
            split.overview.ends_with("给予奖励2000元。"),
            "the reward sentence stays"
        );
        assert!(!split.overview.contains("12345"));
    }

    #[test]
    fn other_phrasings_of_the_tip_are_cut_too() {
        for (text, tip) in [
            (
                "举报人王某（电话139…）反映某加油站违规卸油。经查属实，罚款5万元。",
                "举报人王某（电话139…）反映某加油站违规卸油。",
            ),
            (
                "线索来源为群众来信。执法人员现场查处违法行为。",
                "线索来源为群众来信。",
            ),
            (
                "2026年9月，经群众举报，发现某企业违规动火作业。责令停产整顿。",
                "2026年9月，经群众举报，发现某企业违规动火作业。",
            ),
            (
                "近日，接到群众举报称某仓库堆放危化品；经核查立案处罚。",
                "近日，接到群众举报称某仓库堆放危化品；",
            ),
            (
                "信息来源：１２３４５热线\n查处非法经营。",
                "信息来源：１２３４５热线",
            ),
        ] {
            let split = split(text);
            assert_eq!(split.tip_source.as_deref(), Some(tip), "{text}");
            assert!(
                !split.overview.is_empty() && !split.overview.contains(tip),
                "{text} → {}",
                split.overview
            );
        }
    }

    #[test]
    fn an_overview_without_a_tip_sentence_is_unchanged() {
        let text = "执法人员检查发现某企业未设置安全警示标志，依法罚款2万元。按规定对举报人给予奖励1000元。";
        assert_eq!(
            split(text),
            Split {
                tip_source: None,
                overview: text.to_string()
            }
        );
    }
}
