//! `caretrail custody package …`: compressed packages (docs/SCALE.md), thin over
//! `caretrail_sdk::custody`'s package trees. A package is named by its scanned code (GTIN, lot
//! and serial find the tree and the leaf); every command rebuilds the proof it needs from the
//! tree's history (kept next to an embedded ledger).

use crate::args;
use crate::command::custody::{code, gtin};
use crate::command::Execute;
use crate::context::Context;
use crate::output::Output;
use anyhow::Result;
use caretrail_sdk::custody as cus;
use caretrail_sdk::gs1::Gs1Code;
use caretrail_sdk::solana_sdk::{pubkey::Pubkey, signature::Signer};
use clap::{Args, Subcommand};
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum PackageCommand {
    /// Create a package tree for a lot (its manufacturer): 16,384 packages for the rent of
    /// one 20,856-byte account.
    Tree(TreeArgs),
    /// Commission packages into a tree from a serialization-line export (a serial or a GS1
    /// code per line; a file, or stdin), loose or straight into a case you hold; safe to
    /// re-run.
    Commission(CommissionArgs),
    /// A package's state: tree, leaf index, status, holder, the case it is in, hops.
    Show(CodeOnly),
    /// Ship a loose package to a registered trading partner (its holder).
    Ship(ShipArgs),
    /// Receive a package addressed to you (its hop closes; the rent goes back to its payer).
    Receive(CodeOnly),
    /// Refuse a package addressed to you: it stays with the sender.
    Refuse(Reasoned),
    /// Take back a package its receiver never answered (its sender, after 30 days).
    Cancel(CodeOnly),
    /// Unpack packages from a case or pallet you hold.
    Unpack(UnpackArgs),
    /// Dispense a package to a patient (a dispenser that holds it).
    Dispense(CodeOnly),
    /// Quarantine a suspect package (its holder, or a regulator).
    Suspect(Reasoned),
    /// Clear a quarantined package (whoever flagged it, or a regulator).
    Clear(CodeOnly),
    /// Declare a quarantined package illegitimate (a regulator, or the lot's manufacturer).
    Illegitimate(Reasoned),
    /// Take a package out of the supply chain (its holder); `--destroyed` when destroyed.
    Decommission(DecommissionArgs),
}

impl Execute for PackageCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            PackageCommand::Tree(c) => c.execute(ctx),
            PackageCommand::Commission(c) => c.execute(ctx),
            PackageCommand::Show(c) => c.show(ctx),
            PackageCommand::Ship(c) => c.execute(ctx),
            PackageCommand::Receive(c) => {
                c.act(ctx, "received", |k, s, t, h| k.receive_package(s, t, h))
            }
            PackageCommand::Refuse(c) => {
                let reason = c.reason;
                c.code.act(ctx, "refused", move |k, s, t, h| {
                    k.refuse_package(s, t, h, reason)
                })
            }
            PackageCommand::Cancel(c) => c.act(ctx, "taken back", |k, s, t, h| {
                k.cancel_package_shipment(s, t, h)
            }),
            PackageCommand::Unpack(c) => c.execute(ctx),
            PackageCommand::Dispense(c) => {
                c.act(ctx, "dispensed", |k, s, t, h| k.dispense_package(s, t, h))
            }
            PackageCommand::Suspect(c) => {
                let reason = c.reason;
                c.code.act(ctx, "quarantined", move |k, s, t, h| {
                    k.flag_package(s, t, h, reason)
                })
            }
            PackageCommand::Clear(c) => c.act(ctx, "cleared", |k, s, t, h| {
                k.resolve_package(s, t, h, cus::Resolution::Clear)
            }),
            PackageCommand::Illegitimate(c) => {
                let reason_code = c.reason;
                c.code.act(ctx, "declared illegitimate", move |k, s, t, h| {
                    k.resolve_package(s, t, h, cus::Resolution::Illegitimate { reason_code })
                })
            }
            PackageCommand::Decommission(c) => {
                let (destroyed, reason) = (c.destroyed, c.reason);
                let what = if destroyed {
                    "destroyed"
                } else {
                    "decommissioned"
                };
                c.code.act(ctx, what, move |k, s, t, h| {
                    k.decommission_package(s, t, h, destroyed, reason)
                })
            }
        }
    }
}

#[derive(Args, Debug)]
pub struct TreeArgs {
    /// The lot's GTIN.
    #[arg(long, value_parser = gtin)]
    pub gtin: [u8; 14],
    /// The lot number.
    #[arg(long)]
    pub lot: String,
}

impl Execute for TreeArgs {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let lot = cus::lot_pda(&self.gtin, &self.lot).0;
        let (tree, out) =
            cus::CustodyClient::new(ctx.ledger()?, &signer).create_package_tree(&signer, &lot)?;
        Ok(Output::tx(
            format!(
                "package tree {tree} created for lot {} ({} packages)",
                self.lot,
                cus::TREE_CAPACITY
            ),
            &out,
            json!({ "tree": tree.to_string(), "lot": lot.to_string(), "capacity": cus::TREE_CAPACITY }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct CommissionArgs {
    /// The package tree (`custody package tree` printed it).
    #[arg(long, value_parser = args::pubkey)]
    pub tree: Pubkey,
    /// The lot's GTIN (serials are hashed with it).
    #[arg(long, value_parser = gtin)]
    pub gtin: [u8; 14],
    /// The lot number (GS1 codes in the file must be of it).
    #[arg(long)]
    pub lot: String,
    /// Commission straight into this case or pallet (its SSCC), which you hold.
    #[arg(long, value_name = "SSCC")]
    pub case: Option<String>,
    /// File of serials (or GS1 codes), one per line; `-` or nothing reads stdin.
    pub file: Option<std::path::PathBuf>,
}

impl Execute for CommissionArgs {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let input = crate::command::custody::read_input(self.file.as_deref(), "serial numbers")?;
        let hashes = cus::commission::serial_hashes_of_lines(
            &self.gtin,
            &self.lot,
            &caretrail_sdk::scan::scan_lines(&input),
        )?;
        let case = match &self.case {
            Some(sscc) => Some(cus::sscc_pda(&cus::parse_sscc(sscc)?).0),
            None => None,
        };
        let signer = ctx.signer()?;
        let n = hashes.len();
        let outs = cus::CustodyClient::new(ctx.ledger()?, &signer).commission_packages(
            &signer,
            &self.tree,
            case.as_ref(),
            hashes,
        )?;
        let signatures: Vec<String> = outs.iter().map(|o| o.signature.to_string()).collect();
        Ok(Output::new(
            json!({ "tree": self.tree.to_string(), "packages": n, "transactions": signatures }),
            format!(
                "{n} packages given, {} transactions sent to tree {} (what the tree already held was skipped)",
                signatures.len(),
                self.tree
            ),
        ))
    }
}

#[derive(Args, Debug)]
pub struct CodeOnly {
    /// The package's scanned code, with its lot (element string, HRI, Digital Link).
    #[arg(value_parser = code)]
    pub code: Gs1Code,
}

impl CodeOnly {
    fn act(
        self,
        ctx: &Context,
        what: &str,
        run: impl Fn(
            &cus::CustodyClient,
            &caretrail_sdk::solana_sdk::signature::Keypair,
            &Pubkey,
            &[u8; 32],
        ) -> caretrail_sdk::Result<caretrail_sdk::TxOutcome>,
    ) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let found = cus::package_of(ledger, &self.code)?;
        let out = run(
            &cus::CustodyClient::new(ledger, &signer),
            &signer,
            &found.tree,
            &found.leaf.serial_hash,
        )?;
        Ok(Output::tx(
            format!("{what}: package {}", found.id()),
            &out,
            json!({ "tree": found.tree.to_string(), "index": found.index }),
        ))
    }

    fn show(self, ctx: &Context) -> Result<Output> {
        let found = cus::package_of(ctx.ledger()?, &self.code)?;
        let l = &found.leaf;
        let parent = (l.parent != Pubkey::default()).then(|| l.parent.to_string());
        Ok(Output::new(
            json!({
                "tree": found.tree.to_string(),
                "index": found.index,
                "status": cus::status_name(l.status),
                "holder": l.holder.to_string(),
                "inside": parent,
                "hops": l.hop_count,
                "chain_head": caretrail_sdk::util::hex(&l.chain_head),
                "updated_at": l.updated_at,
            }),
            format!(
                "package {}: {}, held by {}{}, {} hops",
                found.id(),
                cus::status_name(l.status),
                l.holder,
                parent.map(|p| format!(" (in {p})")).unwrap_or_default(),
                l.hop_count
            ),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Reasoned {
    #[command(flatten)]
    pub code: CodeOnly,
    /// Reason code recorded on chain (no free text goes on chain).
    #[arg(long, default_value_t = 1)]
    pub reason: u16,
}

#[derive(Args, Debug)]
pub struct DecommissionArgs {
    #[command(flatten)]
    pub code: CodeOnly,
    /// It was destroyed (else decommissioned: a sample, damaged…).
    #[arg(long)]
    pub destroyed: bool,
    /// Reason code recorded on chain.
    #[arg(long, default_value_t = 1)]
    pub reason: u16,
}

#[derive(Args, Debug)]
pub struct ShipArgs {
    #[command(flatten)]
    pub code: CodeOnly,
    /// The registered trading partner it goes to (pubkey or keypair file).
    #[arg(long, value_parser = args::pubkey)]
    pub to: Pubkey,
    /// GLN of the shipping location [default: your registered GLN].
    #[arg(long, value_parser = args::gln)]
    pub read_point: Option<[u8; 13]>,
    /// The shipment's ASN / despatch advice id (only its hash goes on chain).
    #[arg(long)]
    pub shipment: Option<String>,
    /// A saleable return to the distributor (verified again at receipt).
    #[arg(long)]
    pub is_return: bool,
}

impl Execute for ShipArgs {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let receiver = self.to;
        let args = caretrail_sdk::scan::shipment_args(
            ledger,
            &signer.pubkey(),
            &receiver,
            self.read_point,
            self.shipment.as_deref(),
            self.is_return,
        )?;
        let found = cus::package_of(ledger, &self.code.code)?;
        let shipment = cus::PackageShipment {
            read_point: args.read_point,
            shipment_ref: args.shipment_ref,
            is_return: args.is_return,
        };
        let out = cus::CustodyClient::new(ledger, &signer).ship_package(
            &signer,
            &found.tree,
            &found.leaf.serial_hash,
            &receiver,
            &shipment,
        )?;
        Ok(Output::tx(
            format!("shipped package {} to {receiver}", found.id()),
            &out,
            json!({ "tree": found.tree.to_string(), "index": found.index, "to": receiver.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct UnpackArgs {
    /// The case or pallet (its SSCC) you hold.
    #[arg(long, value_name = "SSCC")]
    pub case: String,
    /// The packages' scanned codes.
    #[arg(value_parser = code, required = true)]
    pub codes: Vec<Gs1Code>,
}

impl Execute for UnpackArgs {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let case = cus::sscc_pda(&cus::parse_sscc(&self.case)?).0;
        let mut by_tree: Vec<(Pubkey, Vec<[u8; 32]>)> = Vec::new();
        for c in &self.codes {
            let found = cus::package_of(ledger, c)?;
            match by_tree.iter_mut().find(|(t, _)| *t == found.tree) {
                Some((_, v)) => v.push(found.leaf.serial_hash),
                None => by_tree.push((found.tree, vec![found.leaf.serial_hash])),
            }
        }
        let client = cus::CustodyClient::new(ledger, &signer);
        let mut signatures = Vec::new();
        for (tree, hashes) in &by_tree {
            for out in client.unpack_packages(&signer, tree, &case, hashes)? {
                signatures.push(out.signature.to_string());
            }
        }
        Ok(Output::new(
            json!({ "case": case.to_string(), "packages": self.codes.len(), "transactions": signatures }),
            format!(
                "{} packages unpacked from {case} in {} transactions",
                self.codes.len(),
                signatures.len()
            ),
        ))
    }
}
