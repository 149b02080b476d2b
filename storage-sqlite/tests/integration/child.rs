//! Child-process mode: a test re-runs this test binary as a separate OS process, with one
//! `#[test]` selected (`--exact`) and [`ROLE`] naming the part it plays. That worker test
//! does its work only when [`is`] says this process was started for its role, and passes
//! at once otherwise, so a normal run of the suite skips it.
//!
//! A worker reports to its parent on stdout, one line per fact, each starting with
//! [`MARK`] so the parent can tell them from the test harness's own output.

use std::fmt::Display;
use std::io::Write;
use std::process::{Child, Command, Stdio};

/// The environment variable naming the role a child process plays.
pub const ROLE: &str = "SLOTWISE_CHILD";

/// What starts every line a worker reports.
pub const MARK: &str = "@@slotwise@@ ";

/// Whether this process was started to play `role`.
pub fn is(role: &str) -> bool {
    std::env::var(ROLE).is_ok_and(|r| r == role)
}

/// A variable the parent set for this child; panics when it is missing or unreadable.
pub fn var<T: std::str::FromStr>(name: &str) -> T {
    let text = std::env::var(name).unwrap_or_else(|_| panic!("child needs {name}"));
    text.parse()
        .unwrap_or_else(|_| panic!("child cannot read {name}={text}"))
}

/// Starts this test binary running only `test` (named by its path in the binary, e.g.
/// `processes::worker`) as `role`, with `vars` set, stdin closed and stdout and stderr
/// piped.
pub fn spawn(test: &str, role: &str, vars: &[(&str, String)]) -> Child {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", test, "--nocapture", "--test-threads", "1"])
        .env(ROLE, role)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in vars {
        cmd.env(name, value);
    }
    cmd.spawn().expect("the child process starts")
}

/// The path, inside this test binary, of test `name` in the module `module` (give it
/// `module_path!()`): the module path without the crate's name.
pub fn test_path(module: &str, name: &str) -> String {
    let inside = module.split_once("::").map_or("", |(_, rest)| rest);
    if inside.is_empty() {
        name.to_string()
    } else {
        format!("{inside}::{name}")
    }
}

/// Reports one line to the parent and flushes it, so it is in the pipe before the worker
/// goes on. The line goes out in one write, so a worker killed meanwhile leaves either
/// all of it or none, or at worst a line without its newline, which [`parse`] ignores.
pub fn report(line: impl Display) {
    // A leading newline keeps the line apart from the harness's `test … ` prefix.
    let text = format!("\n{MARK}{line}\n");
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .expect("report to the parent");
    out.flush().expect("flush the report");
}

/// The report in one line of a worker's output (newline included), if it holds a whole
/// one.
pub fn parse(line: &str) -> Option<&str> {
    let line = line.strip_suffix('\n')?;
    line.split_once(MARK).map(|(_, report)| report.trim_end())
}

/// Every whole report in a worker's output, in order.
pub fn reports(output: &str) -> Vec<&str> {
    output.split_inclusive('\n').filter_map(parse).collect()
}
