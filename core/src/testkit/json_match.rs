use serde_json::Value;

/// Whether `actual` contains `expected`: objects need every expected key (with a matching
/// value; an expected `null` also matches an absent key), arrays must have the same length
/// and match element by element, other values must be equal. Returns the path of the first
/// mismatch.
pub fn json_contains(actual: &Value, expected: &Value) -> Result<(), String> {
    walk(actual, expected, "$")
}

fn walk(actual: &Value, expected: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, want_value) in want {
                let here = format!("{path}.{key}");
                match have.get(key) {
                    Some(have_value) => walk(have_value, want_value, &here)?,
                    None if want_value.is_null() => {}
                    None => return Err(format!("{here}: missing (expected {want_value})")),
                }
            }
            Ok(())
        }
        (Value::Array(want), Value::Array(have)) => {
            if want.len() != have.len() {
                return Err(format!(
                    "{path}: expected {} element(s), got {}: {actual}",
                    want.len(),
                    have.len()
                ));
            }
            for (i, (w, h)) in want.iter().zip(have).enumerate() {
                walk(h, w, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        _ if expected == actual => Ok(()),
        _ => Err(format!("{path}: expected {expected}, got {actual}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_semantics() {
        let actual = json!({"a": 1, "b": [1, {"c": 2, "d": 3}], "e": "x"});
        assert!(json_contains(&actual, &json!({"a": 1})).is_ok());
        assert!(json_contains(&actual, &json!({"b": [1, {"c": 2}]})).is_ok());
        assert!(json_contains(&actual, &json!({"z": null})).is_ok());
        assert!(json_contains(&actual, &json!({"a": 2})).is_err());
        assert!(json_contains(&actual, &json!({"b": [1]})).is_err());
        assert!(json_contains(&actual, &json!({"z": 1})).is_err());
    }
}
