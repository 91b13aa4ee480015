//! GS1 barcode parsing (pure, no network), per the GS1 General Specifications.
//!
//! Accepts, on one line, after any symbology identifier a scanner prefixes (`]d2`/`]d1`
//! DataMatrix, `]C1` GS1-128, `]Q3`/`]Q1` QR, `]e0` DataBar, `]J1` DotCode — every notation
//! after every one of them) or none:
//! - element strings, FNC1 as the GS byte (0x1D) or the literal text `<GS>`, with or without a
//!   leading FNC1;
//! - the human-readable interpretation `(01)09501101020917(17)190508(10)ABCD1234(21)10`;
//! - GS1 Digital Link URIs on any resolver domain
//!   (`https://example.com/01/09501101020917/10/ABCD1234/21/10?17=190508`), percent-encoding
//!   decoded, GTIN-8/12/13 left-padded to 14 digits.
//!
//! Check digits (GTIN, SSCC, GLN) are verified; dates are validated, `DD = 00` meaning the
//! month's last day, and the century resolved by the GS1 sliding window. Every rejection says
//! which AI and which position (counted in the input as scanned, symbology identifier
//! included); a symbology identifier with nothing after it is an error, and control characters
//! in messages are named (`<GS>`, `<CR>`, `<0x1E>`), never escaped.

use serde::Serialize;
use std::fmt;

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Date {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What a GS1 code carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gs1Code {
    /// AI 01, always 14 digits.
    pub gtin: Option<String>,
    /// AI 21.
    pub serial: Option<String>,
    /// AI 10.
    pub lot: Option<String>,
    /// AI 17 (DD=00 resolved).
    pub expiry: Option<Date>,
    /// AI 11.
    pub production_date: Option<Date>,
    /// AI 00.
    pub sscc: Option<String>,
    /// AI 414.
    pub gln: Option<String>,
    /// Every other recognized AI, in order: `(ai, value)`.
    pub other: Vec<(String, String)>,
}

impl Gs1Code {
    /// A serialized saleable unit (GTIN + serial)?
    pub fn is_unit(&self) -> bool {
        self.gtin.is_some() && self.serial.is_some()
    }

    /// The `barcode parse` JSON contract: only the keys present among gtin, serial, lot,
    /// expiry (YYYY-MM-DD) and sscc.
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        if let Some(v) = &self.gtin {
            m.insert("gtin".into(), v.clone().into());
        }
        if let Some(v) = &self.serial {
            m.insert("serial".into(), v.clone().into());
        }
        if let Some(v) = &self.lot {
            m.insert("lot".into(), v.clone().into());
        }
        if let Some(v) = &self.expiry {
            m.insert("expiry".into(), v.to_string().into());
        }
        if let Some(v) = &self.sscc {
            m.insert("sscc".into(), v.clone().into());
        }
        serde_json::Value::Object(m)
    }
}

/// Why a code was rejected: which AI (if known), which position (0-based character offset in
/// the input), and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gs1Error {
    pub position: usize,
    pub ai: Option<String>,
    pub reason: String,
}

impl fmt::Display for Gs1Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.ai {
            Some(ai) => write!(
                f,
                "AI ({ai}) at position {}: {}",
                self.position, self.reason
            ),
            None => write!(f, "position {}: {}", self.position, self.reason),
        }
    }
}

impl std::error::Error for Gs1Error {}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Charset {
    Numeric,
    /// GS1 AI encodable character set 82.
    Cset82,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Validation {
    Plain,
    Mod10,
    Date,
}

struct AiSpec {
    ai: &'static str,
    /// Fixed length, or the maximum of a variable-length field.
    len: usize,
    fixed: bool,
    charset: Charset,
    check: Validation,
}

const fn ai(
    ai: &'static str,
    len: usize,
    fixed: bool,
    charset: Charset,
    check: Validation,
) -> AiSpec {
    AiSpec {
        ai,
        len,
        fixed,
        charset,
        check,
    }
}

use Charset::*;
use Validation::*;

/// The application identifiers caretrail reads. (AIs are prefix-free, so the longest match is
/// the only match.)
const AIS: &[AiSpec] = &[
    ai("00", 18, true, Numeric, Mod10),
    ai("01", 14, true, Numeric, Mod10),
    ai("02", 14, true, Numeric, Mod10),
    ai("10", 20, false, Cset82, Plain),
    ai("11", 6, true, Numeric, Date),
    ai("12", 6, true, Numeric, Date),
    ai("13", 6, true, Numeric, Date),
    ai("15", 6, true, Numeric, Date),
    ai("16", 6, true, Numeric, Date),
    ai("17", 6, true, Numeric, Date),
    ai("20", 2, true, Numeric, Plain),
    ai("21", 20, false, Cset82, Plain),
    ai("22", 20, false, Cset82, Plain),
    ai("30", 8, false, Numeric, Plain),
    ai("37", 8, false, Numeric, Plain),
    ai("240", 30, false, Cset82, Plain),
    ai("241", 30, false, Cset82, Plain),
    ai("400", 30, false, Cset82, Plain),
    ai("410", 13, true, Numeric, Mod10),
    ai("413", 13, true, Numeric, Mod10),
    ai("414", 13, true, Numeric, Mod10),
    ai("416", 13, true, Numeric, Mod10),
    ai("417", 13, true, Numeric, Mod10),
    ai("710", 20, false, Cset82, Plain),
    ai("711", 20, false, Cset82, Plain),
    ai("712", 20, false, Cset82, Plain),
    ai("713", 20, false, Cset82, Plain),
    ai("714", 20, false, Cset82, Plain),
    ai("715", 20, false, Cset82, Plain),
];

const GS: char = '\u{1d}';

/// The symbology identifiers a scanner may prefix (see `parse_with_year`).
pub const SYMBOLOGY_IDS: [&str; 7] = ["]d2", "]d1", "]C1", "]Q3", "]Q1", "]e0", "]J1"];

/// `text` quoted for an error message, control characters named (`<GS>`, `<CR>`, `<LF>`,
/// `<TAB>`, `<0x1E>`) instead of escaped.
pub fn visible(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            GS => out.push_str("<GS>"),
            '\r' => out.push_str("<CR>"),
            '\n' => out.push_str("<LF>"),
            '\t' => out.push_str("<TAB>"),
            c if c.is_control() => out.push_str(&format!("<0x{:02X}>", c as u32)),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn spec(ai: &str) -> Option<&'static AiSpec> {
    AIS.iter().find(|s| s.ai == ai)
}

fn in_cset82(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

/// Parses a GS1 code, resolving two-digit years against the current year.
pub fn parse(input: &str) -> Result<Gs1Code, Gs1Error> {
    let year = crate::util::civil_from_days(crate::util::unix_now().div_euclid(86_400)).0;
    parse_with_year(input, year)
}

/// Parses a GS1 code, resolving two-digit years with the GS1 sliding window around
/// `current_year`.
pub fn parse_with_year(input: &str, current_year: i64) -> Result<Gs1Code, Gs1Error> {
    let trimmed = input.trim_end_matches(['\r', '\n']).trim_matches(' ');
    if trimmed.is_empty() {
        return Err(Gs1Error {
            position: 0,
            ai: None,
            reason: "empty code".into(),
        });
    }
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return parse_digital_link(trimmed, current_year);
    }
    // Symbology identifier: GS1 DataMatrix, GS1-128, GS1 QR, GS1 DataBar, GS1 DotCode carry
    // element strings; DataMatrix and QR in their plain modes (]d1, ]Q1) carry Digital Link
    // URIs. Scanners are lenient about which mode they report, so every notation is read after
    // every one of them.
    let mut offset = 0;
    for sid in SYMBOLOGY_IDS {
        if trimmed.starts_with(sid) {
            offset = sid.len();
            break;
        }
    }
    if offset == 0 && trimmed.starts_with(']') {
        return Err(Gs1Error {
            position: 0,
            ai: None,
            reason: format!(
                "symbology identifier {} is not a GS1 one ({})",
                visible(trimmed.get(..3).unwrap_or(trimmed)),
                SYMBOLOGY_IDS.join(", ")
            ),
        });
    }
    let body = &trimmed[offset..];
    if body.is_empty() {
        return Err(Gs1Error {
            position: offset,
            ai: None,
            reason: format!(
                "nothing after the symbology identifier {}",
                &trimmed[..offset]
            ),
        });
    }
    let lower_body = body.to_ascii_lowercase();
    if lower_body.starts_with("http://") || lower_body.starts_with("https://") {
        return parse_digital_link(body, current_year).map_err(|mut e| {
            e.position += offset;
            e
        });
    }
    if body.starts_with('(') {
        return parse_hri(body, offset, current_year);
    }
    parse_element_string(body, offset, current_year)
}

/// `(AI)value(AI)value…`
fn parse_hri(s: &str, base: usize, year: i64) -> Result<Gs1Code, Gs1Error> {
    let mut fields = Vec::new();
    let mut rest = s;
    let mut pos = base;
    while !rest.is_empty() {
        if !rest.starts_with('(') {
            return Err(Gs1Error {
                position: pos,
                ai: None,
                reason: "expected '(' opening an AI".into(),
            });
        }
        let close = rest.find(')').ok_or(Gs1Error {
            position: pos,
            ai: None,
            reason: "unclosed '('".into(),
        })?;
        let ai = &rest[1..close];
        if spec(ai).is_none() {
            return Err(Gs1Error {
                position: pos + 1,
                ai: Some(ai.into()),
                reason: "unknown or unsupported AI".into(),
            });
        }
        let value_start = close + 1;
        let next = rest[value_start..]
            .find('(')
            .map(|i| value_start + i)
            .unwrap_or(rest.len());
        fields.push((
            ai.to_string(),
            rest[value_start..next].to_string(),
            pos + value_start,
        ));
        pos += next;
        rest = &rest[next..];
    }
    build(fields, year)
}

/// Raw element string with FNC1 as GS or `<GS>`.
fn parse_element_string(s: &str, base: usize, year: i64) -> Result<Gs1Code, Gs1Error> {
    // Normalize `<GS>` to the GS byte, keeping a map back to input positions.
    let mut chars: Vec<(char, usize)> = Vec::with_capacity(s.len());
    let mut i = 0;
    let bytes = s.as_bytes();
    while i < s.len() {
        if bytes[i..].starts_with(b"<GS>") {
            chars.push((GS, base + i));
            i += 4;
        } else {
            let c = s[i..].chars().next().expect("in bounds");
            chars.push((c, base + i));
            i += c.len_utf8();
        }
    }
    let mut p = 0;
    // A leading FNC1 some scanners transmit.
    while p < chars.len() && chars[p].0 == GS {
        p += 1;
    }
    let mut fields = Vec::new();
    while p < chars.len() {
        let ai_pos = chars[p].1;
        let mut found = None;
        for n in 2..=4 {
            if p + n > chars.len() {
                break;
            }
            let candidate: String = chars[p..p + n].iter().map(|(c, _)| *c).collect();
            if let Some(sp) = spec(&candidate) {
                found = Some(sp);
                break;
            }
        }
        let Some(sp) = found else {
            let head: String = chars[p..(p + 4).min(chars.len())]
                .iter()
                .map(|(c, _)| *c)
                .collect();
            return Err(Gs1Error {
                position: ai_pos,
                ai: None,
                reason: format!("unknown or unsupported AI at {}", visible(&head)),
            });
        };
        p += sp.ai.len();
        let value_pos = chars.get(p).map(|c| c.1).unwrap_or(base + s.len());
        let value: String = if sp.fixed {
            if p + sp.len > chars.len() {
                return Err(Gs1Error {
                    position: value_pos,
                    ai: Some(sp.ai.into()),
                    reason: format!("needs {} characters, found {}", sp.len, chars.len() - p),
                });
            }
            let v: String = chars[p..p + sp.len].iter().map(|(c, _)| *c).collect();
            p += sp.len;
            v
        } else {
            let end = chars[p..]
                .iter()
                .position(|(c, _)| *c == GS)
                .map(|i| p + i)
                .unwrap_or(chars.len());
            let v: String = chars[p..end].iter().map(|(c, _)| *c).collect();
            p = end;
            v
        };
        // A separator after a field (mandatory after variable-length ones that are not last,
        // tolerated after fixed-length ones).
        if p < chars.len() && chars[p].0 == GS {
            p += 1;
        }
        fields.push((sp.ai.to_string(), value, value_pos));
    }
    build(fields, year)
}

/// GS1 Digital Link URI.
fn parse_digital_link(uri: &str, year: i64) -> Result<Gs1Code, Gs1Error> {
    let after_scheme = uri.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = uri[after_scheme..]
        .find('/')
        .map(|i| after_scheme + i)
        .ok_or(Gs1Error {
            position: uri.len(),
            ai: None,
            reason: "Digital Link URI has no path".into(),
        })?;
    let (path, query) = match uri[path_start..].find(['?', '#']) {
        Some(i) => {
            let q = &uri[path_start + i..];
            (
                &uri[path_start..path_start + i],
                q.strip_prefix('?')
                    .map(|q| q.split('#').next().unwrap_or(""))
                    .unwrap_or(""),
            )
        }
        None => (&uri[path_start..], ""),
    };
    // Segments with their positions.
    let mut segments = Vec::new();
    let mut pos = path_start;
    for seg in path.split('/') {
        segments.push((seg, pos));
        pos += seg.len() + 1;
    }
    // The primary key: the last (01|00|414…) segment followed by a value; anything before it
    // is the resolver's own path.
    let primary = segments
        .iter()
        .enumerate()
        .rev()
        .find(|(i, (s, _))| {
            matches!(*s, "01" | "00" | "414" | "gtin" | "sscc") && *i + 1 < segments.len()
        })
        .map(|(i, _)| i)
        .ok_or(Gs1Error {
            position: path_start,
            ai: None,
            reason: "Digital Link URI has no primary key (01, 00 or 414)".into(),
        })?;
    let mut fields = Vec::new();
    let mut i = primary;
    let mut last_qualifier = 0;
    while i < segments.len() {
        let (key, key_pos) = segments[i];
        if key.is_empty() && i + 1 == segments.len() {
            break; // trailing slash
        }
        let ai = match key {
            "gtin" => "01",
            "sscc" => "00",
            k => k,
        };
        if spec(ai).is_none() {
            return Err(Gs1Error {
                position: key_pos,
                ai: Some(ai.into()),
                reason: "unknown or unsupported AI in the path".into(),
            });
        }
        let (raw, value_pos) = *segments.get(i + 1).ok_or(Gs1Error {
            position: key_pos,
            ai: Some(ai.into()),
            reason: "path key without a value".into(),
        })?;
        let mut value = crate::util::percent_decode(raw).map_err(|reason| Gs1Error {
            position: value_pos,
            ai: Some(ai.into()),
            reason,
        })?;
        if i > primary {
            // Key qualifiers in their fixed order: 22, 10, 21.
            let order = match ai {
                "22" => 1,
                "10" => 2,
                "21" => 3,
                _ => {
                    return Err(Gs1Error {
                        position: key_pos,
                        ai: Some(ai.into()),
                        reason: "not a key qualifier of this primary key".into(),
                    })
                }
            };
            if order <= last_qualifier {
                return Err(Gs1Error {
                    position: key_pos,
                    ai: Some(ai.into()),
                    reason: "key qualifiers must be in the order 22, 10, 21".into(),
                });
            }
            last_qualifier = order;
        } else if ai == "01"
            && matches!(value.len(), 8 | 12 | 13)
            && value.bytes().all(|b| b.is_ascii_digit())
        {
            value = format!("{value:0>14}");
        }
        fields.push((ai.to_string(), value, value_pos));
        i += 2;
    }
    let mut qpos = uri.len() - query.len();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k.bytes().all(|b| b.is_ascii_digit()) {
            if spec(k).is_none() {
                return Err(Gs1Error {
                    position: qpos,
                    ai: Some(k.into()),
                    reason: "unknown or unsupported AI in the query".into(),
                });
            }
            let value = crate::util::percent_decode(v).map_err(|reason| Gs1Error {
                position: qpos + k.len() + 1,
                ai: Some(k.into()),
                reason,
            })?;
            fields.push((k.to_string(), value, qpos + k.len() + 1));
        }
        // Non-numeric keys (linkType, …) are Digital Link attributes, not data.
        qpos += pair.len() + 1;
    }
    build(fields, year)
}

/// Validates fields and assembles the code.
fn build(fields: Vec<(String, String, usize)>, year: i64) -> Result<Gs1Code, Gs1Error> {
    let mut code = Gs1Code::default();
    let mut seen: Vec<String> = Vec::new();
    for (ai, value, pos) in fields {
        let sp = spec(&ai).expect("only known AIs reach here");
        let err = |reason: String| Gs1Error {
            position: pos,
            ai: Some(ai.clone()),
            reason,
        };
        if seen.contains(&ai) {
            return Err(err("appears twice".into()));
        }
        seen.push(ai.clone());
        if value.is_empty() {
            return Err(err("empty value".into()));
        }
        let n = value.chars().count();
        if sp.fixed && n != sp.len {
            return Err(err(format!(
                "must be exactly {} characters, found {n}",
                sp.len
            )));
        }
        if !sp.fixed && n > sp.len {
            return Err(err(format!("at most {} characters, found {n}", sp.len)));
        }
        for (i, c) in value.chars().enumerate() {
            let ok = match sp.charset {
                Numeric => c.is_ascii_digit(),
                Cset82 => in_cset82(c),
            };
            if !ok {
                let what = if c == GS {
                    "a GS separator".to_string()
                } else {
                    visible(&c.to_string())
                };
                return Err(Gs1Error {
                    position: pos + i,
                    ai: Some(ai.clone()),
                    reason: format!(
                        "{what} is not allowed here ({})",
                        if sp.charset == Numeric {
                            "digits only"
                        } else {
                            "GS1 character set 82"
                        }
                    ),
                });
            }
        }
        match sp.check {
            Mod10 => {
                if !caretrail_common::gs1::check_digit_valid(value.as_bytes()) {
                    let expected = caretrail_common::gs1::compute_check_digit(
                        &value.as_bytes()[..value.len() - 1],
                    )
                    .unwrap_or(0);
                    return Err(err(format!(
                        "check digit is {}, expected {expected}",
                        &value[value.len() - 1..]
                    )));
                }
            }
            Date => {
                let date = parse_date(&value, year).map_err(err)?;
                match ai.as_str() {
                    "17" => code.expiry = Some(date),
                    "11" => code.production_date = Some(date),
                    _ => code.other.push((ai.clone(), date.to_string())),
                }
                continue;
            }
            Plain => {}
        }
        match ai.as_str() {
            "01" => code.gtin = Some(value),
            "21" => code.serial = Some(value),
            "10" => code.lot = Some(value),
            "00" => code.sscc = Some(value),
            "414" => code.gln = Some(value),
            _ => code.other.push((ai, value)),
        }
    }
    Ok(code)
}

/// YYMMDD with the GS1 sliding century window and DD=00 as the month's last day.
fn parse_date(v: &str, current_year: i64) -> Result<Date, String> {
    let yy: i64 = v[0..2].parse().map_err(|_| "bad year")?;
    let month: u32 = v[2..4].parse().map_err(|_| "bad month")?;
    let dd: u32 = v[4..6].parse().map_err(|_| "bad day")?;
    if !(1..=12).contains(&month) {
        return Err(format!("month {month:02} is not 01-12"));
    }
    // GS1 General Specifications 7.12: difference to the current year's two digits.
    let cy = current_year.rem_euclid(100);
    let century = current_year - cy;
    let diff = yy - cy;
    let year = if diff >= 51 {
        century - 100 + yy
    } else if diff <= -50 {
        century + 100 + yy
    } else {
        century + yy
    };
    let last = days_in_month(year, month);
    let day = if dd == 0 { last } else { dd };
    if day > last {
        return Err(format!(
            "day {dd:02} does not exist in {year:04}-{month:02}"
        ));
    }
    Ok(Date { year, month, day })
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Gs1Code, Gs1Error> {
        parse_with_year(s, 2026)
    }

    #[test]
    fn gs1_general_specifications_hri_example() {
        let c = p("(01)09501101020917(17)190508(10)ABCD1234(21)10").unwrap();
        assert_eq!(c.gtin.as_deref(), Some("09501101020917"));
        assert_eq!(
            c.expiry,
            Some(Date {
                year: 2019,
                month: 5,
                day: 8
            })
        );
        assert_eq!(c.lot.as_deref(), Some("ABCD1234"));
        assert_eq!(c.serial.as_deref(), Some("10"));
    }

    #[test]
    fn element_strings_with_gs_byte_text_and_symbology_ids() {
        let expected = p("(01)09501101020917(17)190508(10)ABCD1234(21)10").unwrap();
        for s in [
            "0109501101020917171905081".to_string() + "0ABCD1234\u{1d}2110",
            "]d20109501101020917171905081".to_string() + "0ABCD1234<GS>2110",
            "]C1\u{1d}0109501101020917171905081".to_string() + "0ABCD1234\u{1d}2110",
            "]Q30109501101020917171905081".to_string() + "0ABCD1234\u{1d}2110\r\n",
        ] {
            assert_eq!(p(&s).unwrap(), expected, "{s:?}");
        }
        // A GS after a fixed-length field is tolerated.
        assert_eq!(
            p("]e00109501101020917\u{1d}17190508").unwrap().expiry,
            expected.expiry
        );
    }

    /// Every symbology identifier before every notation (element string with the GS byte,
    /// with `<GS>` text, HRI, Digital Link) reads the same code.
    #[test]
    fn every_symbology_identifier_with_every_notation() {
        let expected = p("(01)09501101020917(17)190508(10)ABCD1234(21)10").unwrap();
        let notations = [
            "0109501101020917171905081".to_string() + "0ABCD1234\u{1d}2110",
            "0109501101020917171905081".to_string() + "0ABCD1234<GS>2110",
            "\u{1d}0109501101020917171905081".to_string() + "0ABCD1234\u{1d}2110",
            "(01)09501101020917(17)190508(10)ABCD1234(21)10".to_string(),
            "https://id.gs1.org/01/09501101020917/10/ABCD1234/21/10?17=190508".to_string(),
            "HTTPS://example.com/01/09501101020917/10/ABCD1234/21/10?17=190508".to_string(),
        ];
        for sid in std::iter::once("").chain(SYMBOLOGY_IDS) {
            for n in &notations {
                for end in ["", "\r\n", "\n"] {
                    let s = format!("{sid}{n}{end}");
                    assert_eq!(p(&s).unwrap(), expected, "{}", visible(&s));
                }
            }
        }
    }

    #[test]
    fn a_symbology_identifier_alone_is_an_error_not_an_empty_code() {
        for sid in SYMBOLOGY_IDS {
            let e = p(sid).unwrap_err();
            assert_eq!(e.position, 3);
            assert_eq!(
                e.reason,
                format!("nothing after the symbology identifier {sid}")
            );
            assert!(p(&format!("{sid}\r\n")).is_err());
        }
    }

    #[test]
    fn a_digital_link_after_a_symbology_identifier_keeps_positions() {
        // The bad check digit is at the GTIN, 3 characters further than without `]Q3`.
        let plain = p("https://id.gs1.org/01/09501101020918").unwrap_err();
        let prefixed = p("]Q3https://id.gs1.org/01/09501101020918").unwrap_err();
        assert_eq!(prefixed.position, plain.position + 3);
        assert_eq!(prefixed.reason, plain.reason);
    }

    #[test]
    fn control_characters_are_named_in_errors() {
        let e = p("01095011010209171719050810AB\u{1d}\u{1d}21\u{1e}X").unwrap_err();
        let text = e.to_string();
        assert!(!text.contains("\\u{"), "{text}");
        assert!(text.contains("<GS>") || text.contains("<0x1E>"), "{text}");
        let e = p("]d2\u{1d}99").unwrap_err();
        assert!(!e.to_string().contains("\\u{"), "{e}");
        let e = p("]X\u{1d}1").unwrap_err();
        assert_eq!(
            e.reason,
            format!(
                "symbology identifier \"]X<GS>\" is not a GS1 one ({})",
                SYMBOLOGY_IDS.join(", ")
            )
        );
        assert_eq!(
            visible("a\u{1d}b\r\n\t\u{1e}\""),
            "\"a<GS>b<CR><LF><TAB><0x1E>\\\"\""
        );
    }

    #[test]
    fn sscc_and_gln() {
        let c = p("(00)106141411234567897").unwrap();
        assert_eq!(c.sscc.as_deref(), Some("106141411234567897"));
        assert!(!c.is_unit());
        let c = p("00106141411234567897\u{1d}4140614141000005").unwrap();
        assert_eq!(c.gln.as_deref(), Some("0614141000005"));
        assert_eq!(
            p("(00)106141411234567898").unwrap_err().to_string(),
            "AI (00) at position 4: check digit is 8, expected 7"
        );
    }

    #[test]
    fn digital_link_on_any_domain() {
        let c = p("https://id.gs1.org/01/09501101020917/10/ABCD1234/21/10?17=190508").unwrap();
        assert_eq!(
            c,
            p("(01)09501101020917(17)190508(10)ABCD1234(21)10").unwrap()
        );
        let c =
            p("https://pharma.example.com/some/path/01/9501101020917/21/A%2FB%21C?linkType=all")
                .unwrap();
        assert_eq!(c.gtin.as_deref(), Some("09501101020917"), "GTIN-13 padded");
        assert_eq!(c.serial.as_deref(), Some("A/B!C"));
        // A space is not in GS1 character set 82, encoded or not.
        let e = p("https://x.io/01/09501101020917/21/A%20B").unwrap_err();
        assert_eq!(e.ai.as_deref(), Some("21"));
        let c = p("HTTPS://x.io/01/95011011/21/1").unwrap();
        assert_eq!(c.gtin.as_deref(), Some("00000095011011"), "GTIN-8 padded");
        let e = p("https://x.io/01/09501101020917/21/1/10/L").unwrap_err();
        assert!(e.reason.contains("order 22, 10, 21"), "{e}");
        assert!(p("https://x.io/about").is_err());
        assert_eq!(
            p("https://id.gs1.org/00/106141411234567897")
                .unwrap()
                .sscc
                .as_deref(),
            Some("106141411234567897")
        );
    }

    #[test]
    fn dates_day_zero_and_century_window() {
        assert_eq!(
            p("(17)260200").unwrap().expiry,
            Some(Date {
                year: 2026,
                month: 2,
                day: 28
            })
        );
        assert_eq!(
            p("(17)280200").unwrap().expiry,
            Some(Date {
                year: 2028,
                month: 2,
                day: 29
            })
        );
        // 2026: YY 76 (diff 50) is still this century, 77 (diff 51) the previous one.
        assert_eq!(p("(17)761231").unwrap().expiry.unwrap().year, 2076);
        assert_eq!(p("(17)771231").unwrap().expiry.unwrap().year, 1977);
        assert_eq!(
            parse_with_year("(17)010101", 2060)
                .unwrap()
                .expiry
                .unwrap()
                .year,
            2101
        );
        let e = p("(17)261301").unwrap_err();
        assert_eq!(e.ai.as_deref(), Some("17"));
        assert!(e.reason.contains("month 13"), "{e}");
        assert!(p("(17)260230")
            .unwrap_err()
            .reason
            .contains("does not exist"));
    }

    #[test]
    fn every_error_names_ai_and_position() {
        let e = p("0109501101020918").unwrap_err();
        assert_eq!((e.ai.as_deref(), e.position), (Some("01"), 2));
        let e = p("01095011010209").unwrap_err();
        assert!(e.reason.contains("needs 14"), "{e}");
        let e = p("9909501101020917").unwrap_err();
        assert_eq!((e.ai, e.position), (None, 0));
        // A trailing FNC1 after the last field is tolerated.
        assert_eq!(
            p("]d2010950110102091721ABC\u{1d}")
                .unwrap()
                .serial
                .as_deref(),
            Some("ABC")
        );
        let e = p("(21)").unwrap_err();
        assert!(e.reason.contains("empty"));
        let e = p("(21)123456789012345678901").unwrap_err();
        assert!(e.reason.contains("at most 20"));
        let e = p("(21)AB\u{e9}").unwrap_err();
        assert_eq!((e.ai.as_deref(), e.position), (Some("21"), 6));
        let e = p("(01)09501101020917(01)09501101020917").unwrap_err();
        assert!(e.reason.contains("twice"));
        assert!(p("]X1010950110").unwrap_err().reason.contains("symbology"));
        assert!(p("").is_err());
        assert!(p("(01)0950110102091")
            .unwrap_err()
            .reason
            .contains("exactly 14"));
        assert!(p("(99)1").unwrap_err().reason.contains("unknown"));
        assert!(p("https://x.io/01/09501101020917/21/%ZZ")
            .unwrap_err()
            .reason
            .contains("percent"));
    }

    #[test]
    fn json_contract_has_only_present_keys() {
        let c = p("(01)09501101020917(21)S1").unwrap();
        assert_eq!(
            c.to_json(),
            serde_json::json!({"gtin": "09501101020917", "serial": "S1"})
        );
        let c = p("(01)09501101020917(17)260200(10)L1(21)S1").unwrap();
        assert_eq!(
            c.to_json(),
            serde_json::json!({"gtin": "09501101020917", "serial": "S1", "lot": "L1", "expiry": "2026-02-28"})
        );
    }
}

#[cfg(test)]
mod no_panic {
    /// A deterministic fuzz loop: random strings built from GS1-ish fragments never panic the
    /// parser, and every rejection carries a reason.
    #[test]
    fn random_inputs_never_panic() {
        let fragments = [
            "01",
            "09501101020917",
            "17",
            "260200",
            "10",
            "21",
            "00",
            "106141411234567897",
            "414",
            "\u{1d}",
            "<GS>",
            "(",
            ")",
            "]d2",
            "]C1",
            "https://x.io/",
            "/01/",
            "/21/",
            "?17=",
            "%",
            "%2F",
            "é",
            "9",
            "ABC",
            "",
            " ",
            "/",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let n = (next() % 8) as usize;
            let s: String = (0..n)
                .map(|_| fragments[(next() % fragments.len() as u64) as usize])
                .collect();
            if let Err(e) = super::parse_with_year(&s, 2026) {
                assert!(!e.reason.is_empty());
            }
        }
    }
}
