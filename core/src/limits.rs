//! Input limits. Anything larger is refused with `invalid_input` before anything is written,
//! so one bad request cannot bloat the store or the audit log.

use crate::error::Error;

/// Longest name, title or tag, in bytes.
pub const MAX_SHORT_TEXT: usize = 256;
/// Longest description or reason, in bytes.
pub const MAX_LONG_TEXT: usize = 4_096;
/// Largest metadata or attributes document, in bytes of compact JSON.
pub const MAX_JSON_BYTES: usize = 16 * 1_024;
/// Most tags on one resource.
pub const MAX_TAGS: usize = 32;
/// Largest capacity of one resource.
pub const MAX_CAPACITY: u32 = 1_000_000;
/// Longest booking span: 366 days. Policies (max duration) are normally much tighter.
pub const MAX_SPAN_MS: i64 = 366 * 24 * 3_600 * 1_000;

/// Checks a text field's length and refuses control characters other than newlines and tabs.
pub fn check_text(field: &str, text: &str, max: usize) -> Result<(), Error> {
    if text.len() > max {
        return Err(Error::invalid_input(
            field,
            format!(
                "`{field}` is {} bytes; at most {max} are allowed",
                text.len()
            ),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Error::invalid_input(
            field,
            format!("`{field}` holds control characters"),
        ));
    }
    Ok(())
}

/// Checks an optional text field.
pub fn check_opt_text(field: &str, text: Option<&str>, max: usize) -> Result<(), Error> {
    text.map_or(Ok(()), |t| check_text(field, t, max))
}

/// Checks that a JSON document is an object and not too large.
pub fn check_json_object(field: &str, value: &serde_json::Value) -> Result<(), Error> {
    if !value.is_object() {
        return Err(Error::invalid_input(
            field,
            format!("`{field}` must be a JSON object"),
        ));
    }
    let size = serde_json::to_vec(value)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size > MAX_JSON_BYTES {
        return Err(Error::invalid_input(
            field,
            format!("`{field}` is {size} bytes of JSON; at most {MAX_JSON_BYTES} are allowed"),
        ));
    }
    Ok(())
}
