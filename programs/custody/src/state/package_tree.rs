//! Compressed packages (issue 20, docs/SCALE.md): the serialized packages of a lot as leaves of
//! a concurrent Merkle tree (`spl-concurrent-merkle-tree`, the library behind SPL account
//! compression) in one account, instead of one `Unit` account per package.
//!
//! The account (created by the client with the system program's `create_account`, owned by
//! this program, [`PackageTree::ACCOUNT_LEN`] bytes, then initialized by `create_package_tree`)
//! holds, in order:
//!
//! | bytes | what |
//! | --- | --- |
//! | 8 | Anchor discriminator of [`PackageTree`] |
//! | [`PackageTree::HEADER_LEN`] | the header: lot, manufacturer, counts, the highest serial hash |
//! | [`TREE_LEN`] | `ConcurrentMerkleTree<TREE_DEPTH, TREE_BUFFER>`: change log and rightmost path |
//! | [`CANOPY_LEN`] | the canopy: the top [`TREE_CANOPY`] levels of nodes below the root |
//!
//! Each leaf is [`PackageLeaf::hash`] of the package's state, bound to its tree and index. An
//! instruction that changes a package carries the state and a proof of
//! `TREE_DEPTH - TREE_CANOPY` nodes; the program fills the rest from the canopy, checks the old
//! leaf against the root (fast-forwarded through the change log, so parties updating other
//! leaves of the tree in the same slot do not collide), checks the custody rules on the
//! state, then replaces the leaf.
use crate::constants::ACCOUNT_VERSION;
use crate::error::CustodyError;
use crate::state::UnitStatus;
use anchor_lang::prelude::*;
use spl_concurrent_merkle_tree::concurrent_merkle_tree::ConcurrentMerkleTree;
use spl_concurrent_merkle_tree::node::{empty_node, Node, EMPTY};

/// Levels of a package tree: 16,384 packages.
pub const TREE_DEPTH: usize = 14;
/// Change-log entries: a proof built against any of the last 8 roots is still accepted.
pub const TREE_BUFFER: usize = 8;
/// Levels of nodes kept on chain below the root, so a proof carries `TREE_DEPTH - TREE_CANOPY`.
pub const TREE_CANOPY: usize = 8;
/// Proof nodes an instruction carries.
pub const PROOF_LEN: usize = TREE_DEPTH - TREE_CANOPY;
/// Packages a tree holds.
pub const TREE_CAPACITY: u32 = 1 << TREE_DEPTH;
/// The tree type.
pub type PackageMerkleTree = ConcurrentMerkleTree<TREE_DEPTH, TREE_BUFFER>;
/// Bytes of the concurrent Merkle tree.
pub const TREE_LEN: usize = core::mem::size_of::<PackageMerkleTree>();
/// Nodes in the canopy: 2 + 4 + … + 2^TREE_CANOPY.
pub const CANOPY_NODES: usize = (1 << (TREE_CANOPY + 1)) - 2;
/// Bytes of the canopy.
pub const CANOPY_LEN: usize = CANOPY_NODES * 32;

/// The header of a package tree account (zero-copy; the tree and canopy follow it).
#[account(zero_copy)]
#[derive(Debug)]
pub struct PackageTree {
    /// The `Lot` whose packages the leaves are.
    pub lot: Pubkey,
    /// The lot's manufacturer, who created the tree and commissions into it.
    pub manufacturer: Pubkey,
    /// The highest serial hash commissioned into this tree. Commissioning appends serial
    /// hashes in strictly ascending order above it, so no serial is in the tree twice.
    pub max_serial_hash: [u8; 32],
    pub created_at: i64,
    /// Leaves appended (the next leaf's index).
    pub package_count: u32,
    pub version: u8,
    pub depth: u8,
    pub buffer: u8,
    pub canopy: u8,
}

impl PackageTree {
    /// Bytes of the header.
    pub const HEADER_LEN: usize = core::mem::size_of::<PackageTree>();
    /// Offset of the concurrent Merkle tree in the account.
    pub const TREE_OFFSET: usize = 8 + Self::HEADER_LEN;
    /// Offset of the canopy in the account.
    pub const CANOPY_OFFSET: usize = Self::TREE_OFFSET + TREE_LEN;
    /// Bytes of the whole account.
    pub const ACCOUNT_LEN: usize = Self::CANOPY_OFFSET + CANOPY_LEN;
    /// Offset of `lot` in the account (for `getProgramAccounts` filters).
    pub const LOT_OFFSET: usize = 8;

    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            CustodyError::InvariantViolation
        );
        require!(
            self.depth as usize == TREE_DEPTH
                && self.buffer as usize == TREE_BUFFER
                && self.canopy as usize == TREE_CANOPY,
            CustodyError::InvariantViolation
        );
        require!(
            self.package_count <= TREE_CAPACITY,
            CustodyError::InvariantViolation
        );
        require_keys_neq!(
            self.lot,
            Pubkey::default(),
            CustodyError::InvariantViolation
        );
        Ok(())
    }
}

/// Splits a package tree account's data into the header, the tree and the canopy.
pub fn split_tree_data(
    data: &mut [u8],
) -> Result<(&mut PackageTree, &mut PackageMerkleTree, &mut [u8])> {
    require!(
        data.len() == PackageTree::ACCOUNT_LEN,
        CustodyError::TreeAccountInvalid
    );
    let (head, rest) = data.split_at_mut(PackageTree::TREE_OFFSET);
    let (tree, canopy) = rest.split_at_mut(TREE_LEN);
    let header = bytemuck::try_from_bytes_mut::<PackageTree>(&mut head[8..])
        .map_err(|_| CustodyError::TreeAccountInvalid)?;
    let tree = bytemuck::try_from_bytes_mut::<PackageMerkleTree>(tree)
        .map_err(|_| CustodyError::TreeAccountInvalid)?;
    Ok((header, tree, canopy))
}

/// The canopy index of the node at `level` levels below the root (1 ..= TREE_CANOPY) whose
/// subtree holds leaf `index`.
fn canopy_slot(level: usize, index: u32) -> usize {
    (1 << level) - 2 + (index as usize >> (TREE_DEPTH - level))
}

/// A full proof for leaf `index`: the carried nodes (heights 0 .. PROOF_LEN) followed by the
/// siblings the canopy holds (an unwritten canopy node is the empty subtree's hash).
pub fn full_proof(canopy: &[u8], proof: &[[u8; 32]], index: u32) -> Result<Vec<Node>> {
    require_eq!(proof.len(), PROOF_LEN, CustodyError::InvalidProof);
    let mut full = Vec::with_capacity(TREE_DEPTH);
    full.extend_from_slice(proof);
    for height in PROOF_LEN..TREE_DEPTH {
        let level = TREE_DEPTH - height;
        let slot = canopy_slot(level, index ^ (1 << height));
        let mut node = EMPTY;
        node.copy_from_slice(&canopy[slot * 32..slot * 32 + 32]);
        if node == EMPTY {
            node = empty_node(height as u32);
        }
        full.push(node);
    }
    Ok(full)
}

/// Writes the path of the tree's latest change into the canopy.
pub fn update_canopy(tree: &PackageMerkleTree, canopy: &mut [u8]) {
    let log = &tree.change_logs[tree.active_index as usize];
    for level in 1..=TREE_CANOPY {
        let slot = canopy_slot(level, log.index);
        canopy[slot * 32..slot * 32 + 32].copy_from_slice(&log.path[TREE_DEPTH - level]);
    }
}

/// The state of one compressed package, as its leaf commits to it. The lot (and so the GTIN
/// and expiry) is the tree's; the serial number is never stored, only `sha256(gtin ‖ serial)`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct PackageLeaf {
    pub serial_hash: [u8; 32],
    pub status: UnitStatus,
    /// Status to restore when a suspect flag is cleared.
    pub status_before_quarantine: UnitStatus,
    /// The holder; inside an aggregate the package follows its top-most aggregate's holder,
    /// and this is refreshed when it is unpacked (as a `Unit`'s).
    pub holder: Pubkey,
    /// The case or pallet (a `Unit` account) the package is packed in; default when none.
    pub parent: Pubkey,
    /// Completed hops (received); the pending one, if any, has this index.
    pub hop_count: u32,
    /// Hash chain over every completed hop, as a `Unit`'s.
    pub chain_head: [u8; 32],
    pub updated_at: i64,
}

/// Domain tag of package leaves.
pub const LEAF_DOMAIN: &[u8] = b"caretrail:package-leaf:v1";

impl PackageLeaf {
    /// A package as commissioned: active, held by the manufacturer (packed in `parent` when
    /// commissioned straight into a case), no hops.
    pub fn commissioned(
        serial_hash: [u8; 32],
        manufacturer: Pubkey,
        parent: Pubkey,
        now: i64,
    ) -> Self {
        PackageLeaf {
            serial_hash,
            status: UnitStatus::Active,
            status_before_quarantine: UnitStatus::Active,
            holder: manufacturer,
            parent,
            hop_count: 0,
            chain_head: [0; 32],
            updated_at: now,
        }
    }

    /// The leaf: `sha256(domain ‖ tree ‖ index ‖ state)`, so a state proven in one tree or
    /// position proves nothing in another.
    pub fn hash(&self, tree: &Pubkey, index: u32) -> Node {
        solana_sha256_hasher::hashv(&[
            LEAF_DOMAIN,
            tree.as_ref(),
            &index.to_le_bytes(),
            &self.serial_hash,
            &[self.status as u8, self.status_before_quarantine as u8],
            self.holder.as_ref(),
            self.parent.as_ref(),
            &self.hop_count.to_le_bytes(),
            &self.chain_head,
            &self.updated_at.to_le_bytes(),
        ])
        .to_bytes()
    }

    /// The status error of a package that is not `Active` (as `Unit::require_active`).
    pub fn require_active(&self) -> Result<()> {
        match self.status {
            UnitStatus::Active => Ok(()),
            UnitStatus::InTransit => err!(CustodyError::UnitInTransit),
            UnitStatus::Quarantined => err!(CustodyError::UnitQuarantined),
            UnitStatus::Dispensed => err!(CustodyError::AlreadyDispensed),
            UnitStatus::Decommissioned | UnitStatus::Destroyed => {
                err!(CustodyError::UnitDecommissioned)
            }
            UnitStatus::Illegitimate => err!(CustodyError::UnitIllegitimate),
        }
    }

    pub fn invariant(&self) -> Result<()> {
        require_keys_neq!(
            self.holder,
            Pubkey::default(),
            CustodyError::InvariantViolation
        );
        require!(
            self.serial_hash != [0; 32],
            CustodyError::InvariantViolation
        );
        // A packed package is never in transit or terminal by itself.
        if self.in_aggregate() {
            require!(
                self.status == UnitStatus::Active,
                CustodyError::InvariantViolation
            );
        }
        Ok(())
    }

    pub fn in_aggregate(&self) -> bool {
        self.parent != Pubkey::default()
    }
}

/// Maps the tree library's errors: a stale or forged proof is `InvalidProof`.
pub fn tree_error(e: spl_concurrent_merkle_tree::error::ConcurrentMerkleTreeError) -> Error {
    use spl_concurrent_merkle_tree::error::ConcurrentMerkleTreeError as E;
    match e {
        E::TreeFull => CustodyError::TreeFull.into(),
        E::InvalidProof | E::LeafContentsModified | E::LeafIndexOutOfBounds => {
            CustodyError::InvalidProof.into()
        }
        _ => CustodyError::TreeAccountInvalid.into(),
    }
}

/// Replaces leaf `index` (whose current state is `old`, proven by `proof` against `root`) with
/// `new`, and refreshes the canopy.
pub fn replace_leaf(
    data: &mut [u8],
    tree_key: &Pubkey,
    root: [u8; 32],
    index: u32,
    old: &PackageLeaf,
    new: &PackageLeaf,
    proof: &[[u8; 32]],
) -> Result<()> {
    let (header, tree, canopy) = split_tree_data(data)?;
    require!(index < header.package_count, CustodyError::InvalidProof);
    let proof_vec = full_proof(&*canopy, proof, index)?;
    tree.set_leaf(
        &spl_concurrent_merkle_tree::concurrent_merkle_tree::SetLeafArgs {
            current_root: root,
            previous_leaf: old.hash(tree_key, index),
            new_leaf: new.hash(tree_key, index),
            proof_vec,
            index,
        },
    )
    .map_err(tree_error)?;
    update_canopy(tree, canopy);
    header.invariant()
}

/// Checks that leaf `package.index` of `tree` is `package.leaf` (proven against any of its
/// last `TREE_BUFFER` roots), changing nothing: `InvalidProof` otherwise.
pub fn prove_package(tree: &AccountLoader<PackageTree>, package: &PackageProof) -> Result<()> {
    let info = tree.to_account_info();
    let data = info.try_borrow_data()?;
    require!(
        data.len() == PackageTree::ACCOUNT_LEN,
        CustodyError::TreeAccountInvalid
    );
    let (head, rest) = data.split_at(PackageTree::TREE_OFFSET);
    let (merkle, canopy) = rest.split_at(TREE_LEN);
    let header = bytemuck::try_from_bytes::<PackageTree>(&head[8..])
        .map_err(|_| CustodyError::TreeAccountInvalid)?;
    require!(
        package.index < header.package_count,
        CustodyError::InvalidProof
    );
    let merkle = bytemuck::try_from_bytes::<PackageMerkleTree>(merkle)
        .map_err(|_| CustodyError::TreeAccountInvalid)?;
    merkle
        .prove_leaf(
            &spl_concurrent_merkle_tree::concurrent_merkle_tree::ProveLeafArgs {
                current_root: package.root,
                leaf: package.leaf.hash(&tree.key(), package.index),
                proof_vec: full_proof(canopy, &package.proof, package.index)?,
                index: package.index,
            },
        )
        .map_err(tree_error)
}

/// A compressed package's current state and its place in the tree, proven against `root`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct PackageProof {
    /// The root the proof was built against (any of the tree's last `TREE_BUFFER` roots).
    pub root: [u8; 32],
    /// The leaf index.
    pub index: u32,
    /// The package's state as its leaf commits to it now.
    pub leaf: PackageLeaf,
    /// `TREE_DEPTH - TREE_CANOPY` sibling nodes, leaf level first.
    pub proof: Vec<[u8; 32]>,
}

/// Writes `after` over the proven package's leaf (after its invariant), in a tree account.
pub fn write_leaf(
    tree: &AccountLoader<PackageTree>,
    package: &PackageProof,
    after: &PackageLeaf,
) -> Result<()> {
    after.invariant()?;
    let info = tree.to_account_info();
    let mut data = info.try_borrow_mut_data()?;
    replace_leaf(
        &mut data,
        &tree.key(),
        package.root,
        package.index,
        &package.leaf,
        after,
        &package.proof,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use spl_concurrent_merkle_tree::hash::recompute;

    fn leaf(i: u8) -> Node {
        [i + 1; 32]
    }

    #[test]
    fn the_account_is_the_size_the_cost_model_priced() {
        assert_eq!(PackageTree::HEADER_LEN, 112);
        assert_eq!(TREE_LEN, 4416);
        assert_eq!(CANOPY_LEN, 16320);
        assert_eq!(PackageTree::ACCOUNT_LEN, 20856);
        assert_eq!(PackageTree::TREE_OFFSET % 8, 0);
    }

    #[test]
    fn the_canopy_completes_every_proof_after_appends() {
        let mut tree = Box::new(PackageMerkleTree::new());
        tree.initialize().unwrap();
        let mut canopy = vec![0u8; CANOPY_LEN];
        let leaves: Vec<Node> = (0..40).map(leaf).collect();
        for l in &leaves {
            tree.append(*l).unwrap();
            update_canopy(&tree, &mut canopy);
        }
        // Reference proofs from a full tree built off chain.
        let mut level: Vec<Node> = leaves.clone();
        level.resize(TREE_CAPACITY as usize, EMPTY);
        let mut levels = vec![level.clone()];
        for _ in 0..TREE_DEPTH {
            let prev = levels.last().unwrap();
            let next: Vec<Node> = prev
                .chunks(2)
                .map(|p| {
                    let mut node = p[0];
                    spl_concurrent_merkle_tree::hash::hash_to_parent(&mut node, &p[1], true);
                    node
                })
                .collect();
            levels.push(next);
        }
        let root = levels[TREE_DEPTH][0];
        assert_eq!(root, tree.get_root());
        for (i, l) in leaves.iter().enumerate() {
            let proof: Vec<[u8; 32]> = (0..PROOF_LEN).map(|h| levels[h][(i >> h) ^ 1]).collect();
            let full = full_proof(&canopy, &proof, i as u32).unwrap();
            assert_eq!(recompute(*l, &full, i as u32), root, "leaf {i}");
        }
    }
}
