"""`mrpplan status` (DESIGN §3.10): what a person or cron sees, and the exit codes."""

from __future__ import annotations

import json
from typing import Any


def _status(cli: Any, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = cli("status", *args, "--json")
    assert "Traceback" not in result.output
    return result.code, json.loads(result.stdout)


def test_pending_migrations_and_no_backup_need_attention(project: Any, cli: Any) -> None:
    assert cli("migrate", "up", "dev", "--steps", "1", "--auto-approve").code == 0
    code, rows = _status(cli, "dev")
    assert code == 2
    (dev,) = rows
    assert dev["schema_version"] == "001"
    assert dev["pending_migrations"] == ["002", "003"]
    assert "pending migrations: 002, 003" in dev["attention"]
    assert any(a.startswith("no backup of dev") for a in dev["attention"])
    assert dev["free_bytes"] > 0 and dev["state"] == "attention"


def test_healthy_environment_exits_0_and_shows_growth(project: Any, cli: Any) -> None:
    dev = project.databases["dev"]
    assert cli("migrate", "up", "dev", "--auto-approve").code == 0
    assert cli("seed", "reference", "dev").code == 0
    assert cli("backup", "dev", "--auto").code == 0
    dev.execute(
        "INSERT INTO currencies (currency_code, name, symbol, decimal_places, is_active)"
        " VALUES ('XTS', 'Test', 'T', 2, 1)"
    )
    assert cli("backup", "dev", "--auto").code == 0
    assert cli("backup", "--verify", _newest(project), "--deep").code == 0

    code, (row,) = _status(cli, "dev")
    assert code == 0, row["attention"]
    assert row["schema_version"] == "003" and row["pending_migrations"] == []
    assert row["drift"] is False
    assert row["last_backup"]["verified"] == "deep"
    assert row["growth"]["rows_now"] == row["growth"]["rows_then"] + 1
    assert row["size_bytes"] > 0

    text = cli("status", "dev")
    assert text.code == 0
    for words in ("schema", "003 (target latest)", "last backup", "verified: deep", "free"):
        assert words in text.stdout


def test_stale_backup_and_unknown_environment(project: Any, cli: Any) -> None:
    assert cli("migrate", "up", "dev", "--auto-approve").code == 0
    assert cli("backup", "dev", "--auto").code == 0
    code, (row,) = _status(cli, "dev", "--max-backup-age", "0")
    assert code == 2
    assert any("last backup is" in a for a in row["attention"])

    code, rows = _status(cli, "dev", "nosuch")
    assert code == 1
    assert rows[1]["state"] == "error" and "nosuch" in rows[1]["error"]


def _newest(project: Any) -> str:
    folder = project.root / "database" / "backups"
    files = folder.glob("mrp_erp_full_dev_*.sql.gz")  # the last written: two in one second
    return max(files, key=lambda p: p.stat().st_mtime_ns).name  # are named Z and Z-1
