//! caretrail **custody**: DSCSA-grade serialized drug custody: lots, units, aggregation and custody hops.
//!
//! A `Lot` per GTIN and lot number; a `Unit` per serialized package (addressed by
//! `sha256(gtin ‖ serial)`, the serial never stored) or SSCC case/pallet; a `Hop` per custody
//! transfer, as a ship → receive handshake between registered trading partners, folded into a
//! per-unit hash chain. Aggregates move their contents in one hop. Suspect units are
//! quarantined, lots recalled, items dispensed: each state change emits an event an EPCIS 2.0
//! exporter turns into ObjectEvents and AggregationEvents.
#![allow(unexpected_cfgs)]

// SBPF v3 builds with upstream LLVM (feature `sbpf-upstream`, scripts/build-sbf.sh) get the
// compiler libcalls from this crate; platform-tools builds (`anchor build`) do not use it.
#[cfg(all(target_os = "solana", feature = "sbpf-upstream"))]
extern crate solana_compiler_builtins;

use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
pub mod instructions;
pub mod state;
pub mod utils;

pub use instructions::*;
pub use state::{SensorSummary, UnitKind};

declare_id!("43vfUs8aHqd4UTat9WemT6PKLNBeiM2pXi77DVw74ZQd");

caretrail_common::safe_math!(crate::error::CustodyError::MathOverflow);

#[cfg(not(feature = "no-entrypoint"))]
solana_security_txt::security_txt! {
    name: "caretrail custody",
    project_url: "https://github.com/caretrail/caretrail",
    contacts: "email:security@caretrail.dev",
    policy: "https://github.com/caretrail/caretrail/blob/main/SECURITY.md",
    source_code: "https://github.com/caretrail/caretrail",
    auditors: "none yet"
}

#[program]
pub mod custody {
    use super::*;

    /// A manufacturer or repackager registers a lot of a GTIN.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn register_lot(ctx: Context<RegisterLot>, args: RegisterLotArgs) -> Result<()> {
        RegisterLot::handler(ctx, args)
    }

    /// Commissions serialized units of a lot (unit PDAs as remaining accounts).
    #[access_control(ctx.accounts.validate(&serial_hashes, ctx.remaining_accounts))]
    pub fn commission_units<'info>(
        ctx: Context<'info, CommissionUnits<'info>>,
        serial_hashes: Vec<[u8; 32]>,
    ) -> Result<()> {
        CommissionUnits::handler(ctx, serial_hashes)
    }

    /// Creates an empty case or pallet identified by its SSCC.
    #[access_control(ctx.accounts.validate(&sscc, kind))]
    pub fn create_aggregate(
        ctx: Context<CreateAggregate>,
        sscc: [u8; 18],
        kind: UnitKind,
    ) -> Result<()> {
        CreateAggregate::handler(ctx, sscc, kind)
    }

    /// The holder of an emptied case or pallet closes it; the rent goes to the holder of its
    /// SSCC's company prefix.
    #[access_control(ctx.accounts.validate(&sscc))]
    pub fn close_aggregate(ctx: Context<CloseAggregate>, sscc: [u8; 18]) -> Result<()> {
        CloseAggregate::handler(ctx, sscc)
    }

    /// Packs children (remaining accounts, then their lots) into an aggregate.
    #[access_control(ctx.accounts.validate(child_count, ctx.remaining_accounts))]
    pub fn aggregate<'info>(ctx: Context<'info, Aggregate<'info>>, child_count: u8) -> Result<()> {
        Aggregate::handler(ctx, child_count)
    }

    /// Unpacks children (remaining accounts) from an aggregate.
    #[access_control(ctx.accounts.validate(ctx.remaining_accounts))]
    pub fn disaggregate<'info>(ctx: Context<'info, Disaggregate<'info>>) -> Result<()> {
        Disaggregate::handler(ctx)
    }

    /// The holder ships a unit to an authorized trading partner.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn ship(ctx: Context<Ship>, args: ShipArgs) -> Result<()> {
        Ship::handler(ctx, args)
    }

    /// The addressee receives a unit in transit: custody moves, the chain head advances.
    #[access_control(ctx.accounts.validate_receive())]
    pub fn receive(ctx: Context<Receive>) -> Result<()> {
        Receive::receive(ctx)
    }

    /// The addressee refuses a unit in transit: custody stays with the sender.
    #[access_control(ctx.accounts.validate_refuse())]
    pub fn refuse(ctx: Context<Receive>, reason_code: u16) -> Result<()> {
        Receive::refuse(ctx, reason_code)
    }

    /// The sender takes back a shipment left unanswered past the timeout.
    #[access_control(ctx.accounts.validate())]
    pub fn cancel_shipment(ctx: Context<CancelShipment>) -> Result<()> {
        CancelShipment::handler(ctx)
    }

    /// A holder or regulator quarantines a suspect unit.
    #[access_control(ctx.accounts.validate())]
    pub fn flag_suspect(ctx: Context<FlagSuspect>, reason_code: u16) -> Result<()> {
        FlagSuspect::handler(ctx, reason_code)
    }

    /// The party that quarantined a unit, or a regulator, clears it.
    #[access_control(ctx.accounts.validate_clear())]
    pub fn clear_suspect(ctx: Context<ResolveSuspect>) -> Result<()> {
        ResolveSuspect::clear(ctx)
    }

    /// A regulator or the manufacturer declares a suspect unit illegitimate.
    #[access_control(ctx.accounts.validate())]
    pub fn declare_illegitimate(ctx: Context<ResolveSuspect>, reason_code: u16) -> Result<()> {
        ResolveSuspect::declare_illegitimate(ctx, reason_code)
    }

    /// The manufacturer or a regulator recalls a lot.
    #[access_control(ctx.accounts.validate())]
    pub fn recall_lot(ctx: Context<RecallLot>, reason_code: u16) -> Result<()> {
        RecallLot::handler(ctx, reason_code)
    }

    /// A dispenser dispenses an item it holds.
    #[access_control(ctx.accounts.validate())]
    pub fn dispense(ctx: Context<Dispense>) -> Result<()> {
        Dispense::handler(ctx)
    }

    /// The holder decommissions or destroys a unit.
    #[access_control(ctx.accounts.validate())]
    pub fn decommission(
        ctx: Context<Decommission>,
        destroyed: bool,
        reason_code: u16,
    ) -> Result<()> {
        Decommission::handler(ctx, destroyed, reason_code)
    }

    /// A lot's manufacturer sets its storage condition (a temperature range).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn set_storage_condition(
        ctx: Context<SetStorageCondition>,
        args: StorageConditionArgs,
    ) -> Result<()> {
        SetStorageCondition::handler(ctx, args)
    }

    /// The sender records a temperature logger's summary with the pending hop.
    #[access_control(ctx.accounts.validate(&summary))]
    pub fn record_sensor(ctx: Context<RecordSensor>, summary: SensorSummary) -> Result<()> {
        RecordSensor::handler(ctx, summary)
    }

    /// The addressee receives with its logger's summary; an excursion from the lot's storage
    /// condition quarantines the unit at receipt.
    #[access_control(ctx.accounts.validate(ctx.remaining_accounts, &summary))]
    pub fn receive_with_sensor<'info>(
        ctx: Context<'info, ReceiveWithSensor<'info>>,
        summary: SensorSummary,
    ) -> Result<()> {
        ReceiveWithSensor::handler(ctx, summary)
    }

    /// The addressee receives a case or pallet carrying compressed packages with its logger's
    /// summary, checked against the condition of the lot of a package proven to travel in it.
    #[access_control(ctx.accounts.validate(&summary))]
    pub fn receive_with_package_sensor<'info>(
        ctx: Context<'info, ReceiveWithPackageSensor<'info>>,
        package: PackageProof,
        summary: SensorSummary,
    ) -> Result<()> {
        ReceiveWithPackageSensor::handler(ctx, package, summary)
    }

    /// The addressee receives a loose compressed package with its logger's summary; an
    /// excursion from its lot's storage condition quarantines it at receipt.
    #[access_control(ctx.accounts.validate(&package, &summary))]
    pub fn receive_package_with_sensor(
        ctx: Context<ReceivePackageWithSensor>,
        package: PackageProof,
        summary: SensorSummary,
    ) -> Result<()> {
        ReceivePackageWithSensor::handler(ctx, package, summary)
    }

    /// The manufacturer initializes a package tree for a lot (compressed packages: the
    /// packages are leaves of a concurrent Merkle tree, `state::package_tree`).
    #[access_control(ctx.accounts.validate())]
    pub fn create_package_tree(ctx: Context<CreatePackageTree>) -> Result<()> {
        CreatePackageTree::handler(ctx)
    }

    /// Commissions packages into a lot's package tree (serial hashes strictly ascending).
    #[access_control(ctx.accounts.validate(&serial_hashes))]
    pub fn commission_packages(
        ctx: Context<CommissionPackages>,
        serial_hashes: Vec<[u8; 32]>,
    ) -> Result<()> {
        CommissionPackages::handler(ctx, serial_hashes)
    }

    /// The holder ships a compressed package (its state and proof in `args.package`).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn ship_package(ctx: Context<ShipPackage>, args: ShipPackageArgs) -> Result<()> {
        ShipPackage::handler(ctx, args)
    }

    /// The addressee receives a compressed package in transit; the hop closes, its rent back
    /// to its payer.
    #[access_control(ctx.accounts.validate_receive(&package))]
    pub fn receive_package(ctx: Context<ReceivePackage>, package: PackageProof) -> Result<()> {
        ReceivePackage::handler(ctx, package, true, 0)
    }

    /// The addressee refuses a compressed package in transit: it stays with the sender; the
    /// hop closes, its rent back to its payer.
    #[access_control(ctx.accounts.validate_refuse(&package))]
    pub fn refuse_package(
        ctx: Context<ReceivePackage>,
        package: PackageProof,
        reason_code: u16,
    ) -> Result<()> {
        ReceivePackage::handler(ctx, package, false, reason_code)
    }

    /// The sender takes back a compressed package left unanswered past the timeout.
    #[access_control(ctx.accounts.validate(&package))]
    pub fn cancel_package_shipment(
        ctx: Context<CancelPackageShipment>,
        package: PackageProof,
    ) -> Result<()> {
        CancelPackageShipment::handler(ctx, package)
    }

    /// The holder of a top-level case or pallet unpacks compressed packages from it.
    #[access_control(ctx.accounts.validate(&packages))]
    pub fn unpack_packages(
        ctx: Context<UnpackPackages>,
        packages: Vec<PackageProof>,
    ) -> Result<()> {
        UnpackPackages::handler(ctx, packages)
    }

    /// A dispenser dispenses a compressed package it holds.
    #[access_control(ctx.accounts.validate(&package))]
    pub fn dispense_package(ctx: Context<DispensePackage>, package: PackageProof) -> Result<()> {
        DispensePackage::handler(ctx, package)
    }

    /// A holder or regulator quarantines a suspect compressed package.
    #[access_control(ctx.accounts.validate(&package))]
    pub fn flag_package(
        ctx: Context<FlagPackage>,
        package: PackageProof,
        reason_code: u16,
    ) -> Result<()> {
        FlagPackage::handler(ctx, package, reason_code)
    }

    /// The party that quarantined a compressed package, or a regulator, clears it.
    #[access_control(ctx.accounts.validate_clear(&package))]
    pub fn clear_package(ctx: Context<ResolvePackage>, package: PackageProof) -> Result<()> {
        ResolvePackage::clear(ctx, package)
    }

    /// A regulator or the lot's manufacturer declares a quarantined compressed package
    /// illegitimate.
    #[access_control(ctx.accounts.validate_illegitimate(&package))]
    pub fn declare_package_illegitimate(
        ctx: Context<ResolvePackage>,
        package: PackageProof,
        reason_code: u16,
    ) -> Result<()> {
        ResolvePackage::declare_illegitimate(ctx, package, reason_code)
    }

    /// The holder decommissions or destroys a compressed package.
    #[access_control(ctx.accounts.validate(&package))]
    pub fn decommission_package(
        ctx: Context<DecommissionPackage>,
        package: PackageProof,
        destroyed: bool,
        reason_code: u16,
    ) -> Result<()> {
        DecommissionPackage::handler(ctx, package, destroyed, reason_code)
    }
}
