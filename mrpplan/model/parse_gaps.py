"""Valid MariaDB/MySQL syntax that sqlglot's MySQL dialect cannot parse.

`validate` must not reject a statement the server accepts just because the parser
lacks a feature (DESIGN 4.1 lists them). Each rewrite below replaces one such
construct with a parser-friendly equivalent; if a rewritten text parses (strictly,
`syntax_check`), the original is taken as valid. Statements sqlglot has no model of are
matched whole (`is_known_form`). Both are for checking only, never for execution.
"""

from __future__ import annotations

import re

_SPATIAL = (
    r"GEOMETRYCOLLECTION|MULTILINESTRING|MULTIPOLYGON|MULTIPOINT|LINESTRING|POLYGON|GEOMETRY|POINT"
)
_NAME = r"(?:`[^`]+`|\w+)(?:\s*\.\s*(?:`[^`]+`|\w+))?"
_ALTER = rf"(\bALTER\s+TABLE\s+{_NAME}\s+)"
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    # statements and clauses sqlglot does not read, as an equivalent it does
    (
        re.compile(r"\A(\s*)REPLACE(?:\s+(?:LOW_PRIORITY|DELAYED))?(?:\s+INTO)?\b", re.I),
        r"\1INSERT INTO",
    ),
    (
        re.compile(
            r"\A\s*SET\s+STATEMENT\s+\w+\s*=\s*(?:\w+|'[^']*')(?:\s*,\s*\w+\s*=\s*(?:\w+|'[^']*'))*"
            r"\s+FOR\s+",
            re.IGNORECASE,
        ),
        "",
    ),
    (re.compile(r"\A(\s*)DO\b", re.IGNORECASE), r"\1SELECT"),
    (re.compile(rf"\A(\s*)CALL\s+({_NAME})", re.IGNORECASE), r"\1SELECT \2"),
    (re.compile(r"\bALTER\s+(?:ONLINE\s+|IGNORE\s+)+TABLE\b", re.IGNORECASE), "ALTER TABLE"),
    (re.compile(_ALTER + r"(?:WAIT\s+\d+|NOWAIT)\s+", re.IGNORECASE), r"\1"),
    (
        re.compile(
            _ALTER + r"(?:(?:ALGORITHM|LOCK)\s*=?\s*\w+\s*,?\s*)*"
            r"(?:(?:ADD|DROP|REORGANIZE|COALESCE|EXCHANGE|TRUNCATE|ANALYZE|CHECK|"
            r"OPTIMIZE|REBUILD|REPAIR|DISCARD|IMPORT)\s+PARTITION\b|REMOVE\s+PARTITIONING\b)"
            r".*\Z",
            re.IGNORECASE | re.DOTALL,
        ),
        r"\1FORCE",  # partition management stands alone in its ALTER; the server checks it
    ),
    (
        re.compile(
            r"(?<=[\s,])(?:(?:ADD|DROP)\s+SYSTEM\s+VERSIONING|(?:DISABLE|ENABLE)\s+KEYS|"
            r"CONVERT\s+TO\s+(?:CHARACTER\s+SET|CHARSET)\s+\w+(?:\s+COLLATE\s+\w+)?)\b",
            re.IGNORECASE,
        ),
        "FORCE",
    ),
    (
        re.compile(r"\bALTER\s+(INDEX|KEY)\s+(`[^`]+`|\w+)\s+(?:NOT\s+)?IGNORED\b", re.I),
        r"ALTER INDEX \2 VISIBLE",
    ),
    (re.compile(r"(\))\s+USING\s+(?:BTREE|HASH)\b", re.IGNORECASE), r"\1"),
    (
        re.compile(
            r"\bCREATE\s+(OR\s+REPLACE\s+)?(?:ALGORITHM\s*=\s*\w+\s+)?"
            r"(?:DEFINER\s*=\s*\S+\s+)?(?:SQL\s+SECURITY\s+\w+\s+)?VIEW\b",
            re.IGNORECASE,
        ),
        r"CREATE \1VIEW",
    ),
    (re.compile(r"\s+WITH\s+(?:CASCADED\s+|LOCAL\s+)?CHECK\s+OPTION\s*\Z", re.I), ""),
    # MariaDB types and options
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


# Statements sqlglot has no model of at all, each matched whole: account management
# (the allowlist refuses it in plans; here only its syntax is in question), table
# maintenance, LOCK TABLES, DROP of stored programs, RENAME TABLE, ALTER DATABASE.
_WHOLE_FORMS = (
    re.compile(
        r"\s*(?:GRANT|REVOKE|(?:CREATE|ALTER|DROP|RENAME)\s+(?:USER|ROLE)|SET\s+(?:PASSWORD|"
        r"(?:DEFAULT\s+)?ROLE))\s+\S[^;]*;?\s*\Z",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\s*DROP\s+(?:PROCEDURE|FUNCTION|TRIGGER|EVENT|PACKAGE(?:\s+BODY)?)\s+(?:IF\s+EXISTS\s+)?"
        rf"{_NAME}\s*;?\s*\Z",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\s*RENAME\s+TABLES?\s+{_NAME}\s+TO\s+{_NAME}(?:\s*,\s*{_NAME}\s+TO\s+{_NAME})*"
        r"\s*;?\s*\Z",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\s*(?:OPTIMIZE|CHECK|REPAIR|ANALYZE)\s+(?:NO_WRITE_TO_BINLOG\s+|LOCAL\s+)?TABLES?\s+"
        rf"{_NAME}(?:\s*,\s*{_NAME})*(?:\s+\w+)*\s*;?\s*\Z",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\s*LOCK\s+TABLES?\s+{_NAME}(?:\s+(?:AS\s+)?\w+)?\s+(?:READ(?:\s+LOCAL)?|"
        rf"(?:LOW_PRIORITY\s+)?WRITE)(?:\s*,\s*{_NAME}(?:\s+(?:AS\s+)?\w+)?\s+"
        r"(?:READ(?:\s+LOCAL)?|(?:LOW_PRIORITY\s+)?WRITE))*\s*;?\s*\Z",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\s*ALTER\s+(?:DATABASE|SCHEMA)(?:\s+{_NAME})?(?:\s+(?:DEFAULT\s+)?(?:CHARACTER\s+SET|"
        r"CHARSET|COLLATE|COMMENT)\s*=?\s*(?:\w+|'[^']*'))+\s*;?\s*\Z",
        re.IGNORECASE,
    ),
)


def is_known_form(text: str) -> bool:
    """A whole statement of a kind sqlglot cannot read, in its valid MariaDB shape."""
    return any(form.match(text) for form in _WHOLE_FORMS)


def is_stored_program(text: str) -> bool:
    """True for CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT and anonymous compound blocks."""
    return bool(_STORED_PROGRAM.match(text))
