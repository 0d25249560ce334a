"""The pre-flight checks' SQL: one read-only query per check (issue 25).

Each query counts the offending rows and returns up to 5 samples (their key values;
for a new UNIQUE key, the duplicated values with how many rows share each). It runs in
a READ ONLY transaction (the server refuses any write, even from a function in a CHECK
expression) under a time budget (`SET STATEMENT max_statement_time`): a query the
server stops is "not checked", never passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pymysql

from mrpplan.model import preflight_check as kinds
from mrpplan.model.preflight_check import PreflightCheck
from mrpplan.mysql.connection import Session
from mrpplan.mysql.quote import ident

SAMPLES = 5
# ER_STATEMENT_TIMEOUT (MariaDB max_statement_time), ER_QUERY_TIMEOUT (MySQL)
_TIMEOUTS = (1969, 3024)


@dataclass(frozen=True)
class Outcome:
    """What the query found: `offenders` None when it could not finish (`note` says why)."""

    offenders: int | None
    samples: tuple[tuple[tuple[str | None, ...], int | None], ...] = ()
    note: str = ""


def run_check(conn: Session, check: PreflightCheck, max_seconds: float, mariadb: bool) -> Outcome:
    """Run one check on the connection's current database."""
    if check.detail.get("skip"):
        return Outcome(None, note=str(check.detail["skip"]))
    if check.kind == kinds.NARROWING and check.detail.get("rule") == "unknown":
        return Outcome(
            None,
            note=f"mrpplan has no query for {check.detail.get('old_type')} -> "
            f"{check.detail.get('new_type')}",
        )
    sql = check_sql(check)
    if mariadb:
        sql = f"SET STATEMENT max_statement_time={max_seconds:g} FOR {sql}"
    else:
        sql = sql.replace(
            "SELECT", f"SELECT /*+ MAX_EXECUTION_TIME({int(max_seconds * 1000)}) */", 1
        )
    with conn.cursor() as cur:
        cur.execute("START TRANSACTION READ ONLY")
        try:
            cur.execute(sql)
            rows = cur.fetchall()
        except pymysql.err.MySQLError as exc:
            code = exc.args[0] if exc.args else 0
            if code in _TIMEOUTS:
                return Outcome(None, note=f"it did not finish within {max_seconds:g} s")
            if code in (1054, 1146):  # names a column or table the live database lacks
                return Outcome(None, note=f"the live database cannot run it: {exc.args[-1]}")
            raise
        finally:
            cur.execute("ROLLBACK")
    if not rows:
        return Outcome(0)
    total = int(rows[0][-1])
    width = len(check.key) if check.kind != kinds.UNIQUE else len(check.columns)
    samples = tuple(
        (
            tuple(_text(v) for v in row[:width]),
            int(row[width]) if check.kind == kinds.UNIQUE else None,
        )
        for row in rows
    )
    return Outcome(total, samples)


def check_sql(check: PreflightCheck) -> str:
    """SELECT sample columns [, rows sharing them], total offenders ... LIMIT 5."""
    table = ident(check.table)
    if check.kind == kinds.UNIQUE:
        prefix = list(check.detail.get("prefix") or [None] * len(check.columns))
        parts = [
            f"LEFT({ident(c)}, {int(n)})" if n else ident(c)
            for c, n in zip(check.columns, prefix, strict=False)
        ]
        named = ", ".join(f"{p} AS k{i}" for i, p in enumerate(parts))
        keys = ", ".join(f"k{i}" for i in range(len(parts)))
        not_null = " AND ".join(f"{ident(c)} IS NOT NULL" for c in check.columns)
        return (
            # SQL_BIG_RESULT: group by sorting; a temporary table of every distinct value
            # spills to disk on a big table (measured: 2M rows, 100 s against 8 s)
            f"SELECT {keys}, n, SUM(n) OVER () FROM (SELECT SQL_BIG_RESULT {named}, "
            f"COUNT(*) AS n FROM {table} "
            f"WHERE {not_null} GROUP BY {keys} HAVING COUNT(*) > 1) AS d "
            f"ORDER BY n DESC, {keys} LIMIT {SAMPLES}"
        )
    where = _offending(check)
    key = ", ".join(f"t.{ident(c)}" for c in check.key) or "NULL"
    order = f" ORDER BY {key}" if check.key else ""
    return f"SELECT {key}, COUNT(*) OVER () FROM {table} AS t WHERE {where}{order} LIMIT {SAMPLES}"


def _offending(check: PreflightCheck) -> str:
    """The WHERE condition true for a row the change would fail on or alter."""
    if check.kind == kinds.NOT_NULL:
        return f"t.{ident(check.columns[0])} IS NULL"
    if check.kind == kinds.CHECK:
        # a CHECK fails only when its expression is FALSE (NULL passes)
        return f"NOT ({check.detail['expression']})"
    if check.kind == kinds.FOREIGN_KEY:
        present = " AND ".join(f"t.{ident(c)} IS NOT NULL" for c in check.columns)
        if not check.detail.get("parent_exists"):
            return present  # the parent is created by the plan: it starts empty
        schema = check.detail.get("ref_schema")
        parent = (f"{ident(schema)}." if schema else "") + ident(str(check.detail["ref_table"]))
        match = " AND ".join(
            f"p.{ident(r)} = t.{ident(c)}"
            for c, r in zip(check.columns, check.detail["ref_columns"], strict=True)
        )
        return f"{present} AND NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE {match})"
    if check.kind == kinds.NARROWING:
        return _narrowing(ident(check.columns[0]), check.detail)
    raise ValueError(f"unknown pre-flight check {check.kind!r}")


def _narrowing(column: str, detail: Any) -> str:
    col = f"t.{column}"
    rule = detail["rule"]
    if rule == "max_chars":
        return f"CHAR_LENGTH({col}) > {int(detail['limit'])}"
    if rule == "max_bytes":
        return f"LENGTH({col}) > {int(detail['limit'])}"
    if rule == "range":
        return f"({col} < {int(detail['min'])} OR {col} > {int(detail['max'])})"
    if rule == "decimal":
        scale, digits = int(detail["scale"]), int(detail["precision"]) - int(detail["scale"])
        limit = "1" + "0" * digits
        cut = f"{col} <> ROUND({col}, {scale}) OR ABS(ROUND({col}, {scale})) >= {limit}"
        return f"({cut}{f' OR {col} < 0' if detail.get('unsigned') else ''})"
    if rule == "enum":
        return f"{col} IN ({', '.join(detail['removed'])})"
    if rule == "set":
        return "(" + " OR ".join(f"FIND_IN_SET({v}, {col}) > 0" for v in detail["removed"]) + ")"
    if rule == "charset":
        new, old = _charset(detail["charset"]), _charset(detail.get("old_charset"))
        # the value does not come back byte for byte from the new character set
        return f"HEX({col}) <> HEX(CONVERT(CONVERT({col} USING {new}) USING {old}))"
    if rule == "fraction":
        return f"MICROSECOND({col}) MOD {10 ** (6 - int(detail['scale']))} <> 0"
    raise ValueError(f"unknown narrowing rule {rule!r}")


def _charset(name: Any) -> str:
    text = str(name or "utf8mb4")
    if not re.fullmatch(r"\w+", text):
        raise ValueError(f"not a character set name: {text!r}")
    return text


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return "0x" + bytes(value).hex()
    return str(value)
