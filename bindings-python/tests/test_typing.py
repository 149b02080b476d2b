"""The package is typed: mypy --strict accepts the installed package, and its tests, bench and example,
and the native module's stub matches what the compiled module really exports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
mypy = pytest.importorskip("mypy", reason="mypy is not installed")


def run_mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_mypy_strict_accepts_the_package_tests_and_example() -> None:
    strict = ("mypy", "--strict", "--no-incremental", "--cache-dir=/dev/null")
    package = run_mypy(*strict, "-p", "slotwise")
    assert package.returncode == 0, package.stdout + package.stderr
    users = [ROOT / "bindings-python" / d for d in ("tests", "bench")] + [ROOT / "examples" / "python"]
    others = run_mypy(*strict, *map(str, users))
    assert others.returncode == 0, others.stdout + others.stderr


def test_the_native_stub_matches_the_compiled_module() -> None:
    result = run_mypy("mypy.stubtest", "slotwise._native", "--ignore-missing-stub")
    assert result.returncode == 0, result.stdout + result.stderr
