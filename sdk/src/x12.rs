//! ANSI X12 5010 interchanges: the envelope (ISA/GS/ST … SE/GE/IEA) read with the sender's own
//! delimiters and checked (counts and control numbers), and the claims of an **837**
//! (professional 005010X222A1 or institutional 005010X223A2) as the claims program needs them.
//!
//! Every error names the segment by its position in the interchange (ISA is segment 1) and
//! its id, and says why.

use crate::{Error, Result};

/// One segment: its id and elements (`elements[0]` is X12's element 01).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// 1-based position in the interchange.
    pub number: usize,
    pub id: String,
    pub elements: Vec<String>,
}

impl Segment {
    /// Element `n` (1-based, as X12 numbers them), `""` when absent.
    pub fn e(&self, n: usize) -> &str {
        self.elements
            .get(n.wrapping_sub(1))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Component `c` (1-based) of element `n`, split by `component`.
    pub fn c(&self, n: usize, c: usize, component: char) -> &str {
        self.e(n)
            .split(component)
            .nth(c.wrapping_sub(1))
            .unwrap_or("")
    }

    fn error(&self, why: impl std::fmt::Display) -> Error {
        Error::invalid(format!("X12 segment {} ({}): {why}", self.number, self.id))
    }

    /// The segment in canonical delimiters (`*`, `:`, `~`), whatever the sender used.
    pub fn canonical(&self, component: char) -> String {
        let mut s = self.id.clone();
        for e in &self.elements {
            s.push('*');
            s.push_str(&e.replace(component, ":"));
        }
        s.push('~');
        s
    }
}

/// The delimiters an interchange declares in its ISA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiters {
    pub element: char,
    pub component: char,
    pub repetition: char,
    pub segment: char,
}

/// A parsed interchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interchange {
    pub delimiters: Delimiters,
    pub segments: Vec<Segment>,
}

/// Largest interchange read: 64 MiB.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// Reads an interchange and checks its envelope: one or more GS groups of ST transactions,
/// SE01 counting the transaction's segments, SE02 = ST02, GE01 = its transactions, GE02 =
/// GS06, IEA01 = the groups, IEA02 = ISA13.
pub fn parse(text: &str) -> Result<Interchange> {
    if text.len() > MAX_BYTES {
        return Err(Error::invalid(format!(
            "the X12 file is {} bytes; at most {MAX_BYTES} are read",
            text.len()
        )));
    }
    let text = text.trim_start_matches(['\u{feff}', ' ', '\r', '\n', '\t']);
    let isa_err = |why: &str| Error::invalid(format!("X12 segment 1 (ISA): {why}"));
    if !text.starts_with("ISA") {
        return Err(isa_err("an interchange starts with ISA"));
    }
    let chars: Vec<char> = text.chars().take(106).collect();
    if chars.len() < 106 {
        return Err(isa_err("ISA is 106 characters long"));
    }
    let element = chars[3];
    let isa: String = chars[..105].iter().collect();
    let isa_elements: Vec<&str> = isa.split(element).collect();
    if isa_elements.len() != 17 {
        return Err(isa_err(&format!(
            "ISA has 16 elements separated by {element:?}, found {}",
            isa_elements.len() - 1
        )));
    }
    let delimiters = Delimiters {
        element,
        component: chars[104],
        repetition: isa_elements[11].chars().next().unwrap_or('^'),
        segment: chars[105],
    };
    if delimiters.segment.is_alphanumeric() || delimiters.segment == element {
        return Err(isa_err("no segment terminator after ISA16"));
    }
    let mut segments = Vec::new();
    for (i, raw) in text.split(delimiters.segment).enumerate() {
        let raw = raw.trim_matches(['\r', '\n', ' ', '\t']);
        if raw.is_empty() {
            continue;
        }
        let mut parts = raw.split(element);
        let id = parts.next().unwrap_or("").to_string();
        let number = i + 1;
        if id.is_empty()
            || id.len() > 3
            || !id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(Error::invalid(format!(
                "X12 segment {number}: {id:?} is not a segment id"
            )));
        }
        segments.push(Segment {
            number,
            id,
            elements: parts.map(str::to_string).collect(),
        });
    }
    let ix = Interchange {
        delimiters,
        segments,
    };
    ix.check_envelope()?;
    Ok(ix)
}

impl Interchange {
    fn check_envelope(&self) -> Result<()> {
        let segs = &self.segments;
        let last = segs.last().expect("ISA is there");
        if last.id != "IEA" {
            return Err(last.error("the interchange ends with IEA"));
        }
        let isa = &segs[0];
        if last.e(2) != isa.e(13) {
            return Err(last.error(format!("IEA02 {} is not ISA13 {}", last.e(2), isa.e(13))));
        }
        let (mut groups, mut gs, mut st): (usize, Option<&Segment>, Option<(usize, &Segment)>) =
            (0, None, None);
        let mut transactions = 0;
        for (i, s) in segs.iter().enumerate().skip(1) {
            match s.id.as_str() {
                "GS" => {
                    if gs.is_some() {
                        return Err(s.error("a GS before the previous group's GE"));
                    }
                    gs = Some(s);
                    transactions = 0;
                }
                "GE" => {
                    let Some(g) = gs.take() else {
                        return Err(s.error("GE without GS"));
                    };
                    if st.is_some() {
                        return Err(s.error("GE before the transaction's SE"));
                    }
                    if s.e(1) != transactions.to_string() || s.e(2) != g.e(6) {
                        return Err(s.error(format!(
                            "GE*{}*{} does not close its group: {transactions} transactions, GS06 {}",
                            s.e(1),
                            s.e(2),
                            g.e(6)
                        )));
                    }
                    groups += 1;
                }
                "ST" => {
                    if gs.is_none() || st.is_some() {
                        return Err(s.error("ST outside a group or inside a transaction"));
                    }
                    st = Some((i, s));
                }
                "SE" => {
                    let Some((start, head)) = st.take() else {
                        return Err(s.error("SE without ST"));
                    };
                    let count = i - start + 1;
                    if s.e(1) != count.to_string() || s.e(2) != head.e(2) {
                        return Err(s.error(format!(
                            "SE*{}*{} does not close its transaction: {count} segments, ST02 {}",
                            s.e(1),
                            s.e(2),
                            head.e(2)
                        )));
                    }
                    transactions += 1;
                }
                "IEA" => {
                    if i != segs.len() - 1 || gs.is_some() {
                        return Err(s.error("IEA before the end of the interchange"));
                    }
                    if s.e(1) != groups.to_string() {
                        return Err(s.error(format!(
                            "IEA01 {} but the interchange has {groups} groups",
                            s.e(1)
                        )));
                    }
                }
                "ISA" => return Err(s.error("a second ISA")),
                _ if st.is_none() => {
                    return Err(s.error("a segment outside a transaction (ST … SE)"))
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Professional (837P) or institutional (837I).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    Professional,
    Institutional,
}

/// One claim of an 837, as the claims program needs it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Claim837 {
    pub kind: ClaimKind,
    /// CLM01, the provider's claim id (only its salted hash goes on chain).
    pub claim_id: String,
    /// CLM02 in cents.
    pub billed_cents: u64,
    /// CLM05-3: 1 original, 7 replacement, 8 void.
    pub frequency: u8,
    /// REF*F8 of a replacement or void: the claim id it replaces.
    pub original: Option<String>,
    /// NM1*IL NM109: the subscriber's member id (never on chain; mapped to a coverage).
    pub member_id: String,
    /// The claim's service date as its 837 gives it (DTP*472, or an institutional
    /// statement period DTP*434): `(D8 | RD8, value)`.
    pub service_date: Option<(String, String)>,
    /// The CLM segment's position.
    pub segment: usize,
    /// SHA-256 of the claim's own segments (CLM through its last service line) in canonical
    /// delimiters: the document hash that goes on chain.
    pub document_hash: [u8; 32],
}

/// Decimal dollars (`42.5`, `1200`, `7.05`) as cents; the reason in words when it is not an
/// unsigned amount with at most two decimals, or too large.
pub fn parse_cents(value: &str) -> std::result::Result<u64, &'static str> {
    let (whole, frac) = value.split_once('.').unwrap_or((value, ""));
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (value.contains('.') && !digits(frac)) || frac.len() > 2 {
        return Err("is not an amount in dollars and cents");
    }
    let frac: u64 = format!("{frac:0<2}").parse().unwrap_or(0);
    whole
        .parse::<u64>()
        .ok()
        .and_then(|w| w.checked_mul(100))
        .and_then(|w| w.checked_add(frac))
        .ok_or("is too large")
}

/// CLM02 as cents.
fn cents(s: &Segment, value: &str) -> Result<u64> {
    parse_cents(value).map_err(|why| s.error(format!("CLM02 {value:?} {why}")))
}

/// Every claim of every 837 transaction of `ix`, in file order.
pub fn claims_837(ix: &Interchange) -> Result<Vec<Claim837>> {
    let comp = ix.delimiters.component;
    let segs = &ix.segments;
    let mut out = Vec::new();
    let mut kind = None;
    let mut member: Option<String> = None;
    let mut i = 0;
    while i < segs.len() {
        let s = &segs[i];
        match s.id.as_str() {
            "GS" => {
                kind = match s.e(8) {
                    v if v.starts_with("005010X222") => Some(ClaimKind::Professional),
                    v if v.starts_with("005010X223") => Some(ClaimKind::Institutional),
                    v => {
                        return Err(s.error(format!(
                            "GS08 {v:?} is neither 005010X222A1 (837P) nor 005010X223A2 (837I)"
                        )))
                    }
                };
            }
            "ST" if s.e(1) != "837" => {
                return Err(s.error(format!("transaction set {} is not an 837", s.e(1))))
            }
            "HL" => member = None,
            "NM1" if s.e(1) == "IL" => {
                if s.e(9).is_empty() {
                    return Err(s.error("NM1*IL has no member id (NM109)"));
                }
                member = Some(s.e(9).to_string());
            }
            "CLM" => {
                // The claim's own segments: up to the next claim, subscriber or the SE.
                let end = segs[i + 1..]
                    .iter()
                    .position(|x| matches!(x.id.as_str(), "CLM" | "HL" | "SE"))
                    .map(|p| i + 1 + p)
                    .unwrap_or(segs.len());
                let own = &segs[i..end];
                let claim_id = s.e(1).to_string();
                if claim_id.is_empty() || claim_id.len() > 38 {
                    return Err(s.error("CLM01 (the claim id) is empty or longer than 38"));
                }
                let frequency: u8 = match s.c(5, 3, comp) {
                    "1" => 1,
                    "7" => 7,
                    "8" => 8,
                    other => {
                        return Err(s.error(format!(
                            "CLM05-3 {other:?}: only 1 (original), 7 (replacement) and 8 (void) are submitted"
                        )))
                    }
                };
                let original = own
                    .iter()
                    .find(|x| x.id == "REF" && x.e(1) == "F8")
                    .map(|x| x.e(2).to_string());
                if frequency != 1 && original.is_none() {
                    return Err(s.error(
                        "a replacement (7) or void (8) names the original claim in REF*F8",
                    ));
                }
                let member_id = member.clone().ok_or_else(|| {
                    s.error("no subscriber (NM1*IL) before the claim in its HL loop")
                })?;
                let service_date = own
                    .iter()
                    .find(|x| x.id == "DTP" && (x.e(1) == "472" || x.e(1) == "434"))
                    .map(|x| (x.e(2).to_string(), x.e(3).to_string()));
                let canonical: String = own.iter().map(|x| x.canonical(comp)).collect();
                out.push(Claim837 {
                    kind: kind.ok_or_else(|| s.error("a claim outside a GS group"))?,
                    claim_id,
                    billed_cents: cents(s, s.e(2))?,
                    frequency,
                    original,
                    member_id,
                    service_date,
                    segment: s.number,
                    document_hash: crate::hash::sha256(&[canonical.as_bytes()]),
                });
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if out.is_empty() {
        return Err(Error::invalid("the X12 file has no claim (CLM)"));
    }
    Ok(out)
}

/// When an interchange is written (UTC): CCYYMMDD, YYMMDD and HHMM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub date8: String,
    pub date6: String,
    pub time4: String,
}

impl Stamp {
    pub fn at(unix: i64) -> Stamp {
        let (y, m, d) = crate::util::civil_from_days(unix.div_euclid(86_400));
        let secs = unix.rem_euclid(86_400);
        Stamp {
            date8: format!("{y:04}{m:02}{d:02}"),
            date6: format!("{:02}{m:02}{d:02}", y % 100),
            time4: format!("{:02}{:02}", secs / 3600, secs / 60 % 60),
        }
    }
}

/// What opens and closes an interchange of one functional group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// ISA06 / GS02 and ISA08 / GS03.
    pub sender: &'a str,
    pub receiver: &'a str,
    pub stamp: &'a Stamp,
    /// ISA13 and GS06.
    pub control: u32,
    /// GS01 (`HP` remittance, `HN` claim status).
    pub functional: &'a str,
    /// GS08, and ST03 when `st03`.
    pub version: &'a str,
    /// ST01 (`835`, `277`).
    pub set: &'a str,
    pub st03: bool,
}

/// The interchange of `sets` (each a transaction set's segments, without terminators; ST and
/// SE are added and counted), in canonical delimiters, one segment a line.
pub fn write_interchange(e: &Envelope, sets: &[Vec<String>]) -> String {
    let pad = |s: &str| format!("{s:<15}").chars().take(15).collect::<String>();
    let Stamp {
        date8,
        date6,
        time4,
    } = e.stamp;
    let control = e.control;
    let mut x = format!(
        "ISA*00*          *00*          *ZZ*{}*ZZ*{}*{date6}*{time4}*^*00501*{control:09}*0*P*:~\n\
         GS*{}*{}*{}*{date8}*{time4}*{control}*X*{}~\n",
        pad(e.sender),
        pad(e.receiver),
        e.functional,
        e.sender,
        e.receiver,
        e.version
    );
    for (i, set) in sets.iter().enumerate() {
        let st = format!("{:04}", i + 1);
        x += &format!("ST*{}*{st}", e.set);
        if e.st03 {
            x += &format!("*{}", e.version);
        }
        x += "~\n";
        for s in set {
            x += s;
            x += "~\n";
        }
        x += &format!("SE*{}*{st}~\n", set.len() + 2);
    }
    x += &format!("GE*{}*{control}~\nIEA*1*{control:09}~\n", sets.len());
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../tests/fixtures/x12")
                .join(name),
        )
        .unwrap()
    }

    #[test]
    fn the_fixtures_read_as_their_claims() {
        let claims = |name| claims_837(&parse(&fixture(name)).unwrap()).unwrap();
        let p = claims("837p-single.x12");
        assert_eq!(p.len(), 1);
        assert_eq!(
            (
                p[0].kind,
                p[0].claim_id.as_str(),
                p[0].billed_cents,
                p[0].frequency,
                p[0].member_id.as_str(),
                p[0].segment
            ),
            (ClaimKind::Professional, "RX-1001", 4250, 1, "MBR0001", 20)
        );
        let i = claims("837i-single.x12");
        assert_eq!(
            (i[0].kind, i[0].billed_cents, i[0].member_id.as_str()),
            (ClaimKind::Institutional, 120_000, "MBR0002")
        );
        let r = claims("837p-replacement.x12");
        assert_eq!(
            (r[0].frequency, r[0].original.as_deref()),
            (7, Some("RX-1001"))
        );
        let v = claims("837p-void.x12");
        assert_eq!(
            (v[0].frequency, v[0].original.as_deref()),
            (8, Some("RX-1001"))
        );
        let m = claims("837p-multi.x12");
        let ids: Vec<(&str, u64, &str)> = m
            .iter()
            .map(|c| (c.claim_id.as_str(), c.billed_cents, c.member_id.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                ("RX-3001", 4250, "MBR0001"),
                ("RX-3002", 1875, "MBR0001"),
                ("RX-3003", 700, "MBR0003")
            ]
        );
        // Each claim's hash covers its own segments only.
        assert_ne!(m[0].document_hash, m[1].document_hash);
    }

    #[test]
    fn the_hash_does_not_depend_on_the_senders_delimiters() {
        let text = fixture("837p-single.x12");
        let other = text
            .replace('*', "|")
            .replace("|:~", "|>\n")
            .replace(':', ">")
            .replace('~', "\n");
        let a = claims_837(&parse(&text).unwrap()).unwrap();
        let b = claims_837(&parse(&other).unwrap()).unwrap();
        assert_eq!(parse(&other).unwrap().delimiters.element, '|');
        assert_eq!(a[0].document_hash, b[0].document_hash);
        assert_eq!(a[0].frequency, b[0].frequency);
    }

    #[test]
    fn malformed_interchanges_name_the_segment_and_why() {
        let good = fixture("837p-single.x12");
        for (bad, why) in [
            (
                good.replace("SE*23*0001", "SE*22*0001"),
                "X12 segment 25 (SE): SE*22*0001 does not close its transaction: 23 segments",
            ),
            (good.replace("GE*1*101", "GE*1*999"), "X12 segment 26 (GE)"),
            (
                good.replace("IEA*1*000000101", "IEA*1*000000999"),
                "X12 segment 27 (IEA): IEA02",
            ),
            (
                good.replace("CLM*RX-1001*42.5", "CLM*RX-1001*42.555"),
                "X12 segment 20 (CLM): CLM02 \"42.555\"",
            ),
            (
                good.replace("01:B:1", "01:B:5"),
                "X12 segment 20 (CLM): CLM05-3 \"5\"",
            ),
            (
                good.replace("01:B:1", "01:B:7"),
                "names the original claim in REF*F8",
            ),
            (
                good.replace("MI*MBR0001", "MI*"),
                "X12 segment 15 (NM1): NM1*IL has no member id",
            ),
            (
                good.replace("005010X222A1~\nST", "004010X098A1~\nST"),
                "X12 segment 2 (GS): GS08",
            ),
            (
                good[..50].to_string(),
                "X12 segment 1 (ISA): ISA is 106 characters",
            ),
            (
                "hello".to_string(),
                "X12 segment 1 (ISA): an interchange starts with ISA",
            ),
            (
                good.replace("HI*ABK:E119~", "hi*ABK:E119~"),
                "X12 segment 21: \"hi\" is not a segment id",
            ),
        ] {
            let err = parse(&bad)
                .and_then(|ix| claims_837(&ix))
                .unwrap_err()
                .to_string();
            assert!(err.contains(why), "{why}: {err}");
        }
    }
}
