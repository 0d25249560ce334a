"""Issue 29's example classes taken both ways through the CLI the way a user runs it
(`apply` of the project's schema files): a DEFAULT expression added to and removed from a
JSON column (its CHECK json_valid), `ADD UNIQUE KEY ... USING HASH`, PARTITION BY
KEY/LINEAR KEY/ALGORITHM= changes, and tables whose lines ALTERs left in an unusual order
(a primary key referenced by several tables' foreign keys changed). Each result equals
the server's own load of the desired SQL (the `mariadb` client), and the rows stay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from schema_roundtrip import client_load, show_create, snapshot
from test_altered_foreign_keys import ALTERS
from test_altered_foreign_keys import BEFORE as FK_BEFORE

BEFORE = [
    "CREATE TABLE i29_json (id INT NOT NULL PRIMARY KEY, j JSON)",
    "CREATE TABLE i29_json_expr (id INT NOT NULL PRIMARY KEY, j JSON DEFAULT (json_object()))",
    "CREATE TABLE i29_hash (id INT NOT NULL PRIMARY KEY, t TEXT)",
    "CREATE TABLE i29_part_key (id INT NOT NULL, c INT NOT NULL, PRIMARY KEY (id, c))"
    " PARTITION BY KEY (c) PARTITIONS 3",
    "CREATE TABLE i29_part_named (id INT NOT NULL, c INT NOT NULL, PRIMARY KEY (id, c))"
    " PARTITION BY HASH (id) (PARTITION a, PARTITION b)",
]
AFTER = [
    "CREATE TABLE i29_json (id INT NOT NULL PRIMARY KEY, j JSON DEFAULT (json_object()))",
    "CREATE TABLE i29_json_expr (id INT NOT NULL PRIMARY KEY, j JSON)",
    "CREATE TABLE i29_hash (id INT NOT NULL PRIMARY KEY, t TEXT, UNIQUE KEY uh (t) USING HASH)",
    "CREATE TABLE i29_part_key (id INT NOT NULL, c INT NOT NULL, PRIMARY KEY (id, c))"
    " PARTITION BY LINEAR KEY ALGORITHM=1 (c) PARTITIONS 4",
    "CREATE TABLE i29_part_named (id INT NOT NULL, c INT NOT NULL, PRIMARY KEY (id, c))"
    " PARTITION BY KEY (c) (PARTITION a, PARTITION b COMMENT 'x')",
]
ROWS = [
    "INSERT INTO i29_json VALUES (1, '{}'), (2, '[1]')",
    "INSERT INTO i29_json_expr VALUES (1, '{}'), (2, '[1]')",
    "INSERT INTO i29_hash VALUES (1, 'one'), (2, 'two')",
    "INSERT INTO i29_part_key VALUES (1, 10), (2, 20), (3, 30)",
    "INSERT INTO i29_part_named VALUES (1, 10), (2, 20), (3, 30)",
]
FK_CREATES = [s for s in FK_BEFORE if s.startswith("CREATE")]
FK_ROWS = [s for s in FK_BEFORE if s.startswith("INSERT")]
FK_TABLES = ("p", "c1", "c2")
TABLES = (*(s.split()[2] for s in BEFORE), *FK_TABLES)


def _declare(root: Path, statements: list[str]) -> None:
    """The project's schema file: its own tables and the example's."""
    path = root / "database" / "schema" / "01_base_schema.sql"
    base = path.read_text().split("\n-- issue 29 examples\n")[0]
    path.write_text(base + "\n-- issue 29 examples\n" + ";\n".join(statements) + ";\n")


def _without_sync(root: Path) -> None:
    path = root / "environments" / "local.yaml"
    document = yaml.safe_load(path.read_text())
    document.pop("sync", None)
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def _tables(db: Any) -> dict[str, str]:
    texts = snapshot(db).canonical_texts()["table"]
    return {name: texts.get(name, "<missing>") for name in TABLES}


def _rows(db: Any) -> dict[str, object]:
    return {t: db.query(f"SELECT COUNT(*), SUM(id) FROM `{t}`") for t in TABLES}


def _apply_and_compare(cli: Any, db: Any, loaded: Any, statements: list[str]) -> None:
    rows = _rows(db)
    done = cli("apply", "local", "--auto-approve")
    assert done.code == 0, done.output
    client_load(loaded, "SET FOREIGN_KEY_CHECKS=0;\n" + ";\n".join(statements) + ";\n")
    assert _tables(db) == _tables(loaded)
    assert _rows(db) == rows


def test_issue_29_examples_converge_both_ways_through_apply(
    project: Any, cli: Any, database_factory: Any
) -> None:
    _without_sync(project.root)
    db = project.databases["local"]
    # the desired SQL of the altered tables is the server's own text after the ALTERs
    scratch = database_factory()
    scratch.execute(*FK_CREATES, *ALTERS)
    altered = show_create(scratch)
    fk_after = [altered[name] for name in FK_TABLES]

    before, after = [*BEFORE, *FK_CREATES], [*AFTER, *fk_after]
    _declare(project.root, before)
    built = cli("apply", "local", "--auto-approve")
    assert built.code == 0, built.output
    db.execute(*ROWS, *FK_ROWS)

    _declare(project.root, after)
    _apply_and_compare(cli, db, database_factory(), after)
    _declare(project.root, before)
    _apply_and_compare(cli, db, database_factory(), before)

    # the same tables made by ALTERs (their lines in an unusual order) are read and
    # converge too: to the desired SQL, and back
    db.execute(*ALTERS)
    assert snapshot(db).unsupported_tables() == []
    _declare(project.root, after)
    _apply_and_compare(cli, db, database_factory(), after)
    _declare(project.root, before)
    _apply_and_compare(cli, db, database_factory(), before)
