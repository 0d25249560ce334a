"""Issue 22 (part B): what a migration may run is an allowlist read the way the server
reads it; data-losing kinds are checkpointed and destructive; `migrate down` follows
renames. Everything runs on the protected `prod` environment (allow_destructive: false,
checkpoint: always, keyed plans) through the CLI, against the real server."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

MIGRATIONS = Path("database") / "migrations"


def write_migration(root: Path, name: str, up: str, down: str | None = None) -> None:
    text = "-- mrpplan:up\n" + up + "\n"
    if down is not None:
        text += "-- mrpplan:down\n" + down + "\n"
    (root / MIGRATIONS / name).write_text(text)


def plan_and_apply(cli: Any, env: str = "prod", *extra: str) -> tuple[Any, Any | None]:
    """`plan ENV --out FILE` then `apply FILE --auto-approve` (the reviewed way)."""
    planned = cli("plan", env, "--out", f"plans/{env}-test.json", *extra)
    if planned.code != 0:
        return planned, None
    return planned, cli("apply", f"plans/{env}-test.json", "--auto-approve")


def at_latest(project: Any, cli: Any, rows: int = 300) -> Any:
    """prod at the example project's latest version, with `rows` rows in audit_log."""
    planned, applied = plan_and_apply(cli)
    assert applied is not None and applied.code == 0, (planned.output, applied and applied.output)
    db = project.databases["prod"]
    db.execute(
        "INSERT INTO audit_log (table_name, record_id, action, changed_by) "
        f"SELECT 'items', seq, 'update', 'alice' FROM seq_1_to_{rows}"
    )
    return db


def allow_destructive(root: Path, env: str = "prod") -> None:
    path = root / "environments" / f"{env}.yaml"
    path.write_text(path.read_text().replace("allow_destructive: false", "allow_destructive: true"))


def checkpoint_rows(root: Path, table: str) -> list[int]:
    """Row counts of `table` in every checkpoint manifest written under the backup dir."""
    counts = []
    for manifest in root.glob("database/backups/**/*.manifest.json"):
        document = json.loads(manifest.read_text())
        entry = (document.get("tables") or {}).get(table)
        if entry is not None:
            counts.append(int(entry.get("rows") or 0))
    return counts


def own_definition(root: Path, table: str) -> str:
    """`CREATE OR REPLACE TABLE` with exactly the table's definition in the base schema."""
    text = (root / "database" / "schema" / "01_base_schema.sql").read_text()
    found = re.search(rf"CREATE TABLE {table} \(.*?\n\)[^;]*;", text, re.S)
    assert found, table
    return found.group(0).replace("CREATE TABLE", "CREATE OR REPLACE TABLE", 1)


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE TABLE audit_log;",
        "own definition",
        "/*!100000 TRUNCATE audit_log */;",
    ],
)
def test_a_data_losing_statement_is_destructive_and_refused_by_the_policy(
    project: Any, cli: Any, statement: str
) -> None:
    db = at_latest(project, cli)
    if statement == "own definition":  # no schema change at all: only the rows go
        statement = own_definition(project.root, "audit_log")
    write_migration(project.root, "004_lose.sql", statement)
    planned, applied = plan_and_apply(cli)
    shown = planned.output + (applied.output if applied else "")
    assert "1 to destroy" in planned.stdout, planned.output
    assert "audit_log" in planned.stdout
    assert (planned.code == 3) or (applied is not None and applied.code == 3), shown
    assert "allow_destructive" in shown
    assert db.query("SELECT COUNT(*) FROM audit_log") == [(300,)]


def test_truncate_allowed_by_policy_is_checkpointed_first(project: Any, cli: Any) -> None:
    db = at_latest(project, cli)
    allow_destructive(project.root)
    write_migration(project.root, "004_truncate.sql", "TRUNCATE TABLE audit_log;")
    planned, applied = plan_and_apply(cli)
    assert applied is not None and applied.code == 0, planned.output + (applied and applied.output)
    assert db.query("SELECT COUNT(*) FROM audit_log") == [(0,)]
    assert 300 in checkpoint_rows(project.root, "audit_log"), applied.output


@pytest.mark.parametrize(
    "statement",
    ["DELETE FROM audit_log WHERE id <= 120;", "/*! DELETE FROM audit_log WHERE id <= 120 */;"],
)
def test_a_delete_is_checkpointed_even_inside_an_executable_comment(
    project: Any, cli: Any, statement: str
) -> None:
    """The server runs `/*! ... */`: the table it writes is read from the statement as the
    server runs it (found by the allowlist property: no checkpoint held the 120 rows)."""
    db = at_latest(project, cli)
    write_migration(project.root, "004_delete.sql", statement)
    planned, applied = plan_and_apply(cli)
    assert applied is not None and applied.code == 0, planned.output + (applied and applied.output)
    assert db.query("SELECT COUNT(*) FROM audit_log") == [(180,)]
    assert 300 in checkpoint_rows(project.root, "audit_log"), applied.output


@pytest.mark.parametrize(
    "statement, kind",
    [
        ("EXECUTE IMMEDIATE 'DELETE FROM audit_log';", "EXECUTE IMMEDIATE"),
        (
            "execute /* hidden */ immediate CONCAT('DELETE ', 'FROM audit_log');",
            "EXECUTE IMMEDIATE",
        ),
        ("/*M!100000 EXECUTE IMMEDIATE 'DELETE FROM audit_log' */;", "EXECUTE IMMEDIATE"),
        ("/*!100000 CREATE USER IF NOT EXISTS 'x22'@'%' */;", "CREATE USER"),
        ("DROP TABLE IF EXISTS `other22`.`precious`;", "another database, other22"),
        ("CALL cleanup();", "CALL"),
    ],
)
def test_a_refused_kind_is_named_with_file_and_line_by_validate_and_plan(
    project: Any, cli: Any, statement: str, kind: str
) -> None:
    db = at_latest(project, cli)
    write_migration(
        project.root, "004_sneaky.sql", "CREATE TABLE notes (id INT PRIMARY KEY);\n" + statement
    )
    for command in (("validate",), ("plan", "prod")):
        result = cli(*command)

        assert result.code == 1, result.output
        assert "004_sneaky.sql:3" in result.output and kind in result.output, result.output
        assert "Traceback" not in result.output
    assert db.query("SELECT COUNT(*) FROM audit_log") == [(300,)]
    assert db.query("SELECT COUNT(*) FROM mysql.user WHERE User = 'x22'") == [(0,)]
    assert not db.query("SHOW TABLES LIKE 'notes'")


def test_annotated_dynamic_sql_is_flagged_and_checkpoints_the_whole_database(
    project: Any, cli: Any
) -> None:
    db = at_latest(project, cli)
    write_migration(
        project.root,
        "004_purge.sql",
        "-- mrpplan:allow-dynamic reviewed by Ana: purge test rows\n"
        "EXECUTE IMMEDIATE 'DELETE FROM audit_log WHERE record_id > 100';",
    )
    assert cli("validate").code == 0
    refused = cli("plan", "prod")
    assert "dynamic SQL allowed" in refused.stdout and "whole database" in refused.stdout
    assert "1 to destroy" in refused.stdout
    allow_destructive(project.root)
    planned, applied = plan_and_apply(cli)
    assert applied is not None and applied.code == 0, planned.output + (applied and applied.output)
    checkpoint = re.search(r"checkpoint\s+(\S+)", planned.stdout)
    assert checkpoint and "customers" in planned.stdout, planned.stdout
    assert db.query("SELECT COUNT(*) FROM audit_log") == [(100,)]
    assert 300 in checkpoint_rows(project.root, "audit_log")


def test_down_of_rename_then_drop_brings_the_table_back_under_its_name(
    project: Any, cli: Any
) -> None:
    db = at_latest(project, cli)
    allow_destructive(project.root)  # dropping a table is destructive (kept in trash)
    before = db.query("CHECKSUM TABLE audit_log")
    write_migration(
        project.root, "004_old_log.sql", "RENAME TABLE audit_log TO old_log;\nDROP TABLE old_log;"
    )
    planned, applied = plan_and_apply(cli)
    assert applied is not None and applied.code == 0, planned.output + (applied and applied.output)
    assert not db.query("SHOW TABLES LIKE 'audit_log'")
    down = cli("migrate", "down", "prod", "--steps", "1", "--out", "plans/down.json")
    assert down.code == 0, down.output
    assert "0 to destroy" in down.stdout, down.stdout
    applied = cli("apply", "plans/down.json", "--auto-approve")
    assert applied.code == 0, applied.output
    assert db.query("SELECT COUNT(*) FROM audit_log") == [(300,)]
    assert db.query("CHECKSUM TABLE audit_log") == before
    assert not db.query("SHOW TABLES LIKE 'old_log'")
    assert db.query("SELECT MAX(version) FROM mrpplan_schema_history WHERE success") == [("003",)]


def test_down_of_change_then_drop_column_puts_the_values_back(project: Any, cli: Any) -> None:
    db = at_latest(project, cli)
    allow_destructive(project.root)
    db.execute(
        "INSERT INTO customers (customer_code, name, email) "
        "SELECT CONCAT('C', seq), CONCAT('Customer ', seq), CONCAT('c', seq, '@example.com') "
        "FROM seq_1_to_500"
    )
    before = db.query("SELECT id, email FROM customers ORDER BY id")
    write_migration(
        project.root,
        "004_email.sql",
        "ALTER TABLE customers CHANGE email email_old VARCHAR(190) NULL;\n"
        "ALTER TABLE customers DROP COLUMN email_old;",
    )
    planned, applied = plan_and_apply(cli)
    assert applied is not None and applied.code == 0, planned.output + (applied and applied.output)
    down = cli("migrate", "down", "prod", "--steps", "1", "--out", "plans/down.json")
    assert down.code == 0, down.output
    applied = cli("apply", "plans/down.json", "--auto-approve")
    assert applied.code == 0, applied.output
    assert db.query("SELECT id, email FROM customers ORDER BY id") == before
    assert len([r for r in before if r[1]]) >= 500


def test_a_down_that_cannot_take_the_kept_values_back_is_destructive_and_names_the_trash(
    project: Any, cli: Any
) -> None:
    db = at_latest(project, cli)
    allow_destructive(project.root)
    db.execute(
        "INSERT INTO customers (customer_code, name, email) "
        "SELECT CONCAT('C', seq), 'n', CONCAT('c', seq, '@example.com') FROM seq_1_to_20"
    )
    write_migration(
        project.root,
        "004_no_email.sql",
        "ALTER TABLE customers DROP COLUMN email;",
        # the author's down re-adds the column under another name: the values cannot follow
        "ALTER TABLE customers ADD COLUMN e_mail VARCHAR(190) NULL AFTER contact_name;",
    )
    planned, applied = plan_and_apply(cli)
    assert applied is not None and applied.code == 0, planned.output + (applied and applied.output)
    trash = db.query("SHOW TABLES LIKE '\\_mrpplan\\_trash\\_%customers\\_\\_email'")
    assert len(trash) == 1
    down = cli("migrate", "down", "prod", "--steps", "1", "--out", "plans/down.json")
    assert down.code == 0, down.output
    assert "1 to destroy" in down.stdout and str(trash[0][0]) in down.stdout, down.stdout


@pytest.mark.parametrize("name", ["1t", "123", "1e5"])
def test_a_table_of_another_database_named_with_digits_is_refused(
    project: Any, cli: Any, name: str
) -> None:
    """`other.1t` names table `1t` of database `other` (the server reads a name after a
    qualifier's dot, even one of digits only): the plan refuses it and the table stays."""
    other = project.databases["dev"]
    other.execute(f"CREATE TABLE `{name}` (id INT PRIMARY KEY)")
    write_migration(project.root, "004_reach_out.sql", f"DROP TABLE {other.name}.{name};")
    planned = cli("plan", "prod")
    assert planned.code != 0 and "Traceback" not in planned.output
    assert f"it names another database, {other.name}" in planned.output
    assert other.query(f"SHOW TABLES LIKE '{name}'") == [(name,)]
