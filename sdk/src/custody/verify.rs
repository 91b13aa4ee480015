//! Verification (DSCSA product identifier verification; read-only).

use super::*;

/// The address of the unit or aggregate a scanned code identifies.
pub fn address_of(code: &crate::gs1::Gs1Code) -> Result<Pubkey> {
    if let Some(sscc) = &code.sscc {
        return Ok(sscc_pda(&parse_sscc(sscc)?).0);
    }
    match (&code.gtin, &code.serial) {
        (Some(gtin), Some(serial)) => Ok(unit_pda(&parse_gtin(gtin)?, serial).0),
        (Some(_), None) => Err(Error::invalid(
            "the code has a GTIN but no serial number (AI 21)",
        )),
        _ => Err(Error::invalid(
            "the code identifies neither a serialized unit (01+21) nor a case or pallet (00)",
        )),
    }
}

/// The outcome of verifying a scanned code. Everything but `Genuine` is a counterfeit or
/// diversion signal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Verification {
    /// Known, in good standing, held where expected.
    Genuine {
        unit: String,
        holder: String,
        status: &'static str,
        /// The case or pallet it travels in, if any.
        inside: Option<String>,
    },
    /// No unit was commissioned with this GTIN and serial (or SSCC).
    UnknownSerial {
        unit: String,
    },
    /// Nobody in the registry holds the GS1 company prefix of this GTIN or SSCC: no
    /// authorized company ever allocated it.
    UnknownPrefix {
        unit: String,
        code: String,
    },
    /// The label disagrees with the chain (lot or expiry): a relabelled or counterfeit pack.
    LabelMismatch {
        unit: String,
        field: &'static str,
    },
    LotRecalled {
        unit: String,
        lot: String,
        reason_code: u16,
    },
    Expired {
        unit: String,
        expired_on: String,
    },
    Quarantined {
        unit: String,
    },
    Illegitimate {
        unit: String,
    },
    AlreadyDispensed {
        unit: String,
    },
    Decommissioned {
        unit: String,
    },
    /// In good standing but held by someone else than the scanner expects (diversion).
    HeldByAnother {
        unit: String,
        holder: String,
        expected: String,
    },
}

impl Verification {
    pub fn is_genuine(&self) -> bool {
        matches!(self, Verification::Genuine { .. })
    }

    /// A short name of the outcome (`genuine`, `unknown_serial`, …).
    /// The outcome in words, for people (`name` is the code for programs).
    pub fn describe(&self) -> String {
        match self {
            Verification::Genuine { holder, .. } => format!("genuine, held by {holder}"),
            Verification::UnknownSerial { .. } => {
                "unknown serial: nobody commissioned a package with this code".into()
            }
            Verification::UnknownPrefix { .. } => {
                "unknown company prefix: nobody in the registry holds the GS1 prefix of this code"
                    .into()
            }
            Verification::LabelMismatch { field, .. } => {
                format!("the label's {field} does not match the commissioned package")
            }
            Verification::LotRecalled { lot, .. } => format!("its lot {lot} is recalled"),
            Verification::Expired { expired_on, .. } => format!("expired on {expired_on}"),
            Verification::Quarantined { .. } => "quarantined as suspect".into(),
            Verification::Illegitimate { .. } => "declared illegitimate".into(),
            Verification::AlreadyDispensed { .. } => "already dispensed to a patient".into(),
            Verification::Decommissioned { .. } => "taken out of the supply chain".into(),
            Verification::HeldByAnother { holder, .. } => {
                format!("held by {holder}, not by the expected party")
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Verification::Genuine { .. } => "genuine",
            Verification::UnknownSerial { .. } => "unknown_serial",
            Verification::UnknownPrefix { .. } => "unknown_prefix",
            Verification::LabelMismatch { .. } => "label_mismatch",
            Verification::LotRecalled { .. } => "lot_recalled",
            Verification::Expired { .. } => "expired",
            Verification::Quarantined { .. } => "quarantined",
            Verification::Illegitimate { .. } => "illegitimate",
            Verification::AlreadyDispensed { .. } => "already_dispensed",
            Verification::Decommissioned { .. } => "decommissioned",
            Verification::HeldByAnother { .. } => "held_by_another",
        }
    }
}

/// Verifies a scanned code against the ledger: is it a unit that was commissioned, does its
/// label match, is its lot released, is it unexpired, in good standing, and held by
/// `expected_holder` (when given; a packed unit is held by its top-most aggregate's holder)?
pub fn verify(
    ledger: &dyn Ledger,
    code: &crate::gs1::Gs1Code,
    expected_holder: Option<&Pubkey>,
) -> Result<Verification> {
    let address = address_of(code)?;
    let unit_s = address.to_string();
    let Some(unit) = fetch_unit(ledger, &address)? else {
        // A compressed package has no address of its own: it is a leaf of one of its lot's
        // package trees, found by the label's GTIN, lot and serial.
        if let Some(found) = find_compressed(ledger, code)? {
            return verify_package(ledger, code, &found, expected_holder);
        }
        // Unknown: a serial nobody commissioned under a real company's prefix, or a code
        // under a prefix nobody holds.
        let key = code.sscc.as_ref().or(code.gtin.as_ref());
        if let Some(key) = key {
            if crate::registry::find_prefix(ledger, key.as_bytes())?.is_none() {
                return Ok(Verification::UnknownPrefix {
                    unit: unit_s,
                    code: key.clone(),
                });
            }
        }
        return Ok(Verification::UnknownSerial { unit: unit_s });
    };
    if let Some(v) = terminal(unit.status, &unit_s) {
        return Ok(v);
    }
    let now = ledger.get_clock()?.unix_timestamp;
    if unit.kind == UnitKind::Item {
        if let (Some(gtin), Some(lot_number)) = (&code.gtin, &code.lot) {
            if let Ok(g) = parse_gtin(gtin) {
                if lot_pda(&g, lot_number).0 != unit.lot {
                    return Ok(Verification::LabelMismatch {
                        unit: unit_s,
                        field: "lot",
                    });
                }
            }
        }
        let lot = fetch_lot(ledger, &unit.lot)?.ok_or(Error::NotFound {
            kind: "lot",
            address: unit.lot,
        })?;
        if let Some(v) = lot_verdict(code, &lot, &unit.lot, unit.is_expired(now), &unit_s) {
            return Ok(v);
        }
    }
    if unit.status == UnitStatus::Quarantined {
        return Ok(Verification::Quarantined { unit: unit_s });
    }
    let (top, top_unit) = top_most(ledger, &address)?.expect("the unit exists");
    if top_unit.status == UnitStatus::Quarantined {
        return Ok(Verification::Quarantined { unit: unit_s });
    }
    let inside = (top != address).then(|| top.to_string());
    Ok(held_by(
        unit_s,
        top_unit.holder,
        top_unit.status,
        inside,
        expected_holder,
    ))
}

/// The verdict of a unit or package in a terminal status, if it is in one.
fn terminal(status: UnitStatus, unit: &str) -> Option<Verification> {
    let unit = unit.to_string();
    match status {
        UnitStatus::Illegitimate => Some(Verification::Illegitimate { unit }),
        UnitStatus::Dispensed => Some(Verification::AlreadyDispensed { unit }),
        UnitStatus::Decommissioned | UnitStatus::Destroyed => {
            Some(Verification::Decommissioned { unit })
        }
        _ => None,
    }
}

/// What the item's lot says, if anything stops it: the label's expiry is not the lot's, the
/// lot is recalled, or it has `expired`.
fn lot_verdict(
    code: &crate::gs1::Gs1Code,
    lot: &Lot,
    lot_key: &Pubkey,
    expired: bool,
    unit: &str,
) -> Option<Verification> {
    let unit = unit.to_string();
    if let Some(expiry) = code.expiry {
        let label = (expiry.year as u32) * 10_000 + expiry.month * 100 + expiry.day;
        if label != lot.expiry_date {
            return Some(Verification::LabelMismatch {
                unit,
                field: "expiry",
            });
        }
    }
    if lot.status == LotStatus::Recalled {
        return Some(Verification::LotRecalled {
            unit,
            lot: lot_key.to_string(),
            reason_code: lot.recall_reason,
        });
    }
    if expired {
        let d = lot.expiry_date;
        return Some(Verification::Expired {
            unit,
            expired_on: format!("{:04}-{:02}-{:02}", d / 10_000, d / 100 % 100, d % 100),
        });
    }
    None
}

/// Genuine, or held by another than `expected`: `holder` and `status` are the top-most
/// unit's (or a loose package's own), `inside` the aggregate it travels in.
fn held_by(
    unit: String,
    holder: Pubkey,
    status: UnitStatus,
    inside: Option<String>,
    expected: Option<&Pubkey>,
) -> Verification {
    if let Some(expected) = expected {
        if holder != *expected {
            return Verification::HeldByAnother {
                unit,
                holder: holder.to_string(),
                expected: expected.to_string(),
            };
        }
    }
    Verification::Genuine {
        unit,
        holder: holder.to_string(),
        status: status_name(status),
        inside,
    }
}

/// The compressed package a code names, when it carries GTIN, serial and lot and its lot has
/// package trees.
fn find_compressed(
    ledger: &dyn Ledger,
    code: &crate::gs1::Gs1Code,
) -> Result<Option<(Lot, Pubkey, FoundPackage)>> {
    let (Some(gtin), Some(serial), Some(lot_number)) = (&code.gtin, &code.serial, &code.lot) else {
        return Ok(None);
    };
    let Ok(gtin) = parse_gtin(gtin) else {
        return Ok(None);
    };
    let lot_key = lot_pda(&gtin, lot_number).0;
    let Some(lot) = fetch_lot(ledger, &lot_key)? else {
        return Ok(None);
    };
    Ok(find_package(ledger, &lot_key, &serial_hash(&gtin, serial))?.map(|f| (lot, lot_key, f)))
}

/// The compressed package a code names, if it carries GTIN, serial and lot and one of its
/// lot's trees holds it.
pub(crate) fn find_compressed_quietly(
    ledger: &dyn Ledger,
    code: &crate::gs1::Gs1Code,
) -> Result<Option<FoundPackage>> {
    Ok(find_compressed(ledger, code)?.map(|(_, _, found)| found))
}

/// [`verify`] for a compressed package: the same checks in the same order, on its leaf.
fn verify_package(
    ledger: &dyn Ledger,
    code: &crate::gs1::Gs1Code,
    (lot, lot_key, found): &(Lot, Pubkey, FoundPackage),
    expected_holder: Option<&Pubkey>,
) -> Result<Verification> {
    let unit = found.id();
    let leaf = &found.leaf;
    if let Some(v) = terminal(leaf.status, &unit) {
        return Ok(v);
    }
    let expired = lot.is_expired(ledger.get_clock()?.unix_timestamp);
    if let Some(v) = lot_verdict(code, lot, lot_key, expired, &unit) {
        return Ok(v);
    }
    if leaf.status == UnitStatus::Quarantined {
        return Ok(Verification::Quarantined { unit });
    }
    // A packed package follows its top-most aggregate, as a packed unit does.
    if !leaf.in_aggregate() {
        return Ok(held_by(
            unit,
            leaf.holder,
            leaf.status,
            None,
            expected_holder,
        ));
    }
    let (top, top_unit) = top_most(ledger, &leaf.parent)?
        .ok_or_else(|| Error::not_found("aggregate", leaf.parent))?;
    if top_unit.status == UnitStatus::Quarantined {
        return Ok(Verification::Quarantined { unit });
    }
    Ok(held_by(
        unit,
        top_unit.holder,
        top_unit.status,
        Some(top.to_string()),
        expected_holder,
    ))
}
