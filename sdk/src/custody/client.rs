//! Client.

use super::*;

/// Sends custody instructions, reading hop indices and lots from the ledger.
pub struct CustodyClient<'a> {
    pub ledger: &'a dyn Ledger,
    /// Pays transaction fees and the rent of created accounts.
    pub fee_payer: &'a Keypair,
}

impl<'a> CustodyClient<'a> {
    pub fn new(ledger: &'a dyn Ledger, fee_payer: &'a Keypair) -> Self {
        CustodyClient { ledger, fee_payer }
    }

    fn send(&self, signers: &[&Keypair], ixs: &[Instruction]) -> Result<TxOutcome> {
        send_instructions(self.ledger, self.fee_payer, signers, ixs)
    }

    fn unit(&self, unit: &Pubkey) -> Result<Unit> {
        fetch_unit(self.ledger, unit)?.ok_or_else(|| Error::not_found("unit", *unit))
    }

    /// Who paid the rent of `unit`'s pending hop (it gets the rent back when the hop closes);
    /// the fee payer when there is no pending hop (the program then refuses the instruction).
    fn hop_payer(&self, unit: &Pubkey, u: &Unit) -> Result<Pubkey> {
        Ok(fetch_hop(self.ledger, unit, u.hop_count)?
            .map(|h| h.payer)
            .unwrap_or_else(|| self.fee_payer.pubkey()))
    }

    fn lot_of(unit: &Unit) -> Option<Pubkey> {
        (unit.kind == UnitKind::Item).then_some(unit.lot)
    }

    /// The registry record of the company prefix a GTIN or SSCC falls under, or an error
    /// naming the code and the way to license its prefix.
    fn prefix_of(&self, key: &[u8]) -> Result<Pubkey> {
        crate::registry::find_prefix(self.ledger, key)?
            .map(|(address, _)| address)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "no GS1 company prefix in the registry covers {}: the registry authority \
                     licenses it first (`caretrail registry prefix assign PREFIX --holder WALLET`)",
                    String::from_utf8_lossy(key)
                ))
            })
    }

    pub fn register_lot(&self, manufacturer: &Keypair, args: RegisterLotArgs) -> Result<TxOutcome> {
        let prefix = self.prefix_of(&args.gtin)?;
        self.send(
            &[manufacturer],
            &[register_lot_ix(
                &manufacturer.pubkey(),
                &self.fee_payer.pubkey(),
                &prefix,
                args,
            )],
        )
    }

    pub fn commission(
        &self,
        manufacturer: &Keypair,
        lot: &Pubkey,
        serial_hashes: Vec<[u8; 32]>,
    ) -> Result<TxOutcome> {
        self.send(
            &[manufacturer],
            &[commission_units_ix(
                &manufacturer.pubkey(),
                &self.fee_payer.pubkey(),
                lot,
                serial_hashes,
            )],
        )
    }

    pub fn create_aggregate(
        &self,
        packer: &Keypair,
        sscc: [u8; SSCC_LEN],
        kind: UnitKind,
    ) -> Result<TxOutcome> {
        let prefix = self.prefix_of(&sscc)?;
        self.send(
            &[packer],
            &[create_aggregate_ix(
                &packer.pubkey(),
                &self.fee_payer.pubkey(),
                &prefix,
                sscc,
                kind,
            )],
        )
    }

    /// Packs children, passing the lots of the item children.
    pub fn aggregate(
        &self,
        packer: &Keypair,
        parent: &Pubkey,
        children: &[Pubkey],
    ) -> Result<TxOutcome> {
        let mut lots: Vec<Pubkey> = Vec::new();
        for c in children {
            if let Some(u) = fetch_unit(self.ledger, c)? {
                if let Some(l) = Self::lot_of(&u) {
                    if !lots.contains(&l) {
                        lots.push(l);
                    }
                }
            }
        }
        self.send(
            &[packer],
            &[aggregate_ix(&packer.pubkey(), parent, children, &lots)],
        )
    }

    pub fn disaggregate(
        &self,
        packer: &Keypair,
        parent: &Pubkey,
        children: &[Pubkey],
    ) -> Result<TxOutcome> {
        self.send(
            &[packer],
            &[disaggregate_ix(&packer.pubkey(), parent, children)],
        )
    }

    /// The holder closes the emptied case or pallet `sscc`: its rent goes back to the company
    /// that allocated the SSCC (the holder of its GS1 company prefix).
    pub fn close_aggregate(&self, holder: &Keypair, sscc: [u8; SSCC_LEN]) -> Result<TxOutcome> {
        let (prefix, record) =
            crate::registry::find_prefix(self.ledger, &sscc)?.ok_or_else(|| {
                Error::invalid(format!(
                    "no GS1 company prefix in the registry covers SSCC {}",
                    String::from_utf8_lossy(&sscc)
                ))
            })?;
        self.send(
            &[holder],
            &[close_aggregate_ix(
                &holder.pubkey(),
                sscc,
                &prefix,
                &record.holder,
            )],
        )
    }

    /// The ship instruction of `unit`'s next hop, and that hop's index.
    fn ship_instruction(
        &self,
        sender: &Keypair,
        receiver: &Pubkey,
        unit: &Pubkey,
        args: ShipArgs,
    ) -> Result<(Instruction, u32)> {
        let u = self.unit(unit)?;
        let ix = ship_ix(
            &self.fee_payer.pubkey(),
            &Shipment {
                sender: &sender.pubkey(),
                receiver,
                unit,
                hop_index: u.hop_count,
                lot: Self::lot_of(&u),
                args,
            },
        );
        Ok((ix, u.hop_count))
    }

    pub fn ship(
        &self,
        sender: &Keypair,
        receiver: &Pubkey,
        unit: &Pubkey,
        args: ShipArgs,
    ) -> Result<TxOutcome> {
        let (ix, _) = self.ship_instruction(sender, receiver, unit, args)?;
        self.send(&[sender], &[ix])
    }

    /// Ships with the sender's temperature logger readings: the shipment and the summary
    /// (minutes outside counted against the lot's storage condition) in one transaction.
    pub fn ship_with_sensor(
        &self,
        sender: &Keypair,
        receiver: &Pubkey,
        unit: &Pubkey,
        args: ShipArgs,
        readings: &super::cold_chain::Readings,
    ) -> Result<TxOutcome> {
        let (_, summary) = super::cold_chain::summary_for(self.ledger, unit, readings)?;
        let (ship, hop) = self.ship_instruction(sender, receiver, unit, args)?;
        let record = record_sensor_ix(&sender.pubkey(), unit, hop, summary);
        self.send(&[sender], &[ship, record])
    }

    pub fn receive(&self, receiver: &Keypair, unit: &Pubkey) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        let payer = self.hop_payer(unit, &u)?;
        let hop = PendingHop {
            unit,
            hop_index: u.hop_count,
            payer: &payer,
        };
        self.send(
            &[receiver],
            &[receive_ix(&receiver.pubkey(), &hop, Self::lot_of(&u))],
        )
    }

    /// Receives with a temperature logger's readings: the summary is checked on chain against
    /// the lot's storage condition, and an excursion quarantines the unit at receipt.
    pub fn receive_with_sensor(
        &self,
        receiver: &Keypair,
        unit: &Pubkey,
        readings: &super::cold_chain::Readings,
    ) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        let payer = self.hop_payer(unit, &u)?;
        let hop = PendingHop {
            unit,
            hop_index: u.hop_count,
            payer: &payer,
        };
        let (governing, summary) = super::cold_chain::summary_for(self.ledger, unit, readings)?;
        self.send(
            &[receiver],
            &[receive_with_sensor_ix(
                &receiver.pubkey(),
                &hop,
                &governing,
                summary,
            )],
        )
    }

    /// The sender records its logger's summary with the unit's pending hop.
    pub fn record_sensor(
        &self,
        sender: &Keypair,
        unit: &Pubkey,
        summary: SensorSummary,
    ) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        self.send(
            &[sender],
            &[record_sensor_ix(
                &sender.pubkey(),
                unit,
                u.hop_count,
                summary,
            )],
        )
    }

    /// The lot's manufacturer sets its storage condition.
    pub fn set_storage_condition(
        &self,
        manufacturer: &Keypair,
        lot: &Pubkey,
        args: StorageConditionArgs,
    ) -> Result<TxOutcome> {
        self.send(
            &[manufacturer],
            &[set_storage_condition_ix(&manufacturer.pubkey(), lot, args)],
        )
    }

    pub fn refuse(&self, receiver: &Keypair, unit: &Pubkey, reason_code: u16) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        let payer = self.hop_payer(unit, &u)?;
        let hop = PendingHop {
            unit,
            hop_index: u.hop_count,
            payer: &payer,
        };
        self.send(
            &[receiver],
            &[refuse_ix(&receiver.pubkey(), &hop, reason_code)],
        )
    }

    pub fn flag_suspect(
        &self,
        flagger: &Keypair,
        unit: &Pubkey,
        reason_code: u16,
    ) -> Result<TxOutcome> {
        self.send(
            &[flagger],
            &[flag_suspect_ix(&flagger.pubkey(), unit, reason_code)],
        )
    }

    /// Who quarantined `unit` (its quarantine record's flagger), or the investigator itself
    /// when the unit has no record (the program then answers `NotQuarantined`).
    fn flagger_of(&self, unit: &Pubkey, investigator: &Pubkey) -> Result<Pubkey> {
        Ok(fetch_quarantine(self.ledger, unit)?
            .map(|q| q.flagged_by)
            .unwrap_or(*investigator))
    }

    pub fn clear_suspect(&self, investigator: &Keypair, unit: &Pubkey) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        let flagger = self.flagger_of(unit, &investigator.pubkey())?;
        self.send(
            &[investigator],
            &[clear_suspect_ix(
                &investigator.pubkey(),
                unit,
                Self::lot_of(&u),
                &flagger,
            )],
        )
    }

    /// The sender takes back a shipment its receiver left unanswered past the timeout.
    pub fn cancel_shipment(&self, sender: &Keypair, unit: &Pubkey) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        let payer = self.hop_payer(unit, &u)?;
        let hop = PendingHop {
            unit,
            hop_index: u.hop_count,
            payer: &payer,
        };
        self.send(&[sender], &[cancel_shipment_ix(&sender.pubkey(), &hop)])
    }

    pub fn declare_illegitimate(
        &self,
        investigator: &Keypair,
        unit: &Pubkey,
        reason_code: u16,
    ) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        let flagger = self.flagger_of(unit, &investigator.pubkey())?;
        self.send(
            &[investigator],
            &[declare_illegitimate_ix(
                &investigator.pubkey(),
                unit,
                Self::lot_of(&u),
                &flagger,
                reason_code,
            )],
        )
    }

    pub fn recall_lot(
        &self,
        authority: &Keypair,
        lot: &Pubkey,
        reason_code: u16,
    ) -> Result<TxOutcome> {
        self.send(
            &[authority],
            &[recall_lot_ix(&authority.pubkey(), lot, reason_code)],
        )
    }

    pub fn dispense(&self, dispenser: &Keypair, unit: &Pubkey) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        self.send(
            &[dispenser],
            &[dispense_ix(&dispenser.pubkey(), unit, &u.lot)],
        )
    }

    pub fn decommission(
        &self,
        holder: &Keypair,
        unit: &Pubkey,
        destroyed: bool,
        reason_code: u16,
    ) -> Result<TxOutcome> {
        self.send(
            &[holder],
            &[decommission_ix(
                &holder.pubkey(),
                unit,
                destroyed,
                reason_code,
            )],
        )
    }
}
