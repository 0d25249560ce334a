"""Statements no mrpplan step ever produces are refused before anything runs (DESIGN §3.7).

mrpplan manages schema, seed data and copies of data; it never manages accounts or
privileges, never writes another database, and writes rows only in seed, migration and
data-copy steps. A plan with anything else in it was not made by mrpplan.
"""

from __future__ import annotations

import re

from mrpplan.errors import Refused
from mrpplan.mysql.shadow import is_shadow_database
from mrpplan.plan.types import Plan, Step

_ACCOUNTS = re.compile(
    r"^\s*(?:/\*.*?\*/\s*)*(GRANT|REVOKE|SET\s+PASSWORD|SET\s+(?:DEFAULT\s+)?ROLE|"
    r"(?:CREATE|ALTER|DROP|RENAME)\s+(?:USER|ROLE)|INSTALL|UNINSTALL|SHUTDOWN|KILL|"
    r"FLUSH|RESET|PURGE|CHANGE\s+MASTER|START\s+SLAVE|STOP\s+SLAVE|LOAD\s+DATA|"
    r"SELECT\b.*\bINTO\s+(?:OUT|DUMP)FILE)\b",
    re.I | re.S,
)
_ROW_WRITES = re.compile(
    r"^\s*(?:/\*.*?\*/\s*)*(DELETE|UPDATE|INSERT|REPLACE|TRUNCATE)\b", re.I | re.S
)
_USE = re.compile(r"^\s*USE\s", re.I)
# an object named with its database: `db`.`t` right after a word that introduces an object
_QUALIFIED = re.compile(
    r"\b(?:TABLE|TABLES|INTO|FROM|JOIN|UPDATE|VIEW|TO|ON|PROCEDURE|FUNCTION|TRIGGER|EVENT|"
    r"EXISTS|REFERENCES|CALL|LIKE)\s+`((?:[^`]|``)+)`\s*\.\s*[`A-Za-z_$]",
    re.I,
)
# the same without backticks (`mysql.user`); not after ON, where `a.id` is a column
_UNQUOTED = re.compile(
    r"\b(?:TABLE|TABLES|INTO|FROM|JOIN|UPDATE|VIEW|TO|PROCEDURE|FUNCTION|TRIGGER|EVENT|"
    r"EXISTS|REFERENCES|CALL|LIKE)\s+([A-Za-z_$][\w$]*)\s*\.\s*[`A-Za-z_$]",
    re.I,
)
_DATABASE_DDL = re.compile(
    r"^\s*(CREATE|DROP|ALTER)\s+(?:DATABASE|SCHEMA)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?"
    r"`?((?:[^`\s]|``)+)`?",
    re.I,
)
# Steps that move tables between the target and its own scratch/trash databases.
_SHADOW_ACTIONS = frozenset({"shadow_prepare", "swap_tables", "drop_database"})

# Steps whose SQL writes rows by design (their SQL is checked against the project's files,
# or, for empty_tables, rebuilt from the seed files and the live foreign keys).
ROW_WRITING_ACTIONS = frozenset(
    {
        "seed",
        "migrate_up",
        "migrate_down",
        "record_history",
        "sync_table",
        "shadow_load",
        "empty_tables",
    }
)


def check_statements(plan: Plan) -> None:
    """Refuse (exit 3) a plan that holds a statement mrpplan never makes, naming the step."""
    for step in plan.steps:
        if step.action == "online_alter":
            from mrpplan.apply.online_runner import online_problem

            problem = online_problem(step)
            if problem:
                raise Refused(
                    f"step {step.id} ({step.action} {step.object}) is not an online schema "
                    f"change mrpplan makes: {problem}. Nothing was changed.",
                    hint="make a new plan; never edit a plan file by hand",
                )
        for statement in (*step.sql, *(step.reverse_sql or ())):
            why = _forbidden(step, statement, plan.target.database)
            if why:
                raise Refused(
                    f"step {step.id} ({step.action} {step.object}) holds a statement mrpplan "
                    f"never makes ({why}): {_short(statement)}. Nothing was changed.",
                    hint="make a new plan; never edit a plan file by hand",
                )


def _forbidden(step: Step, statement: str, database: str) -> str | None:
    account = _ACCOUNTS.match(statement)
    if account:
        kind = " ".join(account.group(1).split()[:2]).upper()
        return f"{kind}: mrpplan never manages accounts, privileges or the server"
    if _USE.match(statement):
        return "USE switches to another database"
    whole = _DATABASE_DDL.match(statement)
    if whole:
        name = whole.group(2).replace("``", "`")
        if name == database and step.action == "create_database":
            return None
        if step.action in _SHADOW_ACTIONS and is_shadow_database(name):
            return None
        return f"{whole.group(1).upper()} DATABASE {name}"
    names = [n.replace("``", "`") for n in _QUALIFIED.findall(statement)]
    names += _UNQUOTED.findall(_unquoted_strings(statement))
    for name in names:
        if step.action in _SHADOW_ACTIONS and is_shadow_database(name):
            continue  # the swap moves tables between the target and its scratch/trash
        if name != database:
            return f"it names another database, {name}"
    rows = _ROW_WRITES.match(statement)
    if rows and step.action not in ROW_WRITING_ACTIONS:
        return f"{rows.group(1).upper()} outside a seed or migration step"
    return None


def _unquoted_strings(statement: str) -> str:
    """The statement with its string literals blanked (a comment or value may say `a.b`)."""
    return re.sub(r"'(?:[^'\\]|\\.|'')*'", "''", statement)


def _short(statement: str, limit: int = 160) -> str:
    flat = " ".join(statement.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
