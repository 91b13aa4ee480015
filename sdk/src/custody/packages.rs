//! Compressed packages (issue 20, docs/SCALE.md): a lot's serialized packages as the leaves of
//! package trees (`custody::state::package_tree`) instead of one `Unit` account each.
//!
//! The chain keeps only the tree: its root, a short change log and a canopy. Everything an
//! instruction needs besides (the package's state and a proof) comes from the tree's own
//! history: [`PackageTreeIndex::sync`] replays the program's events for the tree, from the
//! embedded ledger's store or over RPC (`getSignaturesForAddress` / `getTransaction`), and
//! checks the rebuilt root and leaf count against the account before it serves a proof: an
//! index that disagrees with the chain is an error, never a proof. A proof the chain rejects
//! because somebody else changed the tree meanwhile is rebuilt and the transaction sent once
//! more ([`CustodyClient::ship_package`] and the others).
//!
//! ```no_run
//! use caretrail_sdk::custody::{self, CustodyClient};
//! use caretrail_sdk::solana_sdk::signature::{Keypair, Signer};
//!
//! fn commission_and_ship(
//!     ledger: &dyn caretrail_sdk::Ledger,
//!     manufacturer: &Keypair,
//!     distributor: &Keypair,
//!     gtin: &[u8; 14],
//!     lot: &caretrail_sdk::solana_sdk::pubkey::Pubkey,
//!     serials: &[&str],
//! ) -> caretrail_sdk::Result<()> {
//!     let client = CustodyClient::new(ledger, manufacturer);
//!     let (tree, _) = client.create_package_tree(manufacturer, lot)?;
//!     let hashes = serials.iter().map(|s| custody::serial_hash(gtin, s)).collect();
//!     client.commission_packages(manufacturer, &tree, None, hashes)?;
//!     let args = custody::PackageShipment {
//!         read_point: caretrail_sdk::registry::parse_gln("0614141000012")?,
//!         shipment_ref: custody::shipment_ref("ASN-2026-0001"),
//!         is_return: false,
//!     };
//!     let first = custody::serial_hash(gtin, serials[0]);
//!     client.ship_package(manufacturer, &tree, &first, &distributor.pubkey(), &args)?;
//!     CustodyClient::new(ledger, distributor).receive_package(distributor, &tree, &first)?;
//!     Ok(())
//! }
//! ```

use super::*;
use crate::events::CaretrailEvent;
use custody::constants::{MAX_PACKAGE_BATCH, SEED_PACKAGE_HOP};
pub use custody::state::package_tree::{
    PackageLeaf, PackageTree, PROOF_LEN, TREE_CANOPY, TREE_CAPACITY, TREE_DEPTH,
};
pub use custody::state::PackageHop;
pub use custody::{PackageProof, ShipPackageArgs};
use spl_concurrent_merkle_tree::changelog::ChangeLog;
use spl_concurrent_merkle_tree::hash::hash_to_parent;
use spl_concurrent_merkle_tree::node::{empty_node, Node};
use std::collections::HashMap;

/// Packages a commissioning transaction carries: a case of 20. On the SBF build each append
/// costs about 7,800 compute units (the validator run measured 163,268 for 20), so 20 stay
/// well inside a transaction's default 200,000 without a compute-budget instruction; 24 would
/// fit its 1,232 bytes but not reliably its compute.
pub const PACKAGES_PER_TRANSACTION: usize = 20;
const _: () = assert!(PACKAGES_PER_TRANSACTION <= MAX_PACKAGE_BATCH);
/// Packages an unpacking transaction carries (each with its state and a proof of
/// `PROOF_LEN` nodes, about 370 bytes).
pub const PROOFS_PER_TRANSACTION: usize = 2;

/// The error code of `InvalidProof`: the proof was built against a root the chain no longer
/// remembers, or from a wrong state.
const INVALID_PROOF: u32 = custody::error::CustodyError::InvalidProof as u32 + 6000;

/// `["package_hop", tree, leaf index, hop index]`: a compressed package's pending hop.
pub fn package_hop_pda(tree: &Pubkey, index: u32, hop_index: u32) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[
            SEED_PACKAGE_HOP,
            tree.as_ref(),
            &index.to_le_bytes(),
            &hop_index.to_le_bytes(),
        ],
        &PROGRAM_ID,
    )
}

/// What the chain holds of a package tree: its header, current root and leaf count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeOnChain {
    pub lot: Pubkey,
    pub manufacturer: Pubkey,
    pub package_count: u32,
    pub max_serial_hash: [u8; 32],
    pub root: [u8; 32],
}

/// Reads a package tree account's header and current root (the newest change log entry).
pub fn decode_tree(data: &[u8]) -> Result<TreeOnChain> {
    use anchor_lang::Discriminator;
    if data.len() != PackageTree::ACCOUNT_LEN || !data.starts_with(PackageTree::DISCRIMINATOR) {
        return Err(Error::invalid("not a package tree account"));
    }
    let header: PackageTree = bytemuck::pod_read_unaligned(&data[8..8 + PackageTree::HEADER_LEN]);
    let t = PackageTree::TREE_OFFSET;
    let active = u64::from_le_bytes(data[t + 8..t + 16].try_into().expect("8 bytes")) as usize;
    let log = t + 24 + active * std::mem::size_of::<ChangeLog<TREE_DEPTH>>();
    let root = data[log..log + 32].try_into().expect("32 bytes");
    Ok(TreeOnChain {
        lot: header.lot,
        manufacturer: header.manufacturer,
        package_count: header.package_count,
        max_serial_hash: header.max_serial_hash,
        root,
    })
}

/// Fetches a package tree's on-chain state.
pub fn fetch_tree(ledger: &dyn Ledger, tree: &Pubkey) -> Result<Option<TreeOnChain>> {
    match ledger.get_account(tree)? {
        Some(a) if a.owner == PROGRAM_ID => decode_tree(&a.data).map(Some),
        _ => Ok(None),
    }
}

/// The package trees of a lot.
pub fn trees_of_lot(ledger: &dyn Ledger, lot: &Pubkey) -> Result<Vec<Pubkey>> {
    use crate::ledger::AccountFilter;
    let mut trees: Vec<Pubkey> = ledger
        .get_program_accounts(
            &PROGRAM_ID,
            &[
                AccountFilter::DataSize(PackageTree::ACCOUNT_LEN as u64),
                AccountFilter::memcmp(PackageTree::LOT_OFFSET, lot.to_bytes().to_vec()),
            ],
        )?
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    trees.sort();
    Ok(trees)
}

/// The package tree indexes a ledger handle keeps in memory ([`Ledger::package_indexes`]).
#[derive(Default)]
pub struct IndexMemo(std::sync::Mutex<HashMap<Pubkey, PackageTreeIndex>>);

impl IndexMemo {
    /// The tree of `lot` among those kept whose leaves include `serial_hash`, if any (not
    /// checked against the chain: a caller reads that tree through [`PackageTreeIndex::with`]).
    fn tree_holding(&self, lot: &Pubkey, serial_hash: &[u8; 32]) -> Option<Pubkey> {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.values()
            .find(|index| index.lot == *lot && index.find(serial_hash).is_some())
            .map(|index| index.tree)
    }
}

/// A package tree rebuilt off chain: every leaf's state and every node, so it proves any leaf.
#[derive(Clone)]
pub struct PackageTreeIndex {
    pub tree: Pubkey,
    pub lot: Pubkey,
    leaves: Vec<PackageLeaf>,
    by_serial: HashMap<[u8; 32], u32>,
    /// `levels[h][i]`: node `i` at height `h` (leaves at 0); `TREE_DEPTH + 1` levels.
    levels: Vec<Vec<Node>>,
    /// The newest transaction of the tree's history applied.
    last_signature: Option<solana_sdk::signature::Signature>,
    /// While a whole tree is read (from its history or a kept file), leaves are only
    /// recorded and the nodes computed once at the end ([`Self::build`]).
    bulk: bool,
}

impl PackageTreeIndex {
    /// An empty tree.
    pub fn new(tree: Pubkey, lot: Pubkey) -> Self {
        let levels = (0..=TREE_DEPTH)
            .map(|h| vec![empty_node(h as u32); 1 << (TREE_DEPTH - h)])
            .collect();
        PackageTreeIndex {
            tree,
            lot,
            leaves: Vec::new(),
            by_serial: HashMap::new(),
            levels,
            last_signature: None,
            bulk: false,
        }
    }

    /// Rebuilds the index of `tree` from its history and checks it against the chain: the
    /// same leaf count and the same root, or an error saying so.
    pub fn sync(ledger: &dyn Ledger, tree: &Pubkey) -> Result<Self> {
        let chain =
            fetch_tree(ledger, tree)?.ok_or_else(|| Error::not_found("package tree", *tree))?;
        Self::rebuild(ledger, tree, &chain)
    }

    /// [`Self::sync`] against the chain state already read.
    fn rebuild(ledger: &dyn Ledger, tree: &Pubkey, chain: &TreeOnChain) -> Result<Self> {
        let mut index = PackageTreeIndex::new(*tree, chain.lot);
        index.bulk = true;
        index.apply_records(&ledger.transactions_for_address(tree, usize::MAX)?)?;
        index.build();
        index.check(chain)?;
        Ok(index)
    }

    fn apply_records(&mut self, records: &[crate::ledger::TxRecord]) -> Result<()> {
        for record in records {
            for event in record.events() {
                if let CaretrailEvent::Custody(e) = event {
                    self.apply(&e)?;
                }
            }
            self.last_signature = Some(record.signature);
        }
        Ok(())
    }

    /// The same leaf count and root as the chain, or an error saying so.
    fn check(&self, chain: &TreeOnChain) -> Result<()> {
        let (index, tree) = (self, &self.tree);
        if index.len() != chain.package_count || index.root() != chain.root {
            return Err(Error::invalid(format!(
                "the history of package tree {tree} rebuilds {} packages with root {}, but the \
                 chain holds {} with root {}: the ledger's history is incomplete",
                index.len(),
                bs58(&index.root()),
                chain.package_count,
                bs58(&chain.root)
            )));
        }
        Ok(())
    }

    /// The index of `tree`, kept in `dir` between calls: the file an earlier call wrote is read,
    /// caught up with the tree's transactions since, checked against the chain and written
    /// back when it changed. A file that is missing, unreadable, of another ledger or that
    /// disagrees with the chain is never trusted: the index is rebuilt from the whole history
    /// instead.
    pub fn open(ledger: &dyn Ledger, tree: &Pubkey, dir: &std::path::Path) -> Result<Self> {
        let chain =
            fetch_tree(ledger, tree)?.ok_or_else(|| Error::not_found("package tree", *tree))?;
        let path = dir.join(format!("{tree}.package-index"));
        let kept = std::fs::read(&path)
            .ok()
            .and_then(|bytes| Self::decode(tree, &bytes))
            .and_then(|mut index| {
                let changed = index.catch_up(ledger, &chain).ok()?;
                Some((index, changed))
            });
        let (index, changed) = match kept {
            Some(kept) => kept,
            None => (Self::rebuild(ledger, tree, &chain)?, true),
        };
        if changed {
            index.save(&path)?;
        }
        Ok(index)
    }

    /// The index of `tree`: the one this ledger handle keeps in memory when it still agrees
    /// with the chain ([`Ledger::package_indexes`]), else the one kept in the ledger's index
    /// directory ([`Ledger::index_dir`], caught up), else rebuilt from the history.
    pub fn load(ledger: &dyn Ledger, tree: &Pubkey) -> Result<Self> {
        Self::with(ledger, tree, Self::clone)
    }

    /// Runs `f` on the index of `tree` (as [`Self::load`] finds it) without copying it. The
    /// ledger handle's memo stays locked while `f` runs, so `f` must not load an index itself.
    pub fn with<R>(ledger: &dyn Ledger, tree: &Pubkey, f: impl FnOnce(&Self) -> R) -> Result<R> {
        let Some(memo) = ledger.package_indexes() else {
            return Self::load_unkept(ledger, tree).map(|i| f(&i));
        };
        let mut kept = memo.0.lock().unwrap_or_else(|e| e.into_inner());
        let chain =
            fetch_tree(ledger, tree)?.ok_or_else(|| Error::not_found("package tree", *tree))?;
        let current = kept.get(tree).is_some_and(|i| i.check(&chain).is_ok());
        if !current {
            kept.insert(*tree, Self::load_unkept(ledger, tree)?);
        }
        Ok(f(&kept[tree]))
    }

    /// The index kept in the ledger's index directory, or rebuilt.
    fn load_unkept(ledger: &dyn Ledger, tree: &Pubkey) -> Result<Self> {
        match ledger.index_dir() {
            Some(dir) => Self::open(ledger, tree, &dir),
            None => Self::sync(ledger, tree),
        }
    }

    /// Applies the transactions after `last_signature`, reading the newest ones first and
    /// further back until that signature is found; then checks against the chain. Whether
    /// anything was applied (an index that already has the chain's root is left as it is).
    fn catch_up(&mut self, ledger: &dyn Ledger, chain: &TreeOnChain) -> Result<bool> {
        if self.len() == chain.package_count && self.root() == chain.root {
            return Ok(false);
        }
        let last = self
            .last_signature
            .ok_or_else(|| Error::invalid("the kept index names no transaction"))?;
        let mut limit = 16;
        loop {
            let records = ledger.transactions_for_address(&self.tree, limit)?;
            if let Some(at) = records.iter().position(|r| r.signature == last) {
                self.apply_records(&records[at + 1..])?;
                return self.check(chain).map(|()| true);
            }
            if records.len() < limit {
                return Err(Error::invalid(
                    "the kept index's last transaction is not in this ledger's history",
                ));
            }
            limit *= 4;
        }
    }

    const MAGIC: &'static [u8] = b"caretrail-package-index/1\n";

    fn encode(&self) -> Vec<u8> {
        use anchor_lang::AnchorSerialize;
        let mut out = Self::MAGIC.to_vec();
        out.extend_from_slice(self.tree.as_ref());
        out.extend_from_slice(self.lot.as_ref());
        match &self.last_signature {
            Some(s) => {
                out.push(1);
                out.extend_from_slice(s.as_ref());
            }
            None => out.push(0),
        }
        out.extend_from_slice(&self.len().to_le_bytes());
        for leaf in &self.leaves {
            leaf.serialize(&mut out).expect("a Vec takes every byte");
        }
        out
    }

    fn decode(tree: &Pubkey, bytes: &[u8]) -> Option<Self> {
        use anchor_lang::AnchorDeserialize;
        let rest = bytes.strip_prefix(Self::MAGIC)?;
        let (key, rest) = rest.split_at_checked(32)?;
        if key != tree.as_ref() {
            return None;
        }
        let (lot, rest) = rest.split_at_checked(32)?;
        let (flag, mut rest) = rest.split_first()?;
        let last_signature = match flag {
            1 => {
                let (sig, r) = rest.split_at_checked(64)?;
                rest = r;
                Some(solana_sdk::signature::Signature::try_from(sig).ok()?)
            }
            0 => None,
            _ => return None,
        };
        let (count, mut rest) = rest.split_at_checked(4)?;
        let count = u32::from_le_bytes(count.try_into().ok()?);
        let mut index = PackageTreeIndex::new(*tree, Pubkey::try_from(lot).ok()?);
        index.bulk = true;
        for _ in 0..count {
            let leaf = PackageLeaf::deserialize(&mut rest).ok()?;
            index.push(leaf);
        }
        if !rest.is_empty() {
            return None;
        }
        index.build();
        index.last_signature = last_signature;
        Some(index)
    }

    /// Writes the index to `path` (through a temporary file, so a reader never sees half).
    fn save(&self, path: &std::path::Path) -> Result<()> {
        let io = |e: std::io::Error| {
            Error::invalid(format!("writing the package index {}: {e}", path.display()))
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, self.encode()).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Applies one custody event (events of other trees are ignored).
    pub fn apply(&mut self, event: &CustodyEvent) -> Result<()> {
        match event {
            CustodyEvent::PackagesCommissioned(e) if e.tree == self.tree => {
                if e.first_index != self.len() {
                    return Err(Error::invalid(format!(
                        "package tree {}: commissioning at leaf {} but {} leaves are known",
                        self.tree,
                        e.first_index,
                        self.len()
                    )));
                }
                for hash in &e.serial_hashes {
                    self.push(PackageLeaf::commissioned(
                        *hash,
                        e.manufacturer,
                        e.parent,
                        e.timestamp,
                    ));
                }
            }
            CustodyEvent::PackagesUnpacked(e) if e.tree == self.tree => {
                for (index, leaf) in e.indices.iter().zip(&e.leaves) {
                    self.set(*index, *leaf)?;
                }
            }
            CustodyEvent::PackageDispensed(e) if e.tree == self.tree => {
                self.set(e.index, e.leaf)?
            }
            CustodyEvent::PackageStatusChanged(e) if e.tree == self.tree => {
                self.set(e.index, e.leaf)?
            }
            CustodyEvent::PackageShipmentCancelled(e) if e.tree == self.tree => {
                self.set(e.index, e.leaf)?
            }
            CustodyEvent::PackageShipped(e) if e.tree == self.tree => self.set(e.index, e.leaf)?,
            CustodyEvent::PackageHopCompleted(e) if e.tree == self.tree => {
                self.set(e.index, e.leaf)?
            }
            _ => {}
        }
        Ok(())
    }

    /// Leaves in the tree.
    pub fn len(&self) -> u32 {
        self.leaves.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.leaves.is_empty()
    }

    pub fn root(&self) -> [u8; 32] {
        self.levels[TREE_DEPTH][0]
    }

    /// The leaf index of a serial hash.
    pub fn find(&self, serial_hash: &[u8; 32]) -> Option<u32> {
        self.by_serial.get(serial_hash).copied()
    }

    /// The state of leaf `index`.
    pub fn leaf(&self, index: u32) -> Option<&PackageLeaf> {
        self.leaves.get(index as usize)
    }

    /// Every leaf, in index order.
    pub fn leaves(&self) -> &[PackageLeaf] {
        &self.leaves
    }

    /// Leaf `index`'s state and the `PROOF_LEN` nodes the chain needs beside its canopy.
    pub fn prove(&self, index: u32) -> Result<PackageProof> {
        let leaf = *self
            .leaf(index)
            .ok_or_else(|| Error::invalid(format!("no leaf {index} in tree {}", self.tree)))?;
        let proof = (0..PROOF_LEN)
            .map(|h| self.levels[h][((index as usize) >> h) ^ 1])
            .collect();
        Ok(PackageProof {
            root: self.root(),
            index,
            leaf,
            proof,
        })
    }

    fn push(&mut self, leaf: PackageLeaf) {
        let index = self.len();
        self.by_serial.insert(leaf.serial_hash, index);
        self.leaves.push(leaf);
        self.write(index);
    }

    fn set(&mut self, index: u32, leaf: PackageLeaf) -> Result<()> {
        let slot = self.leaves.get_mut(index as usize).ok_or_else(|| {
            Error::invalid(format!("an event names leaf {index}, not in the tree"))
        })?;
        *slot = leaf;
        self.write(index);
        Ok(())
    }

    fn write(&mut self, index: u32) {
        if self.bulk {
            return;
        }
        let mut i = index as usize;
        let mut node = self.leaves[i].hash(&self.tree, index);
        self.levels[0][i] = node;
        for h in 0..TREE_DEPTH {
            let sibling = self.levels[h][i ^ 1];
            hash_to_parent(&mut node, &sibling, i & 1 == 0);
            i >>= 1;
            self.levels[h + 1][i] = node;
        }
    }
}

impl PackageTreeIndex {
    /// Computes every node over the leaves, each once (a leaf's hash, then each level's nodes
    /// over the filled part; the rest stay the empty subtrees' hashes), and leaves bulk mode.
    fn build(&mut self) {
        let mut width = self.leaves.len();
        for (i, leaf) in self.leaves.iter().enumerate() {
            self.levels[0][i] = leaf.hash(&self.tree, i as u32);
        }
        for h in 0..TREE_DEPTH {
            let parents = width.div_ceil(2);
            for p in 0..parents {
                let mut node = self.levels[h][2 * p];
                hash_to_parent(&mut node, &self.levels[h][2 * p + 1], true);
                self.levels[h + 1][p] = node;
            }
            width = parents;
        }
        self.bulk = false;
    }
}

fn bs58(bytes: &[u8; 32]) -> String {
    Pubkey::new_from_array(*bytes).to_string()
}

/// Where and under which document a compressed package is shipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageShipment {
    /// GLN of the shipping location (EPCIS readPoint).
    pub read_point: [u8; registry::constants::GLN_LEN],
    /// First 16 bytes of sha256 of the ASN / despatch advice id ([`shipment_ref`]).
    pub shipment_ref: [u8; 16],
    /// A saleable return (dispenser → distributor), verified again at receipt.
    pub is_return: bool,
}

/// The two instructions that make a package tree: the system program allocates the account
/// (owned by custody), then custody initializes it for the lot.
pub fn create_package_tree_ixs(
    fee_payer: &Pubkey,
    tree: &Pubkey,
    lot: &Pubkey,
    manufacturer: &Pubkey,
    rent: u64,
) -> [Instruction; 2] {
    [
        anchor_lang::solana_program::system_instruction::create_account(
            fee_payer,
            tree,
            rent,
            PackageTree::ACCOUNT_LEN as u64,
            &PROGRAM_ID,
        ),
        Instruction {
            program_id: PROGRAM_ID,
            accounts: custody::accounts::CreatePackageTree {
                tree: *tree,
                lot: *lot,
                manufacturer: *manufacturer,
                manufacturer_participant: participant_pda(manufacturer).0,
            }
            .to_account_metas(None),
            data: custody::instruction::CreatePackageTree {}.data(),
        },
    ]
}

/// Commissions packages (serial hashes strictly ascending, above the tree's highest), loose
/// or straight into the case or pallet `parent`.
pub fn commission_packages_ix(
    manufacturer: &Pubkey,
    tree: &Pubkey,
    lot: &Pubkey,
    parent: Option<&Pubkey>,
    serial_hashes: Vec<[u8; 32]>,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: custody::accounts::CommissionPackages {
            tree: *tree,
            lot: *lot,
            manufacturer: *manufacturer,
            manufacturer_participant: participant_pda(manufacturer).0,
            parent: parent.copied(),
        }
        .to_account_metas(None),
        data: custody::instruction::CommissionPackages { serial_hashes }.data(),
    }
}

/// Ships the proven package from `sender` to `receiver` (the hop's rent from `fee_payer`).
pub fn ship_package_ix(
    sender: &Pubkey,
    receiver: &Pubkey,
    fee_payer: &Pubkey,
    tree: &Pubkey,
    lot: &Pubkey,
    args: ShipPackageArgs,
) -> Instruction {
    let hop = package_hop_pda(tree, args.package.index, args.package.leaf.hop_count).0;
    Instruction {
        program_id: PROGRAM_ID,
        accounts: custody::accounts::ShipPackage {
            tree: *tree,
            lot: *lot,
            hop,
            sender: *sender,
            sender_participant: participant_pda(sender).0,
            receiver_participant: participant_pda(receiver).0,
            payer: *fee_payer,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: custody::instruction::ShipPackage { args }.data(),
    }
}

/// Receives (`refuse` None) or refuses (`Some(reason)`) the proven package in transit; the
/// hop's rent goes back to `hop_payer`.
pub fn complete_package_hop_ix(
    receiver: &Pubkey,
    hop_payer: &Pubkey,
    tree: &Pubkey,
    lot: &Pubkey,
    package: PackageProof,
    refuse: Option<u16>,
) -> Instruction {
    let hop = package_hop_pda(tree, package.index, package.leaf.hop_count).0;
    let accounts = custody::accounts::ReceivePackage {
        tree: *tree,
        lot: *lot,
        hop,
        hop_payer: *hop_payer,
        receiver: *receiver,
        receiver_participant: participant_pda(receiver).0,
    }
    .to_account_metas(None);
    let data = match refuse {
        None => custody::instruction::ReceivePackage { package }.data(),
        Some(reason_code) => custody::instruction::RefusePackage {
            package,
            reason_code,
        }
        .data(),
    };
    Instruction {
        program_id: PROGRAM_ID,
        accounts,
        data,
    }
}

/// Receives the proven loose package in transit with its logger's summary, checked on chain
/// against the storage condition of `lot`; an excursion quarantines it at receipt. The hop's
/// rent goes back to `hop_payer`.
pub fn receive_package_with_sensor_ix(
    receiver: &Pubkey,
    hop_payer: &Pubkey,
    tree: &Pubkey,
    lot: &Pubkey,
    package: PackageProof,
    summary: SensorSummary,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: custody::accounts::ReceivePackageWithSensor {
            tree: *tree,
            lot: *lot,
            hop: package_hop_pda(tree, package.index, package.leaf.hop_count).0,
            hop_payer: *hop_payer,
            receiver: *receiver,
            receiver_participant: participant_pda(receiver).0,
            storage: storage_pda(lot).0,
            quarantine: package_quarantine_pda(tree, package.index).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: custody::instruction::ReceivePackageWithSensor { package, summary }.data(),
    }
}

/// Unpacks the proven packages from the case or pallet `parent`.
pub fn unpack_packages_ix(
    packer: &Pubkey,
    tree: &Pubkey,
    parent: &Pubkey,
    packages: Vec<PackageProof>,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: custody::accounts::UnpackPackages {
            tree: *tree,
            parent: *parent,
            packer: *packer,
            packer_participant: participant_pda(packer).0,
        }
        .to_account_metas(None),
        data: custody::instruction::UnpackPackages { packages }.data(),
    }
}

/// Dispenses the proven package.
pub fn dispense_package_ix(
    dispenser: &Pubkey,
    tree: &Pubkey,
    lot: &Pubkey,
    package: PackageProof,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: custody::accounts::DispensePackage {
            tree: *tree,
            lot: *lot,
            dispenser: *dispenser,
            dispenser_participant: participant_pda(dispenser).0,
        }
        .to_account_metas(None),
        data: custody::instruction::DispensePackage { package }.data(),
    }
}

/// `["package_quarantine", tree, leaf index]`: who quarantined a compressed package.
pub fn package_quarantine_pda(tree: &Pubkey, index: u32) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[
            custody::constants::SEED_PACKAGE_QUARANTINE,
            tree.as_ref(),
            &index.to_le_bytes(),
        ],
        &PROGRAM_ID,
    )
}

/// Quarantines the proven package (`flagger` pays the record's rent, returned when it ends).
pub fn flag_package_ix(
    flagger: &Pubkey,
    tree: &Pubkey,
    package: PackageProof,
    reason_code: u16,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: custody::accounts::FlagPackage {
            tree: *tree,
            quarantine: package_quarantine_pda(tree, package.index).0,
            flagger: *flagger,
            flagger_participant: participant_pda(flagger).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: custody::instruction::FlagPackage {
            package,
            reason_code,
        }
        .data(),
    }
}

/// How a quarantine of a compressed package ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Clear,
    Illegitimate { reason_code: u16 },
}

/// Ends the quarantine of the proven package; `flagger` (the record's `flagged_by`) gets the
/// record's rent back.
pub fn resolve_package_ix(
    investigator: &Pubkey,
    flagger: &Pubkey,
    tree: &Pubkey,
    lot: &Pubkey,
    package: PackageProof,
    resolution: Resolution,
) -> Instruction {
    let accounts = custody::accounts::ResolvePackage {
        tree: *tree,
        lot: *lot,
        quarantine: package_quarantine_pda(tree, package.index).0,
        flagger: *flagger,
        investigator: *investigator,
        investigator_participant: participant_pda(investigator).0,
    }
    .to_account_metas(None);
    let data = match resolution {
        Resolution::Clear => custody::instruction::ClearPackage { package }.data(),
        Resolution::Illegitimate { reason_code } => {
            custody::instruction::DeclarePackageIllegitimate {
                package,
                reason_code,
            }
            .data()
        }
    };
    Instruction {
        program_id: PROGRAM_ID,
        accounts,
        data,
    }
}

/// The holder decommissions (or destroys) the proven package.
pub fn decommission_package_ix(
    holder: &Pubkey,
    tree: &Pubkey,
    package: PackageProof,
    destroyed: bool,
    reason_code: u16,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: custody::accounts::DecommissionPackage {
            tree: *tree,
            holder: *holder,
            holder_participant: participant_pda(holder).0,
        }
        .to_account_metas(None),
        data: custody::instruction::DecommissionPackage {
            package,
            destroyed,
            reason_code,
        }
        .data(),
    }
}

/// The sender takes back the proven package in transit; the hop's rent goes back to
/// `hop_payer`.
pub fn cancel_package_shipment_ix(
    sender: &Pubkey,
    hop_payer: &Pubkey,
    tree: &Pubkey,
    package: PackageProof,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: custody::accounts::CancelPackageShipment {
            tree: *tree,
            hop: package_hop_pda(tree, package.index, package.leaf.hop_count).0,
            hop_payer: *hop_payer,
            sender: *sender,
        }
        .to_account_metas(None),
        data: custody::instruction::CancelPackageShipment { package }.data(),
    }
}

pub(crate) fn is_invalid_proof(e: &Error) -> bool {
    e.custom_error()
        .is_some_and(|(_, code)| code == INVALID_PROOF)
}

impl CustodyClient<'_> {
    /// Creates a package tree for `lot` (a fresh keypair account of
    /// `PackageTree::ACCOUNT_LEN` bytes, rent from the fee payer); returns its address.
    pub fn create_package_tree(
        &self,
        manufacturer: &Keypair,
        lot: &Pubkey,
    ) -> Result<(Pubkey, TxOutcome)> {
        self.create_package_tree_at(manufacturer, lot, &Keypair::new())
    }

    /// [`Self::create_package_tree`] at the address of `tree`, a fresh keypair the caller
    /// chose (a derived one, say); it signs the account's creation.
    pub fn create_package_tree_at(
        &self,
        manufacturer: &Keypair,
        lot: &Pubkey,
        tree: &Keypair,
    ) -> Result<(Pubkey, TxOutcome)> {
        let rent = self
            .ledger
            .minimum_balance_for_rent_exemption(PackageTree::ACCOUNT_LEN)?;
        let ixs = create_package_tree_ixs(
            &self.fee_payer.pubkey(),
            &tree.pubkey(),
            lot,
            &manufacturer.pubkey(),
            rent,
        );
        let out = send_instructions(self.ledger, self.fee_payer, &[manufacturer, tree], &ixs)?;
        Ok((tree.pubkey(), out))
    }

    /// Commissions packages into `tree`, [`PACKAGES_PER_TRANSACTION`] per transaction, in the
    /// ascending order of their serial hashes the program requires; loose, or straight into
    /// the case or pallet `parent` the manufacturer holds. A serial hash given twice,
    /// or not above the tree's highest, is refused here with its position before anything is
    /// sent; a re-run after a failure sends only what the tree does not hold yet.
    pub fn commission_packages(
        &self,
        manufacturer: &Keypair,
        tree: &Pubkey,
        parent: Option<&Pubkey>,
        mut serial_hashes: Vec<[u8; 32]>,
    ) -> Result<Vec<TxOutcome>> {
        let chain = fetch_tree(self.ledger, tree)?
            .ok_or_else(|| Error::not_found("package tree", *tree))?;
        serial_hashes.sort_unstable();
        if let Some(w) = serial_hashes.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::invalid(format!(
                "serial hash {} is given twice",
                bs58(&w[0])
            )));
        }
        // Idempotent re-runs: what the tree already holds is skipped. Only a serial hash at or
        // below the tree's highest can be in it, so the history is read only then.
        let rerun = chain.package_count > 0
            && serial_hashes
                .first()
                .is_some_and(|low| *low <= chain.max_serial_hash);
        let index = if rerun {
            Some(PackageTreeIndex::load(self.ledger, tree)?)
        } else {
            None
        };
        serial_hashes.retain(|h| index.as_ref().is_none_or(|i| i.find(h).is_none()));
        if let Some(low) = serial_hashes.first() {
            if chain.package_count > 0 && *low <= chain.max_serial_hash {
                return Err(Error::invalid(format!(
                    "serial hash {} is below the highest this tree holds ({}): a tree takes \
                     serials in ascending order of their hashes; commission it into a new tree",
                    bs58(low),
                    bs58(&chain.max_serial_hash)
                )));
            }
        }
        serial_hashes
            .chunks(PACKAGES_PER_TRANSACTION)
            .map(|chunk| {
                send_instructions(
                    self.ledger,
                    self.fee_payer,
                    &[manufacturer],
                    &[commission_packages_ix(
                        &manufacturer.pubkey(),
                        tree,
                        &chain.lot,
                        parent,
                        chunk.to_vec(),
                    )],
                )
            })
            .collect()
    }

    /// Sends the instruction `build` makes from a fresh proof of the package; once more with
    /// a proof rebuilt from the tree's history when the chain rejects the first (somebody
    /// changed the tree beyond its change log meanwhile).
    fn with_proof(
        &self,
        signer: &Keypair,
        tree: &Pubkey,
        serial_hash: &[u8; 32],
        build: impl Fn(&PackageTreeIndex, PackageProof) -> Result<Instruction>,
    ) -> Result<TxOutcome> {
        let mut attempt = 0;
        loop {
            // Rebuilt on a retry: the kept index agreed with the chain but the proof did not.
            let index = if attempt == 0 {
                PackageTreeIndex::load(self.ledger, tree)?
            } else {
                PackageTreeIndex::sync(self.ledger, tree)?
            };
            let leaf = index.find(serial_hash).ok_or_else(|| {
                Error::invalid(format!(
                    "no package with serial hash {} in tree {tree}",
                    bs58(serial_hash)
                ))
            })?;
            let ix = build(&index, index.prove(leaf)?)?;
            match send_instructions(self.ledger, self.fee_payer, &[signer], &[ix]) {
                Err(e) if attempt == 0 && is_invalid_proof(&e) => attempt += 1,
                other => return other,
            }
        }
    }

    /// The holder ships a compressed package to a registered trading partner.
    pub fn ship_package(
        &self,
        sender: &Keypair,
        tree: &Pubkey,
        serial_hash: &[u8; 32],
        receiver: &Pubkey,
        shipment: &PackageShipment,
    ) -> Result<TxOutcome> {
        self.with_proof(sender, tree, serial_hash, |index, package| {
            Ok(ship_package_ix(
                &sender.pubkey(),
                receiver,
                &self.fee_payer.pubkey(),
                tree,
                &index.lot,
                ShipPackageArgs {
                    package,
                    read_point: shipment.read_point,
                    shipment_ref: shipment.shipment_ref,
                    is_return: shipment.is_return,
                },
            ))
        })
    }

    /// Who paid the rent of the proven package's pending hop, if it has one.
    fn package_hop_payer(&self, tree: &Pubkey, package: &PackageProof) -> Result<Option<Pubkey>> {
        let hop = package_hop_pda(tree, package.index, package.leaf.hop_count).0;
        Ok(
            crate::account::fetch_owned::<PackageHop>(self.ledger, &hop, &PROGRAM_ID)?
                .map(|h| h.payer),
        )
    }

    /// Who paid the rent of the proven package's pending hop; an error when it has none.
    fn pending_hop_payer(&self, tree: &Pubkey, package: &PackageProof) -> Result<Pubkey> {
        self.package_hop_payer(tree, package)?.ok_or_else(|| {
            Error::not_found(
                "pending package hop",
                package_hop_pda(tree, package.index, package.leaf.hop_count).0,
            )
        })
    }

    fn complete_package_hop(
        &self,
        receiver: &Keypair,
        tree: &Pubkey,
        serial_hash: &[u8; 32],
        refuse: Option<u16>,
    ) -> Result<TxOutcome> {
        self.with_proof(receiver, tree, serial_hash, |index, package| {
            let payer = self.pending_hop_payer(tree, &package)?;
            Ok(complete_package_hop_ix(
                &receiver.pubkey(),
                &payer,
                tree,
                &index.lot,
                package,
                refuse,
            ))
        })
    }

    /// The addressee receives a compressed package; the hop's rent goes back to its payer.
    pub fn receive_package(
        &self,
        receiver: &Keypair,
        tree: &Pubkey,
        serial_hash: &[u8; 32],
    ) -> Result<TxOutcome> {
        self.complete_package_hop(receiver, tree, serial_hash, None)
    }

    /// The addressee receives a loose compressed package with a temperature logger's
    /// readings: their summary is checked on chain against the lot's storage condition, and an
    /// excursion quarantines the package at receipt.
    pub fn receive_package_with_sensor(
        &self,
        receiver: &Keypair,
        tree: &Pubkey,
        serial_hash: &[u8; 32],
        readings: &super::cold_chain::Readings,
    ) -> Result<TxOutcome> {
        self.with_proof(receiver, tree, serial_hash, |index, package| {
            let payer = self.pending_hop_payer(tree, &package)?;
            let range = super::cold_chain::fetch_storage(self.ledger, &index.lot)?
                .map(|c| (c.min_centi_celsius, c.max_centi_celsius));
            Ok(receive_package_with_sensor_ix(
                &receiver.pubkey(),
                &payer,
                tree,
                &index.lot,
                package,
                readings.summary(range),
            ))
        })
    }

    /// The sender takes back a compressed package its receiver left unanswered past the
    /// timeout (30 days); the hop's rent goes back to its payer.
    pub fn cancel_package_shipment(
        &self,
        sender: &Keypair,
        tree: &Pubkey,
        serial_hash: &[u8; 32],
    ) -> Result<TxOutcome> {
        self.with_proof(sender, tree, serial_hash, |_, package| {
            // Without a pending hop the program answers; the fee payer stands in.
            let payer = self
                .package_hop_payer(tree, &package)?
                .unwrap_or_else(|| self.fee_payer.pubkey());
            Ok(cancel_package_shipment_ix(
                &sender.pubkey(),
                &payer,
                tree,
                package,
            ))
        })
    }

    /// The addressee refuses a compressed package; it stays with the sender.
    pub fn refuse_package(
        &self,
        receiver: &Keypair,
        tree: &Pubkey,
        serial_hash: &[u8; 32],
        reason_code: u16,
    ) -> Result<TxOutcome> {
        self.complete_package_hop(receiver, tree, serial_hash, Some(reason_code))
    }
}

impl CustodyClient<'_> {
    /// The holder of the top-level case or pallet `parent` unpacks the packages with these
    /// serial hashes from it, [`PROOFS_PER_TRANSACTION`] per transaction (each carries its
    /// state and proof). Packages no longer in `parent` are skipped, so a re-run after a
    /// failure finishes the job.
    pub fn unpack_packages(
        &self,
        packer: &Keypair,
        tree: &Pubkey,
        parent: &Pubkey,
        serial_hashes: &[[u8; 32]],
    ) -> Result<Vec<TxOutcome>> {
        let mut outcomes = Vec::new();
        // Read once; each transaction's own events then bring it up to date.
        let mut index = PackageTreeIndex::load(self.ledger, tree)?;
        loop {
            let mut packages = Vec::new();
            for hash in serial_hashes {
                let i = index.find(hash).ok_or_else(|| {
                    Error::invalid(format!(
                        "no package with serial hash {} in tree {tree}",
                        bs58(hash)
                    ))
                })?;
                if index.leaves[i as usize].parent == *parent {
                    packages.push(index.prove(i)?);
                }
                if packages.len() == PROOFS_PER_TRANSACTION {
                    break;
                }
            }
            if packages.is_empty() {
                return Ok(outcomes);
            }
            let out = send_instructions(
                self.ledger,
                self.fee_payer,
                &[packer],
                &[unpack_packages_ix(&packer.pubkey(), tree, parent, packages)],
            )?;
            for event in out.events() {
                if let CaretrailEvent::Custody(e) = event {
                    index.apply(&e)?;
                }
            }
            outcomes.push(out);
        }
    }

    /// A holder or regulator quarantines a suspect compressed package.
    pub fn flag_package(
        &self,
        flagger: &Keypair,
        tree: &Pubkey,
        serial_hash: &[u8; 32],
        reason_code: u16,
    ) -> Result<TxOutcome> {
        self.with_proof(flagger, tree, serial_hash, |_, package| {
            Ok(flag_package_ix(
                &flagger.pubkey(),
                tree,
                package,
                reason_code,
            ))
        })
    }

    /// The party that quarantined a compressed package, or a regulator, clears it; or a
    /// regulator or the lot's manufacturer declares it illegitimate.
    pub fn resolve_package(
        &self,
        investigator: &Keypair,
        tree: &Pubkey,
        serial_hash: &[u8; 32],
        resolution: Resolution,
    ) -> Result<TxOutcome> {
        self.with_proof(investigator, tree, serial_hash, |index, package| {
            let record = package_quarantine_pda(tree, package.index).0;
            // Without a record the program answers (`NotQuarantined`); the investigator stands
            // in for the flagger then.
            let flagger = crate::account::fetch_owned::<custody::state::Quarantine>(
                self.ledger,
                &record,
                &PROGRAM_ID,
            )?
            .map(|q| q.flagged_by)
            .unwrap_or_else(|| investigator.pubkey());
            Ok(resolve_package_ix(
                &investigator.pubkey(),
                &flagger,
                tree,
                &index.lot,
                package,
                resolution,
            ))
        })
    }

    /// The holder decommissions (or destroys) a compressed package.
    pub fn decommission_package(
        &self,
        holder: &Keypair,
        tree: &Pubkey,
        serial_hash: &[u8; 32],
        destroyed: bool,
        reason_code: u16,
    ) -> Result<TxOutcome> {
        self.with_proof(holder, tree, serial_hash, |_, package| {
            Ok(decommission_package_ix(
                &holder.pubkey(),
                tree,
                package,
                destroyed,
                reason_code,
            ))
        })
    }

    /// A dispenser dispenses a compressed package it holds.
    pub fn dispense_package(
        &self,
        dispenser: &Keypair,
        tree: &Pubkey,
        serial_hash: &[u8; 32],
    ) -> Result<TxOutcome> {
        self.with_proof(dispenser, tree, serial_hash, |index, package| {
            Ok(dispense_package_ix(
                &dispenser.pubkey(),
                tree,
                &index.lot,
                package,
            ))
        })
    }
}

/// A compressed package as the `Unit` it stands for (under
/// [`package_key`](crate::custody::epcis::package_key)): an item of its lot, with its leaf's
/// status, holder, parent, hops and chain head. Code written for units (receiving against a
/// shipment document) reads packages through it.
pub fn package_as_unit(lot_key: &Pubkey, lot: &Lot, leaf: &PackageLeaf) -> Unit {
    Unit {
        version: custody::constants::ACCOUNT_VERSION,
        bump: 0,
        kind: UnitKind::Item,
        status: leaf.status,
        status_before_quarantine: leaf.status_before_quarantine,
        gtin: lot.gtin,
        lot: *lot_key,
        expires_at: lot.expires_at,
        holder: leaf.holder,
        parent: leaf.parent,
        child_count: 0,
        hop_count: leaf.hop_count,
        chain_head: leaf.chain_head,
        updated_at: leaf.updated_at,
    }
}

/// The compressed packages packed directly in the case or pallet `parent`: `(tree, leaf
/// index, state)`. Packages enter an aggregate only when they are commissioned into it, so
/// its own history names their trees; their indexes say which are still inside.
pub fn packages_in(
    ledger: &dyn Ledger,
    parent: &Pubkey,
) -> Result<Vec<(Pubkey, u32, PackageLeaf)>> {
    let mut trees: Vec<Pubkey> = Vec::new();
    for record in ledger.transactions_for_address(parent, usize::MAX)? {
        for event in record.events() {
            if let CaretrailEvent::Custody(CustodyEvent::PackagesCommissioned(e)) = event {
                if e.parent == *parent && !trees.contains(&e.tree) {
                    trees.push(e.tree);
                }
            }
        }
    }
    let mut out = Vec::new();
    for tree in trees {
        PackageTreeIndex::with(ledger, &tree, |index| {
            for (i, leaf) in index.leaves().iter().enumerate() {
                if leaf.parent == *parent {
                    out.push((tree, i as u32, *leaf));
                }
            }
        })?;
    }
    Ok(out)
}

/// The unit a scanned code names, or the compressed package it names seen as a unit
/// ([`package_as_unit`]), under the address the code gives; `None` when neither exists.
pub fn unit_of_code(ledger: &dyn Ledger, code: &crate::gs1::Gs1Code) -> Result<Option<Unit>> {
    let address = address_of(code)?;
    if let Some(u) = fetch_unit(ledger, &address)? {
        return Ok(Some(u));
    }
    let Some(found) = find_compressed_quietly(ledger, code)? else {
        return Ok(None);
    };
    let lot_key = fetch_tree(ledger, &found.tree)?
        .ok_or_else(|| Error::not_found("package tree", found.tree))?
        .lot;
    let lot = fetch_lot(ledger, &lot_key)?.ok_or_else(|| Error::not_found("lot", lot_key))?;
    Ok(Some(package_as_unit(&lot_key, &lot, &found.leaf)))
}

/// A compressed package found by its GTIN, serial and lot: its tree, leaf index and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundPackage {
    pub tree: Pubkey,
    pub index: u32,
    pub leaf: PackageLeaf,
}

impl FoundPackage {
    /// How verification names the package: `tree#index`.
    pub fn id(&self) -> String {
        format!("{}#{}", self.tree, self.index)
    }
}

/// The compressed package a scanned code names: its GTIN, lot and serial find the lot's
/// trees and the leaf. An error says what is missing (the code's lot or serial, the lot, the
/// package).
pub fn package_of(ledger: &dyn Ledger, code: &crate::gs1::Gs1Code) -> Result<FoundPackage> {
    let (Some(gtin), Some(serial), Some(lot_number)) = (&code.gtin, &code.serial, &code.lot) else {
        return Err(Error::invalid(
            "a compressed package is found by its GTIN (01), lot (10) and serial (21): the code lacks one",
        ));
    };
    let gtin = parse_gtin(gtin)?;
    let lot = lot_pda(&gtin, lot_number).0;
    if fetch_lot(ledger, &lot)?.is_none() {
        return Err(Error::not_found("lot", lot));
    }
    find_package(ledger, &lot, &serial_hash(&gtin, serial))?.ok_or_else(|| {
        Error::invalid(format!(
            "no package tree of lot {lot_number} ({lot}) holds serial {serial}"
        ))
    })
}

/// Finds the package with `serial_hash` among the trees of `lot`.
pub fn find_package(
    ledger: &dyn Ledger,
    lot: &Pubkey,
    serial_hash: &[u8; 32],
) -> Result<Option<FoundPackage>> {
    let found_in = |tree: Pubkey| {
        PackageTreeIndex::with(ledger, &tree, |index| {
            index.find(serial_hash).map(|i| FoundPackage {
                tree,
                index: i,
                leaf: index.leaves[i as usize],
            })
        })
    };
    // A serial never leaves the tree it was commissioned into: when this handle already knows
    // the tree that holds it, that tree is the only one to read (and check against the chain).
    if let Some(tree) = ledger
        .package_indexes()
        .and_then(|memo| memo.tree_holding(lot, serial_hash))
    {
        if let Some(found) = found_in(tree)? {
            return Ok(Some(found));
        }
    }
    for tree in trees_of_lot(ledger, lot)? {
        if let Some(found) = found_in(tree)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_proves_every_leaf_against_its_root() {
        let tree = Pubkey::new_unique();
        let mut index = PackageTreeIndex::new(tree, Pubkey::new_unique());
        let holder = Pubkey::new_unique();
        for i in 0..300u32 {
            let mut h = [0u8; 32];
            h[..4].copy_from_slice(&i.to_be_bytes());
            h[31] = 1;
            index.push(PackageLeaf::commissioned(h, holder, Pubkey::default(), 7));
        }
        let moved = PackageLeaf {
            status: UnitStatus::InTransit,
            ..index.leaves[5]
        };
        index.set(5, moved).unwrap();
        for i in [0u32, 5, 255, 256, 299] {
            let p = index.prove(i).unwrap();
            // Complete the proof as the chain's canopy would, from the index's own nodes.
            let mut full = p.proof.clone();
            for h in PROOF_LEN..TREE_DEPTH {
                full.push(index.levels[h][((i as usize) >> h) ^ 1]);
            }
            let root = spl_concurrent_merkle_tree::hash::recompute(p.leaf.hash(&tree, i), &full, i);
            assert_eq!(root, index.root(), "leaf {i}");
        }
        assert_eq!(index.find(&index.leaves[299].serial_hash), Some(299));
        // Read back whole (as a kept file is), the nodes computed once agree with the ones
        // written leaf by leaf.
        let copy = PackageTreeIndex::decode(&tree, &index.encode()).unwrap();
        assert_eq!(copy.levels, index.levels);
        assert_eq!(copy.root(), index.root());
    }
}
