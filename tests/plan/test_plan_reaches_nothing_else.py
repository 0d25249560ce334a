"""`plan` builds the pull request's SQL on the target's server: a migration that reaches
past its own database (another database, accounts) is refused before it runs."""

from __future__ import annotations

from typing import Any

import pytest
from plan_test_support import without_sync


@pytest.mark.parametrize(
    "statement, said",
    [
        ("DROP TABLE {victim}.orders;", "it names another database"),
        ("DELETE FROM `{victim}`.`orders`;", "it names another database"),
        ("CREATE INDEX ix_total ON {victim}.orders (total);", "it names another database"),
        ("CREATE USER intruder IDENTIFIED BY 'x';", "never manages accounts"),
    ],
)
def test_a_migration_naming_another_database_is_refused_at_plan(
    project: Any, cli: Any, database_factory: Any, statement: str, said: str
) -> None:
    without_sync(project.root, "local")
    victim = database_factory()
    victim.execute(
        "CREATE TABLE orders (id INT PRIMARY KEY, total INT)", "INSERT INTO orders VALUES (1, 10)"
    )
    migration = project.root / "database" / "migrations" / "004_reach_out.sql"
    migration.write_text(
        "-- mrpplan:up\nCREATE TABLE notes (id INT PRIMARY KEY);\n"
        + statement.format(victim=victim.name)
        + "\n-- mrpplan:down\nDROP TABLE notes;\n"
    )
    planned = cli("plan", "local")
    assert planned.code == 1, planned.output
    assert "004_reach_out.sql:3" in planned.output and said in planned.output
    assert "Traceback" not in planned.output
    assert victim.query("SELECT COUNT(*) FROM orders")[0][0] == 1
    assert victim.query("SHOW INDEX FROM orders WHERE Key_name = 'ix_total'") == []
    users = victim.query("SELECT COUNT(*) FROM mysql.user WHERE User = 'intruder'")
    assert users[0][0] == 0


def test_a_view_joining_on_quoted_columns_is_not_another_database(project: Any, cli: Any) -> None:
    """`ON `a`.`id` = ...` in a join names columns, not a database."""
    without_sync(project.root, "local")
    migration = project.root / "database" / "migrations" / "004_view.sql"
    migration.write_text(
        "-- mrpplan:up\nCREATE VIEW v_item_suppliers AS SELECT `i`.`id` AS item_id FROM items"
        " `i` JOIN supplier_items `s` ON `i`.`id` = `s`.`item_id`;\n"
        "-- mrpplan:down\nDROP VIEW v_item_suppliers;\n"
    )
    applied = cli("apply", "local", "--auto-approve")
    assert applied.code == 0, applied.output
    assert project.databases["local"].query("SHOW FULL TABLES WHERE Table_type = 'VIEW'")
