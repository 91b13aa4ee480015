//! caretrail benchmarks: `cargo build --profile bench -p caretrail-cli -p caretrail-bench`, then
//! `target/release/caretrail-bench [--quick] [--json FILE] [--doc FILE]` (one build of both
//! binaries, so the bench finds the `caretrail` it measures next to itself; `cargo run -p
//! caretrail-bench` alone works too, without the CLI-process table)
//!
//! Prints Markdown tables of what was measured on this machine (and writes them as JSON with
//! `--json`, or as `docs/BENCHMARKS.md` with `--doc`): account sizes and rent from the
//! runtime's `Rent`, lamports per real-world action measured from balances, serialized
//! transaction sizes and actions per 1,232-byte transaction, throughput on the embedded ledger
//! at growing ledger sizes against the naive one-action-per-transaction baseline, off-chain hot
//! paths, and the compute units the bank meters (SPL Token CPIs; caretrail's own programs run
//! natively here and are metered only in SBF builds).
//!
//! `--cu-from URL` instead reads the compute units of every caretrail instruction in the
//! history of a validator running the SBF builds (scripts/e2e-validator.sh) and, with `--doc`,
//! replaces that section of the document.

use caretrail_sdk::claims::{self as clm, ClaimRefs};
use caretrail_sdk::consent::{self as con, GrantArgs};
use caretrail_sdk::custody::{self as cus, UnitKind};
use caretrail_sdk::scan::{self, LineStatus, Quiet, ScanAction};
use caretrail_sdk::Ledger;
use caretrail_tests::{access, ship_args, treatment_scope, Harness, DAY, GTIN, LOT};
use serde_json::{json, Value};
use solana_sdk::{instruction::Instruction, pubkey::Pubkey, signature::Signer};
use std::io::Write;
use std::time::Instant;

struct Table {
    title: String,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(title: &str, headers: &[&'static str]) -> Table {
        Table {
            title: title.into(),
            headers: headers.to_vec(),
            rows: vec![],
        }
    }
    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
    fn markdown(&self) -> String {
        let mut s = format!(
            "### {}\n\n| {} |\n|{}|\n",
            self.title,
            self.headers.join(" | "),
            self.headers
                .iter()
                .map(|_| " --- ")
                .collect::<Vec<_>>()
                .join("|")
        );
        for r in &self.rows {
            s.push_str(&format!("| {} |\n", r.join(" | ")));
        }
        s
    }
    fn json(&self) -> Value {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                json!(self
                    .headers
                    .iter()
                    .zip(r)
                    .map(|(h, c)| (h.to_string(), json!(c)))
                    .collect::<serde_json::Map<_, _>>())
            })
            .collect();
        json!({ "title": self.title, "rows": rows })
    }
}

fn rate(n: usize, secs: f64) -> String {
    format!("{:.0}", n as f64 / secs)
}

fn main() {
    let mut out: Box<dyn Write> = match caretrail_sdk::programs::reserve_stdout() {
        Some(f) => Box::new(f),
        None => Box::new(std::io::stdout()),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let sizes: Vec<usize> = if quick {
        vec![200, 1_000]
    } else {
        vec![1_000, 10_000, 100_000]
    };
    if let Some(url) = arg("--cu-from") {
        // Compute units of a real validator's history (scripts/e2e-validator.sh).
        let (section, table) = validator_units(&url);
        write!(out, "{}", table.markdown()).expect("write");
        if let Some(path) = arg("--json") {
            std::fs::write(&path, serde_json::to_string_pretty(&table.json()).unwrap())
                .expect("write JSON");
        }
        if let Some(path) = arg("--doc") {
            let doc = std::fs::read_to_string(&path).unwrap_or_default();
            std::fs::write(&path, splice(&doc, Some(&section))).expect("write doc");
        }
        return;
    }
    let sbf_dir = arg("--sbf-dir").map(std::path::PathBuf::from);
    let tables = vec![
        accounts(),
        actions(quick),
        packing(),
        throughput(&sizes, quick),
        cli_scan(&sizes),
        hot_paths(quick),
        compute_units(),
        per_instruction(sbf_dir.as_deref()),
    ];
    let mut md = String::new();
    for t in &tables {
        md.push_str(&t.markdown());
        md.push('\n');
    }
    write!(out, "{md}").expect("write");
    if let Some(path) = arg("--json") {
        let v = json!({ "quick": quick, "machine": machine(), "tables": tables.iter().map(Table::json).collect::<Vec<_>>() });
        std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).expect("write JSON");
    }
    if let Some(path) = arg("--doc") {
        let doc = format!(
            "# caretrail benchmarks\n\nGenerated by `cargo build --profile bench -p caretrail-cli -p caretrail-bench && target/release/caretrail-bench --doc docs/BENCHMARKS.md{}` (numbers are produced by the bench, never typed in).\n\nMachine: {}\n\n{md}",
            if quick { " --quick" } else { "" },
            machine()
        );
        // Keep the validator's compute-unit section, which only the end-to-end script writes.
        let previous = std::fs::read_to_string(&path).unwrap_or_default();
        std::fs::write(&path, splice(&doc, section_of(&previous))).expect("write doc");
    }
}

const CU_BEGIN: &str = "<!-- validator-cu:begin -->";
const CU_END: &str = "<!-- validator-cu:end -->";

/// The validator section of a document, markers included.
fn section_of(doc: &str) -> Option<&str> {
    let start = doc.find(CU_BEGIN)?;
    let end = doc[start..].find(CU_END)? + start + CU_END.len();
    Some(&doc[start..end])
}

/// `doc` with its validator section replaced by `section` (appended when it has none).
fn splice(doc: &str, section: Option<&str>) -> String {
    let Some(section) = section else {
        return doc.to_string();
    };
    match section_of(doc) {
        Some(old) => doc.replacen(old, section, 1),
        None => format!("{}\n\n{section}\n", doc.trim_end()),
    }
}

/// Compute units per instruction from the history of a validator running the SBF builds.
fn validator_units(url: &str) -> (String, Table) {
    let ledger = caretrail_sdk::RpcLedger::new(url);
    let version = ledger
        .client()
        .get_version()
        .map(|v| v.solana_core)
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let samples =
        caretrail_sdk::compute::history_samples(&ledger, 10_000).expect("read the history");
    let mut t = Table::new(
        "Compute units per instruction on a real validator (SBF builds)",
        &[
            "program",
            "instruction",
            "samples",
            "min CU",
            "median CU",
            "max CU",
        ],
    );
    for s in caretrail_sdk::compute::summarize(&samples) {
        t.row(vec![
            s.program.into(),
            s.instruction,
            s.count.to_string(),
            s.min.to_string(),
            s.median.to_string(),
            s.max.to_string(),
        ]);
    }
    let date = caretrail_sdk::util::rfc3339(caretrail_sdk::util::unix_now());
    let section = format!(
        "{CU_BEGIN}\n## Compute units on a real validator\n\nGenerated by `scripts/e2e-validator.sh` (`caretrail-bench --cu-from URL --doc docs/BENCHMARKS.md`) on {date} from the transaction history of the end-to-end run: solana-test-validator {version}, the four programs built to SBPF v3 by `scripts/sbf/build-sbf.sh` (upstream LLVM 23 + sbpf-linker). Not comparable with platform-tools (`anchor build`) numbers. Batch instructions (commission, scan batches) vary with their batch size.\n\n{}{CU_END}",
        t.markdown()
    );
    (section, t)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!(
        "{cpu}, {cores} cores, {} build",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "optimized"
        }
    )
}

/// Account sizes and rent-exempt minimums from the bank's `Rent`.
fn accounts() -> Table {
    use anchor_lang::Space;
    let h = Harness::new();
    let mut t = Table::new(
        "Account cost (rent from the runtime)",
        &[
            "program",
            "account",
            "data bytes",
            "rent-exempt lamports",
            "SOL",
        ],
    );
    let list: [(&str, &str, usize); 11] = [
        (
            "registry",
            "RegistryConfig",
            registry::state::RegistryConfig::INIT_SPACE,
        ),
        (
            "registry",
            "Participant",
            registry::state::Participant::INIT_SPACE,
        ),
        ("custody", "Lot", custody::state::Lot::INIT_SPACE),
        ("custody", "Unit", custody::state::Unit::INIT_SPACE),
        ("custody", "Hop", custody::state::Hop::INIT_SPACE),
        (
            "consent",
            "ConsentGrant",
            consent::state::ConsentGrant::INIT_SPACE,
        ),
        ("consent", "Delegate", consent::state::Delegate::INIT_SPACE),
        (
            "consent",
            "PatientRecord",
            consent::state::PatientRecord::INIT_SPACE,
        ),
        ("claims", "Payer", claims::state::Payer::INIT_SPACE),
        ("claims", "Coverage", claims::state::Coverage::INIT_SPACE),
        ("claims", "Claim", claims::state::Claim::INIT_SPACE),
    ];
    for (program, name, space) in list {
        let bytes = 8 + space;
        let lamports = h.ledger.minimum_balance_for_rent_exemption(bytes).unwrap();
        t.row(vec![
            program.into(),
            name.into(),
            bytes.to_string(),
            lamports.to_string(),
            format!("{:.6}", lamports as f64 / 1e9),
        ]);
    }
    t
}

/// Lamports one real-world action costs (rent + fees), measured from the paying wallets.
fn actions(quick: bool) -> Table {
    let mut t = Table::new(
        "Cost per real-world action (measured from balances: rent + fees)",
        &["action", "lamports", "transactions", "note"],
    );
    let h = Harness::new();
    let sc = h.supply_chain();
    let spent = |f: &dyn Fn()| {
        let wallets = [
            h.payer.pubkey(),
            sc.manufacturer.pubkey(),
            sc.distributor.pubkey(),
            sc.pharmacy.pubkey(),
        ];
        let before: u64 = wallets
            .iter()
            .map(|w| h.ledger.get_balance(w).unwrap())
            .sum();
        let txs = h.ledger.transaction_count().unwrap();
        f();
        let after: u64 = wallets
            .iter()
            .map(|w| h.ledger.get_balance(w).unwrap())
            .sum();
        (before - after, h.ledger.transaction_count().unwrap() - txs)
    };
    let n = 100;
    let serials: Vec<String> = (0..n).map(|i| format!("A{i:05}")).collect();
    let refs: Vec<&str> = serials.iter().map(String::as_str).collect();
    let (lamports, txs) = spent(&|| {
        h.commission(&sc, &refs);
    });
    t.row(vec![
        "commission one unit".into(),
        (lamports / n as u64).to_string(),
        format!("{txs} for {n}"),
        "Unit account + share of batch fees".into(),
    ]);
    let units: Vec<Pubkey> = refs.iter().map(|s| cus::unit_pda(&sc.gtin, s).0).collect();
    let (lamports, txs) = spent(&|| h.hop(&sc.manufacturer, &sc.distributor, &units[0]));
    t.row(vec![
        "one custody hop (ship + receive)".into(),
        lamports.to_string(),
        txs.to_string(),
        "Hop account + 2 fees".into(),
    ]);
    // A pallet moved by aggregation vs its units one by one.
    let pallet_n = if quick { 100 } else { 1_000 };
    let serials: Vec<String> = (0..pallet_n).map(|i| format!("P{i:05}")).collect();
    let refs: Vec<&str> = serials.iter().map(String::as_str).collect();
    let pallet_units = h.commission(&sc, &refs);
    let sscc = cus::parse_sscc(&cus::complete_sscc("10614141000000777").unwrap()).unwrap();
    let (agg_lamports, agg_txs) = spent(&|| {
        h.custody()
            .create_aggregate(&sc.manufacturer, sscc, UnitKind::Pallet)
            .unwrap();
        let pallet = cus::sscc_pda(&sscc).0;
        for chunk in pallet_units.chunks(20) {
            h.custody()
                .aggregate(&sc.manufacturer, &pallet, chunk)
                .unwrap();
        }
        h.hop(&sc.manufacturer, &sc.distributor, &pallet);
    });
    t.row(vec![
        format!("move a {pallet_n}-unit pallet by aggregation"),
        agg_lamports.to_string(),
        agg_txs.to_string(),
        "create pallet + pack + one hop".into(),
    ]);
    let loose_n = pallet_n.min(if quick { 100 } else { 1_000 });
    let serials: Vec<String> = (0..loose_n).map(|i| format!("L{i:05}")).collect();
    let refs: Vec<&str> = serials.iter().map(String::as_str).collect();
    let loose = h.commission(&sc, &refs);
    let (one_lamports, one_txs) = spent(&|| {
        for u in &loose {
            h.hop(&sc.manufacturer, &sc.distributor, u);
        }
    });
    t.row(vec![
        format!("move the same {loose_n} units one by one"),
        one_lamports.to_string(),
        one_txs.to_string(),
        format!(
            "{:.1}x the pallet's cost",
            one_lamports as f64 / agg_lamports as f64
        ),
    ]);
    // One consent grant and one claim.
    let h = Harness::new();
    let team = h.care_team();
    let (lamports, _) = {
        let before = h.ledger.get_balance(&team.patient.pubkey()).unwrap()
            + h.ledger.get_balance(&h.payer.pubkey()).unwrap();
        h.grant(&team, &team.provider, 1, treatment_scope(), 30);
        let after = h.ledger.get_balance(&team.patient.pubkey()).unwrap()
            + h.ledger.get_balance(&h.payer.pubkey()).unwrap();
        (before - after, 1)
    };
    t.row(vec![
        "one consent grant".into(),
        lamports.to_string(),
        "1".into(),
        "ConsentGrant account + fee".into(),
    ]);
    let h2 = Harness::new();
    let p = h2.plan(&caretrail_sdk::tokens::TOKEN);
    let before = h2.ledger.get_balance(&p.provider.pubkey()).unwrap()
        + h2.ledger.get_balance(&h2.payer.pubkey()).unwrap();
    h2.submit(&p, "COST-1", 1_000);
    let after = h2.ledger.get_balance(&p.provider.pubkey()).unwrap()
        + h2.ledger.get_balance(&h2.payer.pubkey()).unwrap();
    t.row(vec![
        "one claim".into(),
        (before - after).to_string(),
        "1".into(),
        "Claim account + fee".into(),
    ]);
    t
}

/// Serialized transaction sizes and how many actions fit in 1,232 bytes.
fn packing() -> Table {
    let mut t = Table::new(
        "Transaction packing (serialized bytes; 1,232 max)",
        &["instruction", "tx bytes (1 action)", "actions per tx"],
    );
    let (a, b, c, lot) = (
        Pubkey::new_unique(),
        Pubkey::new_unique(),
        Pubkey::new_unique(),
        Pubkey::new_unique(),
    );
    let fits = |make: &dyn Fn() -> Instruction, payer: &Pubkey| {
        let mut ixs = vec![make()];
        while scan::transaction_size(&ixs, payer) <= scan::MAX_TX_SIZE && ixs.len() < 64 {
            ixs.push(make());
        }
        ixs.len() - 1
    };
    let one = |ix: Instruction, payer: &Pubkey| scan::transaction_size(&[ix], payer);
    let g = GrantArgs {
        scope: treatment_scope(),
        not_before: 0,
        expires_at: 1,
        policy_hash: [0; 32],
    };
    type Maker = Box<dyn Fn() -> Instruction>;
    let rows: Vec<(&str, Maker, Pubkey)> = vec![
        (
            "registry register_participant",
            Box::new(move || {
                caretrail_sdk::registry::register_participant_ix(
                    &a,
                    &a,
                    caretrail_tests::participant_args(&Pubkey::new_unique(), 1, 1),
                    false,
                )
            }),
            a,
        ),
        (
            "custody commission_units (1 unit)",
            Box::new(move || {
                cus::commission_units_ix(&a, &a, &lot, vec![Pubkey::new_unique().to_bytes()])
            }),
            a,
        ),
        (
            "custody ship",
            Box::new(move || {
                cus::ship_ix(&a, &b, &a, &Pubkey::new_unique(), 0, Some(lot), ship_args())
            }),
            a,
        ),
        (
            "custody receive",
            Box::new(move || cus::receive_ix(&b, &Pubkey::new_unique(), 0, Some(lot))),
            b,
        ),
        (
            "custody dispense",
            Box::new(move || cus::dispense_ix(&b, &Pubkey::new_unique(), &lot)),
            b,
        ),
        (
            "consent grant",
            Box::new(move || con::grant_ix(&a, &Pubkey::new_unique(), &a, &a, 1, g.clone())),
            a,
        ),
        (
            "consent record_access",
            Box::new(move || con::record_access_ix(&Pubkey::new_unique(), &a, &b, access(1, 1, 1))),
            b,
        ),
        (
            "claims submit_claim",
            Box::new(move || {
                clm::submit_claim_ix(
                    &c,
                    &a,
                    &b,
                    Pubkey::new_unique().to_bytes(),
                    [1; 32],
                    1,
                    &ClaimRefs::default(),
                )
            }),
            c,
        ),
    ];
    for (name, make, payer) in rows {
        t.row(vec![
            name.into(),
            one(make(), &payer).to_string(),
            fits(&*make, &payer).to_string(),
        ]);
    }
    // Commissioning packs several units per instruction.
    let hashes: Vec<[u8; 32]> = (0..64).map(|_| Pubkey::new_unique().to_bytes()).collect();
    let mut n = 1;
    while scan::transaction_size(
        &[cus::commission_units_ix(
            &a,
            &a,
            &lot,
            hashes[..n + 1].to_vec(),
        )],
        &a,
    ) <= scan::MAX_TX_SIZE
    {
        n += 1;
    }
    t.row(vec![
        "custody commission_units (units per instruction)".into(),
        scan::transaction_size(
            &[cus::commission_units_ix(&a, &a, &lot, hashes[..n].to_vec())],
            &a,
        )
        .to_string(),
        n.to_string(),
    ]);
    t
}

/// Throughput on the embedded ledger with `n` existing units / grants, vs the naive baseline.
fn throughput(sizes: &[usize], quick: bool) -> Table {
    let mut t = Table::new(
        "Throughput on the embedded ledger (this machine)",
        &[
            "existing records",
            "hops/s",
            "scan lines/s (packed)",
            "receives/s one per tx (naive)",
            "packed / naive",
            "accesses/s",
            "claims paid/s",
        ],
    );
    for &n in sizes {
        let h = Harness::new();
        let sc = h.supply_chain();
        // n existing units.
        let serials: Vec<String> = (0..n).map(|i| format!("E{i:06}")).collect();
        let all_units = h.commission(&sc, &serials.iter().map(String::as_str).collect::<Vec<_>>());
        // Timed windows of several hundred actions (the quick run: a hundred), for stable rates.
        let work = if quick { 200 } else { 1_000 }.min(n);
        let units = &all_units[..work];
        let tm = Instant::now();
        for u in &units[..work / 2] {
            h.hop(&sc.manufacturer, &sc.distributor, u);
        }
        let hops = rate(work / 2, tm.elapsed().as_secs_f64());
        // Scan the second half: ship by scan, then receive by scan (timed).
        let text: Vec<String> = serials[work / 2..work]
            .iter()
            .map(|s| format!("(01){GTIN}(17)271231(10){LOT}(21){s}"))
            .collect();
        let lines = scan::scan_lines(&text.join("\n"));
        ship_by_scan(&h, &sc, &lines);
        let tm = Instant::now();
        let r = scan::run(
            &h.ledger,
            &sc.distributor,
            &sc.distributor,
            &ScanAction::Receive,
            &lines,
            &mut Quiet,
        )
        .unwrap();
        assert!(r.iter().all(|x| x.status == LineStatus::Done));
        let scan_per_s = lines.len() as f64 / tm.elapsed().as_secs_f64();
        let scan_rate = format!("{scan_per_s:.0}");
        // Naive: ship then receive one per transaction (receives timed), back to the manufacturer.
        for u in &units[work / 2..work] {
            h.custody()
                .ship(&sc.distributor, &sc.manufacturer.pubkey(), u, ship_args())
                .unwrap();
        }
        let tm = Instant::now();
        for u in &units[work / 2..work] {
            h.custody().receive(&sc.manufacturer, u).unwrap();
        }
        let naive_per_s = (work - work / 2) as f64 / tm.elapsed().as_secs_f64();
        let naive = format!("{naive_per_s:.0}");
        // Accesses with n existing grants (one per patient).
        let h = Harness::new();
        let team = h.care_team();
        let grants = n;
        for i in 0..grants {
            let patient = solana_sdk::signature::Keypair::new();
            let args = GrantArgs {
                scope: treatment_scope(),
                not_before: h.now(),
                expires_at: h.now() + 30 * DAY,
                policy_hash: [1; 32],
            };
            h.consent()
                .grant(
                    &patient,
                    &patient.pubkey(),
                    &team.provider.pubkey(),
                    i as u64,
                    args,
                )
                .unwrap_or_else(|_| {
                    h.ledger
                        .request_airdrop(&patient.pubkey(), 1_000_000_000)
                        .unwrap();
                    let args = GrantArgs {
                        scope: treatment_scope(),
                        not_before: h.now(),
                        expires_at: h.now() + 30 * DAY,
                        policy_hash: [1; 32],
                    };
                    h.consent()
                        .grant(
                            &patient,
                            &patient.pubkey(),
                            &team.provider.pubkey(),
                            i as u64,
                            args,
                        )
                        .unwrap()
                });
        }
        let g = h.grant(&team, &team.provider, 1, treatment_scope(), 30);
        let tm = Instant::now();
        let accesses = if quick { 100 } else { 500 };
        for i in 0..accesses {
            let mut a = access(con::class::LABS, con::action::ACCESS, con::purpose::TREAT);
            a.resource_hash = caretrail_sdk::hash::sha256(&[&(i as u64).to_le_bytes()]);
            h.consent().record_access(&team.provider, &g, a).unwrap();
        }
        let access_rate = rate(accesses, tm.elapsed().as_secs_f64());
        // Claims paid, with n existing claims at the payer.
        let h2 = Harness::new();
        let p = h2.plan(&caretrail_sdk::tokens::TOKEN);
        // The provider pays each claim's rent.
        h2.ledger
            .request_airdrop(&p.provider.pubkey(), (n as u64 + 100) * 3_000_000)
            .unwrap();
        for i in 0..n {
            h2.submit(&p, &format!("X{i}"), 1_000);
        }
        // 150 x 1,100 stays within the harness payer's daily limit (200,000) and the annual
        // maximum, and exceeds the deductible (1,000) from the first claim on.
        let claims: Vec<Pubkey> = (0..if quick { 50 } else { 150 })
            .map(|i| {
                let c = h2.submit(&p, &format!("T{i}"), 1_100);
                h2.claims()
                    .adjudicate(&p.insurer, None, &c, 1_100, 0)
                    .unwrap();
                c
            })
            .collect();
        let tm = Instant::now();
        for c in &claims {
            h2.claims().pay(&p.insurer, c, &p.provider_token).unwrap();
        }
        let paid = rate(claims.len(), tm.elapsed().as_secs_f64());
        t.row(vec![
            format!("{n} units, {grants} grants, {n} claims"),
            hops,
            scan_rate,
            naive,
            format!("{:.2}x", scan_per_s / naive_per_s),
            access_rate,
            paid,
        ]);
    }
    t
}

/// `caretrail custody scan --receive` as a user runs it: a separate process that opens the
/// persisted embedded ledger (n existing units), receives 200 scanned lines and commits them.
/// Needs the `caretrail` binary next to this bench binary (`cargo build --profile bench -p
/// caretrail-cli` for the optimized run; CI's quick run uses the dev build).
fn cli_scan(sizes: &[usize]) -> Table {
    let mut t = Table::new(
        "`caretrail custody scan --receive` end to end (a CLI process on the persisted embedded ledger)",
        &[
            "existing units",
            "lines",
            "process start + ledger open (s)",
            "scan run (s)",
            "lines/s",
        ],
    );
    let exe = std::env::current_exe()
        .expect("bench path")
        .with_file_name("caretrail");
    if !exe.exists() {
        t.row(vec![
            format!("(not measured: build {} first)", exe.display()),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ]);
        return t;
    }
    for &n in sizes {
        let dir =
            std::env::temp_dir().join(format!("caretrail-bench-cli-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("bench dir");
        let lines = 200.min(n);
        let (key, file) = {
            let h = Harness::with_ledger(
                caretrail_sdk::EmbeddedLedger::open(&dir.join("ledger")).expect("open ledger"),
            );
            let sc = h.supply_chain();
            let serials: Vec<String> = (0..n).map(|i| format!("C{i:06}")).collect();
            h.commission(&sc, &serials.iter().map(String::as_str).collect::<Vec<_>>());
            let text = serials[..lines]
                .iter()
                .map(|s| format!("(01){GTIN}(17)271231(10){LOT}(21){s}"))
                .collect::<Vec<_>>()
                .join("\n");
            ship_by_scan(&h, &sc, &scan::scan_lines(&text));
            let key = dir.join("distributor.json");
            std::fs::write(
                &key,
                serde_json::to_string(&sc.distributor.to_bytes().to_vec()).unwrap(),
            )
            .unwrap();
            let file = dir.join("incoming.txt");
            std::fs::write(&file, text).unwrap();
            (key, file)
        }; // the harness (and its lock on the ledger) is gone here
        let caretrail = |args: &[&str]| {
            let tm = Instant::now();
            let o = std::process::Command::new(&exe)
                .env("HOME", &dir)
                .arg("--ledger")
                .arg(dir.join("ledger"))
                .arg("--keypair")
                .arg(&key)
                .args(["--output", "json"])
                .args(args)
                .output()
                .expect("run caretrail");
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            (
                tm.elapsed().as_secs_f64(),
                String::from_utf8(o.stdout).unwrap(),
            )
        };
        let (start, _) = caretrail(&["address"]);
        let (secs, out) = caretrail(&["custody", "scan", file.to_str().unwrap(), "--receive"]);
        assert_eq!(
            out.lines()
                .filter(|l| l.contains("\"status\":\"done\""))
                .count(),
            lines,
            "{out}"
        );
        t.row(vec![
            n.to_string(),
            lines.to_string(),
            format!("{start:.2}"),
            format!("{secs:.2}"),
            rate(lines, secs),
        ]);
        let _ = std::fs::remove_dir_all(&dir);
    }
    t
}

/// The manufacturer ships every scanned line to the distributor, many per transaction.
fn ship_by_scan(h: &Harness, sc: &caretrail_tests::SupplyChain, lines: &[(usize, String)]) {
    let ship = ScanAction::ShipTo {
        receiver: sc.distributor.pubkey(),
        args: ship_args(),
    };
    let shipped = scan::run(
        &h.ledger,
        &sc.manufacturer,
        &sc.manufacturer,
        &ship,
        lines,
        &mut Quiet,
    )
    .unwrap();
    assert!(shipped.iter().all(|x| x.status == LineStatus::Done));
}

/// Off-chain hot paths.
fn hot_paths(quick: bool) -> Table {
    let mut t = Table::new("Off-chain hot paths", &["operation", "rate or latency"]);
    let codes = [
        format!("]d201{GTIN}17271231\u{1d}10{LOT}\u{1d}21SN0001"),
        format!("(01){GTIN}(17)271231(10){LOT}(21)SN0001"),
        format!("https://id.gs1.org/01/{GTIN}/10/{LOT}/21/SN0001?17=271231"),
        "(00)106141411234567897".to_string(),
    ];
    let n = if quick { 20_000 } else { 400_000 };
    let tm = Instant::now();
    for i in 0..n {
        assert!(caretrail_sdk::gs1::parse_with_year(&codes[i % codes.len()], 2026).is_ok());
    }
    t.row(vec![
        "GS1 parse (mixed notations)".into(),
        format!("{} parses/s", rate(n, tm.elapsed().as_secs_f64())),
    ]);
    // EPCIS export of a 100-hop history.
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["HIST"])[0];
    for _ in 0..50 {
        h.hop(&sc.manufacturer, &sc.distributor, &u);
        h.hop(&sc.distributor, &sc.manufacturer, &u);
    }
    let code = caretrail_sdk::gs1::parse_with_year(
        &format!("(01){GTIN}(17)271231(10){LOT}(21)HIST"),
        2026,
    )
    .unwrap();
    let tm = Instant::now();
    let doc = caretrail_sdk::epcis::export_unit_history(&h.ledger, &code).unwrap();
    let events = doc["epcisBody"]["eventList"].as_array().unwrap().len();
    t.row(vec![
        format!("EPCIS export of a 100-hop history ({events} events)"),
        format!("{:.1} ms", tm.elapsed().as_secs_f64() * 1e3),
    ]);
    // FHIR exports and check_access.
    let h = Harness::new();
    let team = h.care_team();
    let g = h.grant(&team, &team.provider, 1, treatment_scope(), 30);
    let grant = con::fetch_grant(&h.ledger, &g).unwrap().unwrap();
    let tm = Instant::now();
    for _ in 0..10_000 {
        std::hint::black_box(caretrail_sdk::fhir::consent_resource(&g, &grant, 0));
    }
    t.row(vec![
        "FHIR Consent export".into(),
        format!("{:.1} µs", tm.elapsed().as_secs_f64() * 1e6 / 10_000.0),
    ]);
    let tm = Instant::now();
    let k = 200;
    for _ in 0..k {
        assert!(con::check_access(
            &h.ledger,
            &team.patient.pubkey(),
            &team.provider.pubkey(),
            con::class::LABS,
            con::action::ACCESS,
            con::purpose::TREAT
        )
        .unwrap()
        .is_permit());
    }
    t.row(vec![
        "check_access (embedded ledger)".into(),
        format!("{:.2} ms", tm.elapsed().as_secs_f64() * 1e3 / k as f64),
    ]);
    t
}

/// What the bank meters: caretrail's native programs count 1 CU per invocation; the SPL Token
/// program they call runs as SBF and is metered for real.
fn compute_units() -> Table {
    let mut t = Table::new(
        "Compute units metered by the bank (native caretrail programs + SBF SPL Token)",
        &["transaction", "CU", "note"],
    );
    for (name, program) in [
        ("Token", caretrail_sdk::tokens::TOKEN),
        ("Token-2022", caretrail_sdk::tokens::TOKEN_2022),
    ] {
        let h = Harness::new();
        let p = h.plan(&program);
        let c = h.submit(&p, "CU", 1_500);
        h.claims()
            .adjudicate(&p.insurer, None, &c, 1_500, 0)
            .unwrap();
        let out = h.claims().pay(&p.insurer, &c, &p.provider_token).unwrap();
        t.row(vec![
            format!("claims pay ({name} transfer_checked CPI)"),
            out.compute_units.to_string(),
            "≈ the token program's own units".into(),
        ]);
    }
    t.row(vec![
        "caretrail instructions (SBF)".into(),
        "n/a here".into(),
        "see \"Compute units on a real validator\" below (SBF builds, scripts/e2e-validator.sh)"
            .into(),
    ]);
    t
}

/// Compute units of every instruction, as the bank reports them. With `--sbf-dir DIR` (the
/// `.so` files of `anchor build`), the four programs run as SBF and are metered for real;
/// without it they run natively and only their SPL Token CPIs are metered.
fn per_instruction(sbf_dir: Option<&std::path::Path>) -> Table {
    use caretrail_sdk::registry::roles;
    let title = match sbf_dir {
        Some(d) => format!("Compute units per instruction (SBF builds from {})", d.display()),
        None => "Compute units per instruction (native processors: only SPL Token CPIs are metered; pass --sbf-dir for SBF builds)".to_string(),
    };
    let mut t = Table::new(&title, &["program", "instruction", "CU"]);
    let ledger = match sbf_dir {
        Some(d) => caretrail_sdk::EmbeddedLedger::in_memory_sbf(
            caretrail_sdk::ClockMode::Manual(caretrail_tests::T0),
            d,
        )
        .expect("load the SBF programs"),
        None => caretrail_sdk::EmbeddedLedger::in_memory(caretrail_sdk::ClockMode::Manual(
            caretrail_tests::T0,
        ))
        .expect("bank"),
    };
    let h = Harness::with_ledger(ledger);
    let mut row = |program: &str, ix: &str, out: caretrail_sdk::TxOutcome| {
        t.row(vec![
            program.into(),
            ix.into(),
            out.compute_units.to_string(),
        ])
    };
    let authority = h.funded();
    row(
        "registry",
        "initialize",
        h.registry().initialize(&authority).unwrap(),
    );
    let wallets: Vec<_> = [
        roles::MANUFACTURER,
        roles::DISTRIBUTOR,
        roles::DISPENSER,
        roles::PROVIDER,
        roles::PAYER,
    ]
    .iter()
    .map(|_| h.funded())
    .collect();
    for (w, r) in wallets.iter().zip([
        roles::MANUFACTURER,
        roles::DISTRIBUTOR,
        roles::DISPENSER,
        roles::PROVIDER,
        roles::PAYER,
    ]) {
        let out = h
            .registry()
            .register(
                &authority,
                caretrail_tests::participant_args(&w.pubkey(), r, h.now() + 365 * DAY),
            )
            .unwrap();
        if r == roles::MANUFACTURER {
            row("registry", "register_participant", out);
        }
    }
    let (m, d, ph, pr, payer) = (
        &wallets[0],
        &wallets[1],
        &wallets[2],
        &wallets[3],
        &wallets[4],
    );
    row(
        "registry",
        "suspend_participant",
        h.registry().suspend(&authority, &pr.pubkey(), 1).unwrap(),
    );
    row(
        "registry",
        "reinstate_participant",
        h.registry().reinstate(&authority, &pr.pubkey()).unwrap(),
    );
    row(
        "registry",
        "assign_prefix",
        h.registry()
            .assign_prefix(&authority, caretrail_tests::GTIN_PREFIX, &m.pubkey())
            .unwrap(),
    );
    let gtin = cus::parse_gtin(GTIN).unwrap();
    row(
        "custody",
        "register_lot",
        h.custody()
            .register_lot(m, cus::lot_args(&gtin, LOT, (2027, 12, 31)))
            .unwrap(),
    );
    let lot = cus::lot_pda(&gtin, LOT).0;
    row(
        "custody",
        "commission_units (1)",
        h.custody()
            .commission(m, &lot, vec![cus::serial_hash(&gtin, "CU1")])
            .unwrap(),
    );
    let hashes: Vec<[u8; 32]> = (0..10)
        .map(|i| cus::serial_hash(&gtin, &format!("CUB{i}")))
        .collect();
    row(
        "custody",
        "commission_units (10)",
        h.custody().commission(m, &lot, hashes).unwrap(),
    );
    let u = cus::unit_pda(&gtin, "CU1").0;
    row(
        "custody",
        "ship",
        h.custody().ship(m, &d.pubkey(), &u, ship_args()).unwrap(),
    );
    row("custody", "receive", h.custody().receive(d, &u).unwrap());
    h.custody().ship(d, &ph.pubkey(), &u, ship_args()).unwrap();
    h.custody().receive(ph, &u).unwrap();
    row("custody", "dispense", h.custody().dispense(ph, &u).unwrap());
    let patient = h.funded();
    let args = GrantArgs {
        scope: treatment_scope(),
        not_before: h.now(),
        expires_at: h.now() + 30 * DAY,
        policy_hash: [1; 32],
    };
    row(
        "consent",
        "grant",
        h.consent()
            .grant(&patient, &patient.pubkey(), &pr.pubkey(), 1, args)
            .unwrap(),
    );
    let g = con::grant_pda(&patient.pubkey(), &pr.pubkey(), 1).0;
    row(
        "consent",
        "record_access",
        h.consent()
            .record_access(
                pr,
                &g,
                access(con::class::LABS, con::action::ACCESS, con::purpose::TREAT),
            )
            .unwrap(),
    );
    row(
        "consent",
        "revoke",
        h.consent().revoke(&patient, &g).unwrap(),
    );
    let mint = h.create_mint(&caretrail_sdk::tokens::TOKEN, &payer.pubkey(), 2);
    let payer_token = h.create_ata(&payer.pubkey(), &mint, &caretrail_sdk::tokens::TOKEN);
    h.mint_to(
        &caretrail_sdk::tokens::TOKEN,
        &mint,
        &payer_token,
        payer,
        1_000_000,
    );
    let pargs = clm::PayerArgs {
        auto_approve_limit: 100_000,
        daily_limit: 1_000_000,
        appeal_window: DAY,
        adjudicators: vec![],
    };
    row(
        "claims",
        "init_payer",
        h.claims()
            .init_payer(payer, &mint, &caretrail_sdk::tokens::TOKEN, pargs)
            .unwrap(),
    );
    let payer_pda = clm::payer_pda(&payer.pubkey()).0;
    row(
        "claims",
        "fund_vault",
        h.claims()
            .fund(&payer_pda, payer, &payer_token, 500_000)
            .unwrap(),
    );
    let enroll = clm::EnrollArgs {
        member_commitment: [9; 32],
        period_start: h.now(),
        period_end: h.now() + DAY * 365,
        annual_max: 100_000,
        deductible: 0,
    };
    row(
        "claims",
        "enroll",
        h.claims().enroll(payer, &patient, enroll).unwrap(),
    );
    let coverage = clm::coverage_pda(&payer_pda, &[9; 32]).0;
    row(
        "claims",
        "submit_claim",
        h.claims()
            .submit(
                pr,
                &payer_pda,
                &coverage,
                "CU-CLAIM",
                [1; 32],
                1_000,
                &ClaimRefs::default(),
            )
            .unwrap(),
    );
    let c = clm::claim_address(&payer_pda, pr, "CU-CLAIM");
    row(
        "claims",
        "adjudicate",
        h.claims().adjudicate(payer, None, &c, 1_000, 0).unwrap(),
    );
    let provider_token = h.create_ata(&pr.pubkey(), &mint, &caretrail_sdk::tokens::TOKEN);
    row(
        "claims",
        "pay",
        h.claims().pay(payer, &c, &provider_token).unwrap(),
    );
    t
}
