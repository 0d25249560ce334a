"""Valid MariaDB/MySQL syntax that sqlglot's MySQL dialect cannot parse.

`validate` must not reject a statement the server accepts just because the parser
lacks a feature (DESIGN 4.1 lists them). Each rewrite below replaces one such
construct with a parser-friendly equivalent; if a rewritten text parses, the
original is taken as valid. Rewrites are for checking only, never for execution.
"""

from __future__ import annotations

import re

_SPATIAL = (
    r"GEOMETRYCOLLECTION|MULTILINESTRING|MULTIPOLYGON|MULTIPOINT|LINESTRING|POLYGON|GEOMETRY|POINT"
)
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bINET[46]\b", re.IGNORECASE), "VARCHAR(45)"),
    (re.compile(rf"(\s)(?:{_SPATIAL})\b(?!\s*\()", re.IGNORECASE), r"\1BLOB"),
    (
        re.compile(r"\b(FLOAT|DOUBLE|REAL)(\s*\([0-9, ]*\))?\s+UNSIGNED\b", re.IGNORECASE),
        r"\1\2",
    ),
    (re.compile(r"\b(?:NOT\s+)?IGNORED\b", re.IGNORECASE), ""),
    (re.compile(r"\bSTORAGE\s+ENGINE\s*=?\s*\w+|\bENGINE\s*=?\s*\w+", re.IGNORECASE), ""),
    (re.compile(r"\bWITH(?:OUT)?\s+SYSTEM\s+VERSIONING\b", re.IGNORECASE), ""),
    (re.compile(r"\b(?:PAGE_)?CHECKSUM\s*=?\s*[01]\b", re.IGNORECASE), ""),
    (re.compile(r"\bCOMPRESSED\b", re.IGNORECASE), ""),
    (re.compile(r"\bLESS\s+THAN\s+MAXVALUE\b", re.IGNORECASE), "LESS THAN (MAXVALUE)"),
)
# Partitioning is the server's business; a table whose clause still does not parse
# is checked without it.
_PARTITION_CLAUSE = re.compile(r"\bPARTITION\s+BY\b.*\Z", re.IGNORECASE | re.DOTALL)


def tolerated_variants(text: str) -> list[str]:
    """The statement with every known gap rewritten (empty when nothing applies)."""
    rewritten = text
    for pattern, replacement in _REWRITES:
        rewritten = pattern.sub(replacement, rewritten)
    variants = [rewritten] if rewritten != text else []
    without_partitions = _PARTITION_CLAUSE.sub("", rewritten)
    if without_partitions != rewritten:
        variants.append(without_partitions)
    return variants


# Stored programs have bodies in SQL/PSM (DECLARE, cursors, handlers, loops, labels):
# sqlglot does not model them, so only the server can judge them.
_STORED_PROGRAM = re.compile(
    r"\s*(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?"
    r"(?:SQL\s+SECURITY\s+\w+\s+)?(?:AGGREGATE\s+)?"
    r"(?:PROCEDURE|FUNCTION|TRIGGER|EVENT|PACKAGE)\b|BEGIN\s+NOT\s+ATOMIC\b)",
    re.IGNORECASE,
)


def is_stored_program(text: str) -> bool:
    """True for CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT and anonymous compound blocks."""
    return bool(_STORED_PROGRAM.match(text))
