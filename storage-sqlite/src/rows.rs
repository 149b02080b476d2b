//! Records to rows and back. Every record is stored whole as a JSON body; the columns
//! beside it are what the indexes need, derived with the core's own functions
//! ([`booking_entry`], [`Booking::due_at`]) so SQLite indexes exactly what the in-memory
//! store does.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;
use slotwise::index::booking_entry;
use slotwise::{Booking, Result};

use crate::error::{corrupt, OrStore};

/// A record as its JSON body.
pub(crate) fn body<T: Serialize>(record: &T) -> String {
    serde_json::to_string(record).expect("slotwise records always serialise")
}

/// A record from its JSON body.
pub(crate) fn decode<T: DeserializeOwned>(what: &str, body: &str) -> Result<T> {
    serde_json::from_str(body).map_err(|e| corrupt(what, e))
}

/// Calls `visit` with every record whose JSON body the query `sql` returns first.
pub(crate) fn visit_bodies<T: DeserializeOwned>(
    conn: &Connection,
    what: &str,
    sql: &str,
    params: impl rusqlite::Params,
    visit: &mut dyn FnMut(&T),
) -> Result<()> {
    let mut stmt = conn.prepare_cached(sql).or_store()?;
    let mut rows = stmt.query(params).or_store()?;
    while let Some(row) = rows.next().or_store()? {
        let body = row.get_ref(0).or_store()?.as_str().unwrap_or("");
        visit(&decode(what, body)?);
    }
    Ok(())
}

/// The record whose JSON body the query `sql` returns, if any.
pub(crate) fn one_body<T: DeserializeOwned>(
    conn: &Connection,
    what: &str,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Option<T>> {
    let body: Option<String> = conn
        .prepare_cached(sql)
        .or_store()?
        .query_row(params, |row| row.get(0))
        .optional()
        .or_store()?;
    body.map(|b| decode(what, &b)).transpose()
}

/// The columns of a booking row, in the order of [`UPSERT_BOOKING`].
pub(crate) fn booking_values(b: &Booking) -> [Value; 13] {
    let entry = booking_entry(b);
    let int = |v: Option<i64>| v.map_or(Value::Null, Value::Integer);
    [
        Value::Text(b.id.as_str().to_owned()),
        Value::Text(b.resource.as_str().to_owned()),
        Value::Text(b.member.as_str().to_owned()),
        Value::Integer(b.start.as_millis()),
        Value::Integer(b.end.as_millis()),
        int(entry.as_ref().map(|(start, _, _)| start.as_millis())),
        int(entry.as_ref().map(|(_, _, occ)| occ.end.as_millis())),
        Value::Integer(i64::from(b.quantity)),
        int(entry
            .as_ref()
            .and_then(|(_, _, occ)| occ.lapses_at.map(|t| t.as_millis()))),
        int(b.due_at().map(|t| t.as_millis())),
        b.series
            .as_ref()
            .map_or(Value::Null, |s| Value::Text(s.id.clone())),
        int(b.series.as_ref().map(|s| occurrence_key(s.occurrence))),
        Value::Text(body(b)),
    ]
}

/// A series occurrence key as an integer that sorts like the wall time.
pub(crate) fn occurrence_key(local: slotwise::time::LocalDateTime) -> i64 {
    local.0.and_utc().timestamp_millis()
}

/// Inserts or replaces a booking row from [`booking_values`].
pub(crate) const UPSERT_BOOKING: &str = r#"
INSERT INTO bookings (id, resource, member, start, "end", occ_start, occ_end, quantity,
                      lapses_at, due_at, series, occurrence, body)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
ON CONFLICT (id) DO UPDATE SET
    resource = excluded.resource, member = excluded.member, start = excluded.start,
    "end" = excluded."end", occ_start = excluded.occ_start, occ_end = excluded.occ_end,
    quantity = excluded.quantity, lapses_at = excluded.lapses_at, due_at = excluded.due_at,
    series = excluded.series, occurrence = excluded.occurrence, body = excluded.body
"#;
