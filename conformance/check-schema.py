#!/usr/bin/env python3
"""Validates every conformance scenario against scenario.schema.json (JSON Schema 2020-12).

Usage: check-schema.py [SCENARIO_OR_DIR ...]   (default: the scenarios/ folder beside this file)

Prints each failure (file, where in it, what is wrong) and exits 1 if any scenario is
invalid, 2 if the schema itself is; prints one summary line either way. Needs the
`jsonschema` package (scripts/test installs it in a venv under target/).
"""

import json
import sys
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

HERE = Path(__file__).resolve().parent
SCHEMA = HERE / "scenario.schema.json"


def where(path):
    """A JSON path like `$.steps[3].request` for an error's location."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def scenario_files(args):
    roots = [Path(a) for a in args] or [HERE / "scenarios"]
    files = []
    for root in roots:
        if root.is_dir():
            files.extend(sorted(root.rglob("*.json")))
        else:
            files.append(root)
    return files


def main(argv):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    try:
        Draft202012Validator.check_schema(schema)
    except Exception as e:  # a broken schema makes every verdict meaningless
        print(f"{SCHEMA.name}: not a valid 2020-12 schema: {e}")
        return 2
    validator = Draft202012Validator(schema)

    files = scenario_files(argv)
    failures = []
    for path in files:
        try:
            shown = path.relative_to(HERE)
        except ValueError:
            shown = path
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            failures.append(f"{shown}: unreadable: {e}")
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for error in errors:
            # For a oneOf/anyOf/if-then failure, name the most relevant nested error.
            detail = best_match([error])
            failures.append(f"{shown}: {where(detail.absolute_path)}: {detail.message}")

    if not files:
        print("schema check: no scenario files found")
        return 1
    if failures:
        print("\n".join(failures))
        bad = len({f.split(":", 1)[0] for f in failures})
        print(f"schema check: {bad} of {len(files)} scenario files invalid")
        return 1
    print(f"schema check: all {len(files)} scenario files valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
