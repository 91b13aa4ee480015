//! Cold chain: temperature loggers' files read into the sensor summary a hop carries, and the
//! storage condition a receipt is checked against.
//!
//! A logger's CSV has a header row naming a time column (`time`, `timestamp`, `datetime`,
//! `date_time`) and a temperature column (`temperature`, `temperature_c`, `temp`, `temp_c`,
//! `celsius`), in any order among others; times are RFC 3339 (`2026-12-01T08:00:00Z`, an
//! offset, or a space instead of `T`) or Unix seconds, in increasing order; temperatures are
//! degrees Celsius with at most two decimals (`-18.5`, `4`, `5.25`). A malformed file is
//! refused with its line and the reason; nothing is sent.

use crate::custody::{self as cus, Governing, SensorSummary, StorageCondition, UnitKind};
use crate::ledger::Ledger;
use crate::{Error, Result};
use solana_sdk::pubkey::Pubkey;

/// Largest logger file read: 16 MiB.
pub const MAX_LOGGER_BYTES: usize = 16 * 1024 * 1024;

/// A logger's readings: `(unix time, hundredths of a degree Celsius)`, in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readings {
    pub points: Vec<(i64, i32)>,
    /// SHA-256 of the file as read.
    pub file_hash: [u8; 32],
}

fn bad(line: usize, why: impl std::fmt::Display) -> Error {
    Error::invalid(format!("logger file line {line}: {why}"))
}

/// `-18.5` → `-1850` (hundredths of a degree), without floating point.
fn centi(v: &str) -> std::result::Result<i32, String> {
    let t = v.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let numeric = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || (digits.contains('.') && frac.is_empty())
        || !numeric(whole)
        || !numeric(frac)
        || frac.len() > 2
        || whole.len() > 3
    {
        return Err(format!(
            "temperature {t:?} is not degrees Celsius with at most two decimals"
        ));
    }
    let frac = format!("{frac:0<2}");
    let n: i32 = whole.parse::<i32>().map_err(|e| e.to_string())? * 100
        + frac.parse::<i32>().map_err(|e| e.to_string())?;
    let n = if neg { -n } else { n };
    if !(-27_315..=i16::MAX as i32).contains(&n) {
        return Err(format!("temperature {t} °C is out of any logger's range"));
    }
    Ok(n)
}

/// Degrees Celsius with at most two decimals (`-18.5`) as hundredths of a degree.
pub fn parse_celsius(v: &str) -> std::result::Result<i16, String> {
    let n = centi(v)?;
    i16::try_from(n).map_err(|_| format!("{v} °C is out of range"))
}

/// Reads a logger's CSV (see the module docs).
pub fn read_logger_csv(bytes: &[u8]) -> Result<Readings> {
    if bytes.len() > MAX_LOGGER_BYTES {
        return Err(Error::invalid(format!(
            "the logger file is {} bytes; at most {MAX_LOGGER_BYTES} are read",
            bytes.len()
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::invalid(format!(
            "the logger file is not UTF-8 text (byte {})",
            e.valid_up_to()
        ))
    })?;
    let rows = crate::custody::master_data::parse_csv(text.trim_start_matches('\u{feff}'))?;
    let mut rows = rows
        .into_iter()
        .filter(|(_, r)| !(r.is_empty() || r.len() == 1 && r[0].trim().is_empty()));
    let Some((_, header)) = rows.next() else {
        return Err(bad(
            1,
            "empty file: a header row (time, temperature) is needed",
        ));
    };
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.contains(&h.trim().to_ascii_lowercase().as_str()))
    };
    let time_col = find(&["time", "timestamp", "datetime", "date_time"]).ok_or_else(|| {
        bad(
            1,
            "no time column (time, timestamp, datetime, date_time) in the header",
        )
    })?;
    let temp_col = find(&["temperature", "temperature_c", "temp", "temp_c", "celsius"])
        .ok_or_else(|| {
            bad(1, "no temperature column (temperature, temperature_c, temp, temp_c, celsius) in the header")
        })?;
    let mut points: Vec<(i64, i32)> = Vec::new();
    let mut last_line = 1;
    for (line, row) in rows {
        last_line = line;
        let cell = |c: usize, what: &str| {
            row.get(c)
                .map(String::as_str)
                .ok_or_else(|| bad(line, format!("no {what} value")))
        };
        let t = crate::util::parse_time(cell(time_col, "time")?).map_err(|e| bad(line, e))?;
        let v = centi(cell(temp_col, "temperature")?).map_err(|e| bad(line, e))?;
        if let Some((prev, _)) = points.last() {
            if t <= *prev {
                return Err(bad(line, "readings must be in increasing time order"));
            }
        }
        points.push((t, v));
    }
    if points.is_empty() {
        return Err(bad(last_line + 1, "no readings"));
    }
    Ok(Readings {
        points,
        file_hash: crate::hash::sha256(&[bytes]),
    })
}

impl Readings {
    /// The summary a hop carries, with the minutes spent outside `range` (`(min, max)` in
    /// hundredths of a degree; none outside without a range): each reading holds until the
    /// next one, rounded up to whole minutes.
    pub fn summary(&self, range: Option<(i16, i16)>) -> SensorSummary {
        let values = self.points.iter().map(|(_, v)| *v);
        let min = values.clone().min().unwrap_or(0);
        let max = values.clone().max().unwrap_or(0);
        let sum: i64 = values.map(i64::from).sum();
        let n = self.points.len() as i64;
        // Rounded half away from zero, in integers.
        let mean = if sum >= 0 {
            (sum + n / 2) / n
        } else {
            (sum - n / 2) / n
        };
        let mut seconds_outside: i64 = 0;
        if let Some((lo, hi)) = range {
            for w in self.points.windows(2) {
                let (t, v) = w[0];
                if v < lo as i32 || v > hi as i32 {
                    seconds_outside += w[1].0 - t;
                }
            }
            // The last reading outside counts one minute.
            if let Some((_, v)) = self.points.last() {
                if *v < lo as i32 || *v > hi as i32 {
                    seconds_outside += 60;
                }
            }
        }
        let clamp = |v: i64| v.clamp(i16::MIN as i64, i16::MAX as i64) as i16;
        SensorSummary {
            min_centi_celsius: clamp(min as i64),
            max_centi_celsius: clamp(max as i64),
            mean_centi_celsius: clamp(mean),
            minutes_outside: u32::try_from((seconds_outside + 59) / 60).unwrap_or(u32::MAX),
            readings: u32::try_from(self.points.len()).unwrap_or(u32::MAX),
            logger_hash: self.file_hash,
        }
    }
}

/// A lot's storage condition, if its manufacturer set one.
pub fn fetch_storage(ledger: &dyn Ledger, lot: &Pubkey) -> Result<Option<StorageCondition>> {
    crate::account::fetch_owned(ledger, &cus::storage_pda(lot).0, &cus::PROGRAM_ID)
}

/// Which storage condition a receipt of `unit` is checked against: an item's lot's, or for a
/// case or pallet that of the first item the chain packs in it (through a case on a pallet),
/// else that of a compressed package packed in it (proven from its tree's index).
pub fn governing(ledger: &dyn Ledger, unit: &Pubkey) -> Result<Governing> {
    let u = cus::fetch_unit(ledger, unit)?.ok_or_else(|| Error::not_found("unit", *unit))?;
    if u.kind == UnitKind::Item {
        return Ok(Governing::Item { lot: u.lot });
    }
    for (child, c) in crate::custody::reconcile::packed_in(ledger, unit)? {
        if c.kind == UnitKind::Item {
            return Ok(Governing::Inside {
                path: vec![child],
                lot: c.lot,
            });
        }
        for (grandchild, g) in crate::custody::reconcile::packed_in(ledger, &child)? {
            if g.kind == UnitKind::Item {
                return Ok(Governing::Inside {
                    path: vec![child, grandchild],
                    lot: g.lot,
                });
            }
        }
    }
    // Compressed packages: commissioned straight into the aggregate, or into a case on it.
    if let Some(g) = package_inside(ledger, unit, None)? {
        return Ok(g);
    }
    for (case, c) in crate::custody::reconcile::packed_in(ledger, unit)? {
        if c.kind == UnitKind::Case {
            if let Some(g) = package_inside(ledger, &case, Some(case))? {
                return Ok(g);
            }
        }
    }
    Ok(Governing::Nothing)
}

/// A compressed package still packed in `parent`, proven from its tree's index.
fn package_inside(
    ledger: &dyn Ledger,
    parent: &Pubkey,
    case: Option<Pubkey>,
) -> Result<Option<Governing>> {
    let Some((tree, index, _)) = cus::packages_in(ledger, parent)?.into_iter().next() else {
        return Ok(None);
    };
    let kept = cus::PackageTreeIndex::load(ledger, &tree)?;
    Ok(Some(Governing::Package {
        tree,
        case,
        package: Box::new(kept.prove(index)?),
        lot: kept.lot,
    }))
}

/// The lot of a governing choice, if any.
pub fn governing_lot(g: &Governing) -> Option<Pubkey> {
    match g {
        Governing::Item { lot }
        | Governing::Inside { lot, .. }
        | Governing::Package { lot, .. } => Some(*lot),
        Governing::Nothing => None,
    }
}

/// The summary of `readings` for a receipt of `unit`: minutes outside counted against the
/// storage condition its receipt is checked against.
pub fn summary_for(
    ledger: &dyn Ledger,
    unit: &Pubkey,
    readings: &Readings,
) -> Result<(Governing, SensorSummary)> {
    let g = governing(ledger, unit)?;
    let range = match governing_lot(&g) {
        Some(lot) => {
            fetch_storage(ledger, &lot)?.map(|c| (c.min_centi_celsius, c.max_centi_celsius))
        }
        None => None,
    };
    Ok((g, readings.summary(range)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperatures_and_times_are_read_exactly() {
        assert_eq!(centi("-18.5"), Ok(-1850));
        assert_eq!(centi("4"), Ok(400));
        assert_eq!(centi("+5.25"), Ok(525));
        assert_eq!(centi(" 0.07 "), Ok(7));
        for bad in ["", "4.123", "abc", "1e3", "-", "5.", "9999", "-300"] {
            assert!(centi(bad).is_err(), "{bad}");
        }
        assert_eq!(crate::util::parse_time("1764576000"), Ok(1_764_576_000));
        assert_eq!(
            crate::util::parse_time("2025-12-01T08:00:00Z"),
            Ok(1_764_576_000)
        );
        assert_eq!(
            crate::util::parse_time("2025-12-01 09:00:00+01:00"),
            Ok(1_764_576_000)
        );
        assert_eq!(
            crate::util::parse_time("2025-12-01T08:00:00.250Z"),
            Ok(1_764_576_000)
        );
        for bad in [
            "2025-13-01T08:00:00Z",
            "yesterday",
            "2025-12-01T08:00:00 CET",
        ] {
            assert!(crate::util::parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_summary_counts_the_minutes_outside_the_range() {
        let csv = "Timestamp,Temperature_C,battery\n\
                   2025-12-01T08:00:00Z,4.0,99\n\
                   2025-12-01T08:10:00Z,9.5,99\n\
                   2025-12-01T08:25:00Z,5.0,98\n\
                   2025-12-01T08:40:00Z,1.5,98\n";
        let r = read_logger_csv(csv.as_bytes()).unwrap();
        let s = r.summary(Some((200, 800)));
        assert_eq!(
            (
                s.min_centi_celsius,
                s.max_centi_celsius,
                s.mean_centi_celsius
            ),
            (150, 950, 500)
        );
        // 15 minutes at 9.5 °C, and the last reading below 2 °C counts one minute.
        assert_eq!(s.minutes_outside, 16);
        assert_eq!(s.readings, 4);
        assert_eq!(s.logger_hash, crate::hash::sha256(&[csv.as_bytes()]));
        assert_eq!(r.summary(None).minutes_outside, 0);
    }

    #[test]
    fn malformed_logger_files_are_refused_with_line_and_reason() {
        for (csv, why) in [
            ("", "line 1: empty file"),
            ("when,temperature\n1,4\n", "line 1: no time column"),
            ("time,humidity\n1,4\n", "line 1: no temperature column"),
            ("time,temp\n", "line 2: no readings"),
            (
                "time,temp\n1764576000,4\n1764576060,hot\n",
                "line 3: temperature \"hot\"",
            ),
            ("time,temp\n1764576000,4\nnoon,5\n", "line 3: time \"noon\""),
            (
                "time,temp\n1764576060,4\n1764576000,5\n",
                "line 3: readings must be in increasing time order",
            ),
            ("time,temp\n1764576000\n", "line 2: no temperature value"),
        ] {
            let err = read_logger_csv(csv.as_bytes()).unwrap_err().to_string();
            assert!(err.contains(why), "{csv:?}: {err}");
        }
        assert!(read_logger_csv(&[0xff, 0xfe])
            .unwrap_err()
            .to_string()
            .contains("not UTF-8"));
    }
}
