//! Import of an inbound EPCIS document — a manufacturer's or wholesaler's shipment notice —
//! as **EPCIS 1.2 XML** (with or without a Standard Business Document Header) or **EPCIS 2.0
//! JSON-LD**, written by any vendor's system: elements are matched by local name whatever
//! their namespace prefixes, comments, attribute order, extensions and master data are
//! skipped.
//!
//! Hostile input is refused before anything is read from it: a document type declaration
//! (external entities, entity expansion: "billion laughs") is an error, as is a document over
//! [`MAX_BYTES`], over [`MAX_NODES`] nodes, or nested deeper than [`MAX_DEPTH`]. Nothing
//! outside the given bytes is ever read.

use crate::gs1::{self, Gs1Code};
use crate::{Error, Result};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Largest document accepted: 64 MiB.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Most XML nodes accepted.
pub const MAX_NODES: u32 = 4_000_000;
/// Deepest nesting accepted (EPCIS documents nest about ten levels).
pub const MAX_DEPTH: usize = 64;

/// A business transaction an event names (`bizTransaction` and its type).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct BizTransaction {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// One event, reduced to what receiving needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedEvent {
    /// ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent.
    pub kind: String,
    pub time: Option<String>,
    pub action: Option<String>,
    pub biz_step: Option<String>,
    pub disposition: Option<String>,
    pub epcs: Vec<String>,
    pub parent: Option<String>,
    pub children: Vec<String>,
    pub transactions: Vec<BizTransaction>,
    /// Lot number and expiry from the ILMD (`cbvmda:lotNumber`, `cbvmda:itemExpirationDate`).
    pub lot: Option<String>,
    pub expiry: Option<String>,
}

/// What a document declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedDocument {
    /// `EPCIS 1.2 XML` or `EPCIS 2.0 JSON-LD`.
    pub format: &'static str,
    pub schema_version: Option<String>,
    /// The SBDH's sender and receiver identifiers (SGLNs), when present.
    pub sender: Option<String>,
    pub receiver: Option<String>,
    pub events: Vec<ImportedEvent>,
    /// Every EPC named, once, in order of first appearance (parents and children included).
    pub epcs: Vec<String>,
    /// The aggregation the document leaves: parent → children (ADD, less DELETE), in order.
    pub aggregations: BTreeMap<String, Vec<String>>,
    /// Every business transaction named, once.
    pub transactions: Vec<BizTransaction>,
}

impl ImportedDocument {
    /// The `epcis import -o json` report: counts, EPCs with their GS1 codes, aggregations,
    /// transactions.
    pub fn report(&self) -> Value {
        let codes: Vec<Value> = self
            .epcs
            .iter()
            .map(|e| match epc_code(e) {
                Ok(c) => json!({ "epc": e, "code": c.to_json() }),
                Err(err) => json!({ "epc": e, "error": err.to_string() }),
            })
            .collect();
        json!({
            "format": self.format,
            "schemaVersion": self.schema_version,
            "sender": self.sender,
            "receiver": self.receiver,
            "events": self.events.len(),
            "epcs": codes,
            "aggregations": self.aggregations,
            "transactions": self.transactions,
        })
    }

    /// Every EPC the document places under `epc` (its children, and theirs), depth first.
    pub fn contents(&self, epc: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![epc.to_string()];
        while let Some(e) = stack.pop() {
            if out.len() > self.epcs.len() {
                break; // a cycle in a malformed document
            }
            if let Some(children) = self.aggregations.get(&e) {
                for c in children.iter().rev() {
                    stack.push(c.clone());
                }
            }
            if e != epc {
                out.push(e);
            }
        }
        out
    }
}

/// The GS1 code of an EPC: a pure-identity URN (`urn:epc:id:sgtin:0614141.812345.6789`,
/// `urn:epc:id:sscc:0614141.1234567890`, `urn:epc:class:lgtin:…`) or a Digital Link URI.
pub fn epc_code(epc: &str) -> Result<Gs1Code> {
    let bad = |why: &str| Error::invalid(format!("EPC {epc:?}: {why}"));
    // `CompanyPrefix.Reference` of a URN as the GS1 key: the reference's first digit (indicator
    // or extension) ahead, then the prefix, the rest, and the check digit.
    let key = |prefix: &str, reference: &str, digits: usize, what: &str| -> Result<String> {
        let numeric = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !(numeric(prefix) && numeric(reference))
            || prefix.len() + reference.len() != digits
            || reference.is_empty()
        {
            return Err(bad(&format!(
                "company prefix and {what} must be {digits} digits in all"
            )));
        }
        let body = format!("{}{prefix}{}", &reference[..1], &reference[1..]);
        let check = caretrail_common::gs1::compute_check_digit(body.as_bytes())
            .ok_or_else(|| bad("not digits"))?;
        Ok(format!("{body}{check}"))
    };
    let parse = |hri: String| gs1::parse(&hri).map_err(|e| bad(&e.to_string()));
    if let Some(rest) = epc.strip_prefix("urn:epc:id:sgtin:") {
        let parts: Vec<&str> = rest.splitn(3, '.').collect();
        let [prefix, item, serial] = parts[..] else {
            return Err(bad(
                "an SGTIN is CompanyPrefix.IndicatorItemReference.Serial",
            ));
        };
        let gtin = key(prefix, item, 13, "item reference")?;
        return parse(format!("(01){gtin}(21){}", percent_decode(serial)));
    }
    if let Some(rest) = epc.strip_prefix("urn:epc:id:sscc:") {
        let Some((prefix, serial)) = rest.split_once('.') else {
            return Err(bad("an SSCC is CompanyPrefix.ExtensionSerialReference"));
        };
        return parse(format!(
            "(00){}",
            key(prefix, serial, 17, "serial reference")?
        ));
    }
    if let Some(rest) = epc.strip_prefix("urn:epc:class:lgtin:") {
        let parts: Vec<&str> = rest.splitn(3, '.').collect();
        let [prefix, item, lot] = parts[..] else {
            return Err(bad("an LGTIN is CompanyPrefix.IndicatorItemReference.Lot"));
        };
        let gtin = key(prefix, item, 13, "item reference")?;
        return parse(format!("(01){gtin}(10){}", percent_decode(lot)));
    }
    if epc.starts_with("http://") || epc.starts_with("https://") {
        return gs1::parse(epc).map_err(|e| bad(&e.to_string()));
    }
    Err(bad(
        "not an SGTIN, SSCC or LGTIN URN, nor a GS1 Digital Link URI",
    ))
}

/// An EPC's serial or lot, its `%XX` escapes decoded (kept as written when they are not
/// valid escapes).
fn percent_decode(s: &str) -> String {
    crate::util::percent_decode(s).unwrap_or_else(|_| s.to_string())
}

/// Reads an EPCIS 1.2 XML or 2.0 JSON-LD document.
pub fn import(bytes: &[u8]) -> Result<ImportedDocument> {
    if bytes.len() > MAX_BYTES {
        return Err(Error::invalid(format!(
            "the document is {} bytes; at most {MAX_BYTES} are read",
            bytes.len()
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::invalid(format!(
            "the document is not UTF-8 (byte {})",
            e.valid_up_to()
        ))
    })?;
    let text = text.trim_start_matches('\u{feff}');
    match text.trim_start().chars().next() {
        Some('<') => import_xml(text),
        Some('{') => import_json(text),
        _ => Err(Error::invalid(
            "not an EPCIS document: neither XML (<) nor JSON ({)",
        )),
    }
}

fn local(n: &roxmltree::Node) -> String {
    n.tag_name().name().to_string()
}

fn child<'a, 'i>(n: &roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text_of(n: &roxmltree::Node, name: &str) -> Option<String> {
    child(n, name)
        .and_then(|c| c.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn epc_list(n: &roxmltree::Node, list: &str) -> Vec<String> {
    child(n, list)
        .map(|l| {
            l.children()
                .filter(|c| c.is_element() && c.tag_name().name() == "epc")
                .filter_map(|c| c.text().map(|t| t.trim().to_string()))
                .filter(|t| !t.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// The quantity list's EPC classes (`quantityList/quantityElement/epcClass`).
fn class_list(n: &roxmltree::Node, list: &str) -> Vec<String> {
    n.descendants()
        .filter(|d| d.is_element() && d.tag_name().name() == list)
        .flat_map(|l| {
            l.descendants()
                .filter(|c| c.is_element() && c.tag_name().name() == "epcClass")
                .filter_map(|c| c.text().map(|t| t.trim().to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The nesting depth of an XML text, scanned lexically before any parser sees it (a parser may
/// recurse per level): `Err(byte offset)` of the first element deeper than [`MAX_DEPTH`].
fn check_depth(text: &str) -> std::result::Result<(), usize> {
    let b = text.as_bytes();
    let find = |from: usize, pat: &[u8]| -> usize {
        b[from.min(b.len())..]
            .windows(pat.len())
            .position(|w| w == pat)
            .map_or(b.len(), |k| from + k + pat.len())
    };
    let mut i = 0;
    let mut depth = 0usize;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &b[i..];
        if rest.starts_with(b"<!--") {
            i = find(i + 4, b"-->");
        } else if rest.starts_with(b"<![CDATA[") {
            i = find(i + 9, b"]]>");
        } else if rest.starts_with(b"<?") {
            i = find(i + 2, b"?>");
        } else if rest.starts_with(b"<!") {
            i = find(i + 2, b">");
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            i = find(i + 2, b">");
        } else {
            // A start tag: to its '>', quoted attribute values may hold '>'.
            let mut j = i + 1;
            let mut quote = None;
            while j < b.len() {
                match (quote, b[j]) {
                    (None, q @ (b'"' | b'\'')) => quote = Some(q),
                    (Some(q), c) if c == q => quote = None,
                    (None, b'>') => break,
                    _ => {}
                }
                j += 1;
            }
            if !(j < b.len() && b[j - 1] == b'/') {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(i);
                }
            }
            i = j + 1;
        }
    }
    Ok(())
}

fn import_xml(text: &str) -> Result<ImportedDocument> {
    if let Err(at) = check_depth(text) {
        let line = text[..at].matches('\n').count() + 1;
        let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
        return Err(Error::invalid(format!(
            "the XML nests deeper than {MAX_DEPTH} levels (line {line}, column {column})"
        )));
    }
    let doc = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            nodes_limit: MAX_NODES,
        },
    )
    .map_err(|e| {
        Error::invalid(match e {
            roxmltree::Error::DtdDetected => "the XML has a document type declaration (DTD): refused, since entities could read other files or expand without bound".to_string(),
            roxmltree::Error::NodesLimitReached => format!("the XML has more than {MAX_NODES} nodes"),
            other => format!("malformed XML: {other}"),
        })
    })?;
    let root = doc.root_element();
    if local(&root) != "EPCISDocument" {
        return Err(Error::invalid(format!(
            "the root element is <{}>, not <EPCISDocument>",
            local(&root)
        )));
    }
    let sbdh = root
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "StandardBusinessDocumentHeader");
    let party = |role: &str| -> Option<String> {
        let p = sbdh
            .as_ref()?
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == role)?;
        text_of(&p, "Identifier")
    };
    let body = child(&root, "EPCISBody")
        .ok_or_else(|| Error::invalid("the document has no <EPCISBody>"))?;
    let list = child(&body, "EventList")
        .ok_or_else(|| Error::invalid("the EPCISBody has no <EventList>"))?;
    let mut events = Vec::new();
    // Events, also those 1.2 wraps in <extension> (TransformationEvent) .
    let kinds = [
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
    ];
    for e in list
        .descendants()
        .filter(|n| n.is_element() && kinds.contains(&n.tag_name().name()))
    {
        let ilmd = e
            .descendants()
            .find(|n| n.is_element() && n.tag_name().name() == "ilmd");
        let ilmd_text = |name: &str| -> Option<String> {
            ilmd.as_ref()?
                .descendants()
                .find(|n| n.is_element() && n.tag_name().name() == name)
                .and_then(|n| n.text().map(|t| t.trim().to_string()))
        };
        let mut epcs = epc_list(&e, "epcList");
        epcs.extend(epc_list(&e, "inputEPCList"));
        epcs.extend(epc_list(&e, "outputEPCList"));
        epcs.extend(class_list(&e, "quantityList"));
        let transactions = child(&e, "bizTransactionList")
            .map(|l| {
                l.children()
                    .filter(|c| c.is_element() && c.tag_name().name() == "bizTransaction")
                    .filter_map(|c| {
                        Some(BizTransaction {
                            kind: c.attribute("type").unwrap_or("").to_string(),
                            id: c.text()?.trim().to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut children = epc_list(&e, "childEPCs");
        children.extend(class_list(&e, "childQuantityList"));
        events.push(ImportedEvent {
            kind: local(&e),
            time: text_of(&e, "eventTime"),
            action: text_of(&e, "action"),
            biz_step: text_of(&e, "bizStep").map(short_cbv),
            disposition: text_of(&e, "disposition").map(short_cbv),
            epcs,
            parent: text_of(&e, "parentID"),
            children,
            transactions,
            lot: ilmd_text("lotNumber"),
            expiry: ilmd_text("itemExpirationDate"),
        });
    }
    Ok(assemble(
        "EPCIS 1.2 XML",
        root.attribute("schemaVersion").map(str::to_string),
        party("Sender"),
        party("Receiver"),
        events,
    ))
}

/// `urn:epcglobal:cbv:bizstep:shipping` / `https://ref.gs1.org/cbv/BizStep-shipping` → `shipping`.
fn short_cbv(v: String) -> String {
    for p in [
        "urn:epcglobal:cbv:bizstep:",
        "urn:epcglobal:cbv:disp:",
        "https://ref.gs1.org/cbv/BizStep-",
        "https://ref.gs1.org/cbv/Disp-",
    ] {
        if let Some(s) = v.strip_prefix(p) {
            return s.to_string();
        }
    }
    v
}

fn import_json(text: &str) -> Result<ImportedDocument> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        Error::invalid(format!(
            "malformed JSON at line {} column {}: {e}",
            e.line(),
            e.column()
        ))
    })?;
    if v["type"] != "EPCISDocument" {
        return Err(Error::invalid(format!(
            "the document's type is {}, not \"EPCISDocument\"",
            v["type"]
        )));
    }
    let list = v["epcisBody"]["eventList"]
        .as_array()
        .ok_or_else(|| Error::invalid("the document has no epcisBody.eventList"))?;
    let strings = |x: &Value| -> Vec<String> {
        x.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    let classes = |x: &Value| -> Vec<String> {
        x.as_array()
            .into_iter()
            .flatten()
            .filter_map(|q| q["epcClass"].as_str().map(str::to_string))
            .collect()
    };
    let mut events = Vec::new();
    for (i, e) in list.iter().enumerate() {
        let kind = e["type"]
            .as_str()
            .ok_or_else(|| Error::invalid(format!("eventList[{i}] has no type")))?
            .to_string();
        let mut epcs = strings(&e["epcList"]);
        epcs.extend(strings(&e["inputEPCList"]));
        epcs.extend(strings(&e["outputEPCList"]));
        epcs.extend(classes(&e["quantityList"]));
        let mut children = strings(&e["childEPCs"]);
        children.extend(classes(&e["childQuantityList"]));
        let s = |k: &str| e[k].as_str().map(str::to_string);
        let ilmd = |k: &str| {
            e["ilmd"][format!("cbvmda:{k}")]
                .as_str()
                .or_else(|| e["ilmd"][k].as_str())
                .map(str::to_string)
        };
        events.push(ImportedEvent {
            kind,
            time: s("eventTime"),
            action: s("action"),
            biz_step: s("bizStep").map(short_cbv),
            disposition: s("disposition").map(short_cbv),
            epcs,
            parent: s("parentID"),
            children,
            transactions: e["bizTransactionList"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| {
                    Some(BizTransaction {
                        kind: t["type"].as_str().unwrap_or("").to_string(),
                        id: t["bizTransaction"].as_str()?.to_string(),
                    })
                })
                .collect(),
            lot: ilmd("lotNumber"),
            expiry: ilmd("itemExpirationDate"),
        });
    }
    let sbdh = &v["epcisHeader"]["sbdh:StandardBusinessDocumentHeader"];
    let party = |role: &str| {
        sbdh[format!("sbdh:{role}")]["sbdh:Identifier"]
            .as_str()
            .map(str::to_string)
    };
    Ok(assemble(
        "EPCIS 2.0 JSON-LD",
        v["schemaVersion"].as_str().map(str::to_string),
        party("Sender"),
        party("Receiver"),
        events,
    ))
}

fn assemble(
    format: &'static str,
    schema_version: Option<String>,
    sender: Option<String>,
    receiver: Option<String>,
    events: Vec<ImportedEvent>,
) -> ImportedDocument {
    let mut epcs: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |e: &String, epcs: &mut Vec<String>| {
        if seen.insert(e.clone()) {
            epcs.push(e.clone());
        }
    };
    let mut aggregations: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut transactions: Vec<BizTransaction> = Vec::new();
    for ev in &events {
        if let Some(p) = &ev.parent {
            add(p, &mut epcs);
        }
        for e in ev.epcs.iter().chain(&ev.children) {
            add(e, &mut epcs);
        }
        for t in &ev.transactions {
            if !transactions.contains(t) {
                transactions.push(t.clone());
            }
        }
        if ev.kind == "AggregationEvent" {
            if let Some(p) = &ev.parent {
                match ev.action.as_deref() {
                    Some("ADD") | Some("OBSERVE") => {
                        let list = aggregations.entry(p.clone()).or_default();
                        for c in &ev.children {
                            if !list.contains(c) {
                                list.push(c.clone());
                            }
                        }
                    }
                    Some("DELETE") => {
                        if ev.children.is_empty() {
                            aggregations.remove(p);
                        } else if let Some(list) = aggregations.get_mut(p) {
                            list.retain(|c| !ev.children.contains(c));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    aggregations.retain(|_, v| !v.is_empty());
    ImportedDocument {
        format,
        schema_version,
        sender,
        receiver,
        events,
        epcs,
        aggregations,
        transactions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- written by another vendor's system -->
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" xmlns:sbdh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader" xmlns:gs1ushc="http://epcis.gs1us.org/hc/ns" creationDate="2026-11-30T10:00:00Z" schemaVersion="1.2">
  <EPCISHeader>
    <sbdh:StandardBusinessDocumentHeader>
      <sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>
      <sbdh:Sender><sbdh:Identifier Authority="SGLN">urn:epc:id:sgln:0614141.00001.0</sbdh:Identifier></sbdh:Sender>
      <sbdh:Receiver><sbdh:Identifier Authority="SGLN">urn:epc:id:sgln:0614142.00001.0</sbdh:Identifier></sbdh:Receiver>
    </sbdh:StandardBusinessDocumentHeader>
    <extension><EPCISMasterData><VocabularyList/></EPCISMasterData></extension>
  </EPCISHeader>
  <EPCISBody>
    <EventList>
      <ObjectEvent>
        <eventTime>2026-11-01T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
        <epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc><epc>urn:epc:id:sgtin:0614141.107346.2018</epc></epcList>
        <action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
        <disposition>urn:epcglobal:cbv:disp:active</disposition>
        <extension><ilmd><cbvmda:lotNumber xmlns:cbvmda="urn:epcglobal:cbv:mda">LOT7</cbvmda:lotNumber></ilmd></extension>
      </ObjectEvent>
      <AggregationEvent>
        <eventTime>2026-11-01T09:00:00Z</eventTime>
        <parentID>urn:epc:id:sscc:0614141.1234567890</parentID>
        <childEPCs><epc>urn:epc:id:sgtin:0614141.107346.2017</epc><epc>urn:epc:id:sgtin:0614141.107346.2018</epc></childEPCs>
        <action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep>
      </AggregationEvent>
      <ObjectEvent>
        <eventTime>2026-11-30T09:00:00Z</eventTime>
        <epcList><epc>urn:epc:id:sscc:0614141.1234567890</epc></epcList>
        <action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
        <bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:desadv">urn:epcglobal:cbv:bt:0614141000005:SHIP-1</bizTransaction></bizTransactionList>
        <extension><gs1ushc:dscsaTransactionStatement><gs1ushc:affirmTransactionStatement>true</gs1ushc:affirmTransactionStatement></gs1ushc:dscsaTransactionStatement></extension>
      </ObjectEvent>
    </EventList>
  </EPCISBody>
</epcis:EPCISDocument>"#;

    #[test]
    fn a_vendors_epcis_1_2_shipment_notice() {
        let d = import(XML.as_bytes()).unwrap();
        assert_eq!(d.format, "EPCIS 1.2 XML");
        assert_eq!(d.schema_version.as_deref(), Some("1.2"));
        assert_eq!(d.sender.as_deref(), Some("urn:epc:id:sgln:0614141.00001.0"));
        assert_eq!(d.events.len(), 3);
        assert_eq!(d.events[0].lot.as_deref(), Some("LOT7"));
        assert_eq!(d.events[2].biz_step.as_deref(), Some("shipping"));
        assert_eq!(d.epcs.len(), 3);
        let sscc = "urn:epc:id:sscc:0614141.1234567890";
        assert_eq!(d.aggregations[sscc].len(), 2);
        assert_eq!(d.contents(sscc).len(), 2);
        assert_eq!(
            d.transactions[0].id,
            "urn:epcglobal:cbv:bt:0614141000005:SHIP-1"
        );
        let unit = epc_code("urn:epc:id:sgtin:0614141.107346.2017").unwrap();
        assert_eq!(unit.gtin.as_deref(), Some("10614141073464"));
        assert_eq!(unit.serial.as_deref(), Some("2017"));
        assert_eq!(
            epc_code(sscc).unwrap().sscc.as_deref(),
            Some("106141412345678908")
        );
        let r = d.report();
        assert_eq!(r["events"], 3);
        assert_eq!(r["epcs"][1]["code"]["gtin"], "10614141073464");
    }

    #[test]
    fn the_same_shipment_as_epcis_2_0_json_ld() {
        let doc = json!({
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-11-30T10:00:00Z",
            "epcisBody": { "eventList": [
                { "type": "AggregationEvent", "eventTime": "2026-11-01T09:00:00Z", "eventTimeZoneOffset": "+00:00",
                  "parentID": "https://id.gs1.org/00/106141412345678908",
                  "childEPCs": ["https://id.gs1.org/01/10614141073464/21/2017"], "action": "ADD", "bizStep": "packing" },
                { "type": "AggregationEvent", "eventTime": "2026-11-02T09:00:00Z", "eventTimeZoneOffset": "+00:00",
                  "parentID": "https://id.gs1.org/00/106141412345678908",
                  "childEPCs": ["https://id.gs1.org/01/10614141073464/21/2017"], "action": "DELETE", "bizStep": "unpacking" }
            ] }
        });
        let d = import(doc.to_string().as_bytes()).unwrap();
        assert_eq!(d.format, "EPCIS 2.0 JSON-LD");
        assert_eq!(d.epcs.len(), 2);
        assert!(d.aggregations.is_empty(), "packed, then unpacked");
    }

    #[test]
    fn hostile_and_malformed_documents_are_refused() {
        let err = |s: &str| import(s.as_bytes()).unwrap_err().to_string();
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><EPCISDocument>&x;</EPCISDocument>"#;
        assert!(
            err(xxe).contains("document type declaration"),
            "{}",
            err(xxe)
        );
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><EPCISDocument>&b;</EPCISDocument>"#;
        assert!(err(laughs).contains("document type declaration"));
        let deep = format!(
            "<EPCISDocument>{}{}</EPCISDocument>",
            "<a>".repeat(5_000),
            "</a>".repeat(5_000)
        );
        assert!(
            err(&deep).contains("nests deeper than 64 levels"),
            "{}",
            err(&deep)
        );
        assert!(err("<EPCISDocument><EPCISBody>").contains("malformed XML"));
        assert!(err("<Invoice/>").contains("not <EPCISDocument>"));
        assert!(err("hello").contains("neither XML"));
        assert!(err("{\"type\": \"EPCISDocument\",}").contains("malformed JSON at line 1"));
        let huge = vec![b' '; MAX_BYTES + 1];
        assert!(import(&huge).unwrap_err().to_string().contains("at most"));
        assert!(epc_code("urn:epc:id:sgtin:0614141.1073.2017").is_err());
    }
}
