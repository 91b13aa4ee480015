//! Builders.

use super::*;

fn ix(accounts: Vec<anchor_lang::prelude::AccountMeta>, data: Vec<u8>) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts,
        data,
    }
}

/// A grant of access to `grantee`, made by `authority`: the patient, or a guardian of the
/// patient (its delegate account is then passed).
#[derive(Debug, Clone)]
pub struct GrantRequest<'a> {
    pub patient: &'a Pubkey,
    pub grantee: &'a Pubkey,
    pub authority: &'a Pubkey,
    pub grant_id: u64,
    pub args: GrantArgs,
}

/// `grant` of `request`, fees and the grant's rent paid by `fee_payer`.
pub fn grant_ix(fee_payer: &Pubkey, request: &GrantRequest) -> Instruction {
    let GrantRequest {
        patient,
        grantee,
        authority,
        grant_id,
        ref args,
    } = *request;
    let args = args.clone();
    ix(
        consent::accounts::Grant {
            grant: grant_pda(patient, grantee, grant_id).0,
            patient: *patient,
            grantee_participant: participant_pda(grantee).0,
            authority: *authority,
            delegate: (authority != patient).then(|| delegate_pda(patient, authority).0),
            payer: *fee_payer,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        consent::instruction::Grant { grant_id, args }.data(),
    )
}

pub fn request_ix(
    patient: &Pubkey,
    grantee: &Pubkey,
    grant_id: u64,
    args: GrantArgs,
) -> Instruction {
    ix(
        consent::accounts::Request {
            grant: grant_pda(patient, grantee, grant_id).0,
            patient: *patient,
            grantee: *grantee,
            grantee_participant: participant_pda(grantee).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        consent::instruction::Request { grant_id, args }.data(),
    )
}

fn change_accounts(
    grant: &Pubkey,
    patient: &Pubkey,
    authority: &Pubkey,
) -> Vec<anchor_lang::prelude::AccountMeta> {
    consent::accounts::ChangeGrant {
        grant: *grant,
        authority: *authority,
        delegate: (authority != patient).then(|| delegate_pda(patient, authority).0),
    }
    .to_account_metas(None)
}

pub fn approve_ix(grant: &Pubkey, patient: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        change_accounts(grant, patient, authority),
        consent::instruction::Approve {}.data(),
    )
}

pub fn reject_ix(grant: &Pubkey, patient: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        change_accounts(grant, patient, authority),
        consent::instruction::Reject {}.data(),
    )
}

pub fn amend_ix(
    grant: &Pubkey,
    patient: &Pubkey,
    authority: &Pubkey,
    args: AmendArgs,
) -> Instruction {
    ix(
        change_accounts(grant, patient, authority),
        consent::instruction::Amend { args }.data(),
    )
}

pub fn revoke_ix(grant: &Pubkey, patient: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        change_accounts(grant, patient, authority),
        consent::instruction::Revoke {}.data(),
    )
}

pub fn close_grant_ix(grant: &Pubkey, patient: &Pubkey) -> Instruction {
    ix(
        consent::accounts::CloseGrant {
            grant: *grant,
            patient: *patient,
        }
        .to_account_metas(None),
        consent::instruction::CloseGrant {}.data(),
    )
}

pub fn set_delegate_ix(
    patient: &Pubkey,
    guardian: &Pubkey,
    scope: Scope,
    expires_at: i64,
) -> Instruction {
    ix(
        consent::accounts::SetDelegate {
            delegate: delegate_pda(patient, guardian).0,
            patient: *patient,
            guardian: *guardian,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        consent::instruction::SetDelegate { scope, expires_at }.data(),
    )
}

pub fn remove_delegate_ix(patient: &Pubkey, guardian: &Pubkey) -> Instruction {
    ix(
        consent::accounts::RemoveDelegate {
            delegate: delegate_pda(patient, guardian).0,
            patient: *patient,
        }
        .to_account_metas(None),
        consent::instruction::RemoveDelegate {}.data(),
    )
}

pub fn emergency_access_ix(
    patient: &Pubkey,
    provider: &Pubkey,
    grant_id: u64,
    args: EmergencyArgs,
) -> Instruction {
    ix(
        consent::accounts::EmergencyAccess {
            grant: grant_pda(patient, provider, grant_id).0,
            patient_record: patient_record_pda(patient).0,
            breakglass: breakglass_pda(patient, provider).0,
            patient: *patient,
            provider: *provider,
            provider_participant: participant_pda(provider).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        consent::instruction::EmergencyAccess { grant_id, args }.data(),
    )
}

pub fn review_emergency_ix(grant: &Pubkey, patient: &Pubkey) -> Instruction {
    ix(
        consent::accounts::ReviewEmergency {
            grant: *grant,
            patient_record: patient_record_pda(patient).0,
            patient: *patient,
        }
        .to_account_metas(None),
        consent::instruction::ReviewEmergency {}.data(),
    )
}

/// Records one access under a grant the patient made (see [`record_access_under_ix`] for a
/// grant a guardian made).
pub fn record_access_ix(
    grant: &Pubkey,
    patient: &Pubkey,
    grantee: &Pubkey,
    args: AccessArgs,
) -> Instruction {
    record_access_under_ix(grant, patient, grantee, None, args)
}

/// Records one access under a grant; `guardian` is the grant's `delegate` when a guardian made,
/// approved or last changed it (the program then checks that delegation is still alive).
pub fn record_access_under_ix(
    grant: &Pubkey,
    patient: &Pubkey,
    grantee: &Pubkey,
    guardian: Option<&Pubkey>,
    args: AccessArgs,
) -> Instruction {
    ix(
        consent::accounts::RecordAccess {
            grant: *grant,
            patient: *patient,
            grantee: *grantee,
            grantee_participant: participant_pda(grantee).0,
            delegate: guardian.map(|g| delegate_pda(patient, g).0),
        }
        .to_account_metas(None),
        consent::instruction::RecordAccess { args }.data(),
    )
}

/// Records one access to an anchored record version (`records`): `args.resource_hash` is the
/// version's leaf, `path` its Merkle path to the root of `batch`.
pub fn record_anchored_access_ix(
    grant: &Pubkey,
    patient: &Pubkey,
    grantee: &Pubkey,
    guardian: Option<&Pubkey>,
    args: AccessArgs,
    batch: &Pubkey,
    path: Vec<[u8; 32]>,
) -> Instruction {
    ix(
        consent::accounts::RecordAnchoredAccess {
            access: consent::accounts::RecordAccess {
                grant: *grant,
                patient: *patient,
                grantee: *grantee,
                grantee_participant: participant_pda(grantee).0,
                delegate: guardian.map(|g| delegate_pda(patient, g).0),
            },
            batch: *batch,
        }
        .to_account_metas(None),
        consent::instruction::RecordAnchoredAccess { args, proof: path }.data(),
    )
}
