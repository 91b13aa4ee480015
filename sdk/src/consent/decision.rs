//! The decisions a patient signs from a wallet (Solana Actions, Solana Pay, the patient
//! portal), prepared for any signer and fee payer: the instructions, a description in plain
//! words of exactly what is signed, and the checks the program will make, run first so that a
//! wallet is never offered a decision its account may not make.
//!
//! ```no_run
//! use caretrail_sdk::consent::decision::{prepare, PatientDecision};
//! # fn f(ledger: &dyn caretrail_sdk::Ledger, grant: caretrail_sdk::solana_sdk::pubkey::Pubkey,
//! #      patient: caretrail_sdk::solana_sdk::pubkey::Pubkey) -> caretrail_sdk::Result<()> {
//! let prepared = prepare(ledger, &PatientDecision::Approve { grant }, &patient, &patient)?;
//! println!("{}: {}", prepared.title, prepared.description);
//! # Ok(()) }
//! ```

use super::*;
use crate::registry::{fetch_participant, gln_str, role_names, status_name};
use anchor_lang::solana_program::system_instruction;

/// Longest grant or guardianship a wallet decision may set up: ten years.
pub const MAX_DAYS: u32 = 3_650;

/// One decision of a patient (or of a guardian within its delegation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatientDecision {
    /// Approve a provider's pending request.
    Approve { grant: Pubkey },
    /// Reject a provider's pending request.
    Reject { grant: Pubkey },
    /// Grant `grantee` the `scope` for `days` from now.
    Grant {
        grantee: Pubkey,
        scope: Scope,
        days: u32,
    },
    /// Narrow or widen a grant's scope and/or set its end `days` from now.
    Amend {
        grant: Pubkey,
        scope: Option<Scope>,
        days: Option<u32>,
    },
    /// End a grant (or withdraw a pending request) now.
    Revoke { grant: Pubkey },
    /// Acknowledge an emergency (break-glass) access.
    Review { grant: Pubkey },
    /// Name `guardian` to decide for the patient within `scope` for `days`.
    NameGuardian {
        guardian: Pubkey,
        scope: Scope,
        days: u32,
    },
    /// End a guardianship.
    RemoveGuardian { guardian: Pubkey },
}

impl PatientDecision {
    /// `approve`, `reject`, `grant`, `amend`, `revoke`, `review`, `guardian`, `remove-guardian`.
    pub fn kind(&self) -> &'static str {
        match self {
            PatientDecision::Approve { .. } => "approve",
            PatientDecision::Reject { .. } => "reject",
            PatientDecision::Grant { .. } => "grant",
            PatientDecision::Amend { .. } => "amend",
            PatientDecision::Revoke { .. } => "revoke",
            PatientDecision::Review { .. } => "review",
            PatientDecision::NameGuardian { .. } => "guardian",
            PatientDecision::RemoveGuardian { .. } => "remove-guardian",
        }
    }
}

/// A decision ready to sign.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub kind: &'static str,
    /// Short: "Approve a request from provider 0614141000005".
    pub title: String,
    /// Exactly what the signature does, in plain words: who (by registry entry), which data
    /// classes and actions, for what purpose, until when.
    pub description: String,
    /// The patient the decision is for.
    pub patient: Pubkey,
    /// The instructions, in order; `fee_payer` pays fees and any rent (when the fee payer is
    /// not the signer, a transfer to the signer covers the rent the program charges it).
    pub instructions: Vec<Instruction>,
    /// Lamports of rent the decision costs whoever pays it (0 for most decisions).
    pub rent: u64,
}

/// Prepares `decision` for `account` (the wallet that will sign) with `fee_payer` paying fees
/// and rent. Refuses what the program would refuse: [`Error::NotFound`] for an unknown grant,
/// [`Error::Forbidden`] when `account` is neither the patient nor a guardian in scope,
/// [`Error::Conflict`] when the grant's state does not allow it, [`Error::Invalid`] for a bad
/// scope or period.
pub fn prepare(
    ledger: &dyn Ledger,
    decision: &PatientDecision,
    account: &Pubkey,
    fee_payer: &Pubkey,
) -> Result<Prepared> {
    let now = ledger.get_clock()?.unix_timestamp;
    let kind = decision.kind();
    let sponsored = fee_payer != account;
    match *decision {
        PatientDecision::Approve { grant } | PatientDecision::Reject { grant } => {
            let g = grant_of(ledger, &grant)?;
            let by = authorize(ledger, &g, account, now)?;
            if g.status != GrantStatus::Proposed {
                return Err(Error::Conflict(format!(
                    "this request was already decided: the grant is {}",
                    status_words(&g, now)
                )));
            }
            let approve = kind == "approve";
            let (verb, what) = if approve {
                (
                    "Approve",
                    format!(
                        "{} may {} from {} until {}{}. You can revoke it at any time.",
                        party(ledger, &g.grantee)?,
                        scope_words(&g.scope),
                        day(g.not_before.max(now)),
                        day(match &by {
                            Some(d) => g.expires_at.min(d.expires_at),
                            None => g.expires_at,
                        }),
                        acting_for(&by, &g.patient),
                    ),
                )
            } else {
                (
                    "Reject",
                    format!(
                        "{} asked to {}; rejecting it gives no access{}.",
                        party(ledger, &g.grantee)?,
                        scope_words(&g.scope),
                        acting_for(&by, &g.patient),
                    ),
                )
            };
            let ix = if approve {
                approve_ix(&grant, &g.patient, account)
            } else {
                reject_ix(&grant, &g.patient, account)
            };
            Ok(Prepared {
                kind,
                title: format!("{verb} a request from {}", short_party(ledger, &g.grantee)?),
                description: what,
                patient: g.patient,
                instructions: vec![ix],
                rent: 0,
            })
        }
        PatientDecision::Revoke { grant } => {
            let g = grant_of(ledger, &grant)?;
            let by = authorize(ledger, &g, account, now)?;
            match g.status {
                GrantStatus::Active | GrantStatus::Proposed => {}
                _ => {
                    return Err(Error::Conflict(format!(
                        "there is nothing to revoke: the grant is {}",
                        status_words(&g, now)
                    )))
                }
            }
            Ok(Prepared {
                kind,
                title: format!("Revoke the access of {}", short_party(ledger, &g.grantee)?),
                description: format!(
                    "From now on {} may no longer {}{}.",
                    party(ledger, &g.grantee)?,
                    scope_words(&g.scope),
                    acting_for(&by, &g.patient),
                ),
                patient: g.patient,
                instructions: vec![revoke_ix(&grant, &g.patient, account)],
                rent: 0,
            })
        }
        PatientDecision::Amend { grant, scope, days } => {
            let g = grant_of(ledger, &grant)?;
            let by = authorize(ledger, &g, account, now)?;
            if !matches!(g.status, GrantStatus::Active | GrantStatus::Proposed) {
                return Err(Error::Conflict(format!(
                    "only an active grant or a pending request can be changed: the grant is {}",
                    status_words(&g, now)
                )));
            }
            if scope.is_none() && days.is_none() {
                return Err(Error::invalid(
                    "an amendment changes the data classes, actions, purposes or the end date",
                ));
            }
            let new_scope = scope.unwrap_or(g.scope);
            check_scope(&new_scope)?;
            let expires_at = match days {
                Some(d) => now + seconds(d)?,
                None => g.expires_at,
            };
            let expires_at = by
                .as_ref()
                .map_or(expires_at, |d| expires_at.min(d.expires_at));
            if expires_at <= now || expires_at <= g.not_before {
                return Err(Error::invalid("the grant would end before it starts"));
            }
            let widens = !g.scope.covers(&new_scope) || expires_at > g.expires_at;
            if widens && by.is_some() {
                return Err(Error::Forbidden(
                    "a guardian may narrow a grant but not widen it: widening needs the patient"
                        .into(),
                ));
            }
            if widens && g.emergency {
                return Err(Error::Conflict(
                    "an emergency access cannot be widened".into(),
                ));
            }
            Ok(Prepared {
                kind,
                title: format!("Change the access of {}", short_party(ledger, &g.grantee)?),
                description: format!(
                    "{} may {} until {} (before: {} until {}){}.",
                    party(ledger, &g.grantee)?,
                    scope_words(&new_scope),
                    day(expires_at),
                    scope_words(&g.scope),
                    day(g.expires_at),
                    acting_for(&by, &g.patient),
                ),
                patient: g.patient,
                instructions: vec![amend_ix(
                    &grant,
                    &g.patient,
                    account,
                    AmendArgs {
                        scope,
                        expires_at: days.map(|_| expires_at),
                    },
                )],
                rent: 0,
            })
        }
        PatientDecision::Review { grant } => {
            let g = grant_of(ledger, &grant)?;
            if *account != g.patient {
                return Err(Error::Forbidden(
                    "only the patient reviews an emergency access to their record".into(),
                ));
            }
            if !g.emergency {
                return Err(Error::Conflict(
                    "this grant is not an emergency access".into(),
                ));
            }
            if g.reviewed {
                return Err(Error::Conflict(
                    "this emergency access was already reviewed".into(),
                ));
            }
            Ok(Prepared {
                kind,
                title: format!(
                    "Review an emergency access by {}",
                    short_party(ledger, &g.grantee)?
                ),
                description: format!(
                    "You confirm you have seen that {} opened your record in an emergency ({}, {} recorded access{}, access ending {}). Reviewing does not extend it.",
                    party(ledger, &g.grantee)?,
                    scope_words(&g.scope),
                    g.access_count,
                    if g.access_count == 1 { "" } else { "es" },
                    day(g.expires_at),
                ),
                patient: g.patient,
                instructions: vec![review_emergency_ix(&grant, &g.patient)],
                rent: 0,
            })
        }
        PatientDecision::Grant {
            grantee,
            scope,
            days,
        } => {
            check_scope(&scope)?;
            let args = GrantArgs {
                scope,
                not_before: now,
                expires_at: now + seconds(days)?,
                policy_hash: [0; 32],
            };
            check_grant(ledger, account, &grantee, &args)?;
            let description = format!(
                "{} may {} from {} until {}. You can revoke it at any time.",
                party(ledger, &grantee)?,
                scope_words(&scope),
                day(args.not_before),
                day(args.expires_at),
            );
            // The grant's policy is the text the patient was shown, kept off chain by hash.
            let args = GrantArgs {
                policy_hash: crate::hash::sha256(&[description.as_bytes()]),
                ..args
            };
            let grant_id = next_grant_id(ledger, account, &grantee)?;
            let rent = ledger.minimum_balance_for_rent_exemption(
                8 + <ConsentGrant as anchor_lang::Space>::INIT_SPACE,
            )?;
            Ok(Prepared {
                kind,
                title: format!("Give {} access", short_party(ledger, &grantee)?),
                description,
                patient: *account,
                instructions: vec![grant_ix(
                    fee_payer,
                    &GrantRequest {
                        patient: account,
                        grantee: &grantee,
                        authority: account,
                        grant_id,
                        args,
                    },
                )],
                rent,
            })
        }
        PatientDecision::NameGuardian {
            guardian,
            scope,
            days,
        } => {
            check_scope(&scope)?;
            if guardian == *account {
                return Err(Error::invalid("a patient cannot be their own guardian"));
            }
            if fetch_delegate(ledger, account, &guardian)?.is_some() {
                return Err(Error::Conflict(
                    "this guardian is already named: remove the guardianship first to change it"
                        .into(),
                ));
            }
            let expires_at = now + seconds(days)?;
            let rent = ledger.minimum_balance_for_rent_exemption(
                8 + <Delegate as anchor_lang::Space>::INIT_SPACE,
            )?;
            let mut instructions = Vec::new();
            if sponsored {
                // The program charges the delegate account's rent to the patient: the fee
                // payer hands it over first, so the patient's balance does not move.
                instructions.push(system_instruction::transfer(fee_payer, account, rent));
            }
            instructions.push(set_delegate_ix(account, &guardian, scope, expires_at));
            Ok(Prepared {
                kind,
                title: format!("Name {} your guardian", short_party(ledger, &guardian)?),
                description: format!(
                    "{} may approve, reject, narrow and revoke grants for you that {} only, until {}. It cannot widen a grant. You can end this at any time.",
                    party(ledger, &guardian)?,
                    scope_words(&scope),
                    day(expires_at),
                ),
                patient: *account,
                instructions,
                rent,
            })
        }
        PatientDecision::RemoveGuardian { guardian } => {
            let d = fetch_delegate(ledger, account, &guardian)?.ok_or_else(|| {
                Error::not_found("guardianship", delegate_pda(account, &guardian).0)
            })?;
            Ok(Prepared {
                kind,
                title: format!(
                    "End the guardianship of {}",
                    short_party(ledger, &guardian)?
                ),
                description: format!(
                    "{} may no longer decide for you (it could {} until {}). Grants it made stay as they are until you revoke them.",
                    party(ledger, &guardian)?,
                    scope_words(&d.scope),
                    day(d.expires_at),
                ),
                patient: *account,
                instructions: vec![remove_delegate_ix(account, &guardian)],
                rent: 0,
            })
        }
    }
}

fn grant_of(ledger: &dyn Ledger, grant: &Pubkey) -> Result<ConsentGrant> {
    fetch_grant(ledger, grant)?.ok_or_else(|| Error::not_found("grant", *grant))
}

/// The patient (`None`) or the guardian's delegation `account` acts under, as the program
/// decides it ([`consent::utils::authorize_patient_or_delegate`]).
fn authorize(
    ledger: &dyn Ledger,
    g: &ConsentGrant,
    account: &Pubkey,
    now: i64,
) -> Result<Option<Delegate>> {
    if *account == g.patient {
        return Ok(None);
    }
    check_decision(g, account).map_err(|e| Error::Forbidden(e.to_string()))?;
    let Some(d) = fetch_delegate(ledger, &g.patient, account)? else {
        return Err(Error::Forbidden(format!(
            "{account} is neither the patient of this grant nor one of the patient's guardians"
        )));
    };
    if now >= d.expires_at {
        return Err(Error::Forbidden(format!(
            "this guardianship ended on {}",
            day(d.expires_at)
        )));
    }
    if !d.scope.covers(&g.scope) {
        return Err(Error::Forbidden(format!(
            "this guardianship covers grants that {}, not this one",
            scope_words(&d.scope)
        )));
    }
    consent::utils::authorize_patient_or_delegate(&g.patient, account, Some(&d), &g.scope, now)
        .map_err(|e| Error::Forbidden(e.to_string()))?;
    Ok(Some(d))
}

fn acting_for(by: &Option<Delegate>, patient: &Pubkey) -> String {
    match by {
        Some(_) => format!(" (you decide as guardian of patient {patient})"),
        None => String::new(),
    }
}

fn check_scope(scope: &Scope) -> Result<()> {
    if !scope.is_valid() {
        return Err(Error::invalid(
            "a scope needs at least one known data class, action and purpose",
        ));
    }
    Ok(())
}

fn seconds(days: u32) -> Result<i64> {
    if days == 0 || days > MAX_DAYS {
        return Err(Error::invalid(format!(
            "days must be between 1 and {MAX_DAYS}"
        )));
    }
    Ok(i64::from(days) * 86_400)
}

fn day(t: i64) -> String {
    crate::util::rfc3339(t)[..10].to_string()
}

/// A grant's state in one word: pending, active, expired, revoked, rejected.
pub fn status_words(g: &ConsentGrant, now: i64) -> &'static str {
    match g.status {
        GrantStatus::Proposed => "pending",
        GrantStatus::Active if now >= g.expires_at => "expired",
        GrantStatus::Active => "active",
        GrantStatus::Revoked => "revoked",
        GrantStatus::Rejected => "rejected",
    }
}

/// A guardian's delegation for a patient.
pub fn fetch_delegate(
    ledger: &dyn Ledger,
    patient: &Pubkey,
    guardian: &Pubkey,
) -> Result<Option<Delegate>> {
    crate::account::fetch_owned(ledger, &delegate_pda(patient, guardian).0, &PROGRAM_ID)
}

/// Where `Delegate::patient` sits in the account (discriminator, version, bump, scope).
pub const DELEGATE_PATIENT_OFFSET: usize = 8 + 1 + 1 + 4;

/// The guardians a patient has named, in the order they were named.
pub fn list_delegates(ledger: &dyn Ledger, patient: &Pubkey) -> Result<Vec<(Pubkey, Delegate)>> {
    let filters = [
        AccountFilter::DataSize((8 + <Delegate as anchor_lang::Space>::INIT_SPACE) as u64),
        AccountFilter::memcmp(0, Delegate::DISCRIMINATOR.to_vec()),
        AccountFilter::memcmp(DELEGATE_PATIENT_OFFSET, patient.to_bytes().to_vec()),
    ];
    let mut out: Vec<(Pubkey, Delegate)> = ledger
        .get_program_accounts(&PROGRAM_ID, &filters)?
        .into_iter()
        .filter_map(|(k, a)| decode::<Delegate>(&a.data).map(|d| (k, d)))
        .collect();
    out.sort_by_key(|(k, d)| (d.created_at, *k));
    Ok(out)
}

/// A registry entry in words: "provider GLN 0614141000005 (active, wallet 9xQe…)".
pub fn party(ledger: &dyn Ledger, wallet: &Pubkey) -> Result<String> {
    Ok(match fetch_participant(ledger, wallet)? {
        Some(p) => format!(
            "{} GLN {} ({} in the registry, wallet {wallet})",
            role_names(p.roles).join(" and "),
            gln_str(&p.gln),
            status_name(p.status),
        ),
        None => format!("the unregistered account {wallet}"),
    })
}

/// A registry entry in a few words: "provider 0614141000005".
pub fn short_party(ledger: &dyn Ledger, wallet: &Pubkey) -> Result<String> {
    Ok(short_party_of(
        wallet,
        fetch_participant(ledger, wallet)?.as_ref(),
    ))
}

/// [`short_party`] of a registry entry already read (`None`: not registered).
pub fn short_party_of(wallet: &Pubkey, entry: Option<&registry::state::Participant>) -> String {
    match entry {
        Some(p) => format!(
            "{} {}",
            role_names(p.roles)
                .first()
                .copied()
                .unwrap_or("participant"),
            gln_str(&p.gln)
        ),
        None => {
            let s = wallet.to_string();
            format!("account {}…", &s[..8])
        }
    }
}

/// A purpose-of-use code in words.
pub fn purpose_words(code: &str) -> &'static str {
    match code {
        "TREAT" => "treatment",
        "ETREAT" => "emergency treatment",
        "HPAYMT" => "payment",
        "HOPERAT" => "healthcare operations",
        "HRESCH" => "research",
        "PUBHLTH" => "public health",
        "PATRQT" => "your own request",
        _ => "an unknown purpose",
    }
}

fn list_words(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "access and use your medications and labs for treatment (TREAT)".
pub fn scope_words(scope: &Scope) -> String {
    let purposes: Vec<String> = purpose_names(scope.purposes)
        .into_iter()
        .map(|p| format!("{} ({p})", purpose_words(p)))
        .collect();
    let purposes: Vec<&str> = purposes.iter().map(String::as_str).collect();
    format!(
        "{} your {} for {}",
        list_words(&action_names(scope.actions)),
        list_words(&class_names(scope.classes)).replace('-', " "),
        list_words(&purposes),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::AccountSerialize;

    #[test]
    fn scope_in_words() {
        let s = Scope {
            classes: class::MEDICATIONS | class::LABS | class::MENTAL_HEALTH,
            actions: action::ACCESS,
            purposes: purpose::TREAT | purpose::HPAYMT,
        };
        assert_eq!(
            scope_words(&s),
            "access your medications, labs and mental health for treatment (TREAT) and payment (HPAYMT)"
        );
    }

    #[test]
    fn delegate_patient_offset_matches_the_layout() {
        let patient = Pubkey::new_unique();
        let d = Delegate {
            version: 1,
            bump: 255,
            scope: Scope {
                classes: 1,
                actions: 1,
                purposes: 1,
            },
            patient,
            guardian: Pubkey::new_unique(),
            expires_at: 1,
            created_at: 0,
        };
        let mut data = Vec::new();
        d.try_serialize(&mut data).unwrap();
        assert_eq!(
            &data[DELEGATE_PATIENT_OFFSET..DELEGATE_PATIENT_OFFSET + 32],
            patient.as_ref()
        );
        assert_eq!(data.len(), 8 + <Delegate as anchor_lang::Space>::INIT_SPACE);
    }

    #[test]
    fn days_are_bounded() {
        assert!(seconds(0).is_err());
        assert!(seconds(MAX_DAYS + 1).is_err());
        assert_eq!(seconds(1).unwrap(), 86_400);
    }
}
