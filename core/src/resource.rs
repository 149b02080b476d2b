//! Resources: the desks, rooms and seats that get booked (R1, R3).

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::ids::ResourceId;
use crate::limits::{
    check_json_object, check_opt_text, check_text, MAX_CAPACITY, MAX_SHORT_TEXT, MAX_TAGS,
};
use crate::time::{parse_timezone, Timestamp};

/// A bookable thing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// Caller-chosen id.
    pub id: ResourceId,
    /// Display name.
    pub name: String,
    /// What it is: `desk`, `room`, `seat`, … (free text).
    pub kind: String,
    /// Tags for search filters (sorted, without duplicates).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Units that can be booked at once (≥ 1): 1 for a desk, 40 for a class.
    pub capacity: u32,
    /// IANA timezone that local wall times are read in.
    pub timezone: String,
    /// The location (site, floor) it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Free-form JSON object.
    #[serde(default = "empty_object")]
    pub attributes: serde_json::Value,
    /// When it was archived; archived resources take no new bookings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<Timestamp>,
    /// Bumped by every change.
    pub version: u64,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

pub(crate) fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}

impl Resource {
    /// Its timezone.
    pub fn tz(&self) -> Result<Tz, Error> {
        parse_timezone(&self.timezone)
    }

    /// Whether it is archived.
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }

    /// Checks every field against the limits; used on create, update and snapshot import.
    pub fn validate(&self) -> Result<(), Error> {
        self.id.validate("id")?;
        check_text("name", &self.name, MAX_SHORT_TEXT)?;
        check_text("kind", &self.kind, MAX_SHORT_TEXT)?;
        if self.kind.is_empty() {
            return Err(Error::invalid_input("kind", "`kind` must not be empty"));
        }
        if self.tags.len() > MAX_TAGS {
            return Err(Error::invalid_input(
                "tags",
                format!("at most {MAX_TAGS} tags are allowed"),
            ));
        }
        for tag in &self.tags {
            check_text("tags", tag, MAX_SHORT_TEXT)?;
            if tag.is_empty() {
                return Err(Error::invalid_input("tags", "a tag must not be empty"));
            }
        }
        if self.capacity == 0 || self.capacity > MAX_CAPACITY {
            return Err(Error::invalid_input(
                "capacity",
                format!("capacity must be 1 to {MAX_CAPACITY}"),
            ));
        }
        self.tz()?;
        check_opt_text("location", self.location.as_deref(), MAX_SHORT_TEXT)?;
        check_json_object("attributes", &self.attributes)
    }

    /// Whether it matches every given filter (R3): all of `tags`, at least `min_capacity`,
    /// the `kind` and the `location`.
    pub fn matches(
        &self,
        tags: &[String],
        min_capacity: Option<u32>,
        kind: Option<&str>,
        location: Option<&str>,
    ) -> bool {
        tags.iter().all(|t| self.tags.contains(t))
            && min_capacity.is_none_or(|c| self.capacity >= c)
            && kind.is_none_or(|k| self.kind == k)
            && location.is_none_or(|l| self.location.as_deref() == Some(l))
    }
}

/// Sorts and de-duplicates tags so equal sets compare equal.
pub(crate) fn normalize_tags(tags: &mut Vec<String>) {
    tags.sort();
    tags.dedup();
}
