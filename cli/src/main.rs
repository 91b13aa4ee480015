//! `caretrail`: the command-line interface of caretrail (thin over caretrail-sdk).

mod command;
mod context;
mod output;

use clap::{Parser, Subcommand};
use context::{Context, GlobalArgs};

#[derive(Parser, Debug)]
#[command(
    name = "caretrail",
    version,
    about = "caretrail: one tamper-evident record for drug custody, patient consent and claims, on Solana",
    long_about = "caretrail drives the caretrail Solana programs (registry, consent, custody, claims).\n\n\
        By default it runs against the embedded ledger: a real Agave bank running the four programs \
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
    /// Serialized drug custody: verify a package, show its history (EPCIS).
    #[command(subcommand)]
    Custody(command::custody::CustodyCommand),
    /// GS1 barcodes: parse scanner lines into JSON.
    #[command(subcommand)]
    Barcode(command::barcode::BarcodeCommand),
    /// Inspect the embedded ledger (dump, history).
    #[command(subcommand)]
    Ledger(command::ledger::LedgerCommand),
    /// Fund a wallet: the embedded ledger's faucet, or the cluster's airdrop where it has one.
    Airdrop(command::wallet::AirdropArgs),
    /// Print the public key and balance of the --keypair wallet.
    Address,
    /// Create a new keypair file (a wallet), like `solana-keygen new --outfile`.
    Keygen(command::wallet::KeygenArgs),
    /// A patient's key for one relationship (a grantee, a payer), derived from the --keypair
    /// wallet: use a different pubkey in every relationship so public data does not join them.
    RelationshipKey(command::wallet::RelationshipKeyArgs),
    /// Run the end-to-end story on a fresh ledger and write its artifacts into --out DIR.
    Demo(command::demo::DemoArgs),
}

fn main() {
    let cli = Cli::parse();
    output::reserve_stdout();
    let format = cli.global.output;
    let result = Context::new(cli.global).and_then(|ctx| match cli.command {
        Command::Registry(c) => command::registry::execute(&ctx, c),
        Command::Ledger(c) => command::ledger::execute(&ctx, c),
        Command::Custody(c) => command::custody::execute(&ctx, c),
        Command::Consent(c) => command::consent::execute(&ctx, c),
        Command::Claims(c) => command::claims::execute(&ctx, c),
        Command::Tx(c) => command::tx::execute(&ctx, c),
        Command::Barcode(c) => command::barcode::execute(c),
        Command::Airdrop(a) => command::wallet::airdrop(&ctx, a),
        Command::Address => command::wallet::address(&ctx),
        Command::Keygen(a) => command::wallet::keygen(a),
        Command::RelationshipKey(a) => command::wallet::relationship_key(&ctx, a),
        Command::Demo(a) => command::demo::execute(&ctx, a),
    });
    match result {
        Ok(out) => out.print(format),
        Err(e) => {
            output::print_error(&e, format);
            std::process::exit(1);
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
}
