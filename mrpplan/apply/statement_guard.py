"""Statements no mrpplan step ever produces are refused before anything runs (DESIGN §3.7).

Each statement is read the way the server reads it (`sqlfiles.tokens`: comments dropped,
executable comments expanded) and judged by the kinds of `sqlfiles.statement_kinds`; here
they meet each step's action. A plan with anything else in it was not made by mrpplan.
"""

from __future__ import annotations

from mrpplan.errors import Refused
from mrpplan.mysql.shadow import is_shadow_database
from mrpplan.plan.types import Plan, Step
from mrpplan.sqlfiles.statement_kinds import (
    DYNAMIC,
    classify,
    database_ddl,
    named_databases,
)
from mrpplan.sqlfiles.tokens import tokenize

# Steps that move tables between the target and its own scratch/trash databases.
_SHADOW_ACTIONS = frozenset({"shadow_prepare", "swap_tables", "trash_table", "drop_database"})

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
_ROW_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "TRUNCATE")


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
    kind = classify(statement)  # every executable comment read as running
    if kind.outside:
        return f"{kind.name}: {kind.why}"
    if kind.verdict == DYNAMIC and not (step.action.startswith("migrate_") and step.checkpoint):
        return f"{kind.name} outside a migration allowed to run it (its whole-database checkpoint)"
    tokens = tokenize(statement)
    whole = database_ddl(tokens)
    if whole:
        verb, name = whole
        if name == database and step.action == "create_database":
            return None
        if step.action in _SHADOW_ACTIONS and is_shadow_database(name):
            return None
        return f"{verb} DATABASE {name}"
    for token in named_databases(tokens):
        if step.action in _SHADOW_ACTIONS and is_shadow_database(token.name):
            continue  # the swap moves tables between the target and its scratch/trash
        if token.name != database:
            return f"it names another database, {token.name}"
    if kind.name in _ROW_WRITES and step.action not in ROW_WRITING_ACTIONS:
        return f"{kind.name} outside a seed or migration step"
    return None


def _short(statement: str, limit: int = 160) -> str:
    flat = " ".join(statement.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
