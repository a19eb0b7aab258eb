//! Changes to `units.toml` made in place with toml_edit, so the file's comments, order and layout
//! stay as the office wrote them. [`apply`] is pure: text in, text out, and the result must parse
//! as a roster (no shared address, no malformed address, no duplicate code) or nothing is written.

use thiserror::Error;
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};

use crate::domain::unit::{Roster, RosterError, UnitCode, UnitKind};

/// One change to the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterChange {
    AddAddress {
        unit: String,
        address: String,
    },
    RemoveAddress {
        unit: String,
        address: String,
    },
    AddAlias {
        unit: String,
        alias: String,
    },
    RemoveAlias {
        unit: String,
        alias: String,
    },
    AddUnit {
        code: String,
        name: String,
        kind: UnitKind,
    },
}

impl RosterChange {
    /// The audit log's action name.
    pub fn action(&self) -> &'static str {
        match self {
            RosterChange::AddAddress { .. } => "roster.address_add",
            RosterChange::RemoveAddress { .. } => "roster.address_remove",
            RosterChange::AddAlias { .. } => "roster.alias_add",
            RosterChange::RemoveAlias { .. } => "roster.alias_remove",
            RosterChange::AddUnit { .. } => "roster.unit_add",
        }
    }

    /// The unit changed and what was added or removed, for the audit log.
    pub fn target_and_detail(&self) -> (&str, &str) {
        match self {
            RosterChange::AddAddress { unit, address }
            | RosterChange::RemoveAddress { unit, address } => (unit, address),
            RosterChange::AddAlias { unit, alias } | RosterChange::RemoveAlias { unit, alias } => {
                (unit, alias)
            }
            RosterChange::AddUnit { code, name, .. } => (code, name),
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum EditError {
    #[error("名册文件无法解析：{0}")]
    Toml(String),
    #[error("名册中没有代码为 {0} 的单位")]
    NoSuchUnit(String),
    #[error("该项已存在：{0}")]
    Exists(String),
    #[error("该项不存在：{0}")]
    Absent(String),
    #[error("改动后名册不成立：{0}")]
    Invalid(#[from] RosterError),
}

/// Applies `change` to the text of `units.toml`; returns the new text and the roster it makes.
pub fn apply(text: &str, change: &RosterChange) -> Result<(String, Roster), EditError> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| EditError::Toml(e.to_string()))?;
    let units = units_of(&mut doc)?;
    match change {
        RosterChange::AddAddress { unit, address } => {
            let address = address.trim().to_lowercase();
            push(list(find(units, unit)?, "addresses"), &address)?;
        }
        RosterChange::RemoveAddress { unit, address } => {
            remove(list(find(units, unit)?, "addresses"), address)?;
        }
        RosterChange::AddAlias { unit, alias } => {
            push(list(find(units, unit)?, "aliases"), alias.trim())?;
        }
        RosterChange::RemoveAlias { unit, alias } => {
            remove(list(find(units, unit)?, "aliases"), alias)?;
        }
        RosterChange::AddUnit { code, name, kind } => {
            let code = UnitCode::parse(code)?;
            if find(units, code.as_str()).is_ok() {
                return Err(EditError::Exists(code.as_str().to_string()));
            }
            let mut table = Table::new();
            table.insert("code", value(code.as_str()));
            table.insert("name", value(name.trim()));
            table.insert("kind", value(kind_text(*kind)));
            table.insert("aliases", value(Array::new()));
            table.insert("addresses", value(Array::new()));
            units.push(table);
        }
    }
    let text = doc.to_string();
    let roster = Roster::parse(&text)?;
    Ok((text, roster))
}

fn kind_text(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::Town => "town",
        UnitKind::Subdistrict => "subdistrict",
        UnitKind::Department => "department",
    }
}

fn units_of(doc: &mut DocumentMut) -> Result<&mut ArrayOfTables, EditError> {
    if !doc.contains_key("unit") {
        doc.insert("unit", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    doc["unit"]
        .as_array_of_tables_mut()
        .ok_or_else(|| EditError::Toml("`unit` is not a list of [[unit]] tables".into()))
}

fn find<'a>(units: &'a mut ArrayOfTables, code: &str) -> Result<&'a mut Table, EditError> {
    units
        .iter_mut()
        .find(|t| t.get("code").and_then(Item::as_str) == Some(code))
        .ok_or_else(|| EditError::NoSuchUnit(code.to_string()))
}

fn list<'a>(unit: &'a mut Table, key: &str) -> &'a mut Item {
    if !unit.contains_key(key) {
        unit.insert(key, value(Array::new()));
    }
    &mut unit[key]
}

fn push(item: &mut Item, text: &str) -> Result<(), EditError> {
    let array = item
        .as_array_mut()
        .ok_or_else(|| EditError::Toml("expected a list like [\"…\"]".into()))?;
    if text.is_empty() || array.iter().any(|v| v.as_str() == Some(text)) {
        return Err(EditError::Exists(text.to_string()));
    }
    array.push(text);
    Ok(())
}

fn remove(item: &mut Item, text: &str) -> Result<(), EditError> {
    let array = item
        .as_array_mut()
        .ok_or_else(|| EditError::Toml("expected a list like [\"…\"]".into()))?;
    let before = array.len();
    array.retain(|v| v.as_str() != Some(text));
    if array.len() == before {
        return Err(EditError::Absent(text.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"# The units (a comment the office wrote).

[[unit]]
code = "bachiao"
name = "八桥镇"   # town
kind = "town"
aliases = ["八桥镇政府"]
addresses = ["bachiao@example.gov.cn"]

[[unit]]
code = "jiansheng"
name = "建胜镇"
kind = "town"
addresses = ["jiansheng@example.gov.cn"]
"#;

    #[test]
    fn an_address_is_added_and_the_comments_stay() {
        let change = RosterChange::AddAddress {
            unit: "bachiao".into(),
            address: " New@QQ.com ".into(),
        };
        let (text, roster) = apply(FILE, &change).unwrap();
        assert!(text.starts_with("# The units (a comment the office wrote)."));
        assert!(text.contains(r#"name = "八桥镇"   # town"#), "{text}");
        assert!(
            text.contains(r#"addresses = ["bachiao@example.gov.cn", "new@qq.com"]"#),
            "{text}"
        );
        assert_eq!(
            roster.by_address("new@qq.com").unwrap().code.as_str(),
            "bachiao"
        );
    }

    #[test]
    fn a_change_that_breaks_the_roster_is_refused() {
        let shared = RosterChange::AddAddress {
            unit: "bachiao".into(),
            address: "jiansheng@example.gov.cn".into(),
        };
        assert!(matches!(apply(FILE, &shared), Err(EditError::Invalid(_))));
        let malformed = RosterChange::AddAddress {
            unit: "bachiao".into(),
            address: "not an address".into(),
        };
        assert!(matches!(
            apply(FILE, &malformed),
            Err(EditError::Invalid(_))
        ));
        let nobody = RosterChange::AddAlias {
            unit: "nobody".into(),
            alias: "x".into(),
        };
        assert_eq!(
            apply(FILE, &nobody).unwrap_err(),
            EditError::NoSuchUnit("nobody".into())
        );
    }

    #[test]
    fn aliases_and_addresses_are_removed_and_units_added() {
        let gone = RosterChange::RemoveAlias {
            unit: "bachiao".into(),
            alias: "八桥镇政府".into(),
        };
        let (text, _) = apply(FILE, &gone).unwrap();
        assert!(text.contains("aliases = []"), "{text}");
        let added = RosterChange::AddUnit {
            code: "maojiaba".into(),
            name: "茅家坝社区".into(),
            kind: UnitKind::Subdistrict,
        };
        let (text, roster) = apply(&text, &added).unwrap();
        assert_eq!(roster.units().len(), 3);
        assert!(text.contains("code = \"maojiaba\""));
        let again = apply(&text, &added).unwrap_err();
        assert_eq!(again, EditError::Exists("maojiaba".into()));
        let absent = RosterChange::RemoveAddress {
            unit: "jiansheng".into(),
            address: "x@y.cn".into(),
        };
        assert_eq!(
            apply(&text, &absent).unwrap_err(),
            EditError::Absent("x@y.cn".into())
        );
    }
}
