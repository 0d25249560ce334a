"""Seed history keeps every run (DESIGN §3.4); the latest row per seed is its state."""

from __future__ import annotations

import json
from typing import Any

from mrpplan.config import Project, load_environment
from mrpplan.mysql.connection import session
from mrpplan.plan.live import read_state


def _fingerprint(project: Any, name: str = "dev") -> str:
    env = load_environment(Project(project.root), name)
    with session(env.connection) as conn:
        return read_state(conn, env.connection.database).fingerprint


def test_every_run_is_kept_and_shown_by_track(project: Any, cli: Any) -> None:
    assert cli("migrate", "up", "dev", "--auto-approve").code == 0
    assert cli("seed", "reference", "dev").code == 0
    before = _fingerprint(project)
    assert cli("seed", "run", "dev", "00_reference_data", "--force").code == 0
    # same checksum again: one more run, but a reviewed plan does not go stale
    assert _fingerprint(project) == before

    result = cli("seed", "status", "dev", "--track", "--json")
    assert result.code == 0, result.output
    runs = json.loads(result.stdout)["runs"]
    assert [r["seed"] for r in runs] == ["00_reference_data", "00_reference_data"]
    assert runs[0]["rows_affected"] > 0 and runs[1]["rows_affected"] == 0
    assert all(r["applied_by"] and r["execution_ms"] >= 0 for r in runs)
    assert runs[0]["checksum"] == runs[1]["checksum"]

    text = cli("seed", "status", "dev", "--track")
    assert "Seed runs in dev" in text.stdout and "applied_by" in text.stdout


def test_a_changed_seed_changes_the_fingerprint(project: Any, cli: Any) -> None:
    assert cli("migrate", "up", "dev", "--auto-approve").code == 0
    assert cli("seed", "reference", "dev").code == 0
    before = _fingerprint(project)
    seed = project.root / "database" / "seeds" / "00_reference_data.sql"
    seed.write_text(
        seed.read_text() + "\n-- reviewed again\nUPDATE currencies SET is_active = 1;\n"
    )
    assert cli("seed", "reference", "dev").code == 0
    assert _fingerprint(project) != before
    status = json.loads(cli("seed", "status", "dev", "--json").stdout)
    assert {r["seed"]: r["state"] for r in status}["00_reference_data"] == "applied"


def test_an_old_one_row_per_seed_table_is_upgraded_in_place(project: Any, cli: Any) -> None:
    dev = project.databases["dev"]
    assert cli("migrate", "up", "dev", "--auto-approve").code == 0
    dev.execute(
        "CREATE TABLE mrpplan_seed_history (seed VARCHAR(255) NOT NULL, checksum CHAR(64) NOT"
        " NULL, applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), rows_affected"
        " BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (seed))",
        "INSERT INTO mrpplan_seed_history (seed, checksum, rows_affected) VALUES"
        " ('99_cleanup_old', REPEAT('a', 64), 7)",
    )
    status = json.loads(cli("seed", "status", "dev", "--track", "--json").stdout)
    assert [r["seed"] for r in status["runs"]] == ["99_cleanup_old"]  # readable before upgrade
    assert cli("seed", "reference", "dev").code == 0
    rows = dev.query("SELECT id, seed FROM mrpplan_seed_history ORDER BY id")
    assert [r[1] for r in rows] == ["99_cleanup_old", "00_reference_data"]
