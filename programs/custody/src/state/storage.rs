use crate::constants::ACCOUNT_VERSION;
use crate::error::CustodyError;
use anchor_lang::prelude::*;

/// A lot's storage condition, registered by its manufacturer: PDA `["storage", lot]`. A
/// temperature range in hundredths of a degree Celsius and the minutes outside it the product
/// tolerates (its stability budget); a receipt whose sensor summary breaks it quarantines
/// the unit.
#[account]
#[derive(InitSpace, Debug)]
pub struct StorageCondition {
    pub version: u8,
    pub bump: u8,
    pub lot: Pubkey,
    pub min_centi_celsius: i16,
    pub max_centi_celsius: i16,
    /// Minutes outside the range that do not count as an excursion.
    pub tolerated_minutes: u32,
    pub set_by: Pubkey,
    pub updated_at: i64,
}

/// What a temperature logger recorded over a hop: its extremes and mean in hundredths of a
/// degree Celsius, the minutes it spent outside the lot's range, how many readings, and the
/// SHA-256 of the logger's file (kept off chain by both parties).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct SensorSummary {
    pub min_centi_celsius: i16,
    pub max_centi_celsius: i16,
    pub mean_centi_celsius: i16,
    pub minutes_outside: u32,
    pub readings: u32,
    pub logger_hash: [u8; 32],
}

impl SensorSummary {
    /// A summary a logger could have written: at least one reading, min ≤ mean ≤ max, a file.
    pub fn validate(&self) -> Result<()> {
        require!(self.readings > 0, CustodyError::InvalidSensorSummary);
        require!(
            self.min_centi_celsius <= self.mean_centi_celsius
                && self.mean_centi_celsius <= self.max_centi_celsius,
            CustodyError::InvalidSensorSummary
        );
        require!(
            self.logger_hash != [0; 32],
            CustodyError::InvalidSensorSummary
        );
        Ok(())
    }
}

impl StorageCondition {
    /// Did the logger leave the range for longer than the product tolerates?
    pub fn is_excursion(&self, s: &SensorSummary) -> bool {
        let outside = s.min_centi_celsius < self.min_centi_celsius
            || s.max_centi_celsius > self.max_centi_celsius;
        outside && s.minutes_outside > self.tolerated_minutes
    }

    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            CustodyError::InvariantViolation
        );
        require!(
            self.min_centi_celsius < self.max_centi_celsius,
            CustodyError::InvariantViolation
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn condition(tolerated: u32) -> StorageCondition {
        StorageCondition {
            version: ACCOUNT_VERSION,
            bump: 255,
            lot: Pubkey::default(),
            min_centi_celsius: 200,
            max_centi_celsius: 800,
            tolerated_minutes: tolerated,
            set_by: Pubkey::new_unique(),
            updated_at: 0,
        }
    }

    fn summary(min: i16, max: i16, minutes: u32) -> SensorSummary {
        SensorSummary {
            min_centi_celsius: min,
            max_centi_celsius: max,
            mean_centi_celsius: min,
            minutes_outside: minutes,
            readings: 10,
            logger_hash: [1; 32],
        }
    }

    #[test]
    fn an_excursion_is_outside_the_range_for_longer_than_tolerated() {
        let strict = condition(0);
        assert!(
            !strict.is_excursion(&summary(200, 800, 0)),
            "edges are inside"
        );
        assert!(strict.is_excursion(&summary(199, 700, 5)));
        assert!(strict.is_excursion(&summary(300, 801, 1)));
        let tolerant = condition(30);
        assert!(!tolerant.is_excursion(&summary(300, 950, 30)));
        assert!(tolerant.is_excursion(&summary(300, 950, 31)));
        assert!(summary(300, 200, 0).validate().is_err(), "min above max");
        let mut s = summary(300, 400, 0);
        s.readings = 0;
        assert!(s.validate().is_err());
        s.readings = 1;
        s.logger_hash = [0; 32];
        assert!(s.validate().is_err());
    }
}
