//! Identifiers and the injected id generator (T2, I2).

use std::fmt;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Longest id accepted, in bytes.
pub const MAX_ID_LEN: usize = 128;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $entity:literal) => {
        $(#[$doc])*
        ///
        /// Ids are 1–128 bytes of ASCII letters, digits and `_ - . : @`; short ids are stored
        /// inline without a heap allocation.
        #[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(CompactString);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Checks the id's length and characters.
            pub fn validate(&self, field: &str) -> Result<(), Error> {
                validate_id(&self.0, field, $entity)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(CompactString::from(s))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(CompactString::from(s))
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

id_type!(
    /// A resource's id, chosen by the caller (e.g. `desk-12`).
    ResourceId,
    "resource"
);
id_type!(
    /// A booking's id, made by the engine's [`IdGenerator`].
    BookingId,
    "booking"
);
id_type!(
    /// A member's id, chosen by the caller (the engine keeps no member table).
    MemberId,
    "member"
);

fn validate_id(id: &str, field: &str, entity: &str) -> Result<(), Error> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(Error::invalid_input(
            field,
            format!("a {entity} id must be 1 to {MAX_ID_LEN} bytes long"),
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_-.:@".contains(c);
    if !id.chars().all(allowed) {
        return Err(Error::invalid_input(
            field,
            format!("{entity} id `{id}` may only hold ASCII letters, digits and _ - . : @"),
        ));
    }
    Ok(())
}

/// Makes booking ids. The engine passes a number from the store's durable sequence, which
/// is unique even with several processes on one store, so a generator that derives the id
/// from it never collides. Ids must be deterministic for I2: no randomness, no clock.
pub trait IdGenerator: Send {
    /// The id of the booking numbered `sequence`.
    fn booking_id(&mut self, sequence: u64) -> BookingId;
}

/// The default generator: `bk_1`, `bk_2`, … (or another prefix).
#[derive(Clone, Debug)]
pub struct SequentialIds {
    prefix: CompactString,
}

impl SequentialIds {
    /// Ids of the form `{prefix}{sequence}`.
    pub fn with_prefix(prefix: &str) -> Self {
        SequentialIds {
            prefix: prefix.into(),
        }
    }
}

impl Default for SequentialIds {
    fn default() -> Self {
        SequentialIds::with_prefix("bk_")
    }
}

impl IdGenerator for SequentialIds {
    fn booking_id(&mut self, sequence: u64) -> BookingId {
        let mut id = self.prefix.clone();
        id.push_str(itoa_u64(sequence).as_str());
        BookingId(id)
    }
}

fn itoa_u64(n: u64) -> CompactString {
    use std::fmt::Write;
    let mut s = CompactString::default();
    let _ = write!(s, "{n}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_ids() {
        assert!(ResourceId::from("desk-1").validate("id").is_ok());
        assert!(ResourceId::from("").validate("id").is_err());
        assert!(ResourceId::from("desk 1").validate("id").is_err());
        assert!(ResourceId::from("x".repeat(129)).validate("id").is_err());
    }

    #[test]
    fn sequential_ids() {
        let mut ids = SequentialIds::default();
        assert_eq!(ids.booking_id(7).as_str(), "bk_7");
    }
}
