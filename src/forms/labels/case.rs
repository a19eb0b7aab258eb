//! The label table of the typical-case form (附件2, SPEC §4): its content parts and its footer.
//!
//! The footer reuses [`HEADER_ALIASES`] of the monthly form, without 报表月份 (a case has no
//! report month) and without the two-character aliases (`电话`, `手机`, `月份`): case text is free
//! prose, where `举报电话：12345` must stay text rather than start a footer field.

use std::sync::LazyLock;

use super::{HEADER_ALIASES, Header, LabelTable};

/// The notice's guidance, printed in the template's blank overview box; the reader drops it.
pub const CASE_GUIDANCE: &str = "典型案例上报内容包括：\n线索来源、简要案情、执法处罚、奖励发放等相关工作情况，\
    字数不超过600字，并附上工作图片。必要时，相关信息需加密处理。";

/// A content part of the case form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CasePart {
    TipSource,
    Facts,
    Enforcement,
    Reward,
    Overview,
    Remarks,
}

impl CasePart {
    /// The four parts a case describes (or one 典型案例概述 covering them).
    pub const FOUR: [CasePart; 4] = [
        CasePart::TipSource,
        CasePart::Facts,
        CasePart::Enforcement,
        CasePart::Reward,
    ];

    /// The key used in problems and warnings.
    pub fn key(self) -> &'static str {
        match self {
            CasePart::TipSource => "tip_source",
            CasePart::Facts => "facts",
            CasePart::Enforcement => "enforcement",
            CasePart::Reward => "reward",
            CasePart::Overview => "overview",
            CasePart::Remarks => "remarks",
        }
    }

    /// The label of the official template.
    pub fn label(self) -> &'static str {
        match self {
            CasePart::TipSource => "线索来源",
            CasePart::Facts => "简要案情",
            CasePart::Enforcement => "执法处罚",
            CasePart::Reward => "奖励发放",
            CasePart::Overview => "典型案例概述",
            CasePart::Remarks => "备注",
        }
    }
}

/// What a label of the case form names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseLabel {
    Part(CasePart),
    Header(Header),
}

/// Aliases of the content parts, as units write them (compared after normalisation).
pub const CASE_PART_ALIASES: &[(&str, CasePart)] = &[
    ("线索来源", CasePart::TipSource),
    ("举报线索来源", CasePart::TipSource),
    ("线索来源情况", CasePart::TipSource),
    ("简要案情", CasePart::Facts),
    ("基本案情", CasePart::Facts),
    ("案情简介", CasePart::Facts),
    ("案情概要", CasePart::Facts),
    ("执法处罚", CasePart::Enforcement),
    ("执法处罚情况", CasePart::Enforcement),
    ("执法查处情况", CasePart::Enforcement),
    ("处罚情况", CasePart::Enforcement),
    ("查处情况", CasePart::Enforcement),
    ("奖励发放", CasePart::Reward),
    ("奖励发放情况", CasePart::Reward),
    ("奖励兑现情况", CasePart::Reward),
    ("举报奖励发放", CasePart::Reward),
    ("典型案例概述", CasePart::Overview),
    ("案例概述", CasePart::Overview),
    ("典型案例", CasePart::Overview),
    ("典型案例内容", CasePart::Overview),
    ("备注", CasePart::Remarks),
];

/// The case form's table: content parts and footer fields.
pub fn case_labels() -> &'static LabelTable<CaseLabel> {
    static TABLE: LazyLock<LabelTable<CaseLabel>> = LazyLock::new(|| {
        let parts = CASE_PART_ALIASES
            .iter()
            .map(|&(alias, part)| (alias, CaseLabel::Part(part)));
        let footer = HEADER_ALIASES
            .iter()
            .filter(|(alias, header)| *header != Header::Period && alias.chars().count() > 2)
            .map(|&(alias, header)| (alias, CaseLabel::Header(header)));
        LabelTable::new(parts.chain(footer))
    });
    &TABLE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_label_names_its_part() {
        for part in CasePart::FOUR
            .into_iter()
            .chain([CasePart::Overview, CasePart::Remarks])
        {
            assert_eq!(
                case_labels().lookup(part.label()),
                Some(CaseLabel::Part(part))
            );
        }
        assert_eq!(
            case_labels().lookup("四、执法处罚情况："),
            Some(CaseLabel::Part(CasePart::Enforcement))
        );
        assert_eq!(
            case_labels().lookup("填报时间"),
            Some(CaseLabel::Header(Header::FilledOn))
        );
    }

    #[test]
    fn short_and_period_headers_are_not_case_labels() {
        for text in ["电话", "手机", "月份", "报表月份", "公开信", "简要"] {
            assert_eq!(case_labels().lookup(text), None, "{text}");
        }
    }

    #[test]
    fn the_table_is_never_ambiguous() {
        assert!(case_labels().ambiguous_aliases().is_empty());
    }

    #[test]
    fn the_notice_footer_splits_into_four_pairs() {
        let found = case_labels().match_cell(
            "填报单位：建胜镇　　填报人：李红　　联系电话：023-68150326　　填报时间：2026年11月20日",
        );
        let keys: Vec<_> = found.iter().map(|m| m.key).collect();
        assert_eq!(
            keys,
            [
                Header::Unit,
                Header::FilledBy,
                Header::Phone,
                Header::FilledOn
            ]
            .map(CaseLabel::Header)
        );
        assert_eq!(found[3].inline.as_deref(), Some("2026年11月20日"));
    }

    #[test]
    fn an_overview_with_inline_parts_splits_but_prose_colons_do_not() {
        let found =
            case_labels().match_cell("线索来源：群众通过举报电话：12345举报。简要案情：经查属实。");
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].inline.as_deref(),
            Some("群众通过举报电话：12345举报。")
        );
        assert_eq!(found[1].key, CaseLabel::Part(CasePart::Facts));
    }
}
