"""`sync compare` (exit 0 same / 2 different) and `sync status` / `list-envs`."""

from __future__ import annotations

import json

from sync_fixtures import fill_erp


def test_compare_exit_codes_and_changes_that_make_b_like_a(project, cli) -> None:  # type: ignore[no-untyped-def]
    prod, dev = project.databases["prod"], project.databases["dev"]
    fill_erp(prod)
    assert cli("sync", "clone", "prod", "dev").code == 0
    same = cli("sync", "compare", "prod", "dev")
    assert same.code == 0, same.output
    assert "same schema" in same.stdout

    dev.execute(
        "ALTER TABLE customers DROP COLUMN phone", "CREATE TABLE scratch (id INT PRIMARY KEY)"
    )
    differ = cli("sync", "compare", "prod", "dev")
    assert differ.code == 2, differ.output
    assert "phone" in differ.stdout and "scratch" in differ.stdout
    data = json.loads(cli("sync", "compare", "prod", "dev", "--json").stdout)
    assert not data["same"]
    sql = " ".join(s for d in data["differences"] for s in d["sql"])
    assert "ADD COLUMN `phone`" in sql and "DROP TABLE `scratch`" in sql
    # mrpplan's own tables never count as a difference
    dev.execute(
        "CREATE TABLE IF NOT EXISTS mrpplan_apply_journal (x INT)",  # (the clone made one)
        "ALTER TABLE customers ADD COLUMN phone VARCHAR(30) NULL AFTER email",
        "DROP TABLE scratch",
    )
    assert cli("sync", "compare", "prod", "dev").code == 0


def test_status_reports_version_size_pending_and_last_backup(project, cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("apply", "dev", "--auto-approve")
    assert done.code == 0, done.output
    backup = cli("backup", "dev")
    assert backup.code == 0, backup.output
    result = cli("sync", "status", "dev", "--json")
    assert result.code == 0, result.output
    status = json.loads(result.stdout)
    assert status["database_exists"] and status["tables"] > 10 and status["size_bytes"] > 0
    assert status["schema_version"] == "003"
    assert status["pending_migrations"] == []
    assert status["drift"] is False
    assert status["server_version"].startswith("10.")
    assert status["last_backup"] and status["last_backup"]["kind"] == "full"

    project.databases["dev"].execute("ALTER TABLE customers ADD COLUMN nickname VARCHAR(20)")
    text = cli("sync", "status", "dev")
    assert text.code == 0, text.output
    assert "drift:" in text.stdout and "yes" in text.stdout.split("drift:")[1].splitlines()[0]


def test_status_of_an_empty_environment(project, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("sync", "status", "staging", "--json")
    assert result.code == 0, result.output
    status = json.loads(result.stdout)
    assert status["schema_version"] is None and status["pending_migrations"] is None
    assert status["last_backup"] is None


def test_list_envs_shows_versions(project, cli) -> None:  # type: ignore[no-untyped-def]
    fill_erp(project.databases["prod"])
    rows = {r["name"]: r for r in json.loads(cli("sync", "list-envs", "--json").stdout)}
    assert set(rows) == {"local", "dev", "staging", "prod"}
    assert rows["prod"]["schema_version"] == "002" and rows["prod"]["protected"]
    assert rows["dev"]["schema_version"] is None and rows["dev"]["reachable"]
    table = cli("sync", "list-envs")
    assert table.code == 0 and "prod" in table.stdout
