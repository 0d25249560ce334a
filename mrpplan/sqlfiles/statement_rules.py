"""What mrpplan never runs, read from a statement's text alone (DESIGN §3.7).

mrpplan manages schema, seed data and copies of data; it never manages accounts or
privileges, never writes another database, and writes rows only where that is the step's
job. The apply guard checks every statement of a plan with these rules, and the desired
schema workspace checks the project's SQL files before it runs them on the server.
"""

from __future__ import annotations

import re

_ACCOUNTS = re.compile(
    r"^\s*(?:/\*.*?\*/\s*)*(GRANT|REVOKE|SET\s+PASSWORD|SET\s+(?:DEFAULT\s+)?ROLE|"
    r"(?:CREATE|ALTER|DROP|RENAME)\s+(?:USER|ROLE)|INSTALL|UNINSTALL|SHUTDOWN|KILL|"
    r"FLUSH|RESET|PURGE|CHANGE\s+MASTER|START\s+SLAVE|STOP\s+SLAVE|LOAD\s+DATA|"
    r"SELECT\b.*\bINTO\s+(?:OUT|DUMP)FILE)\b",
    re.I | re.S,
)
ROW_WRITES = re.compile(
    r"^\s*(?:/\*.*?\*/\s*)*(DELETE|UPDATE|INSERT|REPLACE|TRUNCATE)\b", re.I | re.S
)
_USE = re.compile(r"^\s*USE\s", re.I)
_OBJECT_WORDS = (
    r"TABLE|TABLES|INTO|FROM|JOIN|UPDATE|VIEW|TO|PROCEDURE|FUNCTION|TRIGGER|EVENT|EXISTS|"
    r"REFERENCES|CALL|LIKE"
)
# an object named with its database: `db`.`t` right after a word that introduces an object
_QUALIFIED = re.compile(rf"\b(?:{_OBJECT_WORDS})\s+`((?:[^`]|``)+)`\s*\.\s*[`A-Za-z_$]", re.I)
# the same without backticks (`mysql.user`)
_UNQUOTED = re.compile(rf"\b(?:{_OBJECT_WORDS})\s+([A-Za-z_$][\w$]*)\s*\.\s*[`A-Za-z_$]", re.I)
# ON names a table only in index and trigger statements; in a join, `ON a.id = b.id` is a
# column
_ON_TABLE_STATEMENT = re.compile(
    r"^\s*(?:CREATE\s+(?:\w+\s+)*INDEX|DROP\s+INDEX|CREATE\s+(?:\S+\s+)*?TRIGGER)\b", re.I
)
_ON_QUALIFIED = re.compile(r"\bON\s+(`(?:[^`]|``)+`|[A-Za-z_$][\w$]*)\s*\.\s*[`A-Za-z_$]", re.I)
_DATABASE_DDL = re.compile(
    r"^\s*(CREATE|DROP|ALTER)\s+(?:DATABASE|SCHEMA)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?"
    r"`?((?:[^`\s]|``)+)`?",
    re.I,
)


def server_statement(statement: str) -> str | None:
    """Why `statement` manages accounts, privileges or the server itself; None if not."""
    account = _ACCOUNTS.match(statement)
    if account:
        kind = " ".join(account.group(1).split()[:2]).upper()
        return f"{kind}: mrpplan never manages accounts, privileges or the server"
    if _USE.match(statement):
        return "USE switches to another database"
    return None


def database_ddl(statement: str) -> tuple[str, str] | None:
    """(CREATE|DROP|ALTER, database name) of a CREATE/DROP/ALTER DATABASE statement."""
    whole = _DATABASE_DDL.match(statement)
    if not whole:
        return None
    return whole.group(1).upper(), whole.group(2).replace("``", "`")


def named_databases(statement: str) -> list[str]:
    """The databases `statement` names objects in (`db`.`t`), string literals ignored."""
    names = [n.replace("``", "`") for n in _QUALIFIED.findall(statement)]
    plain = _unquoted_strings(statement)
    names += _UNQUOTED.findall(plain)
    if _ON_TABLE_STATEMENT.match(statement):
        names += [n.strip("`").replace("``", "`") for n in _ON_QUALIFIED.findall(plain)]
    return names


def _unquoted_strings(statement: str) -> str:
    """The statement with its string literals blanked (a comment or value may say `a.b`)."""
    return re.sub(r"'(?:[^'\\]|\\.|'')*'", "''", statement)
