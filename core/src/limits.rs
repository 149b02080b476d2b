//! Input limits. Anything larger is refused with `invalid_input` before anything is written,
//! so one bad request cannot bloat the store or the audit log.

use crate::error::Error;

/// Longest name, title or tag, in bytes.
pub const MAX_SHORT_TEXT: usize = 256;
/// Longest description or reason, in bytes.
pub const MAX_LONG_TEXT: usize = 4_096;
/// Largest metadata or attributes document, in bytes of compact JSON.
pub const MAX_JSON_BYTES: usize = 16 * 1_024;
/// Deepest nesting of a metadata or attributes document (the object itself is level 1).
/// Deeper documents would exceed what stores can read back (serde_json stops at 128).
pub const MAX_JSON_DEPTH: usize = 32;
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

/// Checks that a JSON document is an object, not too large and not too deep.
pub fn check_json_object(field: &str, value: &serde_json::Value) -> Result<(), Error> {
    if !value.is_object() {
        return Err(Error::invalid_input(
            field,
            format!("`{field}` must be a JSON object"),
        ));
    }
    let depth = json_depth(value);
    if depth > MAX_JSON_DEPTH {
        return Err(Error::invalid_input(
            field,
            format!("`{field}` nests {depth} levels deep; at most {MAX_JSON_DEPTH} are allowed"),
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

/// How deeply arrays and objects nest in `value` (a scalar is 0, `{}` is 1), walked
/// without recursion, so no document can exhaust the stack here.
fn json_depth(value: &serde_json::Value) -> usize {
    let mut deepest = 0;
    let mut pending = vec![(value, 0)];
    while let Some((value, depth)) = pending.pop() {
        match value {
            serde_json::Value::Array(items) => pending.extend(items.iter().map(|c| (c, depth + 1))),
            serde_json::Value::Object(map) => pending.extend(map.values().map(|c| (c, depth + 1))),
            _ => continue,
        }
        deepest = deepest.max(depth + 1);
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn depth_counts_nested_arrays_and_objects() {
        assert_eq!(json_depth(&json!(1)), 0);
        assert_eq!(json_depth(&json!({})), 1);
        assert_eq!(json_depth(&json!({"a": [1, {"b": []}], "c": 2})), 4);
    }

    #[test]
    fn documents_nested_too_deep_are_refused() {
        let mut deep = json!({});
        for _ in 0..MAX_JSON_DEPTH - 1 {
            deep = json!({ "k": deep });
        }
        assert!(check_json_object("metadata", &deep).is_ok());
        let deeper = json!({ "k": deep });
        let err = check_json_object("metadata", &deeper).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::InvalidInput);
        assert!(err.message().contains("33 levels"), "{}", err.message());
    }
}
