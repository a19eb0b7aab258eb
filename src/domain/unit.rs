//! The reporting units and the roster that lists them (SPEC §2).
//!
//! A roster is only built through [`Roster::parse`], which guarantees what the rest of the program
//! relies on: codes are unique ASCII identifiers, every unit has a name, and a sender address
//! belongs to at most one unit.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use thiserror::Error;

/// A unit's stable key: lower-case ASCII letters, digits, `_` and `-`, 1 to 40 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct UnitCode(String);

impl UnitCode {
    pub fn parse(text: &str) -> Result<Self, RosterError> {
        let ok = !text.is_empty()
            && text.len() <= 40
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if ok {
            Ok(Self(text.to_string()))
        } else {
            Err(RosterError::BadCode(text.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq<&str> for UnitCode {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Written as the code itself; width and alignment apply (`{:<12}` in the status table).
impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// What sort of unit it is; the notice addresses towns, subdistricts and member departments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    Town,
    Subdistrict,
    Department,
}

/// One reporting unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub code: UnitCode,
    pub name: String,
    pub kind: UnitKind,
    pub aliases: Vec<String>,
    /// Registered sender addresses, lower-cased.
    pub addresses: Vec<String>,
    /// The environment variable holding the password agreed with this unit for encrypted zips.
    pub archive_password_env: Option<String>,
}

impl Unit {
    /// The name and every alias: the texts a form may carry in 填报单位.
    pub fn names(&self) -> Vec<String> {
        std::iter::once(self.name.clone())
            .chain(self.aliases.iter().cloned())
            .collect()
    }
}

/// The units in roster order (the order of the file, which is the order of the summary).
#[derive(Debug, Clone)]
pub struct Roster {
    units: Vec<Unit>,
    by_address: HashMap<String, usize>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RosterError {
    #[error("unit code {0:?} must be 1-40 lower-case ASCII letters, digits, '_' or '-'")]
    BadCode(String),
    #[error("unit code {0:?} appears twice")]
    DuplicateCode(String),
    #[error("unit {0} has an empty name")]
    EmptyName(String),
    #[error("address {address:?} is registered to both {first} and {second}")]
    SharedAddress {
        address: String,
        first: String,
        second: String,
    },
    #[error("address {address:?} of unit {unit} is not an e-mail address")]
    BadAddress { address: String, unit: String },
    #[error("the roster lists no unit")]
    Empty,
    #[error("{0}")]
    Toml(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterFile {
    #[serde(default)]
    unit: Vec<UnitEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitEntry {
    code: String,
    name: String,
    kind: UnitKind,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    addresses: Vec<String>,
    #[serde(default)]
    archive_password_env: Option<String>,
}

impl Roster {
    /// Parses the text of `units.toml`.
    pub fn parse(text: &str) -> Result<Self, RosterError> {
        let file: RosterFile =
            toml::from_str(text).map_err(|e| RosterError::Toml(e.to_string()))?;
        let mut units = Vec::with_capacity(file.unit.len());
        for entry in file.unit {
            units.push(Self::unit_from(entry)?);
        }
        Self::from_units(units)
    }

    /// Builds a roster from units already parsed, checking codes and addresses are unique.
    pub fn from_units(units: Vec<Unit>) -> Result<Self, RosterError> {
        if units.is_empty() {
            return Err(RosterError::Empty);
        }
        let mut by_address = HashMap::new();
        let mut codes = std::collections::HashSet::new();
        for (index, unit) in units.iter().enumerate() {
            if !codes.insert(unit.code.clone()) {
                return Err(RosterError::DuplicateCode(unit.code.to_string()));
            }
            for address in &unit.addresses {
                if let Some(&first) = by_address.get(address) {
                    let first: &Unit = &units[first];
                    return Err(RosterError::SharedAddress {
                        address: address.clone(),
                        first: first.code.to_string(),
                        second: unit.code.to_string(),
                    });
                }
                by_address.insert(address.clone(), index);
            }
        }
        Ok(Self { units, by_address })
    }

    fn unit_from(entry: UnitEntry) -> Result<Unit, RosterError> {
        let code = UnitCode::parse(entry.code.trim())?;
        let name = entry.name.trim().to_string();
        if name.is_empty() {
            return Err(RosterError::EmptyName(code.to_string()));
        }
        let mut addresses = Vec::new();
        for address in entry.addresses {
            let address = address.trim().to_lowercase();
            let valid = address
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
            if !valid {
                return Err(RosterError::BadAddress {
                    address,
                    unit: code.to_string(),
                });
            }
            addresses.push(address);
        }
        Ok(Unit {
            code,
            name,
            kind: entry.kind,
            aliases: entry
                .aliases
                .into_iter()
                .map(|a| a.trim().to_string())
                .collect(),
            addresses,
            archive_password_env: entry.archive_password_env,
        })
    }

    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// The unit a sender address is registered to (case-insensitive).
    pub fn by_address(&self, address: &str) -> Option<&Unit> {
        self.by_address
            .get(&address.trim().to_lowercase())
            .map(|&i| &self.units[i])
    }

    pub fn by_code(&self, code: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.code.as_str() == code)
    }
}

/// For tests elsewhere: a roster of one unit, 跳磴镇 (`tiaodeng`), writing from
/// td@example.gov.cn.
#[cfg(test)]
pub(crate) fn tiaodeng_roster() -> Roster {
    Roster::parse(
        r#"
[[unit]]
code = "tiaodeng"
name = "跳磴镇"
kind = "town"
addresses = ["td@example.gov.cn"]
"#,
    )
    .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_UNITS: &str = r#"
[[unit]]
code = "tiaodeng"
name = "跳磴镇"
kind = "town"
aliases = ["大渡口区跳磴镇人民政府"]
addresses = ["TDZ@Example.gov.cn", "12345678@qq.com"]

[[unit]]
code = "yingji"
name = "区应急局"
kind = "department"
addresses = ["yjj@example.gov.cn"]
"#;

    #[test]
    fn parses_units_in_order_and_finds_them_by_address() {
        let roster = Roster::parse(TWO_UNITS).unwrap();
        assert_eq!(roster.units().len(), 2);
        assert_eq!(roster.units()[1].kind, UnitKind::Department);
        let unit = roster.by_address(" tdz@EXAMPLE.gov.cn").unwrap();
        assert_eq!(unit.code.as_str(), "tiaodeng");
        assert_eq!(unit.names(), vec!["跳磴镇", "大渡口区跳磴镇人民政府"]);
        assert!(roster.by_address("nobody@example.gov.cn").is_none());
    }

    #[test]
    fn an_address_belongs_to_one_unit_only() {
        let text = TWO_UNITS.replace("yjj@example.gov.cn", "12345678@qq.com");
        assert!(matches!(
            Roster::parse(&text),
            Err(RosterError::SharedAddress { .. })
        ));
    }

    #[test]
    fn rejects_bad_codes_duplicates_and_addresses() {
        assert!(matches!(
            UnitCode::parse("跳磴"),
            Err(RosterError::BadCode(_))
        ));
        assert!(UnitCode::parse("tiao-deng_2").is_ok());
        let dup = TWO_UNITS.replace("yingji", "tiaodeng");
        assert!(matches!(
            Roster::parse(&dup),
            Err(RosterError::DuplicateCode(_))
        ));
        let bad = TWO_UNITS.replace("yjj@example.gov.cn", "not-an-address");
        assert!(matches!(
            Roster::parse(&bad),
            Err(RosterError::BadAddress { .. })
        ));
        assert_eq!(Roster::parse("").unwrap_err(), RosterError::Empty);
        assert!(matches!(
            Roster::parse("[[unit]]\ncode = \"a\"\nname = \"x\"\nkind = \"city\"\n"),
            Err(RosterError::Toml(_))
        ));
    }

    #[test]
    fn the_shipped_roster_parses() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/units.toml"))
                .unwrap();
        let roster = Roster::parse(&text).unwrap();
        assert_eq!(roster.units().len(), 18);
    }
}
