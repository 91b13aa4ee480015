//! Integration-test harness: a real Agave bank (the SDK's embedded ledger, in memory, with a
//! manual clock) running the six caretrail programs natively plus SPL Token, Token-2022 and
//! the Associated Token Account program as SBF; funded keypairs; send-and-assert helpers that
//! check exact error codes and the program that raised them; clock warp; small fixtures.

use anchor_lang::prelude::Pubkey;
use caretrail_sdk::ledger::{send_instructions, ClockMode, EmbeddedLedger, Ledger, TxOutcome};
use caretrail_sdk::registry::{self as reg, RegisterParticipantArgs, RegistryClient};
use solana_sdk::{
    instruction::{Instruction, InstructionError},
    native_token::LAMPORTS_PER_SOL,
    signature::{Keypair, Signer},
    transaction::TransactionError,
};

pub use caretrail_sdk;

/// Unix time the harness clock starts at (2026-06-01T00:00:00Z).
pub const T0: i64 = 1_780_272_000;
/// One day in seconds.
pub const DAY: i64 = 86_400;
/// One hour in seconds.
pub const HOUR: i64 = 3_600;
/// A valid GLN (GS1 example 0614141000005) and more derived from it.
pub const GLN_A: &str = "0614141000005";

/// The meta of the account `ix` names `name` in the program's IDL, for an attack that
/// substitutes it, strips its signature or makes it read-only (`meta(&mut ix, "vault").pubkey =
/// rival_vault`), so a test says which account it forges, not an index.
pub fn meta<'a>(
    ix: &'a mut Instruction,
    name: &str,
) -> &'a mut solana_sdk::instruction::AccountMeta {
    let program = ix.program_id;
    caretrail_sdk::idl::account_meta(ix, name)
        .unwrap_or_else(|| panic!("{program}: this instruction has no account {name:?}"))
}

/// A fresh bank per test.
pub struct Harness {
    /// Shared, so a server under test (`caretrail serve`) can hold it too.
    pub ledger: std::sync::Arc<EmbeddedLedger>,
    /// Pays fees and rent unless a test says otherwise.
    pub payer: Keypair,
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness {
    pub fn new() -> Harness {
        Self::with_ledger(EmbeddedLedger::in_memory(ClockMode::Manual(T0)).expect("start bank"))
    }

    /// A harness over a given ledger (e.g. one running SBF builds of the programs).
    pub fn with_ledger(ledger: EmbeddedLedger) -> Harness {
        let payer = Keypair::new();
        ledger
            .request_airdrop(&payer.pubkey(), 1_000 * LAMPORTS_PER_SOL)
            .expect("fund payer");
        Harness {
            ledger: std::sync::Arc::new(ledger),
            payer,
        }
    }

    /// A new keypair holding 10 SOL.
    pub fn funded(&self) -> Keypair {
        let k = Keypair::new();
        self.ledger
            .request_airdrop(&k.pubkey(), 10 * LAMPORTS_PER_SOL)
            .expect("airdrop");
        k
    }

    /// Sends `ixs` paid by the harness payer, signed also by `signers`.
    pub fn send(
        &self,
        signers: &[&Keypair],
        ixs: &[Instruction],
    ) -> caretrail_sdk::Result<TxOutcome> {
        send_instructions(&self.ledger, &self.payer, signers, ixs)
    }

    pub fn now(&self) -> i64 {
        self.ledger.get_clock().expect("clock").unix_timestamp
    }

    /// An account that must exist.
    pub fn ledger_account(&self, address: &Pubkey) -> solana_sdk::account::Account {
        self.ledger
            .get_account(address)
            .expect("read")
            .expect("account exists")
    }

    /// Moves the bank clock by `seconds`.
    pub fn warp(&self, seconds: i64) {
        self.ledger.warp_clock(seconds).expect("warp");
    }

    pub fn registry(&self) -> RegistryClient<'_> {
        RegistryClient::new(&self.ledger, &self.payer)
    }

    /// Initializes the registry; returns its authority.
    pub fn init_registry(&self) -> Keypair {
        let authority = self.funded();
        self.registry()
            .initialize(&authority)
            .expect("initialize registry");
        authority
    }

    /// Registers a new funded wallet with `roles`, valid for a year.
    pub fn participant(&self, authority: &Keypair, roles: u16) -> Keypair {
        let wallet = self.funded();
        self.registry()
            .register(
                authority,
                participant_args(&wallet.pubkey(), roles, self.now() + 365 * DAY),
            )
            .expect("register participant");
        wallet
    }
}

/// Registration arguments with a valid GLN and a non-zero commitment.
pub fn participant_args(wallet: &Pubkey, roles: u16, valid_until: i64) -> RegisterParticipantArgs {
    RegisterParticipantArgs {
        wallet: *wallet,
        roles,
        gln: reg::parse_gln(GLN_A).unwrap(),
        credential_commitment: caretrail_sdk::hash::commit(&[9; 32], wallet.as_ref()),
        valid_until,
    }
}

/// Asserts the transaction failed in `program` with custom error `code` (a program error enum
/// value, an Anchor `ErrorCode`, or a raw number for system/token programs).
#[track_caller]
pub fn expect_error(
    result: caretrail_sdk::Result<TxOutcome>,
    program: &Pubkey,
    code: impl Into<u32>,
) -> caretrail_sdk::Error {
    let code = code.into();
    match result {
        Ok(o) => panic!(
            "expected error {code} from {program}, but the transaction succeeded: {:?}",
            o.logs
        ),
        Err(e) => {
            let got = e.custom_error().map(|(_, c)| c);
            let failing = match &e {
                caretrail_sdk::Error::Transaction { logs, .. } => {
                    caretrail_sdk::error::failing_program(logs)
                }
                _ => None,
            };
            assert_eq!(got, Some(code), "wrong error: {e}");
            assert_eq!(
                failing.as_ref(),
                Some(program),
                "error raised by another program: {e}"
            );
            e
        }
    }
}

/// Asserts the transaction failed with a runtime instruction error (not a custom code).
#[track_caller]
pub fn expect_instruction_error(
    result: caretrail_sdk::Result<TxOutcome>,
    expected: InstructionError,
) {
    match result {
        Ok(_) => panic!("expected {expected:?}, but the transaction succeeded"),
        Err(e) => match e.transaction_error() {
            Some(TransactionError::InstructionError(_, got)) => assert_eq!(*got, expected, "{e}"),
            _ => panic!("expected {expected:?}, got {e}"),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// SPL Token / Token-2022 fixtures (real SBF programs inside the bank)
// ---------------------------------------------------------------------------------------------

/// Which token program a fixture uses.
pub fn token_program_ids() -> [Pubkey; 2] {
    [anchor_spl::token::ID, anchor_spl::token_2022::ID]
}

impl Harness {
    /// Creates a mint owned by `token_program` with `authority` as mint authority.
    pub fn create_mint(&self, token_program: &Pubkey, authority: &Pubkey, decimals: u8) -> Pubkey {
        let mint = Keypair::new();
        caretrail_sdk::tokens::create_mint(
            &self.ledger,
            &self.payer,
            &mint,
            token_program,
            authority,
            decimals,
        )
        .expect("create mint");
        mint.pubkey()
    }

    /// Creates the associated token account of `owner` for `mint`.
    pub fn create_ata(&self, owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
        caretrail_sdk::tokens::create_ata(&self.ledger, &self.payer, owner, mint, token_program)
            .expect("create associated token account")
    }

    /// Mints `amount` to `account`.
    pub fn mint_to(
        &self,
        token_program: &Pubkey,
        mint: &Pubkey,
        account: &Pubkey,
        authority: &Keypair,
        amount: u64,
    ) {
        caretrail_sdk::tokens::mint_to(
            &self.ledger,
            &self.payer,
            token_program,
            mint,
            account,
            authority,
            amount,
        )
        .expect("mint_to");
    }

    /// The token amount held by a token account.
    pub fn token_balance(&self, account: &Pubkey) -> u64 {
        caretrail_sdk::tokens::balance(&self.ledger, account).unwrap()
    }
}

// ---------------------------------------------------------------------------------------------
// Custody fixtures
// ---------------------------------------------------------------------------------------------

use caretrail_sdk::custody::{self as cus, CustodyClient, ShipArgs};
use caretrail_sdk::registry::roles;

/// GS1's example GTIN (01)09501101020917.
pub const GTIN: &str = "09501101020917";
/// The GS1 Company Prefix of [`GTIN`].
pub const GTIN_PREFIX: &str = "9501101";
/// The GS1 Company Prefix of the fixture SSCCs (`1 0614141 …`).
pub const SSCC_PREFIX: &str = "0614141";

/// An SSCC (extension digit 1) under the 7-digit company prefix `prefix`.
pub fn sscc_under(prefix: &str, serial_ref: &str) -> [u8; 18] {
    let body = format!("1{prefix}{serial_ref:0>9}");
    let check = caretrail_common::gs1::compute_check_digit(body.as_bytes()).unwrap();
    cus::parse_sscc(&format!("{body}{check}")).unwrap()
}

/// A fixture SSCC under [`SSCC_PREFIX`].
pub fn sscc(serial_ref: &str) -> [u8; 18] {
    sscc_under(SSCC_PREFIX, serial_ref)
}
/// Lot number of the fixture lot.
pub const LOT: &str = "LOT-A1";

/// A registry with one party of each custody role and a registered lot.
pub struct SupplyChain {
    pub authority: Keypair,
    pub manufacturer: Keypair,
    pub distributor: Keypair,
    pub pharmacy: Keypair,
    pub regulator: Keypair,
    pub gtin: [u8; 14],
    pub lot: Pubkey,
}

impl Harness {
    pub fn custody(&self) -> CustodyClient<'_> {
        CustodyClient::new(&self.ledger, &self.payer)
    }

    /// The registry authority licenses the GS1 Company Prefix `prefix` to `holder`.
    pub fn license_prefix(&self, authority: &Keypair, prefix: &str, holder: &Pubkey) {
        self.registry()
            .assign_prefix(authority, prefix, holder)
            .expect("assign prefix");
    }

    /// Registry, parties and a lot of [`GTIN`]/[`LOT`] expiring 2027-12-31; the manufacturer
    /// holds the company prefixes of [`GTIN`] and of the fixture SSCCs.
    pub fn supply_chain(&self) -> SupplyChain {
        let authority = self.init_registry();
        let manufacturer = self.participant(&authority, roles::MANUFACTURER);
        self.license_prefix(&authority, GTIN_PREFIX, &manufacturer.pubkey());
        self.license_prefix(&authority, SSCC_PREFIX, &manufacturer.pubkey());
        let distributor = self.participant(&authority, roles::DISTRIBUTOR);
        let pharmacy = self.participant(&authority, roles::DISPENSER);
        let regulator = self.participant(&authority, roles::REGULATOR);
        let gtin = cus::parse_gtin(GTIN).unwrap();
        self.custody()
            .register_lot(&manufacturer, cus::lot_args(&gtin, LOT, (2027, 12, 31)))
            .expect("register lot");
        let lot = cus::lot_pda(&gtin, LOT).0;
        SupplyChain {
            authority,
            manufacturer,
            distributor,
            pharmacy,
            regulator,
            gtin,
            lot,
        }
    }

    /// Commissions serials of the fixture lot; returns their unit addresses.
    /// `from` ships `unit` to `to` with [`ship_args`] (must succeed).
    pub fn ship(&self, from: &Keypair, to: &Keypair, unit: &Pubkey) {
        self.custody()
            .ship(from, &to.pubkey(), unit, ship_args())
            .expect("ship");
    }

    pub fn commission(&self, sc: &SupplyChain, serials: &[&str]) -> Vec<Pubkey> {
        for chunk in serials.chunks(10) {
            let hashes = chunk
                .iter()
                .map(|s| cus::serial_hash(&sc.gtin, s))
                .collect();
            self.custody()
                .commission(&sc.manufacturer, &sc.lot, hashes)
                .expect("commission");
        }
        serials
            .iter()
            .map(|s| cus::unit_pda(&sc.gtin, s).0)
            .collect()
    }

    /// Ships then receives `unit` from `from` to `to`.
    pub fn hop(&self, from: &Keypair, to: &Keypair, unit: &Pubkey) {
        self.custody()
            .ship(from, &to.pubkey(), unit, ship_args())
            .expect("ship");
        self.custody().receive(to, unit).expect("receive");
    }
}

/// Ship arguments with a valid read point and a shipment reference.
pub fn ship_args() -> ShipArgs {
    ShipArgs {
        read_point: *b"0614141000005",
        shipment_ref: cus::shipment_ref("ASN-0001"),
        is_return: false,
    }
}

/// [`ship_args`] for a compressed package.
pub fn package_shipment() -> cus::PackageShipment {
    let a = ship_args();
    cus::PackageShipment {
        read_point: a.read_point,
        shipment_ref: a.shipment_ref,
        is_return: a.is_return,
    }
}

/// `ship_package` of the proven `package` from `sender` to `receiver` with
/// [`package_shipment`], the hop's rent from `fee_payer`: for attacks that forge the proof.
pub fn package_ship_ix(
    fee_payer: &Pubkey,
    sender: &Pubkey,
    receiver: &Pubkey,
    tree: &Pubkey,
    lot: &Pubkey,
    package: cus::PackageProof,
) -> Instruction {
    let a = package_shipment();
    cus::ship_package_ix(
        sender,
        receiver,
        fee_payer,
        tree,
        lot,
        cus::ShipPackageArgs {
            package,
            read_point: a.read_point,
            shipment_ref: a.shipment_ref,
            is_return: a.is_return,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Consent fixtures
// ---------------------------------------------------------------------------------------------

use caretrail_sdk::consent::{self as con, ConsentClient, GrantArgs, Scope};

/// A patient (a plain wallet, not registered), care parties from the registry, a guardian.
pub struct CareTeam {
    pub authority: Keypair,
    pub patient: Keypair,
    pub provider: Keypair,
    pub payer_party: Keypair,
    pub researcher: Keypair,
    pub guardian: Keypair,
}

impl Harness {
    pub fn consent(&self) -> ConsentClient<'_> {
        ConsentClient::new(&self.ledger, &self.payer)
    }

    pub fn care_team(&self) -> CareTeam {
        let authority = self.init_registry();
        CareTeam {
            patient: self.funded(),
            provider: self.participant(&authority, roles::PROVIDER),
            payer_party: self.participant(&authority, roles::PAYER),
            researcher: self.participant(&authority, roles::RESEARCHER),
            guardian: self.funded(),
            authority,
        }
    }

    /// The team's patient grants `grantee` `scope` from now for `days`; returns the grant
    /// address.
    pub fn grant(
        &self,
        team: &CareTeam,
        grantee: &Keypair,
        grant_id: u64,
        scope: Scope,
        days: i64,
    ) -> Pubkey {
        self.patient_grant(&team.patient, &grantee.pubkey(), grant_id, scope, days)
    }

    /// `patient` grants `grantee` `scope` from now for `days` (policy hash `[7; 32]`), signing
    /// for itself; returns the grant address.
    pub fn patient_grant(
        &self,
        patient: &Keypair,
        grantee: &Pubkey,
        grant_id: u64,
        scope: Scope,
        days: i64,
    ) -> Pubkey {
        let args = GrantArgs {
            scope,
            not_before: self.now(),
            expires_at: self.now() + days * DAY,
            policy_hash: [7; 32],
        };
        self.consent()
            .grant(patient, &patient.pubkey(), grantee, grant_id, args)
            .expect("grant");
        con::grant_pda(&patient.pubkey(), grantee, grant_id).0
    }
}

/// Treatment access to medications and labs.
pub fn treatment_scope() -> Scope {
    Scope {
        classes: con::class::MEDICATIONS | con::class::LABS,
        actions: con::action::ACCESS | con::action::USE,
        purposes: con::purpose::TREAT,
    }
}

/// One access of `class` with `action` for `purpose`.
pub fn access(class: u16, action: u8, purpose: u8) -> con::AccessArgs {
    con::AccessArgs {
        class,
        action,
        purpose,
        resource_hash: caretrail_sdk::hash::sha256(&[b"fhir-bundle-1"]),
    }
}

// ---------------------------------------------------------------------------------------------
// Claims fixtures
// ---------------------------------------------------------------------------------------------

use caretrail_sdk::claims::{self as clm, ClaimsClient, EnrollArgs, PayerArgs};

/// An insurer with a funded vault of `token_program`'s tokens, an enrolled patient, a provider
/// and a pharmacy with token accounts, an adjudicator.
pub struct Plan {
    pub authority: Keypair,
    pub insurer: Keypair,
    pub adjudicator: Keypair,
    pub provider: Keypair,
    pub pharmacy: Keypair,
    pub patient: Keypair,
    pub token_program: Pubkey,
    pub mint: Pubkey,
    pub payer: Pubkey,
    pub vault: Pubkey,
    pub coverage: Pubkey,
    pub provider_token: Pubkey,
    pub pharmacy_token: Pubkey,
}

impl Plan {
    /// A claim of `billed` under this plan's payer and coverage, with a document of hash
    /// `document_hash`, naming nothing else (`SubmitClaim { refs: &r, ..p.claim(…) }` names more).
    pub fn claim(&self, document_hash: [u8; 32], billed: u64) -> clm::SubmitClaim<'_> {
        clm::SubmitClaim {
            payer: &self.payer,
            coverage: &self.coverage,
            document_hash,
            billed,
            refs: &clm::ClaimRefs::NONE,
        }
    }
}

/// Plan terms of the fixture.
pub const AUTO_APPROVE_LIMIT: u64 = 50_000;
pub const DAILY_LIMIT: u64 = 200_000;
pub const FUNDED: u64 = 500_000;
pub const ANNUAL_MAX: u64 = 300_000;
pub const DEDUCTIBLE: u64 = 1_000;
pub const APPEAL_WINDOW: i64 = 30 * DAY;

impl Harness {
    pub fn claims(&self) -> ClaimsClient<'_> {
        ClaimsClient::new(&self.ledger, &self.payer)
    }

    pub fn plan(&self, token_program: &Pubkey) -> Plan {
        let authority = self.init_registry();
        let insurer = self.participant(&authority, roles::PAYER);
        let provider = self.participant(&authority, roles::PROVIDER);
        let pharmacy = self.participant(&authority, roles::DISPENSER);
        let adjudicator = self.funded();
        let patient = self.funded();
        let mint = self.create_mint(token_program, &insurer.pubkey(), 2);
        let insurer_token = self.create_ata(&insurer.pubkey(), &mint, token_program);
        self.mint_to(token_program, &mint, &insurer_token, &insurer, 10 * FUNDED);
        let args = PayerArgs {
            auto_approve_limit: AUTO_APPROVE_LIMIT,
            daily_limit: DAILY_LIMIT,
            appeal_window: APPEAL_WINDOW,
            adjudicators: vec![adjudicator.pubkey()],
        };
        self.claims()
            .init_payer(&insurer, &mint, token_program, args)
            .expect("init payer");
        let payer = clm::payer_pda(&insurer.pubkey()).0;
        self.claims()
            .fund(&payer, &insurer, &insurer_token, FUNDED)
            .expect("fund");
        let member = caretrail_sdk::hash::commit(&[3; 32], b"member 123456");
        let enroll = EnrollArgs {
            member_commitment: member,
            period_start: T0,
            period_end: T0 + 365 * DAY,
            annual_max: ANNUAL_MAX,
            deductible: DEDUCTIBLE,
        };
        self.claims()
            .enroll(&insurer, &patient, enroll)
            .expect("enroll");
        let provider_token = self.create_ata(&provider.pubkey(), &mint, token_program);
        let pharmacy_token = self.create_ata(&pharmacy.pubkey(), &mint, token_program);
        Plan {
            coverage: clm::coverage_pda(&payer, &member).0,
            vault: clm::vault_pda(&payer).0,
            authority,
            insurer,
            adjudicator,
            provider,
            pharmacy,
            patient,
            token_program: *token_program,
            mint,
            payer,
            provider_token,
            pharmacy_token,
        }
    }

    /// Units of lot [`LOT`] of [`GTIN`] made by a new manufacturer of the plan's registry (it
    /// holds [`GTIN_PREFIX`]), shipped to the plan's pharmacy; the first `dispensed` of them
    /// dispensed by it.
    pub fn pharmacy_units(&self, p: &Plan, serials: &[&str], dispensed: usize) -> Vec<Pubkey> {
        let manufacturer = self.participant(&p.authority, roles::MANUFACTURER);
        self.license_prefix(&p.authority, GTIN_PREFIX, &manufacturer.pubkey());
        let gtin = cus::parse_gtin(GTIN).unwrap();
        self.custody()
            .register_lot(&manufacturer, cus::lot_args(&gtin, LOT, (2027, 12, 31)))
            .expect("register lot");
        let lot = cus::lot_pda(&gtin, LOT).0;
        let hashes = serials.iter().map(|s| cus::serial_hash(&gtin, s)).collect();
        self.custody()
            .commission(&manufacturer, &lot, hashes)
            .expect("commission");
        let units: Vec<Pubkey> = serials.iter().map(|s| cus::unit_pda(&gtin, s).0).collect();
        for (i, u) in units.iter().enumerate() {
            self.hop(&manufacturer, &p.pharmacy, u);
            if i < dispensed {
                self.custody().dispense(&p.pharmacy, u).expect("dispense");
            }
        }
        units
    }

    /// Submits a claim of the plan's provider; returns its address.
    pub fn submit(&self, plan: &Plan, claim_id: &str, billed: u64) -> Pubkey {
        self.claims()
            .submit(&plan.provider, claim_id, &plan.claim([5; 32], billed))
            .expect("submit");
        clm::claim_address(&plan.payer, &plan.provider, claim_id)
    }
}

// ---------------------------------------------------------------------------------------------
// Records and trials fixtures
// ---------------------------------------------------------------------------------------------

use caretrail_sdk::records::{self as rec, RecordVersion, RecordsClient};
use caretrail_sdk::trials::{self as tri, RegisterTrialArgs, TrialHashes, TrialsClient};

/// A provider anchoring records, another provider, and a patient with a treatment grant to a
/// third (the reader).
pub struct Clinic {
    pub authority: Keypair,
    pub provider: Keypair,
    pub other_provider: Keypair,
    pub reader: Keypair,
    pub patient: Keypair,
}

/// A medication list version `n` (FHIR-shaped bytes).
pub fn medication_list(n: u32) -> Vec<u8> {
    format!(r#"{{"resourceType":"MedicationStatement","id":"ms-1","note":"version {n}"}}"#)
        .into_bytes()
}

impl Harness {
    pub fn records(&self) -> RecordsClient<'_> {
        RecordsClient::new(&self.ledger, &self.payer)
    }

    pub fn clinic(&self) -> Clinic {
        let authority = self.init_registry();
        self.clinic_in(&authority)
    }

    /// A clinic in a registry already initialized by `authority`.
    pub fn clinic_in(&self, authority: &Keypair) -> Clinic {
        let authority = authority.insecure_clone();
        Clinic {
            provider: self.participant(&authority, roles::PROVIDER),
            other_provider: self.participant(&authority, roles::PROVIDER),
            reader: self.participant(&authority, roles::PROVIDER),
            patient: self.funded(),
            authority,
        }
    }

    /// Anchors one first version of each `(record id, content)`; returns the batch.
    pub fn anchor(&self, provider: &Keypair, records: &[(&str, &[u8])]) -> rec::AnchoredBatch {
        let versions: Vec<RecordVersion> = records
            .iter()
            .map(|(id, bytes)| RecordVersion::first(id, bytes))
            .collect();
        self.records()
            .anchor_records(provider, &versions)
            .expect("anchor records")
    }

    pub fn trials(&self) -> TrialsClient<'_> {
        TrialsClient::new(&self.ledger, &self.payer)
    }

    /// A sponsor, a lead investigator, a site investigator, a registered trial (not yet
    /// enrolling) planned for `planned` participants.
    pub fn study(&self, planned: u32) -> Study {
        let authority = self.init_registry();
        let sponsor = self.participant(&authority, roles::SPONSOR);
        let investigator = self.participant(&authority, roles::RESEARCHER);
        let site_investigator = self.participant(&authority, roles::PROVIDER);
        let (trial, _) = self
            .trials()
            .register(
                &sponsor,
                &investigator.pubkey(),
                1,
                RegisterTrialArgs {
                    hashes: trial_hashes("v0"),
                    planned_enrolment: planned,
                },
            )
            .expect("register trial");
        Study {
            authority,
            sponsor,
            investigator,
            site_investigator,
            trial,
        }
    }

    /// `patient` grants `investigator` research access (HRESCH) for 90 days; returns the grant.
    pub fn research_grant(
        &self,
        patient: &Keypair,
        investigator: &Pubkey,
        grant_id: u64,
    ) -> Pubkey {
        let research = Scope {
            classes: con::class::MEDICATIONS | con::class::LABS,
            actions: con::action::ACCESS | con::action::USE,
            purposes: con::purpose::HRESCH,
        };
        self.patient_grant(patient, investigator, grant_id, research, 90)
    }

    /// Opens enrolment and enrols `n` patients through the lead investigator.
    pub fn enrol(&self, s: &Study, n: usize) -> Vec<Pubkey> {
        (0..n)
            .map(|_| {
                let patient = self.funded();
                let grant = self.research_grant(&patient, &s.investigator.pubkey(), 1);
                self.trials()
                    .enroll(&s.investigator, &s.trial, &grant)
                    .expect("enrol");
                grant
            })
            .collect()
    }
}

/// A trial under test and its parties.
pub struct Study {
    pub authority: Keypair,
    pub sponsor: Keypair,
    pub investigator: Keypair,
    pub site_investigator: Keypair,
    pub trial: Pubkey,
}

/// A complete set of trial document hashes, distinct per `tag`.
pub fn trial_hashes(tag: &str) -> TrialHashes {
    let h = |what: &str| caretrail_sdk::hash::sha256(&[what.as_bytes(), tag.as_bytes()]);
    TrialHashes {
        protocol: h("protocol"),
        primary_outcomes: h("primary"),
        secondary_outcomes: h("secondary"),
        eligibility: h("eligibility"),
    }
}

pub use tri::data_root;
