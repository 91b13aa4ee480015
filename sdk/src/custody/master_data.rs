//! Off-chain master data for EPCIS exports: the product master a manufacturer keeps (NDC,
//! regulated name, dosage form, strength, net content per GTIN: none of it goes on chain) and
//! an address book of locations (name and address per GLN). Both are CSV files with a header
//! row, as any spreadsheet or warehouse system writes them.

use crate::{Error, Result};
use std::collections::BTreeMap;

/// One product (an EPCClass of the EPCIS master data).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Product {
    /// GTIN-14.
    pub gtin: String,
    /// The GS1 Company Prefix the GTIN was allocated under (splits the SGTIN URN).
    pub company_prefix: Option<String>,
    /// The FDA National Drug Code (`additionalTradeItemIdentification` of type `US_FDA_NDC`).
    pub ndc: Option<String>,
    pub name: Option<String>,
    pub dosage_form: Option<String>,
    pub strength: Option<String>,
    pub net_content: Option<String>,
    pub manufacturer: Option<String>,
}

/// One location (a BusinessLocation / ReadPoint of the EPCIS master data).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// GLN, 13 digits.
    pub gln: String,
    pub company_prefix: Option<String>,
    pub name: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// Products by GTIN and locations by GLN.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MasterData {
    pub products: BTreeMap<String, Product>,
    pub locations: BTreeMap<String, Location>,
}

/// Columns of a product master file (`gtin` required, the rest optional, any order).
pub const PRODUCT_COLUMNS: [&str; 8] = [
    "gtin",
    "company_prefix",
    "ndc",
    "name",
    "dosage_form",
    "strength",
    "net_content",
    "manufacturer",
];
/// Columns of an address book (`gln` required, the rest optional, any order).
pub const LOCATION_COLUMNS: [&str; 8] = [
    "gln",
    "company_prefix",
    "name",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
];

impl MasterData {
    /// Adds the products of a product master CSV (see [`PRODUCT_COLUMNS`]).
    pub fn add_products(&mut self, csv: &str) -> Result<()> {
        for row in rows(csv, &PRODUCT_COLUMNS, "gtin")? {
            let gtin = crate::custody::parse_gtin(&row.get("gtin"))
                .map_err(|e| Error::invalid(format!("line {}: {e}", row.line)))?;
            let gtin = String::from_utf8_lossy(&gtin).into_owned();
            let company_prefix = row.prefix(&gtin[1..])?;
            self.products.insert(
                gtin.clone(),
                Product {
                    gtin,
                    company_prefix,
                    ndc: row.opt("ndc"),
                    name: row.opt("name"),
                    dosage_form: row.opt("dosage_form"),
                    strength: row.opt("strength"),
                    net_content: row.opt("net_content"),
                    manufacturer: row.opt("manufacturer"),
                },
            );
        }
        Ok(())
    }

    /// Adds the locations of an address book CSV (see [`LOCATION_COLUMNS`]).
    pub fn add_locations(&mut self, csv: &str) -> Result<()> {
        for row in rows(csv, &LOCATION_COLUMNS, "gln")? {
            let gln = crate::registry::parse_gln(&row.get("gln"))
                .map_err(|e| Error::invalid(format!("line {}: {e}", row.line)))?;
            let gln = crate::registry::gln_str(&gln);
            let company_prefix = row.prefix(&gln)?;
            self.locations.insert(
                gln.clone(),
                Location {
                    gln,
                    company_prefix,
                    name: row.opt("name"),
                    street: row.opt("street"),
                    city: row.opt("city"),
                    state: row.opt("state"),
                    postal_code: row.opt("postal_code"),
                    country: row.opt("country"),
                },
            );
        }
        Ok(())
    }
}

struct Row {
    line: usize,
    cells: BTreeMap<&'static str, String>,
}

impl Row {
    fn get(&self, column: &str) -> String {
        self.cells.get(column).cloned().unwrap_or_default()
    }
    fn opt(&self, column: &str) -> Option<String> {
        Some(self.get(column)).filter(|v| !v.is_empty())
    }
    /// The `company_prefix` cell, checked to be a prefix of `key` (the key's digits after its
    /// indicator or extension digit).
    fn prefix(&self, key: &str) -> Result<Option<String>> {
        let Some(p) = self.opt("company_prefix") else {
            return Ok(None);
        };
        if !(4..=12).contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid(format!(
                "line {}: company_prefix {p:?} is not 4 to 12 digits",
                self.line
            )));
        }
        if !key.starts_with(&p) {
            return Err(Error::invalid(format!(
                "line {}: company_prefix {p} does not begin the key {key}",
                self.line
            )));
        }
        Ok(Some(p))
    }
}

/// The data rows of a CSV file with a header naming some of `columns` (unknown columns are an
/// error, so a misspelt header is not silently dropped).
fn rows(csv: &str, columns: &[&'static str], key: &str) -> Result<Vec<Row>> {
    let records = parse_csv(csv)?;
    let Some((_, header)) = records.first() else {
        return Err(Error::invalid(
            "the file is empty: a header row is expected",
        ));
    };
    let mut names = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
        match columns.iter().find(|c| **c == h) {
            Some(c) => names.push(*c),
            None => {
                return Err(Error::invalid(format!(
                    "line 1, column {}: unknown column {h:?} (expected some of {})",
                    i + 1,
                    columns.join(", ")
                )))
            }
        }
    }
    if !names.contains(&key) {
        return Err(Error::invalid(format!(
            "line 1: the {key} column is missing"
        )));
    }
    let mut out = Vec::new();
    for (line, record) in &records[1..] {
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() > names.len() {
            return Err(Error::invalid(format!(
                "line {line}: {} cells for {} columns",
                record.len(),
                names.len()
            )));
        }
        let cells = names
            .iter()
            .zip(record)
            .map(|(n, v)| (*n, v.trim().to_string()))
            .collect();
        out.push(Row { line: *line, cells });
    }
    Ok(out)
}

/// RFC 4180 CSV: comma-separated, `"` quotes (`""` inside), CRLF or LF. Each record with the
/// line it starts on.
pub fn parse_csv(text: &str) -> Result<Vec<(usize, Vec<String>)>> {
    let mut out = Vec::new();
    let (mut record, mut cell) = (Vec::new(), String::new());
    let (mut line, mut start, mut quoted, mut was_quoted) = (1usize, 1usize, false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    cell.push(c);
                }
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.trim().is_empty() && !was_quoted => {
                cell.clear();
                quoted = true;
                was_quoted = true;
            }
            '"' => {
                return Err(Error::invalid(format!(
                    "line {line}: a quote inside an unquoted cell"
                )))
            }
            ',' => {
                record.push(std::mem::take(&mut cell));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut cell));
                out.push((start, std::mem::take(&mut record)));
                was_quoted = false;
                line += 1;
                start = line;
            }
            _ if was_quoted && !c.is_whitespace() => {
                return Err(Error::invalid(format!(
                    "line {line}: text after a closing quote"
                )))
            }
            _ => cell.push(c),
        }
    }
    if quoted {
        return Err(Error::invalid(format!(
            "line {start}: a quoted cell is never closed"
        )));
    }
    if !cell.is_empty() || !record.is_empty() {
        record.push(cell);
        out.push((start, record));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_and_line_endings() {
        let rows = parse_csv("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"multi\nline\",z").unwrap();
        assert_eq!(rows[0], (1, vec!["a".into(), "b".into()]));
        assert_eq!(rows[1], (2, vec!["x, y".into(), "say \"hi\"".into()]));
        assert_eq!(rows[2], (3, vec!["multi\nline".into(), "z".into()]));
        assert!(parse_csv("a,\"b")
            .unwrap_err()
            .to_string()
            .contains("never closed"));
        assert!(parse_csv("a,b\"c")
            .unwrap_err()
            .to_string()
            .contains("line 1"));
    }

    #[test]
    fn product_master_rows_are_checked() {
        let mut m = MasterData::default();
        m.add_products("gtin,company_prefix,ndc,name\n09501101020917,9501101,50242-040-62,\"Insulin glargine, 100 units/mL\"\n")
            .unwrap();
        let p = &m.products["09501101020917"];
        assert_eq!(p.company_prefix.as_deref(), Some("9501101"));
        assert_eq!(p.name.as_deref(), Some("Insulin glargine, 100 units/mL"));
        let e = m.add_products("gtin,colour\n").unwrap_err().to_string();
        assert!(e.contains("unknown column \"colour\""), "{e}");
        let e = m
            .add_products("gtin\n09501101020918\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("check digit"), "{e}");
        let e = m
            .add_products("gtin,company_prefix\n09501101020917,0614141\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not begin"), "{e}");
    }
}
