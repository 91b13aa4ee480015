//! `caretrail consent …`: thin over `caretrail_sdk::consent`, with offline signing for the
//! patient's key (`--sign-only --authority PUBKEY`, then `caretrail tx sign` on the wallet and
//! `caretrail tx submit --signer PUBKEY=SIGNATURE`).

use crate::command::tx::{finish, OfflineArgs};
use crate::context::{parse_pubkey, Context};
use crate::output::{table, Output};
use anyhow::{anyhow, bail, Context as _, Result};
use caretrail_sdk::consent::{
    self as con, AccessArgs, AmendArgs, EmergencyArgs, GrantArgs, GrantView, Scope,
};
use caretrail_sdk::solana_sdk::{pubkey::Pubkey, signature::Signer};
use clap::{Args, Subcommand};
use serde_json::json;

#[derive(Args, Debug, Clone)]
pub struct ScopeArgs {
    /// Data classes, comma-separated: demographics, conditions, medications, allergies, labs,
    /// imaging, clinical-notes, genomics, mental-health, substance-use,
    /// sexual-reproductive-health, immunizations.
    #[arg(long)]
    pub classes: String,
    /// Actions, comma-separated: access, use, disclose, correct.
    #[arg(long, default_value = "access")]
    pub actions: String,
    /// Purposes of use, comma-separated: TREAT, ETREAT, HPAYMT, HOPERAT, HRESCH, PUBHLTH, PATRQT.
    #[arg(long)]
    pub purposes: String,
}

impl ScopeArgs {
    fn scope(&self) -> Result<Scope> {
        con::parse_scope(&self.classes, &self.actions, &self.purposes).map_err(|e| anyhow!(e))
    }
}

#[derive(Args, Debug, Clone)]
pub struct PeriodArgs {
    /// Days from now until the grant expires.
    #[arg(long, conflicts_with = "until")]
    pub days: Option<i64>,
    /// Expiry as an RFC 3339 date or date-time.
    #[arg(long)]
    pub until: Option<String>,
}

impl PeriodArgs {
    fn expires_at(&self, now: i64) -> Result<Option<i64>> {
        match (&self.days, &self.until) {
            (Some(d), _) => Ok(Some(now + d * 86_400)),
            (None, Some(u)) => Ok(Some(
                caretrail_sdk::fhir::parse_rfc3339(u)
                    .ok_or_else(|| anyhow!("--until {u:?} is not an RFC 3339 date"))?,
            )),
            (None, None) => Ok(None),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum ConsentCommand {
    /// The patient (or a guardian with --patient) grants a registered provider, researcher,
    /// payer or dispenser access.
    Grant {
        /// Grantee wallet.
        #[arg(long)]
        grantee: String,
        #[command(flatten)]
        scope: ScopeArgs,
        #[command(flatten)]
        period: PeriodArgs,
        /// The consent document (only its sha256 goes on chain).
        #[arg(long)]
        policy_file: Option<std::path::PathBuf>,
        /// Grant id [default: the pair's next free id].
        #[arg(long)]
        grant_id: Option<u64>,
        /// The patient, when a guardian signs [default: the signer].
        #[arg(long)]
        patient: Option<String>,
        #[command(flatten)]
        offline: OfflineArgs,
    },
    /// A grantee requests access (the patient approves or rejects), optionally from a FHIR
    /// Consent resource's provision.
    Request {
        #[arg(long)]
        patient: String,
        #[arg(long, required_unless_present = "from_fhir")]
        classes: Option<String>,
        #[arg(long, default_value = "access")]
        actions: String,
        #[arg(long, required_unless_present = "from_fhir")]
        purposes: Option<String>,
        #[arg(long, default_value_t = 30)]
        days: i64,
        /// A FHIR R4 Consent JSON file whose provision is requested.
        #[arg(long)]
        from_fhir: Option<std::path::PathBuf>,
        #[arg(long)]
        grant_id: Option<u64>,
    },
    /// Approve a requested grant (patient or guardian).
    Approve {
        grant: String,
        #[command(flatten)]
        offline: OfflineArgs,
    },
    /// Reject a requested grant (patient or guardian).
    Reject {
        grant: String,
        #[command(flatten)]
        offline: OfflineArgs,
    },
    /// Narrow (patient or guardian) or widen (patient) a grant.
    Amend {
        grant: String,
        #[arg(long)]
        classes: Option<String>,
        #[arg(long)]
        actions: Option<String>,
        #[arg(long)]
        purposes: Option<String>,
        #[command(flatten)]
        period: PeriodArgs,
        #[command(flatten)]
        offline: OfflineArgs,
    },
    /// Revoke a grant (patient or guardian).
    Revoke {
        grant: String,
        #[command(flatten)]
        offline: OfflineArgs,
    },
    /// Close a revoked, rejected or expired grant; its rent returns to the patient.
    Close {
        grant: String,
        #[command(flatten)]
        offline: OfflineArgs,
    },
    /// Name, re-scope (or with --remove, remove) a guardian who acts within its own scope.
    Delegate {
        guardian: String,
        #[arg(long)]
        remove: bool,
        #[arg(long, required_unless_present = "remove")]
        classes: Option<String>,
        #[arg(long, default_value = "access")]
        actions: String,
        #[arg(long, required_unless_present = "remove")]
        purposes: Option<String>,
        #[arg(long, default_value_t = 365)]
        days: i64,
        #[command(flatten)]
        offline: OfflineArgs,
    },
    /// Break-glass emergency access by a provider (purpose ETREAT, at most 24 h).
    Emergency {
        #[arg(long)]
        patient: String,
        #[arg(long)]
        classes: String,
        #[arg(long, default_value = "access")]
        actions: String,
        #[arg(long, default_value_t = 4)]
        hours: i64,
        /// The clinical justification (only its hash goes on chain).
        #[arg(long)]
        justification_file: Option<std::path::PathBuf>,
        /// Review a break-glass grant as the patient instead.
        #[arg(long)]
        review: Option<String>,
    },
    /// Record one access under a grant (grantee); fails unless the grant permits it now.
    Access {
        grant: String,
        #[arg(long)]
        class: String,
        #[arg(long, default_value = "access")]
        action: String,
        #[arg(long)]
        purpose: String,
        /// The accessed resource (a file; only its sha256 goes on chain).
        #[arg(long)]
        resource_file: Option<std::path::PathBuf>,
    },
    /// Would this grantee be allowed this access now? (what an EHR gateway asks)
    Check {
        #[arg(long)]
        patient: String,
        #[arg(long)]
        grantee: String,
        #[arg(long)]
        class: String,
        #[arg(long, default_value = "access")]
        action: String,
        #[arg(long)]
        purpose: String,
    },
    /// Grants of a patient and/or a grantee.
    List {
        #[arg(long)]
        patient: Option<String>,
        #[arg(long)]
        grantee: Option<String>,
    },
    /// The audit trail of a patient or a grant (every change and access, from events).
    Audit { address: String },
    /// A grant as a FHIR R4 Consent resource.
    ExportFhir { grant: String },
}

fn hash_file(path: &Option<std::path::PathBuf>, default: &[u8]) -> Result<[u8; 32]> {
    Ok(match path {
        Some(p) => caretrail_sdk::hash::sha256(&[
            &std::fs::read(p).with_context(|| format!("reading {}", p.display()))?
        ]),
        None => caretrail_sdk::hash::sha256(&[default]),
    })
}

fn grant_output(ctx: &Context, address: &Pubkey) -> Result<serde_json::Value> {
    let ledger = ctx.ledger()?;
    let g = con::fetch_grant(ledger, address)?.ok_or_else(|| anyhow!("no grant at {address}"))?;
    Ok(serde_json::to_value(GrantView::new(
        address,
        &g,
        ledger.get_clock()?.unix_timestamp,
    ))?)
}

pub fn execute(ctx: &Context, cmd: ConsentCommand) -> Result<Output> {
    let ledger = ctx.ledger()?;
    let now = ledger.get_clock()?.unix_timestamp;
    match cmd {
        ConsentCommand::Grant {
            grantee,
            scope,
            period,
            policy_file,
            grant_id,
            patient,
            offline,
        } => {
            let grantee = parse_pubkey(&grantee)?;
            let (signer, authority) = offline.authority(ctx)?;
            let patient = patient
                .as_deref()
                .map(parse_pubkey)
                .transpose()?
                .unwrap_or(authority);
            let grant_id = match grant_id {
                Some(id) => id,
                None => con::next_grant_id(ledger, &patient, &grantee)?,
            };
            let expires_at = period.expires_at(now)?.unwrap_or(now + 365 * 86_400);
            let args = GrantArgs {
                scope: scope.scope()?,
                not_before: now,
                expires_at,
                policy_hash: hash_file(&policy_file, b"caretrail default consent policy v1")?,
            };
            let address = con::grant_pda(&patient, &grantee, grant_id).0;
            let ix = con::grant_ix(
                &signer.pubkey(),
                &caretrail_sdk::consent::GrantRequest {
                    patient: &patient,
                    grantee: &grantee,
                    authority: &authority,
                    grant_id,
                    args,
                },
            );
            finish(
                ctx,
                &[ix],
                &signer,
                &offline,
                json!({ "grant": address.to_string(), "grant_id": grant_id }),
                &format!("granted: {address}"),
            )
        }
        ConsentCommand::Request {
            patient,
            classes,
            actions,
            purposes,
            days,
            from_fhir,
            grant_id,
        } => {
            let patient = parse_pubkey(&patient)?;
            let signer = ctx.signer()?;
            let (scope, not_before, expires_at) = match from_fhir {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    let value: serde_json::Value = serde_json::from_str(&text)
                        .with_context(|| format!("{} is not JSON", path.display()))?;
                    let (grantee, scope, start, end) =
                        caretrail_sdk::fhir::request_from_consent(&value)
                            .map_err(|e| anyhow!(e))?;
                    if grantee != signer.pubkey() {
                        bail!(
                            "the FHIR provision names {grantee} as the recipient, not you ({})",
                            signer.pubkey()
                        );
                    }
                    (scope, start.max(now), end)
                }
                None => (
                    con::parse_scope(
                        classes.as_deref().unwrap_or(""),
                        &actions,
                        purposes.as_deref().unwrap_or(""),
                    )
                    .map_err(|e| anyhow!(e))?,
                    now,
                    now + days * 86_400,
                ),
            };
            let grant_id = match grant_id {
                Some(id) => id,
                None => con::next_grant_id(ledger, &patient, &signer.pubkey())?,
            };
            let out = con::ConsentClient::new(ledger, &signer).request(
                &signer,
                &patient,
                grant_id,
                GrantArgs {
                    scope,
                    not_before,
                    expires_at,
                    policy_hash: caretrail_sdk::hash::sha256(&[b"request"]),
                },
            )?;
            let address = con::grant_pda(&patient, &signer.pubkey(), grant_id).0;
            Ok(Output::new(
                json!({ "grant": address.to_string(), "grant_id": grant_id, "signature": out.signature.to_string() }),
                format!("requested: {address} (the patient approves or rejects)"),
            ))
        }
        ConsentCommand::Approve { grant, offline } => {
            change(ctx, &grant, &offline, con::approve_ix, "approved")
        }
        ConsentCommand::Reject { grant, offline } => {
            change(ctx, &grant, &offline, con::reject_ix, "rejected")
        }
        ConsentCommand::Revoke { grant, offline } => {
            change(ctx, &grant, &offline, con::revoke_ix, "revoked")
        }
        ConsentCommand::Amend {
            grant,
            classes,
            actions,
            purposes,
            period,
            offline,
        } => {
            let address = parse_pubkey(&grant)?;
            let current = con::fetch_grant(ledger, &address)?
                .ok_or_else(|| anyhow!("no grant at {address}"))?;
            let scope = if classes.is_some() || actions.is_some() || purposes.is_some() {
                let names = |v: Vec<&str>| v.join(",");
                Some(
                    con::parse_scope(
                        &classes.unwrap_or_else(|| names(con::class_names(current.scope.classes))),
                        &actions.unwrap_or_else(|| names(con::action_names(current.scope.actions))),
                        &purposes
                            .unwrap_or_else(|| names(con::purpose_names(current.scope.purposes))),
                    )
                    .map_err(|e| anyhow!(e))?,
                )
            } else {
                None
            };
            let args = AmendArgs {
                scope,
                expires_at: period.expires_at(now)?,
            };
            change(
                ctx,
                &grant,
                &offline,
                move |g, p, a| con::amend_ix(g, p, a, args.clone()),
                "amended",
            )
        }
        ConsentCommand::Close { grant, offline } => {
            let address = parse_pubkey(&grant)?;
            let (signer, authority) = offline.authority(ctx)?;
            finish(
                ctx,
                &[con::close_grant_ix(&address, &authority)],
                &signer,
                &offline,
                json!({ "grant": address.to_string() }),
                &format!("closed {address}"),
            )
        }
        ConsentCommand::Delegate {
            guardian,
            remove,
            classes,
            actions,
            purposes,
            days,
            offline,
        } => {
            let guardian = parse_pubkey(&guardian)?;
            let (signer, patient) = offline.authority(ctx)?;
            let ix = if remove {
                con::remove_delegate_ix(&patient, &guardian)
            } else {
                let scope = con::parse_scope(
                    classes.as_deref().unwrap_or(""),
                    &actions,
                    purposes.as_deref().unwrap_or(""),
                )
                .map_err(|e| anyhow!(e))?;
                con::set_delegate_ix(&patient, &guardian, scope, now + days * 86_400)
            };
            let what = if remove { "removed" } else { "set" };
            finish(
                ctx,
                &[ix],
                &signer,
                &offline,
                json!({ "delegate": con::delegate_pda(&patient, &guardian).0.to_string() }),
                &format!("guardian {guardian} {what}"),
            )
        }
        ConsentCommand::Emergency {
            patient,
            classes,
            actions,
            hours,
            justification_file,
            review,
        } => {
            let signer = ctx.signer()?;
            let client = con::ConsentClient::new(ledger, &signer);
            if let Some(grant) = review {
                let g = parse_pubkey(&grant)?;
                let out = client.review_emergency(&signer, &g)?;
                return Ok(Output::new(
                    json!({ "grant": g.to_string(), "signature": out.signature.to_string() }),
                    format!("reviewed break-glass grant {g}"),
                ));
            }
            let patient = parse_pubkey(&patient)?;
            let scope = con::parse_scope(&classes, &actions, "ETREAT").map_err(|e| anyhow!(e))?;
            let grant_id = con::next_grant_id(ledger, &patient, &signer.pubkey())?;
            let args = EmergencyArgs {
                scope,
                duration_seconds: hours * 3600,
                justification_hash: hash_file(&justification_file, b"emergency")?,
            };
            let out = client.emergency(&signer, &patient, grant_id, args)?;
            let address = con::grant_pda(&patient, &signer.pubkey(), grant_id).0;
            Ok(Output::new(json!({ "grant": address.to_string(), "signature": out.signature.to_string() }), format!("BREAK-GLASS access {address} for {hours} h; the patient is notified for review")))
        }
        ConsentCommand::Access {
            grant,
            class,
            action,
            purpose,
            resource_file,
        } => {
            let address = parse_pubkey(&grant)?;
            let signer = ctx.signer()?;
            let s = con::parse_scope(&class, &action, &purpose).map_err(|e| anyhow!(e))?;
            let args = AccessArgs {
                class: s.classes,
                action: s.actions,
                purpose: s.purposes,
                resource_hash: hash_file(&resource_file, b"resource")?,
            };
            let out =
                con::ConsentClient::new(ledger, &signer).record_access(&signer, &address, args)?;
            Ok(Output::new(
                json!({ "grant": address.to_string(), "signature": out.signature.to_string() }),
                format!("access recorded under {address}"),
            ))
        }
        ConsentCommand::Check {
            patient,
            grantee,
            class,
            action,
            purpose,
        } => {
            let s = con::parse_scope(&class, &action, &purpose).map_err(|e| anyhow!(e))?;
            let d = con::check_access(
                ledger,
                &parse_pubkey(&patient)?,
                &parse_pubkey(&grantee)?,
                s.classes,
                s.actions,
                s.purposes,
            )?;
            let human = match &d {
                con::Decision::Permit { grant, .. } => format!("PERMIT under grant {grant}"),
                con::Decision::Deny { reason } => format!("DENY: {reason}"),
            };
            Ok(Output::new(serde_json::to_value(&d)?, human))
        }
        ConsentCommand::List { patient, grantee } => {
            let p = patient.as_deref().map(parse_pubkey).transpose()?;
            let g = grantee.as_deref().map(parse_pubkey).transpose()?;
            if p.is_none() && g.is_none() {
                bail!("give --patient and/or --grantee");
            }
            let views: Vec<GrantView> = con::list_grants(ledger, p.as_ref(), g.as_ref())?
                .iter()
                .map(|(k, x)| GrantView::new(k, x, now))
                .collect();
            let rows: Vec<Vec<String>> = views
                .iter()
                .map(|v| {
                    vec![
                        v.address.clone(),
                        v.status.to_string(),
                        v.grantee.clone(),
                        v.classes.join(","),
                        v.purposes.join(","),
                        v.expires_at.clone(),
                        v.access_count.to_string(),
                    ]
                })
                .collect();
            Ok(Output::new(
                serde_json::to_value(&views)?,
                table(
                    &[
                        "grant", "status", "grantee", "classes", "purposes", "expires", "accesses",
                    ],
                    &rows,
                ),
            ))
        }
        ConsentCommand::Audit { address } => {
            let trail = con::audit_trail(ledger, &parse_pubkey(&address)?)?;
            let rows: Vec<Vec<String>> = trail
                .iter()
                .map(|e| {
                    vec![
                        e.time.clone(),
                        e.event.to_string(),
                        e.by.clone(),
                        e.grant.clone(),
                    ]
                })
                .collect();
            Ok(Output::new(
                serde_json::to_value(&trail)?,
                table(&["time", "event", "by", "grant"], &rows),
            ))
        }
        ConsentCommand::ExportFhir { grant } => {
            let address = parse_pubkey(&grant)?;
            let g = con::fetch_grant(ledger, &address)?
                .ok_or_else(|| anyhow!("no grant at {address}"))?;
            let resource = caretrail_sdk::fhir::consent_resource(&address, &g, now);
            let text = serde_json::to_string_pretty(&resource)?;
            Ok(Output::new(resource, text))
        }
    }
}

/// approve / reject / revoke / amend: the signer (or the offline `--authority`) acts as the
/// patient or, when it is not the patient, as the patient's guardian.
fn change(
    ctx: &Context,
    grant: &str,
    offline: &OfflineArgs,
    build: impl Fn(&Pubkey, &Pubkey, &Pubkey) -> caretrail_sdk::solana_sdk::instruction::Instruction,
    what: &str,
) -> Result<Output> {
    let address = parse_pubkey(grant)?;
    let g = con::fetch_grant(ctx.ledger()?, &address)?
        .ok_or_else(|| anyhow!("no grant at {address}"))?;
    let (signer, authority) = offline.authority(ctx)?;
    let ix = build(&address, &g.patient, &authority);
    let out = finish(
        ctx,
        &[ix],
        &signer,
        offline,
        json!({ "grant": address.to_string() }),
        &format!("{what}: {address}"),
    )?;
    if offline.sign_only {
        return Ok(out);
    }
    let mut json = out.json;
    json["state"] = grant_output(ctx, &address)?;
    Ok(Output::new(json, out.human))
}
