//! The conformance scenario format (see `conformance/README.md` and
//! `conformance/scenario.schema.json`) and its Rust runner.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::json_match::json_contains;
use crate::engine::{Engine, EngineConfig};
use crate::request::Request;
use crate::store::Store;
use crate::time::{ManualClock, Timestamp};

/// One scenario file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name saying the rule it pins down.
    pub name: String,
    /// Longer explanation.
    #[serde(default)]
    pub description: String,
    /// SPEC.md feature ids it covers.
    #[serde(default)]
    pub spec: Vec<String>,
    /// The clock's reading at the start.
    pub clock: Timestamp,
    /// Engine config (defaults when absent).
    #[serde(default)]
    pub config: Option<EngineConfig>,
    /// Requests that must all succeed before the steps.
    #[serde(default)]
    pub setup: Vec<Value>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step: a request with its expectation, or a clock move.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Step {
    /// Run a request.
    Request {
        /// The request (`{"type": …}`), kept as JSON so a malformed one is a testable error.
        request: Value,
        /// What must come back (default: success, unchecked).
        #[serde(default)]
        expect: Option<Expect>,
        /// Why this step exists.
        #[serde(default)]
        note: Option<String>,
    },
    /// Move the clock forward.
    Advance {
        /// Seconds to move.
        advance_secs: i64,
    },
    /// Set the clock.
    SetClock {
        /// The new reading.
        set_clock: Timestamp,
    },
}

/// `Some` for any value present in the JSON, `null` included (`Option<Value>` alone would
/// read `null` as absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// The expected outcome of a request.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Success whose JSON contains this value (see [`json_contains`](super::json_contains));
    /// an explicit `null` expects a `null` result, an absent `ok` any success.
    #[serde(default, deserialize_with = "present")]
    pub ok: Option<Value>,
    /// Failure with this error code.
    #[serde(default)]
    pub error: Option<String>,
    /// With `error`: details that the error's details must contain.
    #[serde(default)]
    pub details: Option<Value>,
}

/// Reads every `*.json` scenario under `dir` (recursively), sorted by path.
pub fn load_scenarios(dir: &Path) -> Vec<(PathBuf, Result<Scenario, String>)> {
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let parsed = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()));
            (path, parsed)
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Runs every scenario under `dir` (see [`load_scenarios`]), each on a fresh store from
/// `factory`. Returns how many ran, or one line per unreadable or failing scenario.
pub fn run_scenarios<S: Store>(
    dir: &Path,
    mut factory: impl FnMut() -> S,
) -> Result<usize, Vec<String>> {
    let scenarios = load_scenarios(dir);
    let failures: Vec<String> = scenarios
        .iter()
        .filter_map(|(path, scenario)| {
            let name = path.strip_prefix(dir).unwrap_or(path).display();
            match scenario {
                Err(e) => Some(format!("{name}: unreadable: {e}")),
                Ok(s) => run_scenario(s, factory())
                    .err()
                    .map(|e| format!("{name}: {e}")),
            }
        })
        .collect();
    if failures.is_empty() {
        Ok(scenarios.len())
    } else {
        Err(failures)
    }
}

/// Runs a scenario on `store`; `Err` says which step failed and how.
pub fn run_scenario<S: Store>(scenario: &Scenario, store: S) -> Result<(), String> {
    let clock = ManualClock::at(scenario.clock);
    let mut engine = Engine::new(store)
        .with_clock(clock.clone())
        .with_config(scenario.config.clone().unwrap_or_default());
    for (i, request) in scenario.setup.iter().enumerate() {
        run(&mut engine, request).map_err(|e| format!("setup[{i}] failed: {e}"))?;
    }
    for (i, step) in scenario.steps.iter().enumerate() {
        match step {
            Step::Advance { advance_secs } => clock.advance_secs(*advance_secs),
            Step::SetClock { set_clock } => clock.set(*set_clock),
            Step::Request {
                request,
                expect,
                note,
            } => {
                let outcome = run(&mut engine, request);
                check(&outcome, expect.as_ref()).map_err(|why| {
                    let note = note
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default();
                    format!("step {i}{note}: {why}\n  request: {request}")
                })?;
            }
        }
    }
    Ok(())
}

/// Runs one JSON request; the error is the error's JSON (`code`, `message`, `details`).
fn run<S: Store>(engine: &mut Engine<S>, request: &Value) -> Result<Value, Value> {
    let request: Request = serde_json::from_value(request.clone()).map_err(
        |e| serde_json::json!({"code": "invalid_input", "message": e.to_string(), "details": {}}),
    )?;
    match engine.execute(request) {
        Ok(response) => Ok(serde_json::to_value(response).unwrap_or(Value::Null)),
        Err(e) => Err(e.to_json()),
    }
}

fn check(outcome: &Result<Value, Value>, expect: Option<&Expect>) -> Result<(), String> {
    let Some(expect) = expect else {
        return match outcome {
            Ok(_) => Ok(()),
            Err(e) => Err(format!("expected success, got error {e}")),
        };
    };
    match (outcome, &expect.error) {
        (Ok(actual), None) => match &expect.ok {
            Some(want) => json_contains(actual, want),
            None => Ok(()),
        },
        (Ok(actual), Some(code)) => Err(format!("expected error `{code}`, got success {actual}")),
        (Err(e), None) => Err(format!("expected success, got error {e}")),
        (Err(e), Some(code)) => {
            if e["code"] != *code {
                return Err(format!("expected error `{code}`, got {e}"));
            }
            match &expect.details {
                Some(want) => json_contains(&e["details"], want),
                None => Ok(()),
            }
        }
    }
}
