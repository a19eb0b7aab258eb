//! Tests of label matching and normalisation.

use super::*;
use crate::domain::Field;

fn lookup(text: &str) -> Option<MonthlyLabel> {
    monthly_labels().lookup(text)
}

fn field(text: &str) -> Option<Field> {
    match lookup(text) {
        Some(MonthlyLabel::Field(f)) => Some(f),
        _ => None,
    }
}

#[test]
fn normalises_as_the_spec_says() {
    assert_eq!(normalize("公开信（封）"), "公开信");
    assert_eq!(normalize(" 公 开 信 (封)："), "公开信");
    assert_eq!(normalize("村居（社）宣传专栏（个）"), "村居宣传专栏");
    assert_eq!(normalize("标语海报（）"), "标语海报");
    assert_eq!(normalize("【注】五进画册〔册〕"), "五进画册");
    assert_eq!(normalize("安全“五进”画册"), "安全五进画册");
    assert_eq!(normalize("１．公开信"), "公开信");
    assert_eq!(normalize("1、公开信"), "公开信");
    assert_eq!(normalize("十一、获取线索"), "获取线索");
    assert_eq!(normalize("③企业培训"), "企业培训");
    assert_eq!(normalize("（一）企业培训"), "企业培训");
    assert_eq!(normalize("公开信（封"), "公开信");
    assert_eq!(normalize("2026.11"), "2026.11");
    assert_eq!(normalize("1.5"), "1.5");
}

#[test]
fn every_notice_label_and_short_label_matches_its_field() {
    for f in Field::ALL {
        assert_eq!(field(f.label()), Some(f), "{}", f.label());
        assert_eq!(field(f.short_label()), Some(f), "{}", f.short_label());
    }
}

#[test]
fn variants_units_type_are_matched() {
    let cases = [
        ("商圈广场视频（个）", Field::PlazaScreens),
        ("商圈广场视屏(个)", Field::PlazaScreens),
        ("画册", Field::Brochures),
        ("“五进”画册（册）", Field::Brochures),
        ("村居宣传专栏", Field::CommunityColumns),
        ("社区宣传专栏（个）", Field::CommunityColumns),
        ("村居(社)宣传专栏", Field::CommunityColumns),
        ("村（社区）宣传专栏", Field::CommunityColumns),
        ("标语海报（条/张/幅）", Field::SlogansPosters),
        ("标语、海报", Field::SlogansPosters),
        ("标语/海报（张）", Field::SlogansPosters),
        ("海报", Field::SlogansPosters),
        ("“两单两卡”加印二维码", Field::QrCodes),
        ("建立信息员(人)：", Field::Informants),
        ("1. 获取立案查处以上线索（条）", Field::CaseLeads),
    ];
    for (text, expected) in cases {
        assert_eq!(field(text), Some(expected), "{text}");
    }
}

#[test]
fn headers_are_matched() {
    let cases = [
        ("填报单位", Header::Unit),
        ("报送单位：", Header::Unit),
        ("单位名称", Header::Unit),
        ("填报单位（盖章）", Header::Unit),
        ("报表月份", Header::Period),
        ("月份", Header::Period),
        ("统计月份", Header::Period),
        ("报送月份", Header::Period),
        ("填报人", Header::FilledBy),
        ("联系人", Header::FilledBy),
        ("联系电话", Header::Phone),
        ("电话", Header::Phone),
        ("手机", Header::Phone),
        ("填报时间", Header::FilledOn),
        ("填报日期", Header::FilledOn),
    ];
    for (text, expected) in cases {
        assert_eq!(lookup(text), Some(MonthlyLabel::Header(expected)), "{text}");
    }
}

#[test]
fn unrelated_text_is_not_a_label() {
    for text in [
        "",
        "项目",
        "数量",
        "单位",
        "安全生产举报奖励宣传工作   月情况报表",
        "跳磴镇",
        "3",
        "备注",
        "线索来源",
    ] {
        assert_eq!(lookup(text), None, "{text}");
    }
}

#[test]
fn the_table_is_never_ambiguous() {
    assert!(monthly_labels().ambiguous_aliases().is_empty());
}

#[test]
fn inline_values_follow_a_colon() {
    let table = monthly_labels();
    let unit = MonthlyLabel::Header(Header::Unit);
    assert_eq!(
        table.match_cell("填报单位：跳磴镇"),
        vec![LabelMatch {
            key: unit,
            inline: Some("跳磴镇".into())
        }]
    );
    assert_eq!(
        table.match_cell("公开信（封）: ３ "),
        vec![LabelMatch {
            key: MonthlyLabel::Field(Field::OpenLetters),
            inline: Some("３".into())
        }]
    );
    assert_eq!(
        table.match_cell("填报单位："),
        vec![LabelMatch {
            key: unit,
            inline: None
        }]
    );
    assert!(table.match_cell("备注：无").is_empty());
    assert!(table.match_cell("跳磴镇").is_empty());
}

#[test]
fn several_pairs_on_one_line_are_split() {
    let pairs = monthly_labels().match_cell(
        "填报单位：建胜镇　　填报人：李红  联系电话：023-68150326　填报时间：2026年11月5日 10:30",
    );
    let got: Vec<_> = pairs.iter().map(|m| (m.key, m.inline.as_deref())).collect();
    assert_eq!(
        got,
        vec![
            (MonthlyLabel::Header(Header::Unit), Some("建胜镇")),
            (MonthlyLabel::Header(Header::FilledBy), Some("李红")),
            (MonthlyLabel::Header(Header::Phone), Some("023-68150326")),
            (
                MonthlyLabel::Header(Header::FilledOn),
                Some("2026年11月5日 10:30")
            ),
        ]
    );
    let blank = monthly_labels().match_cell("填报单位：      填报人：       联系电话：");
    assert_eq!(blank.len(), 3);
    assert!(blank.iter().all(|m| m.inline.is_none()));
    let long = format!("填报人：{}联系电话：1", "张".repeat(100_000));
    assert_eq!(monthly_labels().match_cell(&long).len(), 2);
    let glued = monthly_labels().match_cell("填报人：张三联系电话：13983215678");
    assert_eq!(glued.len(), 2);
    assert_eq!(glued[0].inline.as_deref(), Some("张三"));
}
