"""`make demo`, the README's first command, works from a fresh copy of the project with
nothing set (no MRPPLAN_PLAN_KEY, no .env, no terminal), twice in a row, and ends with prod
at the latest schema version. It starts a sandbox server of its own in the copy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dbtools import REPO

VENV = Path(sys.executable).parent.parent
STEPS = [
    "== 1. a local MariaDB sandbox",
    "== 2. checks: environment files, SQL loaded on the sandbox",
    "== 3. an example prod database that is behind: schema 001 and reference data",
    "== 4. a backup of it",
    "== 5. where prod stands",
    "== 6. the main job: what would bring prod to the latest schema?",
    "== 7. apply the reviewed plan file (in CI: after approval)",
]


def _clean_env(home: Path) -> dict[str, str]:
    """What a new user's shell has: a PATH and a home, none of mrpplan's variables."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "CI": "true",
    }


def _make_demo(root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # the venv of this test run stands in for `make venv` (installing takes minutes)
    return subprocess.run(
        ["make", "demo", f"VENV={VENV}", "-o", f"{VENV}/.installed"],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def fresh_copy(tmp_path: Path) -> object:
    root = tmp_path / "clone"
    root.mkdir()
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(REPO / name, root / name)
    for part in ("environments", "database"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("backups"))
    (root / "plans").mkdir()
    (tmp_path / "home").mkdir()
    yield root
    subprocess.run(
        [str(VENV / "bin" / "mrpplan"), "--project", str(root), "sandbox", "down"],
        env=_clean_env(tmp_path / "home"),
        capture_output=True,
        check=False,
    )


def test_make_demo_runs_every_step_from_a_fresh_copy_twice(fresh_copy: Path) -> None:
    root = fresh_copy
    env = _clean_env(root.parent / "home")
    for attempt in (1, 2):  # the second run in the same copy starts over and works again
        result = _make_demo(root, env)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"run {attempt}:\n{output}"
        positions = [result.stdout.find(step) for step in STEPS]
        assert -1 not in positions and positions == sorted(positions), result.stdout
        assert "Error" not in output, output
        assert "Apply complete: 23 steps ran on prod (mrp_erp_prod)" in result.stdout
        assert "backup ok: env=prod kind=full" in result.stdout
        assert "schema version: 001 -> 003" in result.stdout
        assert "Apply complete: 2 steps ran on prod (mrp_erp_prod)" in result.stdout

    status = subprocess.run(
        [str(VENV / "bin" / "mrpplan"), "migrate", "status", "prod", "--json"],
        cwd=root,
        env={**env, "PROD_DB_NAME": "mrp_erp_prod"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert status.returncode == 0, status.stdout + status.stderr
    states = {row["version"]: row["state"] for row in json.loads(status.stdout)["migrations"]}
    assert states == {"001": "applied", "002": "applied", "003": "applied"}
    # the throwaway key sealed the demo's plans; no file of the copy holds a key
    for plan in (root / ".mrpplan").glob("demo-*.json"):
        assert json.loads(plan.read_text())["seal"] == "hmac-sha256"
    assert not list((root / "plans").glob("*.json"))
