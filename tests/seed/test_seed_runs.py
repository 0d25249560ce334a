"""Seeds against a real server with data: idempotent runs, one transaction each, refresh."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def _load_base(project: Any, name: str = "local") -> Any:
    """Base schema + all migrations, loaded as plain SQL (independent of the planner)."""
    from mrpplan.config import Project
    from mrpplan.desired.directory import desired_statements

    db = project.databases[name]
    statements = desired_statements(Project(project.root), "latest")
    db.execute(*(s.text for s in statements))
    return db


def _snapshot(db: Any, tables: list[str]) -> dict[str, list[tuple[object, ...]]]:
    return {t: sorted(map(repr, db.query(f"SELECT * FROM `{t}`"))) for t in tables}


SEEDED = {  # natural content (ids and timestamps are the server's)
    "currencies": "currency_code, name, symbol, decimal_places, is_active",
    "units_of_measure": "uom_code, name, uom_class, decimal_places",
    "item_types": "type_code, name, is_purchased, is_manufactured, is_stocked",
    "transaction_types": "type_code, name, direction, affects_cost",
}


def _content(db: Any) -> dict[str, list[tuple[object, ...]]]:
    return {t: sorted(db.query(f"SELECT {cols} FROM `{t}`")) for t, cols in SEEDED.items()}


def test_each_seed_twice_gives_the_same_rows(project: Any, cli: Any) -> None:
    db = _load_base(project)
    first = cli("seed", "run", "local")
    assert first.code == 0, first.output
    assert "Apply complete: " in first.stdout and "of seed run ran on local" in first.stdout
    tables = [
        str(r[0])
        for r in db.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
            " AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'mrpplan%%'"
        )
    ]
    before = _snapshot(db, tables)
    assert before["currencies"], "reference data was loaded"
    again = cli("seed", "run", "local")
    assert again.code == 0 and "Nothing to do" in again.stdout, again.output
    forced = cli("seed", "run", "local", "--force")
    assert forced.code == 0 and "re-run seed" in forced.stdout, forced.output
    assert _snapshot(db, tables) == before
    status = cli("seed", "status", "local", "--json")
    assert status.code == 0
    assert '"state": "applied"' in status.stdout


def test_a_seed_failing_mid_file_leaves_nothing(project: Any, cli: Any) -> None:
    db = _load_base(project)
    root: Path = project.root
    (root / "database/seeds/00_reference_zz_broken.sql").write_text(
        "INSERT INTO currencies (currency_code, name, symbol, decimal_places, is_active)"
        " VALUES ('CHF', 'Swiss Franc', 'Fr', 2, TRUE);\n"
        "INSERT INTO units_of_measure (uom_code, name, uom_class, decimal_places)"
        " VALUES ('XX', 'Broken', 'count', 0);\n"
        "INSERT INTO no_such_table (a) VALUES (1);\n"
    )
    result = cli("seed", "run", "local", "00_reference_zz_broken")
    assert result.code == 1, result.output
    assert "no_such_table" in result.stderr and "rolled back" in result.stderr
    assert db.query("SELECT COUNT(*) FROM currencies WHERE currency_code = 'CHF'") == [(0,)]
    assert db.query("SELECT COUNT(*) FROM units_of_measure WHERE uom_code = 'XX'") == [(0,)]
    assert "Traceback" not in result.output


def test_a_seed_with_ddl_is_refused_before_any_write(project: Any, cli: Any) -> None:
    db = _load_base(project)
    root: Path = project.root
    path = root / "database/seeds/00_reference_zz_ddl.sql"
    path.write_text(
        "INSERT INTO currencies (currency_code, name, symbol, decimal_places, is_active)"
        " VALUES ('CHF', 'Swiss Franc', 'Fr', 2, TRUE);\n"
        "\nCREATE TABLE oops (a INT);\n"
    )
    result = cli("seed", "run", "local", "00_reference_zz_ddl")
    assert result.code == 1
    assert "00_reference_zz_ddl.sql:3" in result.stderr and "CREATE" in result.stderr
    assert db.query("SELECT COUNT(*) FROM currencies WHERE currency_code = 'CHF'") == [(0,)]


def test_refresh_restores_altered_seeded_rows(project: Any, cli: Any) -> None:
    db = _load_base(project)
    assert cli("seed", "run", "local", "reference").code == 0
    before = _content(db)
    db.execute(
        "UPDATE currencies SET name = 'tampered' WHERE currency_code = 'EUR'",
        "INSERT INTO item_types (type_code, name, is_purchased, is_manufactured, is_stocked)"
        " VALUES ('JUNK', 'junk', 0, 0, 0)",
    )
    db.execute("DELETE FROM transaction_types WHERE type_code = 'TRANSFER'")
    assert _content(db) != before
    refused = cli("seed", "refresh", "local", "reference")
    assert refused.code == 3, refused.output  # no terminal, no --force
    result = cli("seed", "refresh", "local", "reference", "--force")
    assert result.code == 0, result.output
    assert "Checkpoint:" in result.stdout
    assert _content(db) == before


def test_refresh_is_a_plan_that_can_be_saved_and_applied(project: Any, cli: Any) -> None:
    db = _load_base(project)
    assert cli("seed", "run", "local", "reference").code == 0
    before = _content(db)
    db.execute("UPDATE currencies SET name = 'tampered' WHERE currency_code = 'EUR'")
    tampered = _content(db)
    saved = cli("seed", "refresh", "local", "reference", "--out", "plans/refresh.json")
    assert saved.code == 0, saved.output
    assert "empty_tables" in saved.stdout and "checkpoint" in saved.stdout
    assert "to destroy" in saved.stdout and "Nothing was changed" in saved.stdout
    assert _content(db) == tampered
    applied = cli("apply", "plans/refresh.json", "--auto-approve")
    assert applied.code == 0, applied.output
    assert _content(db) == before


@pytest.mark.parametrize("set_name", ["reference", "sample"])
def test_seed_create_names_the_file_by_set(project: Any, cli: Any, set_name: str) -> None:
    result = cli("seed", "create", "More Units", "--set", set_name)
    assert result.code == 0, result.output
    listed = cli("seed", "list", "--json")
    assert f'"set": "{set_name}"' in listed.stdout


def test_a_protected_environment_takes_only_its_listed_seeds(project: Any, cli: Any) -> None:
    _load_base(project, "prod")  # prod: protected, seeds: [reference]
    refused = cli("seed", "test", "prod")
    assert refused.code == 3, refused.output
    assert "01_test_data" in refused.output
    assert project.databases["prod"].query("SELECT COUNT(*) FROM items") == [(0,)]
    assert cli("seed", "refresh", "prod", "--force").code == 3
    assert cli("seed", "reference", "prod").code == 3  # protected: no terminal, no saved plan
    key = {"MRPPLAN_PLAN_KEY": "test-key"}
    saved = cli("seed", "reference", "prod", "--out", "plans/ref.json", env=key)
    assert saved.code == 0, saved.output
    assert cli("apply", "plans/ref.json", "--auto-approve", env=key).code == 0
