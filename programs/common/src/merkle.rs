//! Merkle trees over 32-byte leaves: what the `records` and `trials` programs anchor (a root
//! for many records or a whole data snapshot in one small account) and check (a proof that a
//! leaf is under an anchored root).
//!
//! - Leaves and inner nodes are hashed in different domains (`0x00 ‖ …`, `0x01 ‖ …`), so an
//!   inner node can never pass for a leaf (the second-preimage attack on plain Merkle trees).
//! - Pairs are hashed in sorted order: a proof is just the siblings from the leaf up, with no
//!   left/right flags.
//! - An odd node at the end of a level is carried up unchanged (never paired with itself, so no
//!   two different leaf lists share a root by duplicating the last leaf).
//!
//! The same functions run on chain (proof checks) and in the SDK (building trees and proofs).

/// Longest proof a program accepts: trees of up to 2²⁴ (16.7 million) leaves.
pub const MAX_PROOF_LEN: usize = 24;

/// Most leaves a tree may have (2^[`MAX_PROOF_LEN`]).
pub const MAX_LEAVES: u32 = 1 << MAX_PROOF_LEN;

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    solana_sha256_hasher::hashv(parts).to_bytes()
}

/// A record version's leaf: `sha256(0x00 ‖ "caretrail:record:v1" ‖ record commitment ‖ version
/// (u32 LE) ‖ content hash ‖ previous version's leaf)`; `previous` is all zeros for version 1.
pub fn record_leaf(
    record: &[u8; 32],
    version: u32,
    content: &[u8; 32],
    previous: &[u8; 32],
) -> [u8; 32] {
    sha256(&[
        &[0],
        b"caretrail:record:v1",
        record,
        &version.to_le_bytes(),
        content,
        previous,
    ])
}

/// A data item's leaf (a trial's data snapshot): `sha256(0x00 ‖ "caretrail:data:v1" ‖ item
/// hash)`.
pub fn data_leaf(item: &[u8; 32]) -> [u8; 32] {
    sha256(&[&[0], b"caretrail:data:v1", item])
}

/// An inner node: `sha256(0x01 ‖ min(a, b) ‖ max(a, b))`.
pub fn node(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    sha256(&[&[1], lo, hi])
}

/// Does `proof` lead from `leaf` to `root`? Proofs longer than [`MAX_PROOF_LEN`] are refused.
pub fn verify(leaf: &[u8; 32], proof: &[[u8; 32]], root: &[u8; 32]) -> bool {
    if proof.len() > MAX_PROOF_LEN {
        return false;
    }
    let mut h = *leaf;
    for sibling in proof {
        h = node(&h, sibling);
    }
    h == *root
}

/// The next level up: pairs hashed, an odd last node carried up.
#[cfg(not(target_os = "solana"))]
fn level_up(level: &[[u8; 32]]) -> Vec<[u8; 32]> {
    level
        .chunks(2)
        .map(|pair| match pair {
            [a, b] => node(a, b),
            [a] => *a,
            _ => unreachable!("chunks(2)"),
        })
        .collect()
}

/// Every level of the tree over `leaves`, from the leaves up to the root (empty for no leaves).
/// Off chain only: build it once, then take the root and every proof from it.
#[cfg(not(target_os = "solana"))]
pub fn levels(leaves: &[[u8; 32]]) -> Vec<Vec<[u8; 32]>> {
    let mut out = Vec::new();
    if leaves.is_empty() {
        return out;
    }
    out.push(leaves.to_vec());
    while out.last().is_some_and(|l| l.len() > 1) {
        let next = level_up(out.last().expect("a level"));
        out.push(next);
    }
    out
}

/// The proof of leaf `index` from the tree's [`levels`] (siblings from the leaf up).
#[cfg(not(target_os = "solana"))]
pub fn proof_in(levels: &[Vec<[u8; 32]>], mut index: usize) -> Option<Vec<[u8; 32]>> {
    if index >= levels.first()?.len() {
        return None;
    }
    let mut path = Vec::new();
    for level in &levels[..levels.len() - 1] {
        if let Some(sibling) = level.get(index ^ 1) {
            path.push(*sibling);
        }
        index /= 2;
    }
    Some(path)
}

/// The root of `leaves` (`None` for no leaves). Off chain only.
#[cfg(not(target_os = "solana"))]
pub fn root(leaves: &[[u8; 32]]) -> Option<[u8; 32]> {
    levels(leaves).last().map(|l| l[0])
}

/// The proof of `leaves[index]` (siblings from the leaf up). Off chain only; for many proofs
/// of one tree, build its [`levels`] once and use [`proof_in`].
#[cfg(not(target_os = "solana"))]
pub fn proof(leaves: &[[u8; 32]], index: usize) -> Option<Vec<[u8; 32]>> {
    proof_in(&levels(leaves), index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<[u8; 32]> {
        (0..n)
            .map(|i| data_leaf(&sha256(&[&(i as u64).to_le_bytes()])))
            .collect()
    }

    #[test]
    fn every_leaf_of_every_size_proves_and_nothing_else_does() {
        for n in 1..=33 {
            let l = leaves(n);
            let r = root(&l).unwrap();
            for i in 0..n {
                let p = proof(&l, i).unwrap();
                assert!(p.len() <= 6, "{n} leaves: proof of {} nodes", p.len());
                assert!(verify(&l[i], &p, &r), "{n} leaves, leaf {i}");
                let mut other = l[i];
                other[0] ^= 1;
                assert!(!verify(&other, &p, &r), "an altered leaf");
            }
        }
        assert_eq!(root(&[]), None);
        assert_eq!(proof(&leaves(3), 3), None);
        let one = leaves(1);
        assert_eq!(root(&one), Some(one[0]), "a single leaf is its own root");
    }

    #[test]
    fn an_inner_node_is_not_a_leaf_and_the_last_leaf_is_not_duplicated() {
        let l = leaves(4);
        let r = root(&l).unwrap();
        // The inner node over leaves 0 and 1, presented as a leaf with the other half as proof.
        let inner = node(&l[0], &l[1]);
        let upper = node(&l[2], &l[3]);
        assert_eq!(node(&inner, &upper), r);
        assert_ne!(data_leaf(&inner), inner, "leaves live in their own domain");
        // Duplicating the last leaf of an odd list gives another root.
        let three = leaves(3);
        let mut four = three.clone();
        four.push(three[2]);
        assert_ne!(root(&three), root(&four));
    }

    #[test]
    fn record_leaves_bind_every_field() {
        let base = record_leaf(&[1; 32], 1, &[2; 32], &[0; 32]);
        assert_ne!(base, record_leaf(&[9; 32], 1, &[2; 32], &[0; 32]));
        assert_ne!(base, record_leaf(&[1; 32], 2, &[2; 32], &[0; 32]));
        assert_ne!(base, record_leaf(&[1; 32], 1, &[9; 32], &[0; 32]));
        assert_ne!(base, record_leaf(&[1; 32], 1, &[2; 32], &[9; 32]));
        assert_ne!(data_leaf(&[2; 32]), base);
        assert!(!verify(&base, &[[0; 32]; MAX_PROOF_LEN + 1], &base));
    }
}
