//! Reading caretrail's Anchor accounts from any [`Ledger`]: decode with the discriminator
//! checked, fetch only when the expected program owns the address.

use crate::ledger::Ledger;
use crate::Result;
use anchor_lang::AccountDeserialize;
use solana_sdk::pubkey::Pubkey;

/// Decodes an Anchor account of type `T` (discriminator checked).
pub fn decode<T: AccountDeserialize>(data: &[u8]) -> Option<T> {
    let mut slice = data;
    T::try_deserialize(&mut slice).ok()
}

/// Fetches and decodes an Anchor account of type `T`, if it exists and `owner` owns it.
pub fn fetch_owned<T: AccountDeserialize>(
    ledger: &dyn Ledger,
    address: &Pubkey,
    owner: &Pubkey,
) -> Result<Option<T>> {
    Ok(ledger
        .get_account(address)?
        .filter(|a| a.owner == *owner)
        .and_then(|a| decode(&a.data)))
}
