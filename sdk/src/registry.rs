//! Registry client: PDAs, typed instruction builders (from the program crate's own types),
//! account fetch/decode and filtered listing, and a [`RegistryClient`] that sends them.

use crate::ledger::{send_instructions, AccountFilter, Ledger, TxOutcome};
use crate::{Error, Result};
use anchor_lang::{InstructionData, ToAccountMetas};
pub use registry::constants::roles;
use registry::constants::{GLN_LEN, SEED_PARTICIPANT, SEED_REGISTRY};
pub use registry::state::{CompanyPrefix, Participant, ParticipantStatus, RegistryConfig};
pub use registry::{RegisterParticipantArgs, UpdateParticipantArgs};
use solana_sdk::{
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

/// The registry program id.
pub const PROGRAM_ID: Pubkey = registry::ID;

/// `["registry"]`.
pub fn config_pda() -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_REGISTRY], &PROGRAM_ID)
}

/// `["participant", wallet]`.
pub fn participant_pda(wallet: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_PARTICIPANT, wallet.as_ref()], &PROGRAM_ID)
}

/// Parses a GLN string (13 digits, check digit verified).
pub fn parse_gln(s: &str) -> Result<[u8; GLN_LEN]> {
    let bytes = s.trim().as_bytes();
    match caretrail_common::gs1::validate_gln(bytes) {
        Ok(()) => Ok(bytes.try_into().expect("validated length")),
        Err(caretrail_common::gs1::GlnError::Format) => {
            Err(Error::invalid(format!("GLN {s:?} must be 13 digits")))
        }
        Err(caretrail_common::gs1::GlnError::CheckDigit) => {
            let expected = caretrail_common::gs1::compute_check_digit(&bytes[..12]).unwrap_or(0);
            Err(Error::invalid(format!(
                "GLN {s:?} has a wrong check digit (expected {expected})"
            )))
        }
    }
}

/// Completes a 12-digit GLN body with its GS1 check digit.
pub fn complete_gln(body: &str) -> Result<String> {
    if body.len() != GLN_LEN - 1 {
        return Err(Error::invalid(format!(
            "a GLN body has {} digits, not {}",
            GLN_LEN - 1,
            body.len()
        )));
    }
    let check = caretrail_common::gs1::compute_check_digit(body.as_bytes())
        .ok_or_else(|| Error::invalid(format!("GLN body {body:?} must be digits")))?;
    Ok(format!("{body}{check}"))
}

/// GLN bytes as a string.
pub fn gln_str(gln: &[u8; GLN_LEN]) -> String {
    String::from_utf8_lossy(gln).into_owned()
}

/// Parses `manufacturer,distributor` (names of [`roles::NAMES`]) into a bitmask.
pub fn parse_roles(s: &str) -> Result<u16> {
    let mut mask = 0u16;
    for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let bit = roles::NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, b)| *b)
            .ok_or_else(|| {
                let known: Vec<&str> = roles::NAMES.iter().map(|(n, _)| *n).collect();
                Error::invalid(format!(
                    "unknown role {name:?} (known: {})",
                    known.join(", ")
                ))
            })?;
        mask |= bit;
    }
    if mask == 0 {
        return Err(Error::invalid("at least one role is required"));
    }
    Ok(mask)
}

/// Role names of a bitmask.
pub fn role_names(mask: u16) -> Vec<&'static str> {
    roles::NAMES
        .iter()
        .filter(|(_, b)| mask & b != 0)
        .map(|(n, _)| *n)
        .collect()
}

pub fn status_name(s: ParticipantStatus) -> &'static str {
    match s {
        ParticipantStatus::Active => "active",
        ParticipantStatus::Suspended => "suspended",
        ParticipantStatus::Revoked => "revoked",
    }
}

// ---------------------------------------------------------------------------------------------
// Instruction builders
// ---------------------------------------------------------------------------------------------

/// `initialize`: `program_data` is the program's ProgramData address when it is deployed with
/// the upgradeable loader (see [`program_data_address`]), `None` otherwise.
pub fn initialize_ix(authority: &Pubkey, program_data: Option<Pubkey>) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: registry::accounts::Initialize {
            registry: config_pda().0,
            authority: *authority,
            program: PROGRAM_ID,
            program_data,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: registry::instruction::Initialize {}.data(),
    }
}

pub fn propose_authority_ix(authority: &Pubkey, new_authority: &Pubkey) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: registry::accounts::ProposeAuthority {
            registry: config_pda().0,
            authority: *authority,
        }
        .to_account_metas(None),
        data: registry::instruction::ProposeAuthority {
            new_authority: *new_authority,
        }
        .data(),
    }
}

pub fn accept_authority_ix(new_authority: &Pubkey) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: registry::accounts::AcceptAuthority {
            registry: config_pda().0,
            new_authority: *new_authority,
        }
        .to_account_metas(None),
        data: registry::instruction::AcceptAuthority {}.data(),
    }
}

/// `register_participant`; `admin_is_regulator` passes the admin's own participant account
/// (delegated administration by a regulator).
pub fn register_participant_ix(
    admin: &Pubkey,
    fee_payer: &Pubkey,
    args: RegisterParticipantArgs,
    admin_is_regulator: bool,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: registry::accounts::RegisterParticipant {
            registry: config_pda().0,
            participant: participant_pda(&args.wallet).0,
            admin: *admin,
            admin_participant: admin_is_regulator.then(|| participant_pda(admin).0),
            payer: *fee_payer,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: registry::instruction::RegisterParticipant { args }.data(),
    }
}

fn manage_accounts(
    admin: &Pubkey,
    wallet: &Pubkey,
    admin_is_regulator: bool,
) -> Vec<anchor_lang::prelude::AccountMeta> {
    registry::accounts::ManageParticipant {
        registry: config_pda().0,
        participant: participant_pda(wallet).0,
        admin: *admin,
        admin_participant: admin_is_regulator.then(|| participant_pda(admin).0),
    }
    .to_account_metas(None)
}

pub fn update_participant_ix(
    admin: &Pubkey,
    wallet: &Pubkey,
    args: UpdateParticipantArgs,
    admin_is_regulator: bool,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: manage_accounts(admin, wallet, admin_is_regulator),
        data: registry::instruction::UpdateParticipant { args }.data(),
    }
}

pub fn suspend_participant_ix(
    admin: &Pubkey,
    wallet: &Pubkey,
    reason_code: u16,
    admin_is_regulator: bool,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: manage_accounts(admin, wallet, admin_is_regulator),
        data: registry::instruction::SuspendParticipant { reason_code }.data(),
    }
}

pub fn reinstate_participant_ix(
    admin: &Pubkey,
    wallet: &Pubkey,
    admin_is_regulator: bool,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: manage_accounts(admin, wallet, admin_is_regulator),
        data: registry::instruction::ReinstateParticipant {}.data(),
    }
}

pub fn revoke_participant_ix(
    admin: &Pubkey,
    wallet: &Pubkey,
    reason_code: u16,
    admin_is_regulator: bool,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: manage_accounts(admin, wallet, admin_is_regulator),
        data: registry::instruction::RevokeParticipant { reason_code }.data(),
    }
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

pub use crate::account::{decode, fetch_owned};

/// The ProgramData address of the registry when it is deployed with the upgradeable loader.
pub fn program_data_address(ledger: &dyn Ledger) -> Result<Option<Pubkey>> {
    let upgradeable = anchor_lang::solana_program::bpf_loader_upgradeable::ID;
    Ok(match ledger.get_account(&PROGRAM_ID)? {
        Some(a) if a.owner == upgradeable => {
            Some(Pubkey::find_program_address(&[PROGRAM_ID.as_ref()], &upgradeable).0)
        }
        _ => None,
    })
}

pub fn fetch_config(ledger: &dyn Ledger) -> Result<Option<RegistryConfig>> {
    Ok(ledger
        .get_account(&config_pda().0)?
        .and_then(|a| decode(&a.data)))
}

pub fn fetch_participant(ledger: &dyn Ledger, wallet: &Pubkey) -> Result<Option<Participant>> {
    fetch_owned(ledger, &participant_pda(wallet).0, &PROGRAM_ID)
}

/// Which participants to list. Status and GLN are filtered by the ledger (memcmp), roles here.
#[derive(Debug, Clone, Default)]
pub struct ParticipantQuery {
    pub status: Option<ParticipantStatus>,
    /// Keep participants holding any of these role bits.
    pub any_role: Option<u16>,
    pub gln: Option<[u8; GLN_LEN]>,
}

/// Lists participants matching `query`, ordered by wallet.
pub fn list_participants(
    ledger: &dyn Ledger,
    query: &ParticipantQuery,
) -> Result<Vec<(Pubkey, Participant)>> {
    use anchor_lang::Discriminator;
    let mut filters = vec![
        AccountFilter::DataSize((8 + <Participant as anchor_lang::Space>::INIT_SPACE) as u64),
        AccountFilter::memcmp(0, Participant::DISCRIMINATOR.to_vec()),
    ];
    if let Some(s) = query.status {
        filters.push(AccountFilter::memcmp(
            Participant::STATUS_OFFSET,
            vec![s as u8],
        ));
    }
    if let Some(g) = query.gln {
        filters.push(AccountFilter::memcmp(Participant::GLN_OFFSET, g.to_vec()));
    }
    let mut out: Vec<(Pubkey, Participant)> = ledger
        .get_program_accounts(&PROGRAM_ID, &filters)?
        .into_iter()
        .filter_map(|(k, a)| decode::<Participant>(&a.data).map(|p| (k, p)))
        .filter(|(_, p)| query.any_role.is_none_or(|r| p.has_any_role(r)))
        .collect();
    out.sort_by_key(|(_, p)| p.wallet);
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// GS1 Company Prefixes
// ---------------------------------------------------------------------------------------------

/// A GS1 Company Prefix (4 to 12 digits) as the registry's 12-byte seed.
pub fn parse_prefix(s: &str) -> Result<[u8; 12]> {
    let s = s.trim();
    if !(4..=12).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(format!(
            "a GS1 company prefix is 4 to 12 digits, got {s:?} ({} characters)",
            s.len()
        )));
    }
    let mut p = [0u8; 12];
    p[..s.len()].copy_from_slice(s.as_bytes());
    Ok(p)
}

/// The digits of a prefix seed.
pub fn prefix_string(p: &[u8; 12]) -> String {
    p.iter()
        .take_while(|b| **b != 0)
        .map(|b| *b as char)
        .collect()
}

/// `["gs1_prefix", prefix]`.
pub fn prefix_pda(prefix: &[u8; 12]) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[registry::constants::SEED_PREFIX, prefix.as_ref()],
        &PROGRAM_ID,
    )
}

/// The licensed company prefix a GS1 key (GTIN-14 or SSCC-18 digits) was allocated under,
/// looked up for every possible prefix length in one read; `None` when nobody holds it.
pub fn find_prefix(ledger: &dyn Ledger, key: &[u8]) -> Result<Option<(Pubkey, CompanyPrefix)>> {
    let candidates: Vec<Pubkey> = (4..=12usize)
        .filter(|len| key.len() > len + 1)
        .map(|len| {
            let mut p = [0u8; 12];
            p[..len].copy_from_slice(&key[1..1 + len]);
            prefix_pda(&p).0
        })
        .collect();
    let accounts = ledger.get_multiple_accounts(&candidates)?;
    Ok(candidates
        .into_iter()
        .zip(accounts)
        .filter_map(|(k, a)| {
            let a = a.filter(|a| a.owner == PROGRAM_ID)?;
            decode::<CompanyPrefix>(&a.data).map(|p| (k, p))
        })
        .find(|(_, p)| p.covers(key)))
}

/// Every licensed prefix, or those of one holder (memcmp), in prefix order.
pub fn list_prefixes(
    ledger: &dyn Ledger,
    holder: Option<&Pubkey>,
) -> Result<Vec<(Pubkey, CompanyPrefix)>> {
    use anchor_lang::Discriminator;
    let mut filters = vec![
        AccountFilter::DataSize((8 + <CompanyPrefix as anchor_lang::Space>::INIT_SPACE) as u64),
        AccountFilter::memcmp(0, CompanyPrefix::DISCRIMINATOR.to_vec()),
    ];
    if let Some(h) = holder {
        filters.push(AccountFilter::memcmp(
            CompanyPrefix::HOLDER_OFFSET,
            h.to_bytes().to_vec(),
        ));
    }
    let mut out: Vec<(Pubkey, CompanyPrefix)> = ledger
        .get_program_accounts(&PROGRAM_ID, &filters)?
        .into_iter()
        .filter_map(|(k, a)| decode::<CompanyPrefix>(&a.data).map(|p| (k, p)))
        .collect();
    out.sort_by_key(|(_, p)| p.prefix);
    Ok(out)
}

pub fn assign_prefix_ix(
    authority: &Pubkey,
    fee_payer: &Pubkey,
    prefix: [u8; 12],
    holder: &Pubkey,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: registry::accounts::AssignPrefix {
            registry: config_pda().0,
            company_prefix: prefix_pda(&prefix).0,
            holder_participant: participant_pda(holder).0,
            authority: *authority,
            payer: *fee_payer,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: registry::instruction::AssignPrefix { prefix }.data(),
    }
}

pub fn revoke_prefix_ix(authority: &Pubkey, prefix: [u8; 12]) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: registry::accounts::RevokePrefix {
            registry: config_pda().0,
            company_prefix: prefix_pda(&prefix).0,
            authority: *authority,
        }
        .to_account_metas(None),
        data: registry::instruction::RevokePrefix {}.data(),
    }
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

/// Sends registry instructions through a [`Ledger`]; `payer` pays fees and rent.
pub struct RegistryClient<'a> {
    pub ledger: &'a dyn Ledger,
    /// Pays transaction fees and the rent of created accounts.
    pub fee_payer: &'a Keypair,
}

impl<'a> RegistryClient<'a> {
    pub fn new(ledger: &'a dyn Ledger, fee_payer: &'a Keypair) -> Self {
        RegistryClient { ledger, fee_payer }
    }

    fn send(&self, signers: &[&Keypair], ixs: &[Instruction]) -> Result<TxOutcome> {
        send_instructions(self.ledger, self.fee_payer, signers, ixs)
    }

    /// The registry authority licenses the GS1 Company Prefix `prefix` to `holder`.
    pub fn assign_prefix(
        &self,
        authority: &Keypair,
        prefix: &str,
        holder: &Pubkey,
    ) -> Result<TxOutcome> {
        let prefix = parse_prefix(prefix)?;
        self.send(
            &[authority],
            &[assign_prefix_ix(
                &authority.pubkey(),
                &self.fee_payer.pubkey(),
                prefix,
                holder,
            )],
        )
    }

    /// The registry authority takes the prefix back.
    pub fn revoke_prefix(&self, authority: &Keypair, prefix: &str) -> Result<TxOutcome> {
        let prefix = parse_prefix(prefix)?;
        self.send(
            &[authority],
            &[revoke_prefix_ix(&authority.pubkey(), prefix)],
        )
    }

    /// Creates the registry with `authority` (who must be the upgrade authority on a cluster).
    pub fn initialize(&self, authority: &Keypair) -> Result<TxOutcome> {
        let program_data = program_data_address(self.ledger)?;
        self.send(
            &[authority],
            &[initialize_ix(&authority.pubkey(), program_data)],
        )
    }

    pub fn propose_authority(
        &self,
        authority: &Keypair,
        new_authority: &Pubkey,
    ) -> Result<TxOutcome> {
        self.send(
            &[authority],
            &[propose_authority_ix(&authority.pubkey(), new_authority)],
        )
    }

    pub fn accept_authority(&self, new_authority: &Keypair) -> Result<TxOutcome> {
        self.send(
            &[new_authority],
            &[accept_authority_ix(&new_authority.pubkey())],
        )
    }

    /// Is `admin` acting as a delegated regulator, i.e. not the registry authority but a
    /// registered participant (whose account the program then checks for the regulator role)?
    fn admin_is_regulator(&self, admin: &Pubkey) -> Result<bool> {
        let config = fetch_config(self.ledger)?
            .ok_or_else(|| Error::not_found("registry config", config_pda().0))?;
        Ok(config.authority != *admin
            && self
                .ledger
                .get_account(&participant_pda(admin).0)?
                .is_some())
    }

    pub fn register(&self, admin: &Keypair, args: RegisterParticipantArgs) -> Result<TxOutcome> {
        let reg = self.admin_is_regulator(&admin.pubkey())?;
        self.send(
            &[admin],
            &[register_participant_ix(
                &admin.pubkey(),
                &self.fee_payer.pubkey(),
                args,
                reg,
            )],
        )
    }

    pub fn update(
        &self,
        admin: &Keypair,
        wallet: &Pubkey,
        args: UpdateParticipantArgs,
    ) -> Result<TxOutcome> {
        let reg = self.admin_is_regulator(&admin.pubkey())?;
        self.send(
            &[admin],
            &[update_participant_ix(&admin.pubkey(), wallet, args, reg)],
        )
    }

    pub fn suspend(&self, admin: &Keypair, wallet: &Pubkey, reason_code: u16) -> Result<TxOutcome> {
        let reg = self.admin_is_regulator(&admin.pubkey())?;
        self.send(
            &[admin],
            &[suspend_participant_ix(
                &admin.pubkey(),
                wallet,
                reason_code,
                reg,
            )],
        )
    }

    pub fn reinstate(&self, admin: &Keypair, wallet: &Pubkey) -> Result<TxOutcome> {
        let reg = self.admin_is_regulator(&admin.pubkey())?;
        self.send(
            &[admin],
            &[reinstate_participant_ix(&admin.pubkey(), wallet, reg)],
        )
    }

    pub fn revoke(&self, admin: &Keypair, wallet: &Pubkey, reason_code: u16) -> Result<TxOutcome> {
        let reg = self.admin_is_regulator(&admin.pubkey())?;
        self.send(
            &[admin],
            &[revoke_participant_ix(
                &admin.pubkey(),
                wallet,
                reason_code,
                reg,
            )],
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Views (JSON-friendly renderings for CLIs and services)
// ---------------------------------------------------------------------------------------------

/// A participant as clients show it: base58 keys, role names, GLN as text, hex commitment.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct ParticipantView {
    pub address: String,
    pub wallet: String,
    pub status: &'static str,
    pub roles: Vec<&'static str>,
    pub gln: String,
    pub credential_commitment: String,
    /// RFC 3339 (UTC), as every time a view shows.
    pub valid_until: String,
    pub registered_at: String,
    pub updated_at: String,
    pub registered_by: String,
    pub status_reason: u16,
}

impl ParticipantView {
    pub fn new(address: &Pubkey, p: &Participant) -> ParticipantView {
        ParticipantView {
            address: address.to_string(),
            wallet: p.wallet.to_string(),
            status: status_name(p.status),
            roles: role_names(p.roles),
            gln: gln_str(&p.gln),
            credential_commitment: crate::util::hex(&p.credential_commitment),
            valid_until: crate::util::rfc3339(p.valid_until),
            registered_at: crate::util::rfc3339(p.registered_at),
            updated_at: crate::util::rfc3339(p.updated_at),
            registered_by: p.registered_by.to_string(),
            status_reason: p.status_reason,
        }
    }
}

/// The registry config as clients show it.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct RegistryView {
    pub address: String,
    pub authority: String,
    pub pending_authority: Option<String>,
    pub participant_count: u64,
    pub revoked_count: u64,
    pub created_at: String,
    pub updated_at: String,
}

impl RegistryView {
    pub fn new(c: &RegistryConfig) -> RegistryView {
        RegistryView {
            address: config_pda().0.to_string(),
            authority: c.authority.to_string(),
            pending_authority: c
                .has_pending_authority()
                .then(|| c.pending_authority.to_string()),
            participant_count: c.participant_count,
            revoked_count: c.revoked_count,
            created_at: crate::util::rfc3339(c.created_at),
            updated_at: crate::util::rfc3339(c.updated_at),
        }
    }
}

/// Result of checking a wallet's credential for a role (what a counterparty verifies before
/// trading with it).
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct RoleCheck {
    pub wallet: String,
    pub role: Vec<&'static str>,
    pub ok: bool,
    /// Why not, when `ok` is false.
    pub reason: Option<String>,
}

/// Checks on the ledger that `wallet` holds an active, unexpired credential with any of `roles`,
/// exactly as the programs do.
pub fn check_role(ledger: &dyn Ledger, wallet: &Pubkey, roles_mask: u16) -> Result<RoleCheck> {
    let now = ledger.get_clock()?.unix_timestamp;
    let reason = match fetch_participant(ledger, wallet)? {
        None => Some("not registered".to_string()),
        Some(p) => p
            .require_role::<registry::error::RegistryError>(wallet, roles_mask, now)
            .err()
            .map(|e| match e {
                anchor_lang::error::Error::AnchorError(a) => a.error_msg.clone(),
                other => other.to_string(),
            }),
    };
    Ok(RoleCheck {
        wallet: wallet.to_string(),
        role: role_names(roles_mask),
        ok: reason.is_none(),
        reason,
    })
}
