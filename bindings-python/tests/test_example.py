"""The Python coworking example runs, in memory and on a new SQLite file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "python" / "coworking.py"


@pytest.mark.parametrize("on_file", [False, True])
def test_the_coworking_example_runs(tmp_path: Path, on_file: bool) -> None:
    args = [sys.executable, str(EXAMPLE)] + ([str(tmp_path / "space.db")] if on_file else [])
    result = subprocess.run(args, capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "conflict with bk_1; 3 alternatives offered" in out
    assert "4 Monday meetings booked" in out
    assert "claimed  -> claimed" in out
    assert "integrity: ok" in out
