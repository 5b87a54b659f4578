//! # kushki-protocol
//!
//! One faithful model of Kushki's two card-present wire protocols, shared by the mocks and the
//! conformance steps:
//!
//! * the **raw card-present API** (`POST /pos/v1/transaction`, `POST /pos/v1/refund`, transaction
//!   search) that certified terminal apps speak to the acquirer, and
//! * **Kushki ONE Connect**, the signed and encrypted HTTP API a POS uses to drive a Sunmi terminal
//!   in Semi-Integrated mode (LAN port 6868, localhost, or the cloud relay).
//!
//! Every fact here comes from `shared/reference/kushki-api.md` ("the reference") or its addendum.
//! Where Kushki does not say, the harness decides; every such decision is listed, with the reason,
//! in `schemas/README.md`, and marked `harness-defined` where it is made in the code.
//!
//! # Layout
//!
//! * [`money`]: [`money::Amount`] in integer minor units with its [`money::Currency`]; the wire's
//!   `amount` objects parsed exactly (never through `f64`).
//! * [`raw`]: requests and responses of the raw card-present API, with the closed vocabularies
//!   ([`raw::TransactionMode`], [`raw::TransactionType`], [`raw::ReadingType`], [`raw::Country`]).
//! * [`connect`]: requests and responses of every Kushki ONE Connect operation, the async event
//!   envelope and print jobs.
//! * [`errors`]: the LinkFailure envelope, the raw API error body, and one catalog of codes.
//! * [`auth`]: Connect signing, verification, encryption and decryption (reference section 1.5).
//! * [`json_tree`]: a JSON body read in place ([`json_tree::Doc`]), what the raw API's hot path
//!   validates and types, with the decimal reading of its numbers' text.
//! * [`schemas`]: the JSON Schemas of `schemas/`, compiled once, with every violation's pointer;
//!   it reads [`json_tree`], never the other way round.
//! * [`catalog`]: test amounts and test cards, read from `schemas/catalog/*.json`.
//! * [`card_reads`]: the fake but well-formed card data a terminal's read produces (TLV, track 2,
//!   KSNs, PIN block), shared by the mock terminal and the steps.
//! * [`calendar`]: the [`calendar::Clock`] and each country's business day and cut-off.
//! * [`mask`]: redaction of card data and secrets for logs, journals and reports.
//! * [`relay`]: the frames of the cloud link between a terminal and the relay (harness-defined),
//!   with the other wire formats.

/// Declares a closed wire vocabulary: an enum whose `as_str`, `Display`, `FromStr` and serde
/// forms are exactly the wire spelling, with `ALL` listing every variant.
macro_rules! wire_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $wire)] $variant,)+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::UnknownVariant;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(crate::UnknownVariant { vocabulary: stringify!($name), found: s.to_string() }),
                }
            }
        }
    };
}

/// A string that is not one of a closed vocabulary's wire spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{found}` is not a valid {vocabulary}")]
pub struct UnknownVariant {
    /// The vocabulary's type name.
    pub vocabulary: &'static str,
    /// What was found instead.
    pub found: String,
}

pub mod auth;
pub mod calendar;
pub mod card_reads;
pub mod catalog;
pub mod connect;
pub mod errors;
pub mod json_tree;
pub mod mask;
pub mod money;
pub mod raw;
pub mod relay;
pub mod schemas;
