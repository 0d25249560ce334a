"""Run seed files: each in ONE transaction with its history row, skipped when unchanged.

A failure anywhere in a file rolls the whole file back (no partial rows, no history row).
Seeds are expected to be idempotent (upserts on natural keys); a file whose checksum is
already recorded is skipped, a changed file is re-applied.
"""

from __future__ import annotations

from collections.abc import Sequence

import pymysql

from mrpplan.errors import ConfigError, SqlError
from mrpplan.mysql import seed_history as history
from mrpplan.mysql.connection import Session
from mrpplan.seed.sets import SeedFile
from mrpplan.sqlfiles.dml_targets import OTHER, TRANSACTION, classify
from mrpplan.sqlfiles.statement_kinds import refuse_statements


def runnable_statements(seed: SeedFile) -> list[str]:
    """The statements to run inside the seed's transaction; ConfigError on implicit commits."""
    texts: list[str] = []
    problems: list[str] = []
    refuse_statements(seed.statements)  # the allowlist first: it names the kind
    for statement in seed.statements:
        kind = classify(statement.text)
        if kind.kind == TRANSACTION:
            continue
        if kind.kind == OTHER:
            problems.append(
                f"{statement.file}:{statement.line}: {kind.verb or 'this statement'} is not allowed"
                " in a seed: it commits implicitly (or changes the session), so the seed could"
                " not run in one transaction"
            )
            continue
        texts.append(statement.text)
    if problems:
        raise ConfigError(
            "\n".join(problems),
            unchanged="Nothing was changed.",
            hint="put schema changes in a migration (mrpplan migrate create NAME); seeds only"
            " write rows (INSERT/REPLACE/UPDATE/DELETE)",
        )
    return texts


def state_of(seed: SeedFile, recorded: dict[str, history.SeedRecord]) -> str:
    """pending | applied | changed, against the history rows."""
    record = recorded.get(seed.name)
    if record is None:
        return "pending"
    return "applied" if record.checksum == seed.checksum else "changed"


ROWS_VARIABLE = "@mrpplan_seed_rows"


def apply_seed(
    conn: Session, name: str, statements: Sequence[str], record: str, *, source: str = ""
) -> int:
    """Run `statements` and the history `record` in one transaction; return rows affected.

    `record` may use @mrpplan_seed_rows (set to the row count just before it runs). The
    history table must exist (create it first: DDL would end the transaction).
    """
    rows = 0
    current = ""
    conn.begin()
    try:
        with conn.cursor() as cur:
            cur.execute(history.START_SQL)
            for current in statements:
                cur.execute(current)
                rows += max(cur.rowcount or 0, 0)
            current = f"SET {ROWS_VARIABLE} = {rows}"
            cur.execute(current)
            current = record
            cur.execute(record)
        conn.commit()
    except pymysql.MySQLError as exc:
        conn.rollback()
        raise seed_error(
            exc,
            current,
            f"seed {source or name}",
            f"The seed's transaction was rolled back: no rows from {name} remain.",
        ) from None
    return rows


def seed_error(exc: pymysql.MySQLError, statement: str, what: str, unchanged: str) -> SqlError:
    """The server's error as one readable message naming the seed and the statement."""
    errno = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    text = exc.args[1] if len(exc.args) > 1 else str(exc)
    return SqlError(
        f"{what} failed: {text}\n  statement: {_short(statement)}",
        statement=statement,
        errno=errno,
        source=what,
        unchanged=unchanged,
    )


def _short(sql: str, limit: int = 200) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
