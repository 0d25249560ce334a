"""Masking copied personal data, in SQL, and proving no original value is left.

Rule syntax (the destination environment's `sync.mask`, `table.column: RULE`):
  email         user<key>@example.invalid          (unique per row: keeps UNIQUE keys valid)
  phone         +1-555-<key, at least 7 digits>     (unique per row)
  name          "<First> <Last> <key>"              (unique per row)
  null          NULL  (the column must be nullable; YAML's bare `null` works too)
  fixed:<text>  the literal text after the first colon, as is (`fixed:` = empty string;
                `fixed:n/a: none` = "n/a: none"); refused on a column of a UNIQUE key.
NULL stays NULL for every rule but `null`. <key> is the row's integer primary key when it
has one (so masked values are stable from one pull to the next), else a 16-hex-digit hash
of its primary/unique key (salted per run when that key is itself masked), else of the
value itself with a per-run salt. Values are cut to the column's length.

After masking, `verify_masks` fetches MD5 hashes of the source's distinct values of each
masked column and of the destination's, and counts the source values still present (values
the rule itself generates, e.g. in a source that was masked already, do not count).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pymysql.cursors

from mrpplan.errors import ConfigError
from mrpplan.mysql.connection import Session
from mrpplan.mysql.quote import ident, literal
from mrpplan.sync.catalog import ColumnInfo, unique_keys

KINDS = ("email", "phone", "name", "null", "fixed")
_INTEGER_TYPES = frozenset({"tinyint", "smallint", "mediumint", "int", "bigint"})
_FIRST = (
    "Alex",
    "Sam",
    "Robin",
    "Kim",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Jamie",
    "Avery",
    "Riley",
    "Quinn",
    "Charlie",
    "Drew",
    "Emery",
    "Frankie",
)
_LAST = (
    "Smith",
    "Jones",
    "Miller",
    "Garcia",
    "Brown",
    "Davis",
    "Wilson",
    "Moore",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "King",
    "Wright",
    "Hill",
    "Green",
)


@dataclass(frozen=True)
class MaskRule:
    table: str
    column: str
    kind: str
    value: str | None = None  # for fixed

    @property
    def key(self) -> str:
        return f"{self.table}.{self.column}"

    @property
    def spec(self) -> str:
        return f"fixed:{self.value}" if self.kind == "fixed" else self.kind


@dataclass(frozen=True)
class MaskCheck:
    """What masking did to one column and what the verification found."""

    rule: MaskRule
    rows: int  # rows of its table the UPDATE changed
    source_values: int  # distinct non-NULL values in the source
    remaining: int  # of those, still present in the destination (must be 0)

    def as_dict(self) -> dict[str, object]:
        return {
            "column": self.rule.key,
            "rule": self.rule.spec,
            "rows_changed": self.rows,
            "source_values": self.source_values,
            "source_values_remaining": self.remaining,
        }


def parse_rules(mask: Mapping[str, str | None], where: str) -> list[MaskRule]:
    """The rules of a `sync.mask` mapping; ConfigError naming the file for a bad one."""
    rules: list[MaskRule] = []
    for key, spec in mask.items():
        table, dot, column = key.partition(".")
        text = "null" if spec is None else str(spec)  # a bare YAML `null` means the null rule
        kind, colon, value = text.partition(":")
        kind = kind.strip().lower()
        if not dot or not table or not column:
            raise ConfigError(f"{where}: sync.mask key {key!r} must be table.column")
        if kind == "fixed" and colon:
            rules.append(MaskRule(table, column, "fixed", value))
        elif kind in KINDS and kind != "fixed" and not colon:
            rules.append(MaskRule(table, column, kind))
        else:
            raise ConfigError(
                f"{where}: sync.mask {key}: unknown rule {spec!r}",
                hint="use one of email, phone, name, null, fixed:<value>",
            )
    return rules


def check_rules(
    rules: Sequence[MaskRule],
    columns: Mapping[str, Mapping[str, ColumnInfo]],
    unique_columns: Mapping[str, set[str]],
    source: str,
) -> None:
    """Every problem with the rules against the source's tables, as one ConfigError."""
    problems: list[str] = []
    for rule in rules:
        table = columns.get(rule.table)
        info = table.get(rule.column) if table is not None else None
        if table is None:
            problems.append(f"{rule.key}: table {rule.table} does not exist in {source}")
        elif info is None:
            problems.append(
                f"{rule.key}: column {rule.column} does not exist in {source}.{rule.table}"
            )
        elif rule.kind == "null" and not info.nullable:
            problems.append(
                f"{rule.key}: the column is NOT NULL; use fixed:<value> instead of null"
            )
        elif rule.kind in ("email", "name") and not info.is_text:
            problems.append(f"{rule.key}: {rule.kind} needs a text column, not {info.data_type}")
        elif rule.kind == "phone" and not info.is_text:
            problems.append(f"{rule.key}: phone needs a text column, not {info.data_type}")
        elif rule.kind == "fixed" and rule.column in unique_columns.get(rule.table, set()):
            problems.append(
                f"{rule.key}: fixed would break a UNIQUE key on it; use email/phone/name"
            )
    if problems:
        raise ConfigError(
            "sync.mask: " + "; ".join(problems),
            unchanged="Nothing was copied.",
        )


def rules_by_table(rules: Iterable[MaskRule]) -> dict[str, list[MaskRule]]:
    grouped: dict[str, list[MaskRule]] = {}
    for rule in rules:
        grouped.setdefault(rule.table, []).append(rule)
    return grouped


def row_key(keys: Mapping[str, list[str]], columns: Mapping[str, ColumnInfo]) -> list[str]:
    """The columns identifying a row: the primary key, else a NOT NULL unique key, else []."""
    for name, cols in keys.items():
        if name == "PRIMARY" or all(not columns[c].nullable for c in cols if c in columns):
            return cols
    return []


def update_statement(
    table: str,
    rules: Sequence[MaskRule],
    key: Sequence[str],
    columns: Mapping[str, ColumnInfo],
    salt: str,
) -> str:
    """One UPDATE that masks every rule of one table (a single pass over its rows)."""
    masked = {r.column for r in rules}
    assignments = []
    for rule in rules:
        info = columns[rule.column]
        seeds = _seeds(rule.column, key, columns, salt if masked & set(key) or not key else "")
        expr = _expression(rule, seeds)
        if rule.kind != "null" and info.max_length:
            expr = f"LEFT({expr}, {info.max_length})"
        column = ident(rule.column)
        if rule.kind != "null":
            expr = f"IF({column} IS NULL, NULL, {expr})"
        assignments.append(f"{column} = {expr}")
    return f"UPDATE {ident(table)} SET " + ", ".join(assignments)


def _seeds(
    column: str, key: Sequence[str], columns: Mapping[str, ColumnInfo], salt: str
) -> tuple[str, str, str]:
    """SQL expressions from the key (or the value itself): (text, digits) unique per row,
    and a non-negative number to pick names with."""
    if len(key) == 1 and columns[key[0]].data_type in _INTEGER_TYPES:
        return ident(key[0]), ident(key[0]), f"ABS({ident(key[0])})"
    parts = [ident(c) for c in key] if key else [ident(column)]
    source = f"CONCAT_WS(0x1f, {literal(salt)}, {', '.join(parts)})"
    number = f"CONV(LEFT(MD5({source}), 13), 16, 10)"
    return f"LEFT(MD5({source}), 16)", number, number


def _expression(rule: MaskRule, seeds: tuple[str, str, str]) -> str:
    text, digits, number = seeds
    if rule.kind == "email":
        return f"CONCAT('user', {text}, '@example.invalid')"
    if rule.kind == "phone":  # at least 7 digits, never cut (LPAD alone would truncate)
        return f"CONCAT('+1-555-', LPAD({digits}, GREATEST(7, LENGTH({digits})), '0'))"
    if rule.kind == "name":
        first = ", ".join(literal(n) for n in _FIRST)
        last = ", ".join(literal(n) for n in _LAST)
        return (
            f"CONCAT(ELT(1 + {number} MOD {len(_FIRST)}, {first}), ' ',"
            f" ELT(1 + ({number} DIV {len(_FIRST)}) MOD {len(_LAST)}, {last}), ' ', {text})"
        )
    if rule.kind == "null":
        return "NULL"
    return literal(rule.value or "")


def new_salt() -> str:
    return secrets.token_hex(16)


def apply_masks(
    conn: Session,
    database: str,
    rules: Sequence[MaskRule],
    columns: Mapping[str, Mapping[str, ColumnInfo]],
) -> dict[str, int]:
    """Run the UPDATEs on the destination; returns rows changed per table."""
    salt = new_salt()
    changed: dict[str, int] = {}
    for table, table_rules in rules_by_table(rules).items():
        cols = columns[table]
        key = row_key(unique_keys(conn, database, table), cols)
        sql = update_statement(table, table_rules, key, cols, salt)
        with conn.cursor() as cur:
            changed[table] = int(cur.execute(sql))
    return changed


def column_hashes(
    conn: Session, database: str, table: str, column: str, skip: str | None = None
) -> set[bytes]:
    """MD5 of each distinct non-NULL value (minus those matching `skip`), streamed."""
    sql = (
        f"SELECT DISTINCT UNHEX(MD5({ident(column)})) FROM {ident(database)}.{ident(table)}"
        f" WHERE {ident(column)} IS NOT NULL"
    )
    if skip:
        sql += f" AND NOT ({skip})"
    found: set[bytes] = set()
    with conn.cursor(pymysql.cursors.SSCursor) as cur:
        cur.execute(sql)
        for (digest,) in cur:
            found.add(bytes(digest))
    return found


def generated(rule: MaskRule) -> str | None:
    """SQL true for values this rule generates: a source already masked (staging, pulled
    into local with the same rules) holds no personal data in them, so they are no leak."""
    column = ident(rule.column)
    if rule.kind == "email":
        return f"{column} LIKE 'user%@example.invalid'"
    if rule.kind == "phone":
        return f"{column} LIKE '+1-555-%'"
    if rule.kind == "name":
        first, last = "|".join(_FIRST), "|".join(_LAST)
        return f"{column} REGEXP '^({first}) ({last}) -?[0-9a-f]+$'"
    if rule.kind == "fixed":
        return f"{column} = {literal(rule.value or '')}"
    return None


def verify_masks(
    source: Session,
    source_db: str,
    target: Session,
    target_db: str,
    rules: Sequence[MaskRule],
    changed: Mapping[str, int],
) -> list[MaskCheck]:
    """For each rule: how many distinct source values are still in the destination.

    Source values that look generated by the same rule are not counted (see `generated`)."""
    checks = []
    for rule in rules:
        before = column_hashes(source, source_db, rule.table, rule.column, generated(rule))
        after = column_hashes(target, target_db, rule.table, rule.column)
        remaining = before & after
        checks.append(MaskCheck(rule, changed.get(rule.table, 0), len(before), len(remaining)))
    return checks
