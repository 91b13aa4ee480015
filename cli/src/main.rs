//! `caretrail`: the command-line interface of caretrail (thin over caretrail-sdk).

mod args;
mod command;
mod context;
mod output;

use clap::{Parser, Subcommand};
use command::Execute;
use context::{Context, GlobalArgs};

#[derive(Parser, Debug)]
#[command(
    name = "caretrail",
    version,
    about = "caretrail: one tamper-evident record for drug custody, patient consent, claims, health records and clinical trials, on Solana",
    long_about = "caretrail drives the caretrail Solana programs (registry, consent, custody, claims, records, trials).\n\n\
        By default it runs against the embedded ledger: a real Agave bank running the six programs \
        inside this process, persisted under --ledger, so successive runs continue the same ledger. \
        With --url localhost|devnet|mainnet-beta|<URL> the same commands go to a real cluster."
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Trading partners, providers, payers and regulators: register, update, suspend, revoke, list.
    #[command(subcommand)]
    Registry(command::registry::RegistryCommand),
    /// Patient consent: grants, requests, guardians, break-glass, access checks, audit, FHIR.
    #[command(subcommand)]
    Consent(command::consent::ConsentCommand),
    /// Offline signing: sign a transaction on a wallet, submit it with its signatures.
    #[command(subcommand)]
    Tx(command::tx::TxCommand),
    /// Insurance claims: payers, coverage, submit, adjudicate, pay, appeal, void, reverse, FHIR.
    #[command(subcommand)]
    Claims(command::claims::ClaimsCommand),
    /// Serialized drug custody: lots, commissioning, packing, shipping and receiving, recalls,
    /// quarantine, dispensing; verify a package, show its history (EPCIS).
    #[command(subcommand)]
    Custody(command::custody::CustodyCommand),
    /// Health-record integrity: anchor record versions in batches, supersede, verify, FHIR
    /// Provenance.
    #[command(subcommand)]
    Records(command::records::RecordsCommand),
    /// Clinical trials: register, amend, enrol through research consent, lock data, results,
    /// audit.
    #[command(subcommand)]
    Trials(command::trials::TrialsCommand),
    /// SPL Token / Token-2022 for payers: mints, token accounts, minting, transfers, balances.
    #[command(subcommand)]
    Token(command::token::TokenCommand),
    /// EPCIS documents of trading partners: import a shipment notice.
    #[command(subcommand)]
    Epcis(command::epcis::EpcisCommand),
    /// GS1 barcodes: parse scanner lines into JSON.
    #[command(subcommand)]
    Barcode(command::barcode::BarcodeCommand),
    /// Inspect the embedded ledger (dump, history).
    #[command(subcommand)]
    Ledger(command::ledger::LedgerCommand),
    /// Fund a wallet: the embedded ledger's faucet, or the cluster's airdrop where it has one.
    Airdrop(command::wallet::AirdropArgs),
    /// Print the public key and balance of the --keypair wallet.
    Address(command::wallet::AddressArgs),
    /// Create a new keypair file (a wallet), like `solana-keygen new --outfile`.
    Keygen(command::wallet::KeygenArgs),
    /// A patient's key for one relationship (a grantee, a payer), derived from the --keypair
    /// wallet: use a different pubkey in every relationship so public data does not join them.
    RelationshipKey(command::wallet::RelationshipKeyArgs),
    /// Run the end-to-end story on a fresh ledger and write its artifacts into --out DIR.
    Demo(command::demo::DemoArgs),
    /// Serve patients' wallets (Solana Actions, Solana Pay transaction requests) and the
    /// patient portal over HTTP, until Ctrl-C.
    Serve(command::serve::ServeArgs),
}

impl Execute for Command {
    fn execute(self, ctx: &Context) -> anyhow::Result<output::Output> {
        match self {
            Command::Registry(c) => c.execute(ctx),
            Command::Consent(c) => c.execute(ctx),
            Command::Tx(c) => c.execute(ctx),
            Command::Claims(c) => c.execute(ctx),
            Command::Custody(c) => c.execute(ctx),
            Command::Records(c) => c.execute(ctx),
            Command::Trials(c) => c.execute(ctx),
            Command::Token(c) => c.execute(ctx),
            Command::Epcis(c) => c.execute(ctx),
            Command::Barcode(c) => c.execute(ctx),
            Command::Ledger(c) => c.execute(ctx),
            Command::Airdrop(c) => c.execute(ctx),
            Command::Address(c) => c.execute(ctx),
            Command::Keygen(c) => c.execute(ctx),
            Command::RelationshipKey(c) => c.execute(ctx),
            Command::Demo(c) => c.execute(ctx),
            Command::Serve(c) => c.execute(ctx),
        }
    }
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print and succeed; anything else is bad usage.
            let status = if e.use_stderr() {
                output::EXIT_USAGE
            } else {
                0
            };
            let _ = e.print();
            std::process::exit(status);
        }
    };
    output::reserve_stdout();
    let format = cli.global.output;
    let starts_a_ledger = matches!(
        cli.command,
        Command::Demo(_) | Command::Registry(command::registry::RegistryCommand::Init(_))
    );
    let result = Context::new(cli.global).and_then(|mut ctx| {
        ctx.starts_a_ledger = starts_a_ledger;
        cli.command.execute(&ctx)
    });
    match result {
        Ok(out) => {
            out.print(format);
            if out.alert {
                std::process::exit(output::EXIT_ALERT);
            }
        }
        Err(e) => {
            output::print_error(&e, format);
            std::process::exit(output::EXIT_FAILED);
        }
    }
}

#[cfg(test)]
mod tests {
    /// clap's own consistency checks of every command and option (unique short flags, …).
    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }

    /// Every command and every argument says what it is for in `--help`.
    #[test]
    fn every_argument_has_help_text() {
        use clap::CommandFactory;
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            let path = format!("{path} {}", cmd.get_name());
            if cmd.get_about().is_none() && path.contains(' ') && cmd.get_name() != "help" {
                missing.push(format!("{path}: no about"));
            }
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if a.get_help().is_none() && a.get_long_help().is_none() {
                    missing.push(format!("{path} --{id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "", &mut missing);
        assert!(missing.is_empty(), "without help: {missing:#?}");
    }
}
