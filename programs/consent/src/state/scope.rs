use crate::constants::{action, class, purpose};
use anchor_lang::prelude::*;

/// What a grant (or a delegate's authority) covers: sets of data classes, actions and
/// purposes of use, as bitmasks over fixed code lists.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct Scope {
    pub classes: u16,
    pub actions: u8,
    pub purposes: u8,
}

impl Scope {
    /// Non-empty sets of defined codes only.
    pub fn is_valid(&self) -> bool {
        self.classes != 0
            && self.classes & !class::ALL == 0
            && self.actions != 0
            && self.actions & !action::ALL == 0
            && self.purposes != 0
            && self.purposes & !purpose::ALL == 0
    }

    /// Every code of `other` is in `self`.
    pub fn covers(&self, other: &Scope) -> bool {
        other.classes & !self.classes == 0
            && other.actions & !self.actions == 0
            && other.purposes & !self.purposes == 0
    }
}

/// A single code: exactly one bit set.
pub fn single_bit_u16(x: u16) -> bool {
    x != 0 && x & (x - 1) == 0
}

pub fn single_bit_u8(x: u8) -> bool {
    x != 0 && x & (x - 1) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_is_a_subset_relation() {
        let wide = Scope {
            classes: class::MEDICATIONS | class::LABS,
            actions: action::ACCESS | action::USE,
            purposes: purpose::TREAT,
        };
        let narrow = Scope {
            classes: class::LABS,
            actions: action::ACCESS,
            purposes: purpose::TREAT,
        };
        assert!(wide.covers(&narrow));
        assert!(!narrow.covers(&wide));
        assert!(wide.covers(&wide));
        assert!(wide.is_valid());
        assert!(!Scope {
            classes: 1 << 13,
            ..wide
        }
        .is_valid());
        assert!(!Scope {
            purposes: 0,
            ..wide
        }
        .is_valid());
        assert!(single_bit_u16(class::GENOMICS) && !single_bit_u16(3) && !single_bit_u8(0));
    }
}
