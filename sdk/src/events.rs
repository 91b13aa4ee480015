//! caretrail events, decoded from transaction logs.
//!
//! Programs emit Anchor events (`Program data: <base64>` lines, discriminator + Borsh). The log
//! parser tracks the program invocation stack (`Program <id> invoke [n]` … `success`/`failed`)
//! and only decodes data emitted by a caretrail program while it is the running program, so no
//! other program can forge a caretrail event. On the embedded ledger, where programs run
//! natively, the same bytes arrive as `Program log: Program data: <base64>` (see
//! `caretrail_common::event`); that form is accepted only for logs of the embedded ledger.

use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::{engine::general_purpose::STANDARD, Engine};
use solana_sdk::pubkey::Pubkey;
use std::str::FromStr;

macro_rules! event_enum {
    ($(#[$meta:meta])* $name:ident, $krate:ident, [$($ev:ident),* $(,)?]) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum $name {
            $($ev($krate::events::$ev)),*
        }

        impl $name {
            /// Decodes `discriminator ‖ borsh` event bytes of this program.
            pub fn decode(data: &[u8]) -> Option<Self> {
                $(
                    let disc = <$krate::events::$ev as Discriminator>::DISCRIMINATOR;
                    if data.starts_with(disc) {
                        let mut rest = &data[disc.len()..];
                        return <$krate::events::$ev as AnchorDeserialize>::deserialize(&mut rest).ok().map($name::$ev);
                    }
                )*
                None
            }

            /// The event's name (its Rust type name).
            pub fn name(&self) -> &'static str {
                match self {
                    $($name::$ev(_) => stringify!($ev)),*
                }
            }
        }
    };
}

event_enum!(
    /// Events of the registry program.
    RegistryEvent,
    registry,
    [
        RegistryInitialized,
        AuthorityProposed,
        AuthorityAccepted,
        ParticipantRegistered,
        ParticipantUpdated,
        ParticipantSuspended,
        ParticipantReinstated,
        ParticipantRevoked,
    ]
);

event_enum!(
    /// Events of the consent program.
    ConsentEvent,
    consent,
    [
        GrantCreated,
        GrantApproved,
        GrantRejected,
        GrantAmended,
        GrantRevoked,
        GrantClosed,
        DelegateSet,
        DelegateRemoved,
        EmergencyReviewed,
        AccessRecorded,
        AnchoredVersionRead,
    ]
);

event_enum!(
    /// Events of the custody program.
    CustodyEvent,
    custody,
    [
        LotRegistered,
        UnitsCommissioned,
        AggregateCreated,
        Packed,
        Unpacked,
        Shipped,
        Received,
        Refused,
        ShipmentCancelled,
        SuspectFlagged,
        SuspectCleared,
        DeclaredIllegitimate,
        LotRecalled,
        Dispensed,
        Decommissioned,
        StorageConditionSet,
        SensorRecorded,
        PackageTreeCreated,
        PackagesCommissioned,
        PackageShipped,
        PackageHopCompleted,
        PackagesUnpacked,
        PackageDispensed,
        AggregateClosed,
        PackageStatusChanged,
        PackageShipmentCancelled,
        PackageSensorRecorded,
    ]
);

event_enum!(
    /// Events of the claims program.
    ClaimsEvent,
    claims,
    [
        PayerInitialized,
        VaultFunded,
        CoverageEnrolled,
        ClaimSubmitted,
        ClaimStatusChanged,
        ClaimPaid,
        PaymentReversed,
    ]
);

event_enum!(RecordsEvent, records, [BatchAnchored, VersionSuperseded]);

event_enum!(
    TrialsEvent,
    trials,
    [
        TrialRegistered,
        SiteAdded,
        EnrolmentOpened,
        TrialAmended,
        ParticipantEnrolled,
        DataLocked,
        ResultsReported,
    ]
);

/// Any caretrail event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaretrailEvent {
    Registry(RegistryEvent),
    Consent(ConsentEvent),
    Custody(CustodyEvent),
    Claims(ClaimsEvent),
    Records(RecordsEvent),
    Trials(TrialsEvent),
}

impl CaretrailEvent {
    /// Decodes event bytes emitted by `program`.
    pub fn decode(program: &Pubkey, data: &[u8]) -> Option<CaretrailEvent> {
        match *program {
            p if p == registry::ID => RegistryEvent::decode(data).map(CaretrailEvent::Registry),
            p if p == consent::ID => ConsentEvent::decode(data).map(CaretrailEvent::Consent),
            p if p == custody::ID => CustodyEvent::decode(data).map(CaretrailEvent::Custody),
            p if p == claims::ID => ClaimsEvent::decode(data).map(CaretrailEvent::Claims),
            p if p == records::ID => RecordsEvent::decode(data).map(CaretrailEvent::Records),
            p if p == trials::ID => TrialsEvent::decode(data).map(CaretrailEvent::Trials),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            CaretrailEvent::Registry(e) => e.name(),
            CaretrailEvent::Consent(e) => e.name(),
            CaretrailEvent::Custody(e) => e.name(),
            CaretrailEvent::Claims(e) => e.name(),
            CaretrailEvent::Records(e) => e.name(),
            CaretrailEvent::Trials(e) => e.name(),
        }
    }
}

/// Decodes the caretrail events in a transaction's logs (see the module docs).
pub fn parse_logs(logs: &[String], embedded: bool) -> Vec<CaretrailEvent> {
    let mut stack: Vec<Pubkey> = Vec::new();
    let mut events = Vec::new();
    for line in logs {
        if let Some(payload) = line.strip_prefix("Program data: ").or_else(|| {
            if embedded {
                line.strip_prefix("Program log: Program data: ")
            } else {
                None
            }
        }) {
            let Some(program) = stack.last() else {
                continue;
            };
            for chunk in payload.split(' ') {
                if let Ok(bytes) = STANDARD.decode(chunk) {
                    if let Some(ev) = CaretrailEvent::decode(program, &bytes) {
                        events.push(ev);
                    }
                }
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("Program ") {
            let mut parts = rest.split(' ');
            let (Some(id), Some(word)) = (parts.next(), parts.next()) else {
                continue;
            };
            match word {
                "invoke" => {
                    if let Ok(p) = Pubkey::from_str(id) {
                        stack.push(p);
                    }
                }
                "success" | "failed:" | "failed" => {
                    stack.pop();
                }
                _ => {}
            }
        }
    }
    events
}
