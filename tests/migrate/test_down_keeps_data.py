"""Issue 11: `migrate down` of a migration that dropped a table or a column brings the data
back exactly: the DROP TABLE ran as a rename to a trash table, the column's values were
copied before the column went, and the down puts both back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

NOTES = """CREATE TABLE legacy_notes (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    body VARCHAR(200) NOT NULL,
    code_id INT UNSIGNED NULL,
    PRIMARY KEY (id),
    CONSTRAINT fk_legacy_notes_code FOREIGN KEY (code_id) REFERENCES legacy_codes (id)
) ENGINE=InnoDB;
"""

LEGACY = f"""-- 004: two legacy tables.
-- mrpplan:up
CREATE TABLE legacy_codes (
    id INT UNSIGNED NOT NULL,
    code VARCHAR(20) NOT NULL,
    old_code VARCHAR(20) NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB;
{NOTES}-- mrpplan:down
DROP TABLE legacy_notes;
DROP TABLE legacy_codes;
"""

DROP_TABLE = f"""-- 005: the notes are not needed any more (hand-written down).
-- mrpplan:up
DROP TABLE legacy_notes;
-- mrpplan:down
{NOTES}"""

DROP_COLUMN = """-- 006: old codes are gone (no down section: generated rollback).
-- mrpplan:up
ALTER TABLE legacy_codes DROP COLUMN old_code;
"""


def _write(root: Path, name: str, text: str) -> None:
    (root / "database" / "migrations" / name).write_text(text)


def _picture(db: Any, tables: tuple[str, ...]) -> dict[str, Any]:
    created = {t: str(db.query(f"SHOW CREATE TABLE `{t}`")[0][1]) for t in tables}
    sums = db.query("CHECKSUM TABLE " + ", ".join(f"`{t}`" for t in tables))
    return {"create": created, "checksum": sorted(sums)}


def test_down_brings_back_a_dropped_table_and_a_dropped_column(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    _write(project.root, "004_legacy.sql", LEGACY)
    first = cli("migrate", "up", "local", "--force")
    assert first.code == 0, first.output
    db.execute(
        "INSERT INTO legacy_codes VALUES (1, 'A', 'OLD-A'), (2, 'B', NULL), (7, 'C', 'OLD-C')",
        "INSERT INTO legacy_notes (body, code_id) VALUES ('first', 7), ('second', NULL),"
        " ('ünïcode ✓', 1)",
    )
    tables = ("legacy_notes", "legacy_codes")
    before = _picture(db, tables)

    _write(project.root, "005_drop_notes.sql", DROP_TABLE)
    _write(project.root, "006_drop_old_code.sql", DROP_COLUMN)
    shown = cli("migrate", "up", "local", "--dry-run")
    assert shown.code == 0, shown.output
    assert "2 to destroy" in shown.stdout  # what the SQL does, not "2 to change"
    assert "RENAME TABLE `legacy_notes` TO `_mrpplan_trash_" in shown.stdout
    up = cli("migrate", "up", "local", "--force")
    assert up.code == 0, up.output
    assert not db.query("SHOW TABLES LIKE 'legacy_notes'")
    trash = db.query("SHOW TABLES LIKE '\\_mrpplan\\_trash\\_%legacy\\_notes'")
    assert len(trash) == 1
    assert db.query(f"SELECT COUNT(*) FROM `{trash[0][0]}`") == [(3,)]
    assert "old_code" not in {r[0] for r in db.query("SHOW COLUMNS FROM legacy_codes")}

    down_plan = cli("migrate", "down", "local", "--steps", "2", "--dry-run")
    assert down_plan.code == 0, down_plan.output
    assert "0 to destroy" in down_plan.stdout
    down = cli("migrate", "down", "local", "--steps", "2", "--force")
    assert down.code == 0, down.output
    assert _picture(db, tables) == before
    assert db.query("SELECT id, old_code FROM legacy_codes ORDER BY id") == [
        (1, "OLD-A"),
        (2, None),
        (7, "OLD-C"),
    ]
    # the foreign key's name was free while the table was in trash: up again works
    again = cli("migrate", "up", "local", "--force")
    assert again.code == 0, again.output
    assert len(db.query("SHOW TABLES LIKE '\\_mrpplan\\_trash\\_%legacy\\_notes'")) == 1


def test_down_after_the_trash_was_purged_is_destructive_and_says_where_the_data_is(
    project: Any, cli: Any
) -> None:
    db = project.databases["local"]
    _write(project.root, "004_legacy.sql", LEGACY)
    assert cli("migrate", "up", "local", "--force").code == 0
    db.execute("INSERT INTO legacy_notes (body) VALUES ('first')")
    _write(project.root, "005_drop_notes.sql", DROP_TABLE)
    assert cli("migrate", "up", "local", "--force").code == 0
    trash = str(db.query("SHOW TABLES LIKE '\\_mrpplan\\_trash\\_%legacy\\_notes'")[0][0])
    db.execute(f"DROP TABLE `{trash}`")  # purged after the retention period
    refused = cli("migrate", "down", "local")  # no terminal: destructive needs --force
    assert refused.code == 3, refused.output
    assert "comes back EMPTY" in refused.stdout
    assert trash in refused.stdout
    assert "1 to destroy" in refused.stdout
    assert not db.query("SHOW TABLES LIKE 'legacy_notes'")
    down = cli("migrate", "down", "local", "--force")
    assert down.code == 0, down.output
    assert db.query("SELECT COUNT(*) FROM legacy_notes") == [(0,)]
