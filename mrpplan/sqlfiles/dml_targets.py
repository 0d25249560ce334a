"""What a seed statement does: the tables it writes, and whether it may run in a transaction.

A seed runs in one transaction so a failure leaves no partial rows. DDL (and a few other
statements) commit implicitly in MySQL/MariaDB, which would break that promise, so seeds
containing them are refused with the file and line. `START TRANSACTION`/`COMMIT` lines
are dropped: mrpplan owns the transaction.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sqlglot is imported where a statement is parsed: plans rarely need it
    from sqlglot import exp

DML = "dml"
TRANSACTION = "transaction"
OTHER = "other"  # forbidden: commits implicitly or leaves the session in a changed state

_REPLACE = re.compile(
    r"^\s*REPLACE\s+(?:LOW_PRIORITY\s+|DELAYED\s+)?(?:INTO\s+)?((?:`[^`]+`|\w+)(?:\s*\.\s*(?:`[^`]+`|\w+))?)",
    re.IGNORECASE,
)
_FIRST_WORD = re.compile(r"^\s*(?:/\*.*?\*/\s*)*([A-Za-z]+)", re.DOTALL)
_SAFE_SET = re.compile(
    r"^\s*SET\s+(?!.*\bautocommit\b)(?!.*\bTRANSACTION\b)", re.IGNORECASE | re.DOTALL
)


@dataclass(frozen=True)
class StatementKind:
    kind: str  # dml | transaction | other
    tables: tuple[str, ...]  # tables written (bare names, in statement order)
    verb: str  # first keyword, upper case, for messages


def classify(sql: str) -> StatementKind:
    """DML that writes rows (with its target tables), transaction control, or other."""
    first = _FIRST_WORD.match(sql)
    verb = first.group(1).upper() if first else ""
    if verb in {"START", "BEGIN", "COMMIT"}:
        return StatementKind(TRANSACTION, (), verb)
    if verb == "REPLACE":
        match = _REPLACE.match(sql)
        return StatementKind(DML, (_bare(match.group(1)),) if match else (), verb)
    if verb == "SET":
        return StatementKind(DML if _SAFE_SET.match(sql) else OTHER, (), verb)
    if verb in {"SELECT", "DO"}:
        return StatementKind(DML, (), verb)
    if verb not in {"INSERT", "UPDATE", "DELETE", "WITH"}:
        return StatementKind(OTHER, (), verb)
    parsed = _parse(sql)
    if parsed is None:
        return StatementKind(DML, (), verb)
    return StatementKind(DML, tuple(_written(parsed)), verb)


def written_tables(statements: Iterable[str]) -> list[str]:
    """Distinct tables written by the statements, first-seen order."""
    seen: dict[str, None] = {}
    for sql in statements:
        for table in classify(sql).tables:
            seen.setdefault(table, None)
    return list(seen)


def _parse(sql: str) -> exp.Expr | None:
    import sqlglot

    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return sqlglot.parse_one(sql, dialect="mysql")
    except sqlglot.errors.SqlglotError:
        return None
    finally:
        logger.setLevel(level)


def _written(node: exp.Expr) -> list[str]:
    from sqlglot import exp

    if isinstance(node, exp.Insert):
        target = node.this
        if isinstance(target, exp.Schema):
            target = target.this
        return [target.name] if isinstance(target, exp.Table) else []
    if isinstance(node, exp.Update):
        target = node.this
        if isinstance(target, exp.Table):
            return [target.name]
        return [t.name for t in target.find_all(exp.Table)][:1] if target else []
    if isinstance(node, exp.Delete):
        tables = node.args.get("tables") or []
        if tables:
            return [t.name for t in tables if isinstance(t, exp.Table)]
        return [node.this.name] if isinstance(node.this, exp.Table) else []
    return []


def _bare(name: str) -> str:
    return name.split(".")[-1].strip().strip("`")
