"""The conformance scenarios (conformance/scenarios/, SPEC X4) as Python data, for the
tests that run them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["SCENARIO_DIR", "load_scenarios"]

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "conformance" / "scenarios"
"""Where the scenario files are: ``conformance/scenarios`` at the top of the repository."""


def load_scenarios() -> list[tuple[str, dict[str, Any]]]:
    """Every scenario as ``(path relative to conformance/scenarios, parsed JSON)``, sorted
    by that path (``/``-separated on every platform)."""
    if not SCENARIO_DIR.is_dir():
        raise FileNotFoundError(f"no conformance scenarios at {SCENARIO_DIR}")
    found = [(p.relative_to(SCENARIO_DIR).as_posix(), p) for p in SCENARIO_DIR.rglob("*.json")]
    found.sort(key=lambda item: item[0])
    return [(name, json.loads(path.read_text(encoding="utf-8"))) for name, path in found]
