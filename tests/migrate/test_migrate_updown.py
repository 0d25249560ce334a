"""Migrations on a real server with data in the tables: up/down/steps, partial failure,
edited files, baseline, generated rollback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mrpplan.config import Project, load_environment
from mrpplan.desired.directory import base_schema_statements, load_migrations
from mrpplan.mysql.connection import session
from mrpplan.mysql.inspect import inspect_schema


def states(cli: Any, env: str = "local") -> dict[str, str]:
    result = cli("migrate", "status", env, "--json")
    assert result.code in (0, 1) and result.stdout, result.output
    return {m["version"]: m["state"] for m in json.loads(result.stdout)["migrations"]}


def live_fingerprint(project: Any, env: str = "local") -> str:
    settings = load_environment(Project(project.root), env).connection
    with session(settings) as conn:
        return str(inspect_schema(conn, settings.database).fingerprint())


def capacity(db: Any) -> list[tuple[Any, ...]]:
    """The capacity of the test work center, whatever 003 named the column."""
    columns = {r[0] for r in db.query("SHOW COLUMNS FROM work_centers")}
    name = "daily_capacity_hours" if "daily_capacity_hours" in columns else "capacity_hours_per_day"
    return list(db.query(f"SELECT {name} FROM work_centers WHERE work_center_code = 'WC-T'"))


def test_up_all_down_all_up_again_with_steps(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    first = cli("migrate", "up", "local", "--auto-approve")
    assert first.code == 0, first.output
    assert states(cli) == {"001": "applied", "002": "applied", "003": "applied"}
    assert cli("seed", "run", "local", "reference").code == 0
    currencies = db.query("SELECT COUNT(*) FROM currencies")
    assert currencies[0][0] > 0
    db.execute(
        "INSERT INTO work_centers (work_center_code, name, daily_capacity_hours)"
        " VALUES ('WC-T', 'Test cell', 7.5)"
    )

    down = cli("migrate", "down", "local", "--steps", "3", "--auto-approve")
    assert down.code == 0, down.output
    assert set(states(cli).values()) == {"pending"}
    no_drift = cli("drift", "local")  # the live schema is exactly the base schema again
    assert no_drift.code == 0, no_drift.output
    assert db.query("SELECT COUNT(*) FROM currencies") == currencies  # base data kept
    assert [float(r[0]) for r in capacity(db)] == [7.5]  # 003's rename came back with the data

    two = cli("migrate", "up", "local", "--steps", "2", "--auto-approve")
    assert two.code == 0, two.output
    assert states(cli) == {"001": "applied", "002": "applied", "003": "pending"}
    rest = cli("migrate", "up", "local", "--auto-approve")
    assert rest.code == 0, rest.output
    assert set(states(cli).values()) == {"applied"}
    assert cli("drift", "local").code == 0
    assert [float(r[0]) for r in capacity(db)] == [7.5]
    again = cli("migrate", "up", "local", "--auto-approve")
    assert again.code == 0 and "Nothing to do" in again.stdout


def test_dry_run_changes_nothing(project: Any, cli: Any) -> None:
    result = cli("migrate", "up", "local", "--dry-run")
    assert result.code == 0, result.output
    assert "migrate_up" in result.stdout
    assert project.databases["local"].query("SHOW TABLES") == []


def test_editing_an_applied_migration_is_an_error_everywhere(project: Any, cli: Any) -> None:
    assert cli("migrate", "up", "local", "--auto-approve").code == 0
    path = Path(project.root) / "database/migrations/001_inventory_transactions.sql"
    path.write_text(path.read_text() + "\n-- an innocent-looking edit\n")
    for args in (("migrate", "status", "local"), ("plan", "local"), ("validate", "--env", "local")):
        result = cli(*args)
        assert result.code == 1, (args, result.output)
        assert "001_inventory_transactions.sql" in result.output, args
        assert "'local'" in result.output and "edited" in result.output, args


def test_a_migration_failing_at_its_third_statement_rolls_back_the_first_two(
    project: Any, cli: Any
) -> None:
    db = project.databases["local"]
    assert cli("migrate", "up", "local", "--auto-approve").code == 0
    assert cli("seed", "run", "local", "reference").code == 0
    # live data the scratch workspace does not have: two currencies with the same name
    db.execute(
        "INSERT INTO currencies (currency_code, name, symbol, decimal_places, is_active)"
        " VALUES ('ZZA', 'Duplicate', 'z', 2, 1), ('ZZB', 'Duplicate', 'z', 2, 1)"
    )
    env_file = Path(project.root) / "environments" / "local.yaml"  # about the rollback of a
    env_file.write_text(env_file.read_text() + "  preflight: {enabled: false}\n")  # failing one
    before = live_fingerprint(project)
    rows_before = db.query("SELECT * FROM currencies ORDER BY currency_code")
    (Path(project.root) / "database/migrations/004_breaks.sql").write_text(
        "-- mrpplan:up\n"
        "CREATE TABLE qa_notes (id INT NOT NULL PRIMARY KEY, note VARCHAR(80) NOT NULL);\n"
        "ALTER TABLE currencies ADD COLUMN iso_numeric SMALLINT NULL;\n"
        "ALTER TABLE currencies ADD UNIQUE KEY uq_currencies_name (name);\n"
        "CREATE TABLE qa_more (id INT NOT NULL PRIMARY KEY);\n"
        "-- mrpplan:down\n"
        "DROP TABLE qa_more;\n"
        "ALTER TABLE currencies DROP KEY uq_currencies_name;\n"
        "ALTER TABLE currencies DROP COLUMN iso_numeric;\n"
        "DROP TABLE qa_notes;\n"
    )
    result = cli("migrate", "up", "local", "--auto-approve")
    assert result.code == 1, result.output
    assert "uq_currencies_name" in result.output or "Duplicate" in result.output
    assert "Traceback" not in result.output
    assert live_fingerprint(project) == before
    assert db.query("SELECT * FROM currencies ORDER BY currency_code") == rows_before
    assert states(cli)["004"] == "pending"


def test_baseline_adopts_a_database_with_the_schema_but_no_history(project: Any, cli: Any) -> None:
    root = Path(project.root)
    statements = [s.text for s in base_schema_statements(root / "database/schema")]
    for migration in load_migrations(root / "database/migrations"):
        if migration.number <= 2:
            statements.extend(s.text for s in migration.up)
    dev = project.databases["dev"]
    dev.execute(*statements)
    wrong = cli("migrate", "baseline", "dev", "--version", "003")
    assert wrong.code == 3, wrong.output
    assert "does not match version 003" in wrong.output
    assert "mrp_exceptions" in wrong.output  # what differs is named
    saved = cli("migrate", "baseline", "dev", "--version", "002", "--out", "plans/base.json")
    assert saved.code == 0, saved.output
    assert "record_history" in saved.stdout and "Nothing was changed" in saved.stdout
    assert not dev.query("SHOW TABLES LIKE 'mrpplan_schema_history'")
    ok = cli("apply", "plans/base.json", "--auto-approve")
    assert ok.code == 0, ok.output
    assert states(cli, "dev") == {"001": "applied", "002": "applied", "003": "pending"}
    again = cli("migrate", "baseline", "dev", "--version", "002")
    assert again.code == 3
    up = cli("migrate", "up", "dev", "--auto-approve")
    assert up.code == 0, up.output
    assert set(states(cli, "dev").values()) == {"applied"}


def test_migrate_create_writes_the_next_number_with_both_sections(project: Any, cli: Any) -> None:
    result = cli("migrate", "create", "Add lot tracking")
    assert result.code == 0, result.output
    path = Path(project.root) / "database/migrations/004_add_lot_tracking.sql"
    text = path.read_text()
    assert "-- mrpplan:up" in text and "-- mrpplan:down" in text
    assert "004" in states(cli) and states(cli)["004"] == "pending"


def test_fresh_is_refused_on_a_protected_environment(project: Any, cli: Any) -> None:
    result = cli("migrate", "fresh", "prod", "--force")
    assert result.code == 3
    assert "protected" in result.output


def test_fresh_rebuilds_everything(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    db.execute("CREATE TABLE leftovers (id INT PRIMARY KEY)")
    result = cli("migrate", "fresh", "local", "--force", "--no-backup")
    assert result.code == 0, result.output
    tables = {r[0] for r in db.query("SHOW TABLES")}
    assert "leftovers" not in tables and "mrp_exceptions" in tables
    assert set(states(cli).values()) == {"applied"}
