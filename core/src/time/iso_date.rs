//! Dates as `YYYY-MM-DD` for serde (chrono's own serde support is not enabled in this
//! crate), strict: `2026-3-1` is refused.

use chrono::NaiveDate;
use serde::{de, Deserialize, Deserializer, Serializer};

const FORMAT: &str = "%Y-%m-%d";

fn parse<E: de::Error>(text: &str) -> Result<NaiveDate, E> {
    NaiveDate::parse_from_str(text, FORMAT)
        .ok()
        .filter(|date| date.format(FORMAT).to_string() == text)
        .ok_or_else(|| E::custom(format!("`{text}` is not a date YYYY-MM-DD")))
}

pub(crate) fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&date.format(FORMAT))
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    parse(&String::deserialize(d)?)
}

pub(crate) mod list {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(dates: &[NaiveDate], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(dates.iter().map(|date| date.format(FORMAT).to_string()))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|text| parse(text))
            .collect()
    }
}

pub(crate) mod option {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        date: &Option<NaiveDate>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => s.collect_str(&date.format(FORMAT)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<NaiveDate>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| parse(&text))
            .transpose()
    }
}
