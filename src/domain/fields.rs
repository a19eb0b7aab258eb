//! The eleven quantities of the monthly form (SPEC §3) and a complete set of their values.
//!
//! `Field` lists them in the notice's order; `MonthlyValues` can only be built with all eleven, and
//! serialises as a JSON object in that same order.

use std::collections::BTreeMap;
use std::fmt;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The monthly form's official title (附件3), as reminders and the summary letter name it.
pub const MONTHLY_FORM_TITLE: &str = "安全生产举报奖励宣传工作月情况报表";

/// One quantity of the monthly form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    OpenLetters,
    MediaReports,
    PlazaScreens,
    Brochures,
    CommunityColumns,
    SlogansPosters,
    QrCodes,
    BoardIcons,
    EnterpriseTrainings,
    Informants,
    CaseLeads,
}

impl Field {
    /// All fields in the notice's order.
    pub const ALL: [Field; 11] = [
        Field::OpenLetters,
        Field::MediaReports,
        Field::PlazaScreens,
        Field::Brochures,
        Field::CommunityColumns,
        Field::SlogansPosters,
        Field::QrCodes,
        Field::BoardIcons,
        Field::EnterpriseTrainings,
        Field::Informants,
        Field::CaseLeads,
    ];

    /// The stable key used in the database and JSON, e.g. `open_letters`.
    pub fn key(self) -> &'static str {
        self.info().0
    }

    /// The label exactly as in the notice, e.g. `公开信（封）`.
    pub fn label(self) -> &'static str {
        self.info().1
    }

    /// The label without its bracketed unit, e.g. `公开信`.
    pub fn short_label(self) -> &'static str {
        self.info().2
    }

    /// The counting unit, e.g. `封` (`条/张/幅` for slogans and posters, which the notice leaves blank).
    pub fn unit(self) -> &'static str {
        self.info().3
    }

    /// The field with this key.
    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|field| field.key() == key)
    }

    /// Position in the notice's order, 0..11.
    pub fn index(self) -> usize {
        self as usize
    }

    fn info(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Field::OpenLetters => ("open_letters", "公开信（封）", "公开信", "封"),
            Field::MediaReports => ("media_reports", "网络媒体报道（次）", "网络媒体报道", "次"),
            Field::PlazaScreens => ("plaza_screens", "商圈广场视屏（个）", "商圈广场视屏", "个"),
            Field::Brochures => ("brochures", "五进画册（册）", "五进画册", "册"),
            Field::CommunityColumns => (
                "community_columns",
                "村居（社）宣传专栏（个）",
                "村居（社）宣传专栏",
                "个",
            ),
            Field::SlogansPosters => ("slogans_posters", "标语海报（）", "标语海报", "条/张/幅"),
            Field::QrCodes => (
                "qr_codes",
                "两单两卡加印二维码（个）",
                "两单两卡加印二维码",
                "个",
            ),
            Field::BoardIcons => (
                "board_icons",
                "责任公示牌加贴图标（个）",
                "责任公示牌加贴图标",
                "个",
            ),
            Field::EnterpriseTrainings => {
                ("enterprise_trainings", "企业培训（次）", "企业培训", "次")
            }
            Field::Informants => ("informants", "建立信息员（人）", "建立信息员", "人"),
            Field::CaseLeads => (
                "case_leads",
                "获取立案查处以上线索（条）",
                "获取立案查处以上线索",
                "条",
            ),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The eleven values of one monthly form, all present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MonthlyValues([u64; 11]);

impl MonthlyValues {
    /// Values in the notice's order (see [`Field::ALL`]).
    pub fn new(values: [u64; 11]) -> Self {
        Self(values)
    }

    /// Values computed per field.
    pub fn from_fn(mut value_of: impl FnMut(Field) -> u64) -> Self {
        Self(Field::ALL.map(&mut value_of))
    }

    pub fn get(&self, field: Field) -> u64 {
        self.0.get(field.index()).copied().unwrap_or_default()
    }

    /// The values in the notice's order.
    pub fn as_array(&self) -> &[u64; 11] {
        &self.0
    }

    pub fn iter(&self) -> impl Iterator<Item = (Field, u64)> + '_ {
        Field::ALL.into_iter().zip(self.0.iter().copied())
    }

    /// The fields whose value changed since `previous`, as (field, old, new).
    pub fn diff(&self, previous: &MonthlyValues) -> Vec<(Field, u64, u64)> {
        self.iter()
            .zip(previous.iter())
            .filter(|((_, new), (_, old))| new != old)
            .map(|((field, new), (_, old))| (field, old, new))
            .collect()
    }
}

impl Serialize for MonthlyValues {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(Field::ALL.len()))?;
        for (field, value) in self.iter() {
            map.serialize_entry(field.key(), &value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for MonthlyValues {
    /// Accepts an object with exactly the eleven keys, in any order.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let map = BTreeMap::<String, u64>::deserialize(deserializer)?;
        if let Some(unknown) = map.keys().find(|key| Field::from_key(key).is_none()) {
            return Err(D::Error::custom(format!("unknown field {unknown:?}")));
        }
        let mut values = [0; 11];
        for field in Field::ALL {
            let value = map
                .get(field.key())
                .ok_or_else(|| D::Error::custom(format!("missing field {:?}", field.key())))?;
            if let Some(slot) = values.get_mut(field.index()) {
                *slot = *value;
            }
        }
        Ok(Self(values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_follow_the_notice() {
        let labels: Vec<_> = Field::ALL.iter().map(|f| f.label()).collect();
        assert_eq!(
            labels,
            [
                "公开信（封）",
                "网络媒体报道（次）",
                "商圈广场视屏（个）",
                "五进画册（册）",
                "村居（社）宣传专栏（个）",
                "标语海报（）",
                "两单两卡加印二维码（个）",
                "责任公示牌加贴图标（个）",
                "企业培训（次）",
                "建立信息员（人）",
                "获取立案查处以上线索（条）",
            ]
        );
        assert_eq!(Field::OpenLetters.short_label(), "公开信");
        assert_eq!(Field::SlogansPosters.unit(), "条/张/幅");
        assert_eq!(Field::CaseLeads.unit(), "条");
        for (i, field) in Field::ALL.into_iter().enumerate() {
            assert_eq!(field.index(), i);
            assert_eq!(Field::from_key(field.key()), Some(field));
            assert!(field.label().starts_with(field.short_label()));
        }
        assert_eq!(Field::from_key("nope"), None);
    }

    #[test]
    fn values_serialise_in_notice_order() {
        let values = MonthlyValues::new([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        let json = serde_json::to_string(&values).unwrap();
        assert_eq!(
            json,
            r#"{"open_letters":1,"media_reports":2,"plaza_screens":3,"brochures":4,"community_columns":5,"slogans_posters":6,"qr_codes":7,"board_icons":8,"enterprise_trainings":9,"informants":10,"case_leads":11}"#
        );
        let back: MonthlyValues = serde_json::from_str(&json).unwrap();
        assert_eq!(back, values);
    }

    #[test]
    fn deserialising_requires_exactly_the_eleven_keys() {
        assert!(serde_json::from_str::<MonthlyValues>(r#"{"open_letters":1}"#).is_err());
        let mut map: serde_json::Map<String, serde_json::Value> = Field::ALL
            .iter()
            .map(|f| (f.key().to_string(), 0.into()))
            .collect();
        map.insert("extra".into(), 1.into());
        assert!(serde_json::from_value::<MonthlyValues>(map.into()).is_err());
    }

    #[test]
    fn get_iter_and_from_fn_agree() {
        let values = MonthlyValues::from_fn(|f| f.index() as u64 * 10);
        assert_eq!(values.get(Field::Brochures), 30);
        assert_eq!(values.iter().nth(10), Some((Field::CaseLeads, 100)));
        assert_eq!(values.as_array()[1], 10);
    }

    #[test]
    fn diff_lists_changed_fields_with_old_and_new() {
        let old = MonthlyValues::new([1; 11]);
        let new = MonthlyValues::from_fn(|f| match f {
            Field::QrCodes => 5,
            Field::OpenLetters => 0,
            _ => 1,
        });
        assert_eq!(
            new.diff(&old),
            vec![(Field::OpenLetters, 1, 0), (Field::QrCodes, 1, 5)]
        );
        assert!(old.diff(&old).is_empty());
    }
}
