#!/usr/bin/env bash
# slotwise on SQLite against the PostgreSQL baseline (baselines/postgres-gist: the seeds'
# reference design, EXCLUDE USING gist), side by side in one run, on desk-1m:
# PF2 and PF3 (durable book at 1 and 8 callers), PF4 (avail), PF8 (open until the first
# avail answer), and the disk's fdatasync rate. See PERFORMANCE.md. Not part of CI.
#
#   benches/compare-postgres.sh            # as root (installs/starts PostgreSQL, su postgres)
#
# Environment:
#   T=20              seconds per pgbench / slotwise workload run
#   BASELINE_DIR=...  the PostgreSQL scripts (default: <repo>/../shared/baselines/postgres-gist)
#   DB=bookbase       the PostgreSQL database (dropped and reloaded with desk-1m)
#   PG_RELOAD=1       0 reuses the database as it is (it keeps earlier runs' bookings)
#   COMPARE_DIR=...   where the SQLite files live (default: <repo>/target/compare);
#                     desk-1m.db there is loaded once and reused while it holds desk-1m
#   OPEN_RUNS=5       PF8 runs, each in a fresh process
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BASELINE_DIR=${BASELINE_DIR:-$REPO/../shared/baselines/postgres-gist}
T=${T:-20}
DB=${DB:-bookbase}
PG_RELOAD=${PG_RELOAD:-1}
COMPARE_DIR=${COMPARE_DIR:-$REPO/target/compare}
OPEN_RUNS=${OPEN_RUNS:-5}
BIN=${CARGO_TARGET_DIR:-$REPO/target}/release/sqlite_compare

for f in schema.sql book.sql avail.sql; do
  [[ -r $BASELINE_DIR/$f ]] || { echo "missing $BASELINE_DIR/$f (set BASELINE_DIR)" >&2; exit 1; }
done

as_postgres() { # command, run by sh as the postgres user, without psql's NOTICEs
  local cmd="PGOPTIONS='-c client_min_messages=warning'; export PGOPTIONS; $1"
  if [[ $(id -u) == 0 ]]; then su postgres -c "$cmd"; else sudo -u postgres sh -c "$cmd"; fi
}
log() { echo "## $*" >&2; }

# --- PostgreSQL: install, start, load -------------------------------------------------
if ! command -v pg_lsclusters >/dev/null || ! command -v pgbench >/dev/null; then
  log "installing PostgreSQL"
  apt-get install -y postgresql >&2 || { apt-get update >&2 && apt-get install -y postgresql >&2; }
fi
read -r PG_VERSION PG_CLUSTER _ PG_STATUS _ < <(pg_lsclusters --no-header | head -n1)
if [[ $PG_STATUS != online* ]]; then
  log "starting PostgreSQL $PG_VERSION/$PG_CLUSTER"
  pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
fi

# pgbench reads its scripts as the postgres user: give it copies it can read.
SQL_DIR=$(mktemp -d)
trap 'rm -rf "$SQL_DIR"' EXIT
cp "$BASELINE_DIR"/{schema,book,avail}.sql "$SQL_DIR"/
chmod 755 "$SQL_DIR"
chmod 644 "$SQL_DIR"/*.sql

now() { date +%s.%N; }
PG_LOAD_S=reused
if [[ $PG_RELOAD != 0 ]]; then
  log "loading desk-1m into PostgreSQL database $DB (about half a minute)"
  as_postgres "dropdb --if-exists $DB && createdb $DB"
  t0=$(now)
  as_postgres "psql -q -v ON_ERROR_STOP=1 -d $DB -f $SQL_DIR/schema.sql" >/dev/null
  t1=$(now)
  PG_LOAD_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
fi
PG_BOOKINGS=$(as_postgres "psql -d $DB -Atc 'select count(*) from bookings'")
echo "pg load_s=$PG_LOAD_S bookings=$PG_BOOKINGS"

# --- slotwise: build, load ---------------------------------------------------------------
log "building sqlite_compare (release)"
(cd "$REPO" && cargo build --release -q -p slotwise-benches --bin sqlite_compare)
mkdir -p "$COMPARE_DIR"
PRISTINE=$COMPARE_DIR/desk-1m.db
WORK=$COMPARE_DIR/work.db
if [[ -f $PRISTINE && $("$BIN" count "$PRISTINE" || true) == 'count resources=1000 bookings=1000000' ]]; then
  echo "sqlite load reused=$PRISTINE"
else
  log "loading desk-1m into $PRISTINE through Engine::import_snapshot"
  rm -f "$PRISTINE" "$PRISTINE-wal" "$PRISTINE-shm"
  "$BIN" load "$PRISTINE"
fi
# Every run books into a fresh copy, as the PostgreSQL side starts from a fresh load.
rm -f "$WORK" "$WORK-wal" "$WORK-shm"
cp "$PRISTINE" "$WORK"

# --- the runs ----------------------------------------------------------------------------
# pgbench's summary as one line: `pg <what> tps=… latency_ms=… failed=…`.
pgbench_run() { # what clients script
  local out
  out=$(as_postgres "pgbench -n -c $2 -j $2 -T $T -f $SQL_DIR/$3 $DB" 2>&1) || {
    echo "$out" >&2
    return 1
  }
  awk -v what="$1" '
    /^tps = / { tps = $3 }
    /^latency average = / { lat = $4 }
    /^number of failed transactions: / { failed = $5 }
    /^number of transactions actually processed: / { n = $6 }
    END { printf "pg %s tps=%s latency_ms=%s transactions=%s failed=%s\n", what, tps, lat, n, (failed == "" ? 0 : failed) }
  ' <<<"$out"
}
# Flush PostgreSQL's dirty buffers, so its background writes don't land in the next run.
pg_checkpoint() { as_postgres "psql -q -d $DB -c CHECKPOINT" >/dev/null; }
field() { # line key
  local v
  v=$(tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p")
  [[ -n $v ]] || { echo "no $2 in: $1" >&2; exit 1; }
  echo "$v"
}

log "PF8: open until the first avail answer, $OPEN_RUNS fresh processes"
OPEN_MS=()
for _ in $(seq "$OPEN_RUNS"); do
  line=$("$BIN" open "$WORK"); echo "$line"
  OPEN_MS+=("$(field "$line" ms)")
done

log "book, 1 client: PostgreSQL then slotwise, ${T} s each"
PG_BOOK1=$(pgbench_run book1 1 book.sql); echo "$PG_BOOK1"; pg_checkpoint
# The disk's fdatasync rate drifts: take it right before and right after the 1-caller run.
FSYNC1=$("$BIN" fsync-rate "$COMPARE_DIR"); echo "$FSYNC1"
SW_BOOK1=$("$BIN" book "$WORK" 1 "$T"); echo "$SW_BOOK1"
FSYNC2=$("$BIN" fsync-rate "$COMPARE_DIR"); echo "$FSYNC2"

log "book, 8 clients: PostgreSQL then slotwise, ${T} s each"
PG_BOOK8=$(pgbench_run book8 8 book.sql); echo "$PG_BOOK8"; pg_checkpoint
SW_BOOK8=$("$BIN" book "$WORK" 8 "$T"); echo "$SW_BOOK8"

log "avail, 1 client: PostgreSQL then slotwise, ${T} s each"
PG_AVAIL=$(pgbench_run avail 1 avail.sql); echo "$PG_AVAIL"
SW_AVAIL=$("$BIN" avail "$WORK" "$T"); echo "$SW_AVAIL"

# --- the table ---------------------------------------------------------------------------
OPEN_SORTED=$(printf '%s\n' "${OPEN_MS[@]}" | sort -g | tr '\n' ' ')
awk \
  -v pg1="$(field "$PG_BOOK1" tps)" -v sw1="$(field "$SW_BOOK1" tx_per_s)" \
  -v pg8="$(field "$PG_BOOK8" tps)" -v sw8="$(field "$SW_BOOK8" tx_per_s)" \
  -v pga="$(field "$PG_AVAIL" latency_ms)" -v swa="$(field "$SW_AVAIL" latency_mean_us)" \
  -v f1="$(field "$FSYNC1" rate_per_s)" -v f2="$(field "$FSYNC2" rate_per_s)" \
  -v opens="$OPEN_SORTED" -v t="$T" -v pgv="$PG_VERSION" '
  function verdict(ok) { return ok ? "pass" : "FAIL" }
  BEGIN {
    fs = (f1 + f2) / 2
    n = split(opens, o, " ")
    med = (n % 2) ? o[(n + 1) / 2] : (o[n / 2] + o[n / 2 + 1]) / 2
    printf "\n== slotwise (SQLite, synchronous=FULL) vs PostgreSQL %s (GiST exclusion), desk-1m, T=%s s, same run\n", pgv, t
    printf "%-4s %-34s %16s %14s %9s %8s  %s\n", "id", "measure", "PostgreSQL", "slotwise", "ratio", "target", ""
    printf "%-4s %-34s %16.1f %14.1f %9.2f %8s  %s\n", "PF2", "book 1 client, tx/s", pg1, sw1, sw1 / pg1, ">= 1.0", verdict(sw1 / pg1 >= 1.0)
    printf "%-4s %-34s %16s %14.1f %9.2f %8s  %s\n", "PF2", "book 1 caller / fdatasync rate", sprintf("fsync %.1f/s", fs), sw1, sw1 / fs, ">= 0.8", verdict(sw1 / fs >= 0.8)
    printf "%-4s %-34s %16.1f %14.1f %9.2f %8s  %s\n", "PF3", "book 8 clients, tx/s", pg8, sw8, sw8 / pg8, ">= 3", verdict(sw8 / pg8 >= 3)
    printf "%-4s %-34s %16.3f %14.4f %9.1f %8s  %s\n", "PF4", "avail latency, ms (PG / slotwise)", pga, swa / 1000, pga / (swa / 1000), ">= 100", verdict(pga / (swa / 1000) >= 100)
    printf "%-4s %-34s %16s %14.1f %9s %8s  %s\n", "PF8", "open to first avail, median ms", "-", med, "-", "<= 1000", verdict(med <= 1000)
    printf "     PF8 runs (ms, sorted): %s (spread %.1f ms)\n", opens, o[n] - o[1]
    printf "     fdatasync rate (4 KiB): %.1f/s just before, %.1f/s just after the 1-caller run (mean %.1f/s used above)\n", f1, f2, fs
  }'
