"""Helpers for the forgery tests: edit a plan file the way an attacker would, and take a
byte-for-byte picture of a database (every table, mrpplan's own included, and its accounts)."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

MIGRATION_004 = """-- 004: a column the forgery tests plan for.
-- mrpplan:up
ALTER TABLE currencies ADD COLUMN forgery_note VARCHAR(40) NULL;
-- mrpplan:down
ALTER TABLE currencies DROP COLUMN forgery_note;
"""


def add_migration(
    root: Path, name: str = "004_forgery_note.sql", text: str = MIGRATION_004
) -> Path:
    path = root / "database" / "migrations" / name
    path.write_text(text)
    return path


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def reseal(path: Path, document: dict[str, Any], key: bytes | None = None) -> None:
    """Write `document` back with a digest recomputed exactly as planfile.digest_of does:
    the canonical JSON of every key but `digest`, plain sha256 (or HMAC with `key`)."""
    document["seal"] = "hmac-sha256" if key else "sha256"
    body = {name: value for name, value in document.items() if name != "digest"}
    data = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    if key:
        document["digest"] = hmac.new(key, data, hashlib.sha256).hexdigest()
    else:
        document["digest"] = hashlib.sha256(data).hexdigest()
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def step_of(document: dict[str, Any], action: str) -> dict[str, Any]:
    step: dict[str, Any] = next(s for s in document["steps"] if s["action"] == action)
    return step


def picture(db: Any) -> dict[str, Any]:
    """SHOW CREATE and CHECKSUM TABLE of every table in the database, and the accounts."""
    tables = [
        str(r[0])
        for r in db.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
            "ORDER BY table_name"
        )
    ]
    created = {t: str(db.query(f"SHOW CREATE TABLE `{t}`")[0][1]) for t in tables}
    sums = {}
    if tables:
        rows = db.query("CHECKSUM TABLE " + ", ".join(f"`{t}`" for t in tables))
        sums = {str(name).split(".", 1)[1]: value for name, value in rows}
    # the account the injected statements would make (other test workers add and drop
    # accounts of their own meanwhile: the whole list is not this test's to compare)
    users = db.query("SELECT user, host FROM mysql.user WHERE user = 'intruder'")
    return {"create": created, "checksum": sums, "users": users}


class Saved:
    """A copy of a database (tables with their rows, views) to put it back exactly."""

    def __init__(self, db: Any, copy: Any) -> None:
        self.db, self.copy = db, copy
        self.tables = _names(db, "BASE TABLE")
        self.creates = {t: str(db.query(f"SHOW CREATE TABLE `{t}`")[0][1]) for t in self.tables}
        self.views = {v: str(db.query(f"SHOW CREATE VIEW `{v}`")[0][1]) for v in _names(db, "VIEW")}
        for table in self.tables:
            copy.execute(
                f"CREATE TABLE `{table}` LIKE `{db.name}`.`{table}`",
                f"INSERT INTO `{table}` SELECT * FROM `{db.name}`.`{table}`",
            )

    def put_back(self) -> None:
        statements = ["SET SESSION foreign_key_checks = 0"]
        statements += [f"DROP VIEW `{v}`" for v in _names(self.db, "VIEW")]
        statements += [f"DROP TABLE `{t}`" for t in _names(self.db, "BASE TABLE")]
        for table in self.tables:
            statements.append(self.creates[table])
            statements.append(f"INSERT INTO `{table}` SELECT * FROM `{self.copy.name}`.`{table}`")
        statements += list(self.views.values())
        self.db.execute(*statements)


def _names(db: Any, kind: str) -> list[str]:
    rows = db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
        "AND table_type = %s ORDER BY table_name",
        (kind,),
    )
    return [str(r[0]) for r in rows]
