//! `caretrail claims …`: thin over `caretrail_sdk::claims`, for insurers and providers.

use crate::args::{self, ClaimStatus, KeypairFile, TokenProgram};
use crate::command::Execute;
use crate::context::Context;
use crate::output::Output;
use anyhow::{Context as _, Result};
use caretrail_sdk::claims::{
    self as clm, ClaimRefs, ClaimView, ClaimsClient, EnrollArgs, PayerArgs,
};
use caretrail_sdk::solana_sdk::{pubkey::Pubkey, signature::Signer};
use caretrail_sdk::Error;
use clap::{Args, Subcommand};
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum ClaimsCommand {
    /// Create the --keypair payer (a registered payer) with its vault of MINT.
    PayerInit(PayerInit),
    /// Change the --keypair payer's settings (payer authority): limits, adjudicators, what
    /// every claim must name, pause or resume payments.
    PayerUpdate(PayerUpdate),
    /// Step 1 of a payer authority handover (payer authority): name the successor.
    PayerProposeAuthority(PayerProposeAuthority),
    /// Step 2 of a payer authority handover: the --keypair (the proposed authority) accepts.
    PayerAcceptAuthority(PayerAcceptAuthority),
    /// Withdraw vault funds that no approved, unpaid claim needs (payer authority), in the
    /// mint's base units.
    Withdraw(Withdraw),
    /// Move tokens from the --keypair's token account into a payer's vault.
    Fund(Fund),
    /// Enrol a patient (the --keypair is the payer authority; the patient co-signs).
    Enroll(Enroll),
    /// Submit a claim (the --keypair is the provider or pharmacy).
    Submit(Submit),
    /// Replace a claim before payment (837 frequency 7).
    Replace(Replace),
    /// Start reviewing a claim (payer authority).
    Review(ClaimArg),
    /// Adjudicate: allow an amount of the billed (payer authority; an adjudicator above the
    /// auto-approve limit).
    Adjudicate(Adjudicate),
    /// Appeal a denial or partial approval (provider, within the window).
    Appeal(ClaimArg),
    /// Pay an approved claim from the vault to the provider's token account (payer authority).
    Pay(Pay),
    /// Void a claim before payment (provider; 837 frequency 8).
    Void(ClaimArg),
    /// Reverse a payment (835 CLP02 = 22): the provider returns the funds (--keypair: payer
    /// authority; the provider co-signs).
    Reverse(Reverse),
    /// Show a claim (status, amounts, FHIR outcome, X12 835 CLP02).
    Show(ClaimArg),
    /// List claims by payer, provider and status.
    List(List),
    /// A claim as a FHIR R4 ClaimResponse.
    ExportFhir(ExportFhir),
    /// The payer's X12 835 remittance advice for one provider: its claims paid, denied or
    /// reversed since a time, linked to the 837s received by document hash (payer authority).
    Remit(Remit),
    /// The payer's X12 277CA acknowledgement of the 837 claims received from one provider:
    /// accepted when the chain holds the claim, returned as unprocessable otherwise.
    Acknowledge(Acknowledge),
}

impl Execute for ClaimsCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            ClaimsCommand::PayerInit(c) => c.execute(ctx),
            ClaimsCommand::PayerUpdate(c) => c.execute(ctx),
            ClaimsCommand::PayerProposeAuthority(c) => c.execute(ctx),
            ClaimsCommand::PayerAcceptAuthority(c) => c.execute(ctx),
            ClaimsCommand::Withdraw(c) => c.execute(ctx),
            ClaimsCommand::Fund(c) => c.execute(ctx),
            ClaimsCommand::Enroll(c) => c.execute(ctx),
            ClaimsCommand::Submit(c) => c.submit(ctx, None),
            ClaimsCommand::Replace(c) => c.args.submit(ctx, Some(c.replaces)),
            ClaimsCommand::Review(c) => c.review(ctx),
            ClaimsCommand::Adjudicate(c) => c.execute(ctx),
            ClaimsCommand::Appeal(c) => c.appeal(ctx),
            ClaimsCommand::Pay(c) => c.execute(ctx),
            ClaimsCommand::Void(c) => c.void(ctx),
            ClaimsCommand::Reverse(c) => c.execute(ctx),
            ClaimsCommand::Show(c) => c.show(ctx),
            ClaimsCommand::List(c) => c.execute(ctx),
            ClaimsCommand::ExportFhir(c) => c.execute(ctx),
            ClaimsCommand::Remit(c) => c.execute(ctx),
            ClaimsCommand::Acknowledge(c) => c.execute(ctx),
        }
    }
}

fn claim_view(ctx: &Context, address: &Pubkey) -> Result<ClaimView> {
    let c = clm::fetch_claim(ctx.ledger()?, address)?.ok_or(Error::not_found("claim", *address))?;
    Ok(ClaimView::new(address, &c))
}

/// The payer PDA of `--payer CREATOR`, or of the signer itself.
fn payer_of(payer: Option<Pubkey>, signer: &Pubkey) -> Pubkey {
    clm::payer_pda(&payer.unwrap_or(*signer)).0
}

/// `consent,unit` / `none` → requirement bits.
fn requirements(s: &str) -> Result<u8, String> {
    let mut bits = 0;
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        bits |= match part {
            "none" => 0,
            "consent" => clm::requirement::CONSENT,
            "unit" | "dispensed-unit" => clm::requirement::DISPENSED_UNIT,
            other => {
                return Err(format!(
                    "unknown requirement {other:?}: use consent, unit or none"
                ))
            }
        };
    }
    Ok(bits)
}

/// The most any claims amount may be, in the mint's base units (10^15: ten trillion dollars
/// in cents), so a typo of digits is refused instead of sent.
const MAX_AMOUNT: u64 = 1_000_000_000_000_000;

/// An amount in the mint's base units, at most [`MAX_AMOUNT`].
fn amount(s: &str) -> Result<u64, String> {
    let v: u64 = s
        .replace('_', "")
        .parse()
        .map_err(|_| format!("{s:?} is not a whole number of base units"))?;
    if v > MAX_AMOUNT {
        return Err(format!(
            "{v} base units is more than the {MAX_AMOUNT} a claims amount may be"
        ));
    }
    Ok(v)
}

/// An appeal window: 0 to 365 days.
fn appeal_days(s: &str) -> Result<i64, String> {
    let d: i64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of days"))?;
    if !(0..=365).contains(&d) {
        return Err(format!("{d} days is outside 0..=365"));
    }
    Ok(d)
}

/// A claim, by address.
#[derive(Args, Debug)]
pub struct ClaimArg {
    /// The claim account.
    #[arg(value_parser = args::pubkey)]
    pub claim: Pubkey,
}

impl ClaimArg {
    fn review(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let c = self.claim;
        let out = ClaimsClient::new(ctx.ledger()?, &signer).start_review(&signer, &c)?;
        Ok(Output::tx(
            format!("claim {c} in review"),
            &out,
            json!({ "claim": serde_json::to_value(claim_view(ctx, &c)?)? }),
        ))
    }

    fn appeal(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let c = self.claim;
        let out = ClaimsClient::new(ctx.ledger()?, &signer).appeal(&signer, &c)?;
        Ok(Output::tx(
            format!("claim {c} appealed"),
            &out,
            json!({ "claim": c.to_string() }),
        ))
    }

    fn void(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let c = self.claim;
        let out = ClaimsClient::new(ctx.ledger()?, &signer).void(&signer, &c)?;
        Ok(Output::tx(
            format!("claim {c} voided"),
            &out,
            json!({ "claim": c.to_string() }),
        ))
    }

    fn show(self, ctx: &Context) -> Result<Output> {
        let v = claim_view(ctx, &self.claim)?;
        let human = format!(
            "claim {}\nstatus: {} (FHIR {}, 835 CLP02 {})\nbilled {} approved {} patient share {} paid {} (base units of the payer's mint)",
            v.address,
            v.status,
            v.fhir_outcome,
            v.x12_clp02.unwrap_or("-"),
            v.billed,
            v.approved,
            v.patient_share,
            v.paid
        );
        Ok(Output::new(serde_json::to_value(v)?, human))
    }
}

#[derive(Args, Debug)]
pub struct PayerInit {
    /// The mint the payer pays in.
    #[arg(long, value_parser = args::pubkey)]
    pub mint: Pubkey,
    /// The mint's token program.
    #[arg(long, value_enum, default_value_t)]
    pub token_program: TokenProgram,
    /// Claims up to this amount (base units) are approved without an adjudicator.
    #[arg(long, value_parser = amount)]
    pub auto_approve_limit: u64,
    /// At most this much (base units) is paid in any 24 hours.
    #[arg(long, value_parser = amount)]
    pub daily_limit: u64,
    /// Appeal window in days.
    #[arg(long, default_value_t = 30, value_parser = appeal_days)]
    pub appeal_days: i64,
    /// Adjudicator wallets (repeatable, at most 3).
    #[arg(long = "adjudicator", value_parser = args::pubkey)]
    pub adjudicators: Vec<Pubkey>,
}

impl Execute for PayerInit {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        clm::check_payer_init(ctx.ledger()?, &self.mint, &self.token_program.id())?;
        let out = ClaimsClient::new(ctx.ledger()?, &signer).init_payer(
            &signer,
            &self.mint,
            &self.token_program.id(),
            PayerArgs {
                auto_approve_limit: self.auto_approve_limit,
                daily_limit: self.daily_limit,
                appeal_window: self.appeal_days * 86_400,
                adjudicators: self.adjudicators,
            },
        )?;
        let payer = clm::payer_pda(&signer.pubkey()).0;
        let vault = clm::vault_pda(&payer).0;
        Ok(Output::tx(
            format!("payer {payer} created; vault {vault}"),
            &out,
            json!({ "payer": payer.to_string(), "vault": vault.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct PayerUpdate {
    /// The payer (its creator's wallet) [default: the --keypair's own payer].
    #[arg(long, value_parser = args::pubkey)]
    pub payer: Option<Pubkey>,
    /// New auto-approve limit (base units).
    #[arg(long, value_parser = amount)]
    pub auto_approve_limit: Option<u64>,
    /// New daily payout limit (base units).
    #[arg(long, value_parser = amount)]
    pub daily_limit: Option<u64>,
    /// Appeal window in days.
    #[arg(long, value_parser = appeal_days)]
    pub appeal_days: Option<i64>,
    /// Replace the adjudicators (repeatable, at most 3).
    #[arg(long = "adjudicator", value_parser = args::pubkey)]
    pub adjudicators: Vec<Pubkey>,
    /// What every new claim must name: `consent`, `unit` (comma-separated) or `none`.
    #[arg(long, value_parser = requirements)]
    pub require: Option<u8>,
    /// Pause payments.
    #[arg(long, conflicts_with = "resume")]
    pub pause: bool,
    /// Resume payments.
    #[arg(long)]
    pub resume: bool,
}

impl Execute for PayerUpdate {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let payer = payer_of(self.payer, &signer.pubkey());
        let settings = clm::PayerSettings {
            auto_approve_limit: self.auto_approve_limit,
            daily_limit: self.daily_limit,
            appeal_window: self.appeal_days.map(|d| d * 86_400),
            adjudicators: (!self.adjudicators.is_empty()).then_some(self.adjudicators),
            requirements: self.require,
            paused: (self.pause || self.resume).then_some(self.pause),
        };
        let out = ClaimsClient::new(ledger, &signer).update_payer(&signer, &payer, settings)?;
        let p = clm::fetch_payer(ledger, &payer)?.ok_or(Error::not_found("payer", payer))?;
        Ok(Output::tx(
            format!(
                "payer {payer} updated: daily limit {}, auto-approve {}, payments {}",
                p.daily_limit,
                p.auto_approve_limit,
                if p.paused { "paused" } else { "active" }
            ),
            &out,
            json!({ "payer": payer.to_string(), "paused": p.paused, "requirements": p.requirements }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct PayerProposeAuthority {
    /// The new authority (pubkey or keypair file), a registered payer.
    #[arg(value_parser = args::pubkey)]
    pub new_authority: Pubkey,
    /// The payer (its creator's wallet) [default: the --keypair's own payer].
    #[arg(long, value_parser = args::pubkey)]
    pub payer: Option<Pubkey>,
}

impl Execute for PayerProposeAuthority {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let payer = payer_of(self.payer, &signer.pubkey());
        let new_authority = self.new_authority;
        let out = ClaimsClient::new(ctx.ledger()?, &signer).propose_payer_authority(
            &signer,
            &payer,
            &new_authority,
        )?;
        Ok(Output::tx(
            format!("proposed {new_authority} as authority of payer {payer}; it must run `caretrail claims payer-accept-authority --payer …`"),
            &out,
            json!({ "payer": payer.to_string(), "pending_authority": new_authority.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct PayerAcceptAuthority {
    /// The payer (its creator's wallet).
    #[arg(long, value_parser = args::pubkey)]
    pub payer: Pubkey,
}

impl Execute for PayerAcceptAuthority {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let payer = clm::payer_pda(&self.payer).0;
        let out =
            ClaimsClient::new(ctx.ledger()?, &signer).accept_payer_authority(&signer, &payer)?;
        Ok(Output::tx(
            format!("{} is now the authority of payer {payer}", signer.pubkey()),
            &out,
            json!({ "payer": payer.to_string(), "authority": signer.pubkey().to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Withdraw {
    /// The payer (its creator's wallet) [default: the --keypair's own payer].
    #[arg(long, value_parser = args::pubkey)]
    pub payer: Option<Pubkey>,
    /// The token account that receives the funds.
    #[arg(long, value_parser = args::pubkey)]
    pub to: Pubkey,
    /// Amount in the mint's base units.
    #[arg(value_parser = amount)]
    pub amount: u64,
}

impl Execute for Withdraw {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let payer = payer_of(self.payer, &signer.pubkey());
        let amount = self.amount;
        let out = ClaimsClient::new(ctx.ledger()?, &signer)
            .withdraw(&signer, &payer, &self.to, amount)?;
        Ok(Output::tx(
            format!("withdrew {amount} (mint base units) from payer {payer}'s vault"),
            &out,
            json!({ "payer": payer.to_string(), "amount": amount }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Fund {
    /// The payer authority wallet.
    #[arg(long, value_parser = args::pubkey)]
    pub payer: Pubkey,
    /// The --keypair's token account the funds come from.
    #[arg(long, value_parser = args::pubkey)]
    pub from: Pubkey,
    /// Amount in the mint's base units.
    #[arg(value_parser = amount)]
    pub amount: u64,
}

impl Execute for Fund {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let payer = clm::payer_pda(&self.payer).0;
        clm::check_fund(ledger, &payer, &signer.pubkey(), &self.from, self.amount)?;
        let out =
            ClaimsClient::new(ledger, &signer).fund(&payer, &signer, &self.from, self.amount)?;
        Ok(Output::tx(
            format!("funded {payer} with {} base units of its mint", self.amount),
            &out,
            json!({ "payer": payer.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Enroll {
    /// The patient's keypair file.
    #[arg(long, value_parser = args::keypair)]
    pub patient_keypair: KeypairFile,
    /// The member id (only sha256(salt ‖ id) goes on chain; the salt is printed).
    #[arg(long)]
    pub member_id: String,
    /// Days of coverage from now.
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(i64).range(1..=3_650))]
    pub days: i64,
    /// Annual benefit maximum (base units).
    #[arg(long, value_parser = amount)]
    pub annual_max: u64,
    /// Deductible (base units).
    #[arg(long, default_value_t = 0, value_parser = amount)]
    pub deductible: u64,
    /// Enrol a patient who already has coverage with this payer (a second plan); without it a
    /// second enrolment is taken for a mistake and refused.
    #[arg(long)]
    pub additional_coverage: bool,
}

impl Execute for Enroll {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        if !self.additional_coverage {
            clm::check_enroll(
                ledger,
                &clm::payer_pda(&signer.pubkey()).0,
                &self.patient_keypair.pubkey(),
            )?;
        }
        let salt = caretrail_sdk::hash::random_salt();
        let commitment = caretrail_sdk::hash::commit(&salt, self.member_id.as_bytes());
        let now = ledger.get_clock()?.unix_timestamp;
        let out = ClaimsClient::new(ledger, &signer).enroll(
            &signer,
            &self.patient_keypair,
            EnrollArgs {
                member_commitment: commitment,
                period_start: now,
                period_end: now + self.days * 86_400,
                annual_max: self.annual_max,
                deductible: self.deductible,
            },
        )?;
        let coverage = clm::coverage_pda(&clm::payer_pda(&signer.pubkey()).0, &commitment).0;
        let salt = caretrail_sdk::util::hex(&salt);
        Ok(Output::tx(
            format!("coverage {coverage} enrolled\nmember salt (keep it off chain with the member id): {salt}"),
            &out,
            json!({ "coverage": coverage.to_string(), "member_salt": salt }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Submit {
    /// The payer authority wallet.
    #[arg(long, value_parser = args::pubkey)]
    pub payer: Pubkey,
    /// The patient's coverage account.
    #[arg(long, value_parser = args::pubkey, required_unless_present_any = ["x12", "from_fhir"])]
    pub coverage: Option<Pubkey>,
    /// The claim id (only its sha256 goes on chain; each id reaches a payer once).
    #[arg(long, required_unless_present_any = ["x12", "from_fhir"])]
    pub claim_id: Option<String>,
    /// The billed amount in the payer mint's base units.
    #[arg(long, value_parser = amount, required_unless_present_any = ["x12", "from_fhir"])]
    pub billed: Option<u64>,
    /// Submit every claim of an X12 837P or 837I interchange instead (CLM01 the claim id,
    /// CLM02 the amount, CLM05-3 original / replacement / void with REF*F8, the subscriber
    /// mapped to its coverage by --members); safe to re-run, one line per claim.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["coverage", "claim_id", "billed", "document"], requires = "members")]
    pub x12: Option<std::path::PathBuf>,
    /// Submit a FHIR R4 Claim instead (identifier the claim id, total the amount, the focal
    /// insurance's subscriber mapped by --members; related prior: a replacement, or a void
    /// when cancelled); the same submission as an 837's.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["coverage", "claim_id", "billed", "document", "x12"], requires = "members")]
    pub from_fhir: Option<std::path::PathBuf>,
    /// With --x12 or --from-fhir: the member file, CSV with member_id and coverage (or
    /// member_salt) columns.
    #[arg(long, value_name = "CSV")]
    pub members: Option<std::path::PathBuf>,
    /// The claim document (FHIR Claim / X12 837; only its sha256 goes on chain).
    #[arg(long)]
    pub document: Option<std::path::PathBuf>,
    /// A consent grant permitting payment (HPAYMT).
    #[arg(long, value_parser = args::pubkey)]
    pub consent_grant: Option<Pubkey>,
    /// A dispensed custody unit (pharmacy claims).
    #[arg(long, value_parser = args::pubkey)]
    pub unit: Option<Pubkey>,
}

impl Submit {
    /// `--x12` (every claim of the interchange) or `--from-fhir` (one FHIR Claim).
    fn submit_file(&self, ctx: &Context, file: &std::path::Path, x12: bool) -> Result<Output> {
        let read = |p: &std::path::Path| -> Result<String> {
            let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            String::from_utf8(bytes).map_err(|e| {
                anyhow::anyhow!(
                    "{} is not text (byte {})",
                    p.display(),
                    e.utf8_error().valid_up_to()
                )
            })
        };
        let claims: Vec<clm::intake::IntakeClaim> = if x12 {
            let interchange = caretrail_sdk::x12::parse(&read(file)?)
                .with_context(|| format!("{} is not a readable X12 837", file.display()))?;
            caretrail_sdk::x12::claims_837(&interchange)
                .with_context(|| format!("{} is not a readable X12 837", file.display()))?
                .iter()
                .map(clm::intake::IntakeClaim::from)
                .collect()
        } else {
            vec![clm::intake::from_fhir_claim(read(file)?.as_bytes())
                .with_context(|| format!("{} is not a readable FHIR Claim", file.display()))?]
        };
        let members_path = self.members.as_deref().ok_or_else(|| {
            anyhow::anyhow!("--members is needed to map subscribers to coverages")
        })?;
        let members = clm::intake::MemberFile::from_csv(&read(members_path)?)
            .with_context(|| format!("in {}", members_path.display()))?;
        let signer = ctx.signer()?;
        let lines = clm::intake::submit_claims(
            ctx.ledger()?,
            &signer,
            &signer,
            &self.payer,
            &members,
            &claims,
        )?;
        let rejected = lines
            .iter()
            .any(|l| l.status == clm::intake::IntakeStatus::Rejected);
        if ctx.args.output == crate::output::OutputFormat::Json {
            for l in &lines {
                crate::output::emit(&serde_json::to_string(l)?);
            }
            return Ok(Output::new(serde_json::Value::Null, "").alert(rejected));
        }
        let rows: Vec<Vec<String>> = lines
            .iter()
            .map(|l| {
                vec![
                    l.source.clone(),
                    l.claim_id.clone(),
                    serde_json::to_value(&l.status)
                        .ok()
                        .and_then(|v| v.as_str().map(|w| w.replace('_', " ")))
                        .unwrap_or_default(),
                    l.claim.to_string(),
                    l.reason.clone().unwrap_or_default(),
                ]
            })
            .collect();
        let human = format!(
            "{}\n\n{} claims from {}",
            crate::output::table(&["source", "claim id", "result", "claim", "reason"], &rows),
            lines.len(),
            file.display()
        );
        Ok(Output::new(serde_json::Value::Null, human).alert(rejected))
    }

    fn submit(self, ctx: &Context, replaces: Option<Pubkey>) -> Result<Output> {
        let file = match (&self.x12, &self.from_fhir) {
            (Some(f), _) => Some((f, true)),
            (None, Some(f)) => Some((f, false)),
            (None, None) => None,
        };
        if let Some((file, x12)) = file {
            if replaces.is_some() {
                anyhow::bail!("a file names the claim it replaces (837 CLM05-3 7 and REF*F8, FHIR related prior): use claims submit");
            }
            return self.submit_file(ctx, file, x12);
        }
        let (Some(coverage), Some(claim_id), Some(billed)) =
            (self.coverage, self.claim_id.clone(), self.billed)
        else {
            unreachable!("clap requires --coverage, --claim-id and --billed without --x12")
        };
        let signer = ctx.signer()?;
        let payer = clm::payer_pda(&self.payer).0;
        let document = match &self.document {
            Some(p) => Some(std::fs::read(p).with_context(|| format!("reading {}", p.display()))?),
            None => None,
        };
        let refs = ClaimRefs {
            consent_grant: self.consent_grant,
            unit: self.unit,
            replaces,
        };
        let out = ClaimsClient::new(ctx.ledger()?, &signer).submit(
            &signer,
            &claim_id,
            &clm::SubmitClaim {
                payer: &payer,
                coverage: &coverage,
                document_hash: clm::document_hash(document.as_deref(), &claim_id),
                billed,
                refs: &refs,
            },
        )?;
        let address = clm::claim_address(&payer, &signer, &claim_id);
        Ok(Output::tx(
            format!("claim {address} submitted"),
            &out,
            json!({ "claim": address.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Replace {
    /// The claim being replaced.
    #[arg(value_parser = args::pubkey)]
    pub replaces: Pubkey,
    #[command(flatten)]
    pub args: Submit,
}

#[derive(Args, Debug)]
pub struct Adjudicate {
    #[command(flatten)]
    pub claim: ClaimArg,
    /// The allowed amount (base units).
    #[arg(long, value_parser = amount)]
    pub allowed: u64,
    /// CARC reason code (required when allowing less than billed).
    #[arg(long, default_value_t = 0)]
    pub carc: u16,
    /// The adjudicator's keypair file.
    #[arg(long, value_parser = args::keypair)]
    pub adjudicator_keypair: Option<KeypairFile>,
}

impl Execute for Adjudicate {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let c = self.claim.claim;
        let adjudicator = self.adjudicator_keypair.as_ref().map(|k| &*k.keypair);
        let out = ClaimsClient::new(ctx.ledger()?, &signer).adjudicate(
            &signer,
            adjudicator,
            &c,
            self.allowed,
            self.carc,
        )?;
        let v = claim_view(ctx, &c)?;
        Ok(Output::tx(
            format!(
                "claim {c}: {} (approved {}, patient share {}; base units of the payer's mint)",
                v.status, v.approved, v.patient_share
            ),
            &out,
            json!({ "claim": serde_json::to_value(v)? }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Pay {
    #[command(flatten)]
    pub claim: ClaimArg,
    /// The provider's token account [default: its associated token account for the payer's
    /// mint, created when missing].
    #[arg(long, value_parser = args::pubkey)]
    pub to: Option<Pubkey>,
}

impl Execute for Pay {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let c = self.claim.claim;
        let to = match self.to {
            Some(t) => t,
            None => clm::ensure_provider_token_account(ledger, &signer, &c)?,
        };
        let out = ClaimsClient::new(ledger, &signer).pay(&signer, &c, &to)?;
        let paid = claim_view(ctx, &c)?.paid;
        Ok(Output::tx(
            format!("claim {c} paid {paid} base units of the payer's mint to {to}"),
            &out,
            json!({ "claim": c.to_string(), "amount": paid, "to": to.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Reverse {
    #[command(flatten)]
    pub claim: ClaimArg,
    /// The provider's keypair file (it co-signs the return of the funds).
    #[arg(long, value_parser = args::keypair)]
    pub provider_keypair: KeypairFile,
    /// CARC reason code of the reversal.
    #[arg(long, default_value_t = 129)]
    pub carc: u16,
    /// The provider's token account the funds leave [default: its associated token account].
    #[arg(long, value_parser = args::pubkey)]
    pub from: Option<Pubkey>,
}

impl Execute for Reverse {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let c = self.claim.claim;
        let from = match self.from {
            Some(t) => t,
            None => clm::provider_token_account(ledger, &c)?,
        };
        let out = ClaimsClient::new(ledger, &signer).reverse(
            &signer,
            &self.provider_keypair,
            &c,
            &from,
            self.carc,
        )?;
        Ok(Output::tx(
            format!("claim {c} reversed (835 CLP02 22)"),
            &out,
            json!({ "claim": c.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct List {
    /// Payer authority wallet.
    #[arg(long, value_parser = args::pubkey)]
    pub payer: Option<Pubkey>,
    /// Provider wallet.
    #[arg(long, value_parser = args::pubkey)]
    pub provider: Option<Pubkey>,
    /// Only claims in this status.
    #[arg(long, value_enum)]
    pub status: Option<ClaimStatus>,
}

impl Execute for List {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let payer = self.payer.map(|a| clm::payer_pda(&a).0);
        let views: Vec<ClaimView> = clm::list_claims(
            ctx.ledger()?,
            payer.as_ref(),
            self.provider.as_ref(),
            self.status.map(Into::into),
        )?
        .iter()
        .map(|(k, c)| ClaimView::new(k, c))
        .collect();
        Output::list(
            &views,
            &["claim", "status", "billed", "approved", "paid (base units)"],
            |v| {
                vec![
                    v.address.clone(),
                    v.status.to_string(),
                    v.billed.to_string(),
                    v.approved.to_string(),
                    v.paid.to_string(),
                ]
            },
        )
    }
}

#[derive(Args, Debug)]
pub struct ExportFhir {
    #[command(flatten)]
    pub claim: ClaimArg,
    /// The ISO 4217 currency the payer's mint counts (its base units at the mint's decimals:
    /// 4250 base units of a 2-decimal mint are 42.50).
    #[arg(long, default_value = "USD")]
    pub currency: String,
    /// An ExplanationOfBenefit (what the payer tells the patient) instead of a ClaimResponse.
    #[arg(long)]
    pub eob: bool,
}

impl Execute for ExportFhir {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let address = self.claim.claim;
        let c = clm::fetch_claim(ledger, &address)?.ok_or(Error::not_found("claim", address))?;
        let terms = clm::ResponseTerms::of(ledger, &c, &self.currency)?;
        let now = ledger.get_clock()?.unix_timestamp;
        let r = if self.eob {
            clm::explanation_of_benefit(&address, &c, &terms, now)
        } else {
            clm::claim_response(&address, &c, &terms, now)
        };
        let text = serde_json::to_string_pretty(&r)?;
        Ok(Output::new(r, text))
    }
}

#[derive(Args, Debug)]
pub struct Remit {
    /// The payee: the provider whose claims are remitted.
    #[arg(long, value_parser = args::pubkey)]
    pub provider: Pubkey,
    /// Claims settled since this time (RFC 3339 or Unix seconds).
    #[arg(long, value_parser = caretrail_sdk::util::parse_time, default_value = "0")]
    pub since: i64,
    /// Write ANSI X12 5010 (the only format; kept explicit).
    #[arg(long, required = true)]
    pub x12: bool,
    #[command(flatten)]
    pub files: PayerFiles,
}

/// What the payer keeps off chain for the X12 it writes.
#[derive(Args, Debug)]
pub struct PayerFiles {
    /// The 837 files received from the provider (claims are linked to them by document hash:
    /// CLP01 / TRN02 is their CLM01).
    #[arg(long, value_name = "FILE", required = true, num_args = 1..)]
    pub received: Vec<std::path::PathBuf>,
    /// The payer's member file: CSV with member_id, last_name, first_name.
    #[arg(long, value_name = "CSV")]
    pub members: std::path::PathBuf,
    /// The payer and payee identifiers and address, JSON: payer_id, payer_name, payer_tax_id,
    /// payer_street, payer_city, payer_state, payer_zip, payer_phone, payee_id, payee_name,
    /// payee_npi.
    #[arg(long, value_name = "JSON")]
    pub parties: std::path::PathBuf,
    /// The interchange control number (ISA13, GS06).
    #[arg(long, default_value_t = 1)]
    pub control: u32,
    /// Write the file here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

type Received = (
    Vec<caretrail_sdk::x12::Claim837>,
    std::collections::HashMap<String, clm::remit::MemberName>,
    clm::remit::Parties,
);

impl PayerFiles {
    fn read(&self) -> Result<Received> {
        let read = |p: &std::path::Path| {
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
        };
        let mut received = Vec::new();
        for f in &self.received {
            let ix = caretrail_sdk::x12::parse(&read(f)?)
                .with_context(|| format!("{} is not a readable X12 837", f.display()))?;
            received.extend(
                caretrail_sdk::x12::claims_837(&ix)
                    .with_context(|| format!("{} is not a readable X12 837", f.display()))?,
            );
        }
        let names = clm::remit::member_names(&read(&self.members)?)
            .with_context(|| format!("in {}", self.members.display()))?;
        let parties: clm::remit::Parties = serde_json::from_str(&read(&self.parties)?)
            .with_context(|| format!("{} is not a parties file", self.parties.display()))?;
        Ok((received, names, parties))
    }

    /// Writes `x12` to `--out` (saying `what` it holds) or prints it.
    fn write(&self, x12: &str, summary: serde_json::Value, what: String) -> Result<Output> {
        match &self.out {
            Some(path) => {
                std::fs::write(path, x12).with_context(|| format!("writing {}", path.display()))?;
                Ok(Output::new(
                    summary,
                    format!("wrote {} ({what})", path.display()),
                ))
            }
            None => Ok(Output::new(summary, x12.trim_end().to_string())),
        }
    }
}

#[derive(Args, Debug)]
pub struct Acknowledge {
    /// The provider whose claims are acknowledged.
    #[arg(long, value_parser = args::pubkey)]
    pub provider: Pubkey,
    #[command(flatten)]
    pub files: PayerFiles,
}

impl Execute for Acknowledge {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let (received, names, parties) = self.files.read()?;
        let signer = ctx.signer()?;
        let a = clm::ack::acknowledgement(
            ctx.ledger()?,
            &signer.pubkey(),
            &self.provider,
            &received,
            &names,
            &parties,
            self.files.control,
        )?;
        let accepted = a.lines.iter().filter(|l| l.accepted).count();
        let what = format!(
            "X12 277CA: {accepted} accepted, {} returned",
            a.lines.len() - accepted
        );
        self.files.write(&a.x12, json!({ "claims": a.lines }), what)
    }
}

impl Execute for Remit {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let (received, names, parties) = self.files.read()?;
        let signer = ctx.signer()?;
        let r = clm::remit::remittance(
            ctx.ledger()?,
            &signer.pubkey(),
            &self.provider,
            self.since,
            &received,
            &names,
            &parties,
            self.files.control,
        )?;
        let summary = json!({
            "claims": r.lines,
            "unmatched": r.unmatched.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            "total_paid_cents": r.total_paid_cents,
        });
        let what = format!(
            "X12 835: {} claims, {} paid in all{}",
            r.lines.len(),
            caretrail_sdk::tokens::ui_amount(r.total_paid_cents.unsigned_abs(), 2),
            if r.unmatched.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} settled claims no received 837 names were left out",
                    r.unmatched.len()
                )
            }
        );
        self.files.write(&r.x12, summary, what)
    }
}
