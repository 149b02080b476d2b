#!/usr/bin/env bash
# PF10 for Python: `book` through the Python package vs the Rust call, on the same
# conflict-free in-memory workload (benches/src/bin/pf10_rust.rs). Builds the Rust side
# and the Python package in release mode, then runs ROUNDS rounds of each, alternating
# (one Rust round, one Python round, …) so that a slow stretch of the machine hits both
# sides alike, and prints the median time per call of each with its spread over the
# rounds, and the Python overhead.
#
# Usage: benches/pf10-python.sh [DESKS] [BOOKS] [ROUNDS]   (defaults 1000 20000 15)
set -euo pipefail
cd "$(dirname "$0")/.."
desks=${1:-1000} books=${2:-20000} rounds=${3:-15}

venv=target/venv-pf10
if ! [ -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
echo "maturin==1.16.0" >target/pf10-build-pins.txt
PIP_CONSTRAINT=target/pf10-build-pins.txt \
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall ./bindings-python
cargo build --release --locked -q -p slotwise-benches --bin pf10_rust

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for _ in $(seq "$rounds"); do
  ./target/release/pf10_rust "$desks" "$books" 1 >>"$out"
  "$venv/bin/python" bindings-python/bench/pf10.py "$desks" "$books" 1 >>"$out"
done

"$venv/bin/python" - "$out" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
ways = {}
for run in runs:
    for way, xs in run["per_call_ns"].items():
        ways.setdefault(way, []).extend(xs)
first = runs[0]
py = next(r for r in runs if r["side"] == "python")
print(f"PF10 book, in memory: {first['desks']} desks, {first['books']} calls per round, "
      f"{len(ways['rust'])} rounds of each, Python {py['python_version']}")
print(f"{'way in':<16} {'median':>11}  (min–max of rounds)")
for way, xs in ways.items():
    print(f"{way:<16} {statistics.median(xs) / 1000:8.2f} µs  ({min(xs) / 1000:.2f}–{max(xs) / 1000:.2f})")
# Each Python way against its Rust counterpart: strings with strings, datetimes with
# Timestamps (neither is parsed); the JSON door with strings.
pairs = [("python", "rust_instants"), ("python_read", "rust_instants"),
         ("python_strings", "rust"), ("json_door", "rust")]
print("Python over Rust (PF10 target: book ≤ 2 µs over the Rust call)")
for way, base in pairs:
    over = statistics.median(ways[way]) - statistics.median(ways[base])
    print(f"  {way:<15} vs {base:<14} {over / 1000:+.2f} µs per call")
PY
