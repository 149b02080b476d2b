#!/usr/bin/env python3
"""Checks slotwise's iCalendar exports with standard parsers (E5).

Usage: check-ics.py [DIR]   (default: target/ics-check/ of the repository)

DIR holds pairs written by the Rust test `ics_export` (core/tests/integration/ics_export.rs):
`<case>.ics`, an `export_ics` output, and `<case>.json`, the occurrences the engine holds
(a list of {"start", "end", "summary"}, instants in UTC). Each calendar is parsed with the
`icalendar` package and expanded with `recurring-ical-events` over 1970–2100, twice:

- as written: TZIDs are IANA names, which the parser resolves with its own zone data;
- with every TZID renamed to a name no zone database knows, so the parser has to use the
  calendar's own VTIMEZONE components (what clients without zone data do).

Each expansion must give exactly the occurrences of the JSON (the same start, end and
summary, as many times). Every mismatch is printed with the occurrences missing and extra;
the exit status is 1 if any case fails, 2 if there is nothing to check, 0 otherwise. Needs
the packages `icalendar` and `recurring-ical-events` (scripts/test installs pinned
versions in a venv under target/).
"""

import json
import re
import sys
from collections import Counter
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import icalendar
import recurring_ical_events

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "target" / "ics-check"
WINDOW = (
    datetime(1970, 1, 1, tzinfo=timezone.utc),
    datetime(2100, 1, 1, tzinfo=timezone.utc),
)
# Shown per direction when occurrences differ.
SHOW = 8


def utc_text(value, where):
    """An aware datetime as `YYYY-MM-DDTHH:MM:SSZ`; anything else is an error."""
    if not isinstance(value, datetime):
        raise ValueError(f"{where} is {value!r}, not a date-time")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{where} is floating ({value!r}): its TZID was not resolved")
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def expected_occurrences(path):
    items = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for item in items:
        start = datetime.fromisoformat(item["start"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(item["end"].replace("Z", "+00:00"))
        out.append((utc_text(start, "start"), utc_text(end, "end"), item["summary"]))
    return out


def unfold(text):
    return re.sub(r"\r\n[ \t]", "", text)


# icalendar caches the zones it builds from VTIMEZONEs by TZID for the whole process, so
# every private name must be new: a counter over the run.
_private_names = iter(range(1_000_000))


def with_private_tzids(text):
    """The calendar with every TZID renamed to a new `X-SLOTWISE-TZ-<n>`, and the names."""
    text = unfold(text)
    names = sorted(set(re.findall(r"^TZID:(.+?)\r$", text, flags=re.M)), key=len, reverse=True)
    renamed = {}
    for name in names:
        private = f"X-SLOTWISE-TZ-{next(_private_names)}"
        renamed[name] = private
        text = text.replace(f"TZID:{name}\r\n", f"TZID:{private}\r\n")
        text = re.sub(rf"TZID={re.escape(name)}(?=[;:])", f"TZID={private}", text)
        if re.search(rf"TZID[=:]{re.escape(name)}(?=[;:\r])", text):
            raise ValueError(f"TZID {name} was not renamed everywhere")
    return text, renamed


def from_vtimezone(value):
    """Whether an aware datetime's zone was built from a renamed VTIMEZONE (or is UTC)."""
    if "X-SLOTWISE-TZ-" in repr(value.tzinfo):
        return True
    return value.utcoffset().total_seconds() == 0 and value.tzname() in ("UTC", "Z")


def parse_errors(calendar):
    """What icalendar could not read (it keeps going and records problems)."""
    errors = []
    for component in calendar.walk():
        for prop, message in getattr(component, "errors", []):
            errors.append(f"{component.name} {prop}: {message}")
    return errors


def occurrences(text, vtimezone_only=False):
    calendar = icalendar.Calendar.from_ical(text)
    errors = parse_errors(calendar)
    if errors:
        raise ValueError("parse errors: " + "; ".join(errors))
    out = []
    for event in recurring_ical_events.of(calendar).between(*WINDOW):
        uid = event.get("UID")
        rid = event.get("RECURRENCE-ID")
        where = f"UID {uid}" + (f" RECURRENCE-ID {rid.to_ical().decode()}" if rid else "")
        start = utc_text(event.decoded("DTSTART"), f"DTSTART of {where}")
        end = utc_text(event.decoded("DTEND"), f"DTEND of {where}")
        if vtimezone_only:
            for prop in ("DTSTART", "DTEND"):
                if not from_vtimezone(event.decoded(prop)):
                    raise ValueError(f"{prop} of {where} was not read with its VTIMEZONE")
        out.append((start, end, str(event.get("SUMMARY"))))
    return out


def compare(name, route, got, want):
    """Messages describing how `got` differs from `want` as multisets (none if equal)."""
    got_c, want_c = Counter(got), Counter(want)
    if got_c == want_c:
        return []
    missing = sorted((want_c - got_c).elements())
    extra = sorted((got_c - want_c).elements())
    lines = [
        f"{name} [{route}]: the parser expands {len(got)} occurrences, the engine holds "
        f"{len(want)}; {len(missing)} missing, {len(extra)} extra"
    ]
    for label, items in (
        ("missing (engine has, parser lacks)", missing),
        ("extra (parser has, engine lacks)", extra),
    ):
        for start, end, summary in items[:SHOW]:
            lines.append(f"    {label}: {start} .. {end}  {summary!r}")
        if len(items) > SHOW:
            lines.append(f"    ... and {len(items) - SHOW} more {label.split()[0]}")
    return lines


def main(argv):
    folder = Path(argv[0]) if argv else DEFAULT_DIR
    calendars = sorted(folder.glob("*.ics")) if folder.is_dir() else []
    if not calendars:
        print(
            f"check-ics: no .ics files in {folder}; run "
            "`cargo test -p slotwise --test integration ics_export` first"
        )
        return 2
    failures = []
    checked = 0
    for path in calendars:
        name = path.stem
        expected_path = path.with_suffix(".json")
        try:
            want = expected_occurrences(expected_path)
        except (OSError, ValueError, KeyError) as e:
            failures.append([f"{name}: no usable {expected_path.name}: {e}"])
            continue
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            failures.append([f"{name}: not UTF-8: {e}"])
            continue
        try:
            private, renamed = with_private_tzids(text)
        except ValueError as e:
            failures.append([f"{name}: {e}"])
            continue
        for route, source, only in (("IANA TZIDs", text, False), ("VTIMEZONE only", private, True)):
            try:
                got = occurrences(source, vtimezone_only=only)
            except Exception as e:  # any parser failure is a finding, reported per case
                failures.append([f"{name} [{route}]: {type(e).__name__}: {e}"])
                continue
            differences = compare(name, route, got, want)
            if differences:
                failures.append(differences)
        checked += 1
        print(f"  {name}: {len(want)} occurrences; zones {', '.join(sorted(renamed)) or 'none'}")
    versions = ", ".join(f"{p} {package_version(p)}" for p in ("icalendar", "recurring-ical-events"))
    if failures:
        print(
            f"check-ics: FAILED: {len(failures)} problem(s) in {len(calendars)} calendar(s) "
            f"({versions}):"
        )
        for problem in failures:
            print(f"  {problem[0]}")
            for line in problem[1:]:
                print(line)
        return 1
    print(f"check-ics: {checked} calendars parse and expand to exactly the engine's occurrences, "
          f"by IANA TZID and by VTIMEZONE ({versions})")
    return 0


def package_version(name):
    try:
        return version(name)
    except PackageNotFoundError:  # only used for the report
        return "?"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
