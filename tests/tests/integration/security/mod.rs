//! Attack classes, one module per class, each a real attack transaction against each program
//! where the class applies, asserting the exact rejection. `docs/SECURITY.md` maps class ×
//! program to these tests (and says why a class cannot apply where it does not).

mod closing_and_revival;
mod duplicate_mutable;
mod fake_programs;
mod missing_signer;
mod overflow;
mod owner_check;
mod packages;
mod pda_substitution;
mod prefund;
mod records_trials;
mod reinitialization;
mod remaining_accounts;
mod type_cosplay;
mod wrong_authority;
