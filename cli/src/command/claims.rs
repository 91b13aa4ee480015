//! `caretrail claims …`: thin over `caretrail_sdk::claims`, for insurers and providers.

use crate::context::{parse_pubkey, Context};
use crate::output::{table, Output};
use anyhow::{anyhow, Context as _, Result};
use caretrail_sdk::claims::{
    self as clm, ClaimRefs, ClaimView, ClaimsClient, EnrollArgs, PayerArgs,
};
use caretrail_sdk::solana_sdk::{pubkey::Pubkey, signature::Signer};
use caretrail_sdk::TxOutcome;
use clap::Subcommand;
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum ClaimsCommand {
    /// Create the --keypair payer (a registered payer) with its vault of MINT.
    PayerInit {
        #[arg(long)]
        mint: String,
        /// `token` or `token-2022`.
        #[arg(long, default_value = "token")]
        token_program: String,
        #[arg(long)]
        auto_approve_limit: u64,
        #[arg(long)]
        daily_limit: u64,
        /// Appeal window in days.
        #[arg(long, default_value_t = 30)]
        appeal_days: i64,
        /// Adjudicator wallets (repeatable, at most 3).
        #[arg(long = "adjudicator")]
        adjudicators: Vec<String>,
    },
    /// Change the --keypair payer's settings (payer authority): limits, adjudicators, what
    /// every claim must name, pause or resume payments.
    PayerUpdate {
        /// The payer (its creator's wallet) [default: the --keypair's own payer].
        #[arg(long)]
        payer: Option<String>,
        #[arg(long)]
        auto_approve_limit: Option<u64>,
        #[arg(long)]
        daily_limit: Option<u64>,
        /// Appeal window in days.
        #[arg(long)]
        appeal_days: Option<i64>,
        /// Replace the adjudicators (repeatable, at most 3).
        #[arg(long = "adjudicator")]
        adjudicators: Vec<String>,
        /// What every new claim must name: `consent`, `unit` (comma-separated) or `none`.
        #[arg(long)]
        require: Option<String>,
        /// Pause payments.
        #[arg(long, conflicts_with = "resume")]
        pause: bool,
        /// Resume payments.
        #[arg(long)]
        resume: bool,
    },
    /// Step 1 of a payer authority handover (payer authority): name the successor.
    PayerProposeAuthority {
        /// The new authority (pubkey or keypair file), a registered payer.
        new_authority: String,
        #[arg(long)]
        payer: Option<String>,
    },
    /// Step 2 of a payer authority handover: the --keypair (the proposed authority) accepts.
    PayerAcceptAuthority {
        /// The payer (its creator's wallet).
        #[arg(long)]
        payer: String,
    },
    /// Withdraw vault funds that no approved, unpaid claim needs (payer authority), in the
    /// mint's base units.
    Withdraw {
        /// The payer (its creator's wallet) [default: the --keypair's own payer].
        #[arg(long)]
        payer: Option<String>,
        /// The token account that receives the funds.
        #[arg(long)]
        to: String,
        amount: u64,
    },
    /// Move tokens from the --keypair's token account into a payer's vault.
    Fund {
        /// The payer authority wallet.
        #[arg(long)]
        payer: String,
        #[arg(long)]
        from: String,
        amount: u64,
    },
    /// Enrol a patient (the --keypair is the payer authority; the patient co-signs).
    Enroll {
        /// The patient's keypair file.
        #[arg(long)]
        patient_keypair: std::path::PathBuf,
        /// The member id (only sha256(salt ‖ id) goes on chain; the salt is printed).
        #[arg(long)]
        member_id: String,
        #[arg(long, default_value_t = 365)]
        days: i64,
        #[arg(long)]
        annual_max: u64,
        #[arg(long, default_value_t = 0)]
        deductible: u64,
    },
    /// Submit a claim (the --keypair is the provider or pharmacy).
    Submit(SubmitArgs),
    /// Replace a claim before payment (837 frequency 7).
    Replace {
        /// The claim being replaced.
        replaces: String,
        #[command(flatten)]
        args: SubmitArgs,
    },
    /// Start reviewing a claim (payer authority).
    Review { claim: String },
    /// Adjudicate: allow an amount of the billed (payer authority; an adjudicator above the
    /// auto-approve limit).
    Adjudicate {
        claim: String,
        #[arg(long)]
        allowed: u64,
        /// CARC reason code (required when allowing less than billed).
        #[arg(long, default_value_t = 0)]
        carc: u16,
        /// The adjudicator's keypair file.
        #[arg(long)]
        adjudicator_keypair: Option<std::path::PathBuf>,
    },
    /// Appeal a denial or partial approval (provider, within the window).
    Appeal { claim: String },
    /// Pay an approved claim from the vault to the provider's token account (payer authority).
    Pay {
        claim: String,
        /// The provider's token account [default: its associated token account].
        #[arg(long)]
        to: Option<String>,
    },
    /// Void a claim before payment (provider; 837 frequency 8).
    Void { claim: String },
    /// Reverse a payment (835 CLP02 = 22): the provider returns the funds (--keypair: payer
    /// authority; the provider co-signs).
    Reverse {
        claim: String,
        #[arg(long)]
        provider_keypair: std::path::PathBuf,
        #[arg(long, default_value_t = 129)]
        carc: u16,
        #[arg(long)]
        from: Option<String>,
    },
    /// Show a claim (status, amounts, FHIR outcome, X12 835 CLP02).
    Show { claim: String },
    /// List claims by payer, provider and status.
    List {
        /// Payer authority wallet.
        #[arg(long)]
        payer: Option<String>,
        #[arg(long)]
        provider: Option<String>,
        #[arg(long)]
        status: Option<String>,
    },
    /// A claim as a FHIR R4 ClaimResponse.
    ExportFhir {
        claim: String,
        #[arg(long, default_value = "USD")]
        currency: String,
    },
}

#[derive(clap::Args, Debug)]
pub struct SubmitArgs {
    /// The payer authority wallet.
    #[arg(long)]
    pub payer: String,
    /// The patient's coverage account.
    #[arg(long)]
    pub coverage: String,
    /// The claim id (only its sha256 goes on chain; each id reaches a payer once).
    #[arg(long)]
    pub claim_id: String,
    #[arg(long)]
    pub billed: u64,
    /// The claim document (FHIR Claim / X12 837; only its sha256 goes on chain).
    #[arg(long)]
    pub document: Option<std::path::PathBuf>,
    /// A consent grant permitting payment (HPAYMT).
    #[arg(long)]
    pub consent_grant: Option<String>,
    /// A dispensed custody unit (pharmacy claims).
    #[arg(long)]
    pub unit: Option<String>,
}

fn token_program(name: &str) -> Result<Pubkey> {
    match name {
        "token" | "spl-token" => Ok(caretrail_sdk::tokens::TOKEN),
        "token-2022" | "token2022" => Ok(caretrail_sdk::tokens::TOKEN_2022),
        other => parse_pubkey(other),
    }
}

fn ata(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    caretrail_sdk::tokens::associated_address(owner, mint, token_program)
}

fn tx(what: String, out: TxOutcome, extra: serde_json::Value) -> Output {
    let mut json = json!({ "signature": out.signature.to_string() });
    if let (Some(a), Some(b)) = (json.as_object_mut(), extra.as_object()) {
        a.extend(b.clone());
    }
    Output::new(json, format!("{what}\nsignature: {}", out.signature))
}

fn claim_view(ctx: &Context, address: &Pubkey) -> Result<ClaimView> {
    let c = clm::fetch_claim(ctx.ledger()?, address)?
        .ok_or_else(|| anyhow!("no claim at {address}"))?;
    Ok(ClaimView::new(address, &c))
}

fn submit(ctx: &Context, a: &SubmitArgs, replaces: Option<Pubkey>) -> Result<Output> {
    let signer = ctx.signer()?;
    let payer = clm::payer_pda(&parse_pubkey(&a.payer)?).0;
    let document = match &a.document {
        Some(p) => caretrail_sdk::hash::sha256(&[
            &std::fs::read(p).with_context(|| format!("reading {}", p.display()))?
        ]),
        None => caretrail_sdk::hash::sha256(&[a.claim_id.as_bytes(), b"claim document"]),
    };
    let refs = ClaimRefs {
        consent_grant: a.consent_grant.as_deref().map(parse_pubkey).transpose()?,
        unit: a.unit.as_deref().map(parse_pubkey).transpose()?,
        replaces,
    };
    let out = ClaimsClient::new(ctx.ledger()?, &signer).submit(
        &signer,
        &a.claim_id,
        &caretrail_sdk::claims::SubmitClaim {
            payer: &payer,
            coverage: &parse_pubkey(&a.coverage)?,

            document_hash: document,
            billed: a.billed,
            refs: &refs,
        },
    )?;
    let address = clm::claim_address(&payer, &signer, &a.claim_id);
    Ok(tx(
        format!("claim {address} submitted"),
        out,
        json!({ "claim": address.to_string() }),
    ))
}

/// The payer PDA of `--payer CREATOR`, or of the signer itself.
fn payer_of(payer: Option<&str>, signer: &Pubkey) -> Result<Pubkey> {
    let creator = payer.map(parse_pubkey).transpose()?.unwrap_or(*signer);
    Ok(clm::payer_pda(&creator).0)
}

/// `consent,unit` / `none` → requirement bits.
fn parse_requirements(s: &str) -> Result<u8> {
    let mut bits = 0;
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        bits |= match part {
            "none" => 0,
            "consent" => clm::requirement::CONSENT,
            "unit" | "dispensed-unit" => clm::requirement::DISPENSED_UNIT,
            other => {
                return Err(anyhow!(
                    "unknown requirement {other:?}: use consent, unit or none"
                ))
            }
        };
    }
    Ok(bits)
}

pub fn execute(ctx: &Context, cmd: ClaimsCommand) -> Result<Output> {
    let ledger = ctx.ledger()?;
    match cmd {
        ClaimsCommand::Show { claim } => {
            let v = claim_view(ctx, &parse_pubkey(&claim)?)?;
            let human = format!("claim {}\nstatus: {} (FHIR {}, 835 CLP02 {})\nbilled {} approved {} patient share {} paid {}", v.address, v.status, v.fhir_outcome, v.x12_clp02.unwrap_or("-"), v.billed, v.approved, v.patient_share, v.paid);
            Ok(Output::new(serde_json::to_value(v)?, human))
        }
        ClaimsCommand::List {
            payer,
            provider,
            status,
        } => {
            let payer = payer
                .as_deref()
                .map(parse_pubkey)
                .transpose()?
                .map(|a| clm::payer_pda(&a).0);
            let provider = provider.as_deref().map(parse_pubkey).transpose()?;
            let status = status
                .as_deref()
                .map(clm::parse_status)
                .transpose()
                .map_err(|e| anyhow!(e))?;
            let views: Vec<ClaimView> =
                clm::list_claims(ledger, payer.as_ref(), provider.as_ref(), status)?
                    .iter()
                    .map(|(k, c)| ClaimView::new(k, c))
                    .collect();
            let rows: Vec<Vec<String>> = views
                .iter()
                .map(|v| {
                    vec![
                        v.address.clone(),
                        v.status.to_string(),
                        v.billed.to_string(),
                        v.approved.to_string(),
                        v.paid.to_string(),
                    ]
                })
                .collect();
            Ok(Output::new(
                serde_json::to_value(&views)?,
                table(&["claim", "status", "billed", "approved", "paid"], &rows),
            ))
        }
        ClaimsCommand::ExportFhir { claim, currency } => {
            let address = parse_pubkey(&claim)?;
            let c = clm::fetch_claim(ledger, &address)?
                .ok_or_else(|| anyhow!("no claim at {address}"))?;
            let r =
                clm::claim_response(&address, &c, &currency, ledger.get_clock()?.unix_timestamp);
            let text = serde_json::to_string_pretty(&r)?;
            Ok(Output::new(r, text))
        }
        ClaimsCommand::Submit(a) => submit(ctx, &a, None),
        ClaimsCommand::Replace { replaces, args } => {
            submit(ctx, &args, Some(parse_pubkey(&replaces)?))
        }
        other => {
            let signer = ctx.signer()?;
            let client = ClaimsClient::new(ledger, &signer);
            match other {
                ClaimsCommand::PayerInit {
                    mint,
                    token_program: tp,
                    auto_approve_limit,
                    daily_limit,
                    appeal_days,
                    adjudicators,
                } => {
                    let mint = parse_pubkey(&mint)?;
                    let tp = token_program(&tp)?;
                    let adjudicators = adjudicators
                        .iter()
                        .map(|a| parse_pubkey(a))
                        .collect::<Result<Vec<_>>>()?;
                    let out = client.init_payer(
                        &signer,
                        &mint,
                        &tp,
                        PayerArgs {
                            auto_approve_limit,
                            daily_limit,
                            appeal_window: appeal_days * 86_400,
                            adjudicators,
                        },
                    )?;
                    let payer = clm::payer_pda(&signer.pubkey()).0;
                    Ok(tx(
                        format!("payer {payer} created; vault {}", clm::vault_pda(&payer).0),
                        out,
                        json!({ "payer": payer.to_string(), "vault": clm::vault_pda(&payer).0.to_string() }),
                    ))
                }
                ClaimsCommand::PayerUpdate {
                    payer,
                    auto_approve_limit,
                    daily_limit,
                    appeal_days,
                    adjudicators,
                    require,
                    pause,
                    resume,
                } => {
                    let payer = payer_of(payer.as_deref(), &signer.pubkey())?;
                    let adjudicators = adjudicators
                        .iter()
                        .map(|a| parse_pubkey(a))
                        .collect::<Result<Vec<_>>>()?;
                    let requirements = require.as_deref().map(parse_requirements).transpose()?;
                    let settings = clm::PayerSettings {
                        auto_approve_limit,
                        daily_limit,
                        appeal_window: appeal_days.map(|d| d * 86_400),
                        adjudicators: (!adjudicators.is_empty()).then_some(adjudicators),
                        requirements,
                        paused: (pause || resume).then_some(pause),
                    };
                    let out = client.update_payer(&signer, &payer, settings)?;
                    let p = clm::fetch_payer(ledger, &payer)?
                        .ok_or_else(|| anyhow!("no payer at {payer}"))?;
                    Ok(tx(
                        format!(
                            "payer {payer} updated: daily limit {}, auto-approve {}, payments {}",
                            p.daily_limit,
                            p.auto_approve_limit,
                            if p.paused { "paused" } else { "active" }
                        ),
                        out,
                        json!({ "payer": payer.to_string(), "paused": p.paused, "requirements": p.requirements }),
                    ))
                }
                ClaimsCommand::PayerProposeAuthority {
                    new_authority,
                    payer,
                } => {
                    let payer = payer_of(payer.as_deref(), &signer.pubkey())?;
                    let new_authority = parse_pubkey(&new_authority)?;
                    let out = client.propose_payer_authority(&signer, &payer, &new_authority)?;
                    Ok(tx(
                        format!("proposed {new_authority} as authority of payer {payer}; it must run `caretrail claims payer-accept-authority --payer …`"),
                        out,
                        json!({ "payer": payer.to_string(), "pending_authority": new_authority.to_string() }),
                    ))
                }
                ClaimsCommand::PayerAcceptAuthority { payer } => {
                    let payer = clm::payer_pda(&parse_pubkey(&payer)?).0;
                    let out = client.accept_payer_authority(&signer, &payer)?;
                    Ok(tx(
                        format!("{} is now the authority of payer {payer}", signer.pubkey()),
                        out,
                        json!({ "payer": payer.to_string(), "authority": signer.pubkey().to_string() }),
                    ))
                }
                ClaimsCommand::Withdraw { payer, to, amount } => {
                    let payer = payer_of(payer.as_deref(), &signer.pubkey())?;
                    let out = client.withdraw(&signer, &payer, &parse_pubkey(&to)?, amount)?;
                    Ok(tx(
                        format!("withdrew {amount} (mint base units) from payer {payer}'s vault"),
                        out,
                        json!({ "payer": payer.to_string(), "amount": amount }),
                    ))
                }
                ClaimsCommand::Fund {
                    payer,
                    from,
                    amount,
                } => {
                    let payer = clm::payer_pda(&parse_pubkey(&payer)?).0;
                    let out = client.fund(&payer, &signer, &parse_pubkey(&from)?, amount)?;
                    Ok(tx(
                        format!("funded {payer} with {amount}"),
                        out,
                        json!({ "payer": payer.to_string() }),
                    ))
                }
                ClaimsCommand::Enroll {
                    patient_keypair,
                    member_id,
                    days,
                    annual_max,
                    deductible,
                } => {
                    let patient = crate::context::read_keypair(&patient_keypair)?;
                    let salt = caretrail_sdk::hash::random_salt();
                    let commitment = caretrail_sdk::hash::commit(&salt, member_id.as_bytes());
                    let now = ledger.get_clock()?.unix_timestamp;
                    let out = client.enroll(
                        &signer,
                        &patient,
                        EnrollArgs {
                            member_commitment: commitment,
                            period_start: now,
                            period_end: now + days * 86_400,
                            annual_max,
                            deductible,
                        },
                    )?;
                    let coverage =
                        clm::coverage_pda(&clm::payer_pda(&signer.pubkey()).0, &commitment).0;
                    Ok(tx(
                        format!("coverage {coverage} enrolled\nmember salt (keep it off chain with the member id): {}", caretrail_sdk::util::hex(&salt)),
                        out,
                        json!({ "coverage": coverage.to_string(), "member_salt": caretrail_sdk::util::hex(&salt) }),
                    ))
                }
                ClaimsCommand::Review { claim } => {
                    let c = parse_pubkey(&claim)?;
                    let out = client.start_review(&signer, &c)?;
                    Ok(tx(
                        format!("claim {c} in review"),
                        out,
                        json!({ "claim": serde_json::to_value(claim_view(ctx, &c)?)? }),
                    ))
                }
                ClaimsCommand::Adjudicate {
                    claim,
                    allowed,
                    carc,
                    adjudicator_keypair,
                } => {
                    let c = parse_pubkey(&claim)?;
                    let adjudicator = adjudicator_keypair
                        .as_deref()
                        .map(crate::context::read_keypair)
                        .transpose()?;
                    let out =
                        client.adjudicate(&signer, adjudicator.as_ref(), &c, allowed, carc)?;
                    let v = claim_view(ctx, &c)?;
                    Ok(tx(
                        format!(
                            "claim {c}: {} (approved {}, patient share {})",
                            v.status, v.approved, v.patient_share
                        ),
                        out,
                        json!({ "claim": serde_json::to_value(v)? }),
                    ))
                }
                ClaimsCommand::Appeal { claim } => {
                    let c = parse_pubkey(&claim)?;
                    let out = client.appeal(&signer, &c)?;
                    Ok(tx(
                        format!("claim {c} appealed"),
                        out,
                        json!({ "claim": c.to_string() }),
                    ))
                }
                ClaimsCommand::Void { claim } => {
                    let c = parse_pubkey(&claim)?;
                    let out = client.void(&signer, &c)?;
                    Ok(tx(
                        format!("claim {c} voided"),
                        out,
                        json!({ "claim": c.to_string() }),
                    ))
                }
                ClaimsCommand::Pay { claim, to } => {
                    let c = parse_pubkey(&claim)?;
                    let x =
                        clm::fetch_claim(ledger, &c)?.ok_or_else(|| anyhow!("no claim at {c}"))?;
                    let p =
                        clm::fetch_payer(ledger, &x.payer)?.ok_or_else(|| anyhow!("no payer"))?;
                    let to = match to {
                        Some(t) => parse_pubkey(&t)?,
                        None => ata(&x.provider, &p.mint, &p.token_program),
                    };
                    let out = client.pay(&signer, &c, &to)?;
                    Ok(tx(
                        format!("claim {c} paid {} to {to}", x.approved),
                        out,
                        json!({ "claim": c.to_string(), "amount": x.approved, "to": to.to_string() }),
                    ))
                }
                ClaimsCommand::Reverse {
                    claim,
                    provider_keypair,
                    carc,
                    from,
                } => {
                    let c = parse_pubkey(&claim)?;
                    let provider = crate::context::read_keypair(&provider_keypair)?;
                    let x =
                        clm::fetch_claim(ledger, &c)?.ok_or_else(|| anyhow!("no claim at {c}"))?;
                    let p =
                        clm::fetch_payer(ledger, &x.payer)?.ok_or_else(|| anyhow!("no payer"))?;
                    let from = match from {
                        Some(t) => parse_pubkey(&t)?,
                        None => ata(&x.provider, &p.mint, &p.token_program),
                    };
                    let out = client.reverse(&signer, &provider, &c, &from, carc)?;
                    Ok(tx(
                        format!("claim {c} reversed (835 CLP02 22)"),
                        out,
                        json!({ "claim": c.to_string() }),
                    ))
                }
                ClaimsCommand::Show { .. }
                | ClaimsCommand::List { .. }
                | ClaimsCommand::ExportFhir { .. }
                | ClaimsCommand::Submit(_)
                | ClaimsCommand::Replace { .. } => {
                    unreachable!("handled above")
                }
            }
        }
    }
}
