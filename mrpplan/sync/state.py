"""What was copied when: `_mrpplan_sync_state` in the destination, one row per table.

Each copy records, per table, the source's `CHECKSUM TABLE` at copy time and the checksum
of the (masked) copy. A plan copies a table again only when one of them changed: the
source got new rows, or someone wrote to the destination's copy. So after `apply` a plan
is empty until something changes, masked tables included (their masked values differ from
the source's by design, which a row comparison could never settle).

The state table is written in the scratch database with the copies and swapped in by the
same RENAME: it can never claim a copy that did not happen. Its name starts with
`_mrpplan`, so no diff, fingerprint, backup or copy ever sees it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mrpplan.mysql.connection import Session
from mrpplan.mysql.quote import ident

STATE_TABLE = "_mrpplan_sync_state"


@dataclass(frozen=True)
class Copied:
    source: str
    source_checksum: int | None
    target_checksum: int | None


def read_copied(conn: Session, database: str) -> dict[str, Copied]:
    """The recorded copies of `database` (empty when nothing was ever synced)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s "
            "AND table_name = %s",
            (database, STATE_TABLE),
        )
        found = cur.fetchone()
        if not (found and found[0]):
            return {}
        cur.execute(
            f"SELECT table_name, source, source_checksum, target_checksum "
            f"FROM {ident(database)}.{ident(STATE_TABLE)}"
        )
        return {str(r[0]): Copied(str(r[1]), _int(r[2]), _int(r[3])) for r in cur.fetchall()}


def checksums(conn: Session, database: str, tables: Sequence[str]) -> dict[str, int | None]:
    """CHECKSUM TABLE of each of `tables` (None for a table that is not there)."""
    if not tables:
        return {}
    with conn.cursor() as cur:
        cur.execute("CHECKSUM TABLE " + ", ".join(f"{ident(database)}.{ident(t)}" for t in tables))
        rows = cur.fetchall()
    return {str(r[0]).split(".", 1)[1]: _int(r[1]) for r in rows}


def write_shadow_state(
    work: Session, scratch: str, database: str, copied: Mapping[str, Copied]
) -> None:
    """The destination's state with `copied` updated, as a table in the scratch database."""
    kept = {t: c for t, c in read_copied(work, database).items() if t not in copied}
    rows = {**kept, **copied}
    with work.cursor() as cur:
        cur.execute(
            f"CREATE TABLE {ident(scratch)}.{ident(STATE_TABLE)} ("
            "table_name VARCHAR(64) NOT NULL PRIMARY KEY, source VARCHAR(64) NOT NULL, "
            "source_checksum BIGINT UNSIGNED NULL, target_checksum BIGINT UNSIGNED NULL, "
            "copied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB"
        )
        for table, entry in sorted(rows.items()):
            cur.execute(
                f"INSERT INTO {ident(scratch)}.{ident(STATE_TABLE)} "
                "(table_name, source, source_checksum, target_checksum) VALUES (%s, %s, %s, %s)",
                (table, entry.source, entry.source_checksum, entry.target_checksum),
            )


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
