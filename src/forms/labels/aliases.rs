//! The label tables of the monthly form: what units write for each field and header field.
//!
//! Aliases are compared after [`normalize`](super::normalize), so brackets, spaces, quotes and
//! full-width forms need no entries of their own. An alias must name one thing only (tested).

use std::sync::LazyLock;

use super::LabelTable;
use crate::domain::Field;

/// A header field of a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Header {
    Unit,
    Period,
    FilledBy,
    Phone,
    FilledOn,
}

impl Header {
    /// The key used in problems and warnings: `unit`, `period`, `filled_by`, `phone`, `filled_on`.
    pub fn key(self) -> &'static str {
        match self {
            Header::Unit => "unit",
            Header::Period => "period",
            Header::FilledBy => "filled_by",
            Header::Phone => "phone",
            Header::FilledOn => "filled_on",
        }
    }

    /// The label of the official template.
    pub fn label(self) -> &'static str {
        match self {
            Header::Unit => "填报单位",
            Header::Period => "报表月份",
            Header::FilledBy => "填报人",
            Header::Phone => "联系电话",
            Header::FilledOn => "填报时间",
        }
    }
}

/// What a label of the monthly form names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MonthlyLabel {
    Field(Field),
    Header(Header),
}

/// Aliases of the eleven fields, as units write them. Each is compared after normalisation, so
/// brackets, spaces, quotes and full-width forms need no entries of their own.
pub const FIELD_ALIASES: &[(&str, Field)] = &[
    ("公开信", Field::OpenLetters),
    ("一封信", Field::OpenLetters),
    ("社会各界一封信", Field::OpenLetters),
    ("发放公开信", Field::OpenLetters),
    ("网络媒体报道", Field::MediaReports),
    ("媒体报道", Field::MediaReports),
    ("网络媒体", Field::MediaReports),
    ("网络报道", Field::MediaReports),
    ("网络媒体一报道", Field::MediaReports),
    ("商圈广场视屏", Field::PlazaScreens),
    ("商圈广场视频", Field::PlazaScreens),
    ("商圈广场一视屏", Field::PlazaScreens),
    ("商圈广场电子视屏", Field::PlazaScreens),
    ("商圈广场电子屏", Field::PlazaScreens),
    ("广场视屏", Field::PlazaScreens),
    ("广场视频", Field::PlazaScreens),
    ("商圈视屏", Field::PlazaScreens),
    ("商圈视频", Field::PlazaScreens),
    ("电子视屏", Field::PlazaScreens),
    ("五进画册", Field::Brochures),
    ("五进一画册", Field::Brochures),
    ("画册", Field::Brochures),
    ("宣传画册", Field::Brochures),
    ("村居宣传专栏", Field::CommunityColumns),
    ("村居社宣传专栏", Field::CommunityColumns),
    ("村居社区宣传专栏", Field::CommunityColumns),
    ("社区宣传专栏", Field::CommunityColumns),
    ("村社宣传专栏", Field::CommunityColumns),
    ("村宣传专栏", Field::CommunityColumns),
    ("村居专栏", Field::CommunityColumns),
    ("社区专栏", Field::CommunityColumns),
    ("村居社区专栏", Field::CommunityColumns),
    ("村居社区一专栏", Field::CommunityColumns),
    ("宣传专栏", Field::CommunityColumns),
    ("标语海报", Field::SlogansPosters),
    ("标语", Field::SlogansPosters),
    ("海报", Field::SlogansPosters),
    ("标语/海报", Field::SlogansPosters),
    ("标语、海报", Field::SlogansPosters),
    ("标语和海报", Field::SlogansPosters),
    ("宣传标语海报", Field::SlogansPosters),
    ("宣传标语", Field::SlogansPosters),
    ("两单两卡加印二维码", Field::QrCodes),
    ("两单两卡二维码", Field::QrCodes),
    ("两单两卡印二维码", Field::QrCodes),
    ("加印二维码", Field::QrCodes),
    ("二维码", Field::QrCodes),
    ("责任公示牌加贴图标", Field::BoardIcons),
    ("责任公示牌图标", Field::BoardIcons),
    ("责任公示牌加贴", Field::BoardIcons),
    ("公示牌加贴图标", Field::BoardIcons),
    ("公示牌图标", Field::BoardIcons),
    ("加贴图标", Field::BoardIcons),
    ("企业培训", Field::EnterpriseTrainings),
    ("企业培训次数", Field::EnterpriseTrainings),
    ("培训企业", Field::EnterpriseTrainings),
    ("建立信息员", Field::Informants),
    ("信息员", Field::Informants),
    ("信息员人数", Field::Informants),
    ("物色信息员", Field::Informants),
    ("获取立案查处以上线索", Field::CaseLeads),
    ("获取立案查处线索", Field::CaseLeads),
    ("立案查处以上线索", Field::CaseLeads),
    ("立案查处线索", Field::CaseLeads),
    ("获取线索", Field::CaseLeads),
];

/// Aliases of the header fields (shared with the case form's footer).
pub const HEADER_ALIASES: &[(&str, Header)] = &[
    ("填报单位", Header::Unit),
    ("报送单位", Header::Unit),
    ("上报单位", Header::Unit),
    ("单位名称", Header::Unit),
    ("填报单位名称", Header::Unit),
    ("报表月份", Header::Period),
    ("月份", Header::Period),
    ("统计月份", Header::Period),
    ("报送月份", Header::Period),
    ("填报月份", Header::Period),
    ("所属月份", Header::Period),
    ("报告月份", Header::Period),
    ("报表期间", Header::Period),
    ("统计期间", Header::Period),
    ("填报人", Header::FilledBy),
    ("填表人", Header::FilledBy),
    ("联系人", Header::FilledBy),
    ("经办人", Header::FilledBy),
    ("联系电话", Header::Phone),
    ("电话", Header::Phone),
    ("手机", Header::Phone),
    ("手机号", Header::Phone),
    ("手机号码", Header::Phone),
    ("电话号码", Header::Phone),
    ("联系方式", Header::Phone),
    ("填报时间", Header::FilledOn),
    ("填报日期", Header::FilledOn),
    ("填表时间", Header::FilledOn),
    ("填表日期", Header::FilledOn),
    ("报送时间", Header::FilledOn),
    ("报送日期", Header::FilledOn),
];

/// The monthly form's table: fields and headers.
pub fn monthly_labels() -> &'static LabelTable<MonthlyLabel> {
    static TABLE: LazyLock<LabelTable<MonthlyLabel>> = LazyLock::new(|| {
        let fields = FIELD_ALIASES
            .iter()
            .map(|&(alias, field)| (alias, MonthlyLabel::Field(field)));
        let headers = HEADER_ALIASES
            .iter()
            .map(|&(alias, header)| (alias, MonthlyLabel::Header(header)));
        LabelTable::new(fields.chain(headers))
    });
    &TABLE
}
