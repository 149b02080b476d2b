//! Idempotency keys (B8, I3): a retried command with the same key returns the first result
//! and changes nothing; the same key with a different request is `idempotency_key_reused`.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::EngineConfig;
use crate::error::{Error, ErrorCode, ErrorDetails, Result};
use crate::limits::MAX_SHORT_TEXT;
use crate::store::{IdempotencyRecord, StoreRead, Transaction};
use crate::time::Timestamp;

pub(super) struct Claim {
    key: String,
    fingerprint: String,
}

impl Claim {
    /// Validates the key and fingerprints the command: its name and every field but the key.
    pub fn new<C: Serialize>(command: &str, key: &str, input: &C) -> Result<Self> {
        if key.is_empty() || key.len() > MAX_SHORT_TEXT {
            return Err(Error::invalid_input(
                "idempotency_key",
                format!("an idempotency key must be 1 to {MAX_SHORT_TEXT} bytes"),
            ));
        }
        let mut value = serde_json::to_value(input)
            .map_err(|e| Error::internal(format!("command does not serialise: {e}")))?;
        if let Some(fields) = value.as_object_mut() {
            fields.remove("idempotency_key");
        }
        let mut hasher = Fnv1a::default();
        hasher.write(command.as_bytes());
        hasher.write(&[0]);
        hasher.write(value.to_string().as_bytes());
        Ok(Claim {
            key: key.to_owned(),
            fingerprint: format!("{:016x}", hasher.0),
        })
    }

    /// The stored result when this key was used for the same request within the
    /// retention; an error when it was used for another request.
    pub fn replay<T: DeserializeOwned>(
        &self,
        tx: &dyn StoreRead,
        now: Timestamp,
        config: &EngineConfig,
    ) -> Result<Option<T>> {
        let Some(record) = tx.idempotency(&self.key)? else {
            return Ok(None);
        };
        if record
            .created_at
            .add_secs(config.idempotency_retention_secs)
            <= now
        {
            return Ok(None);
        }
        if record.fingerprint != self.fingerprint {
            return Err(Error::new(
                ErrorCode::IdempotencyKeyReused,
                format!(
                    "idempotency key `{}` was used for a different request",
                    self.key
                ),
                ErrorDetails::Field {
                    field: "idempotency_key".into(),
                },
            ));
        }
        serde_json::from_value(record.result)
            .map(Some)
            .map_err(|e| Error::storage(format!("stored idempotent result is unreadable: {e}")))
    }

    /// Stores the result under the key, in the command's transaction.
    pub fn store<T: Serialize>(
        self,
        tx: &mut dyn Transaction,
        now: Timestamp,
        out: &T,
    ) -> Result<()> {
        let result = serde_json::to_value(out)
            .map_err(|e| Error::internal(format!("result does not serialise: {e}")))?;
        tx.put_idempotency(IdempotencyRecord {
            key: self.key,
            fingerprint: self.fingerprint,
            result,
            created_at: now,
        })
    }
}

/// 64-bit FNV-1a: stable across platforms and releases, which `std`'s hasher is not.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_the_key_but_not_the_fields() {
        let a = serde_json::json!({"x": 1, "idempotency_key": "k1"});
        let b = serde_json::json!({"x": 1, "idempotency_key": "k2"});
        let c = serde_json::json!({"x": 2, "idempotency_key": "k1"});
        let fp = |v| Claim::new("book", "k", &v).unwrap().fingerprint;
        assert_eq!(fp(a.clone()), fp(b));
        assert_ne!(fp(a.clone()), fp(c));
        assert_ne!(
            Claim::new("book", "k", &a).unwrap().fingerprint,
            Claim::new("hold", "k", &a).unwrap().fingerprint
        );
    }
}
