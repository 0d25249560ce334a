"""Statements no mrpplan step ever produces are refused before anything runs (DESIGN §3.7).

Each statement is read the way the server reads it (`sqlfiles.tokens`: comments dropped,
executable comments expanded) and judged by the kinds of `sqlfiles.statement_kinds`; here
they meet each step's kind, whose guard rule (plan/kinds.py) says what it may run. A plan
with anything else in it was not made by mrpplan.
"""

from __future__ import annotations

import functools
import re
import weakref

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

_ROW_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "TRUNCATE")
# The dot of a plain decimal number (`DEFAULT 0.0000`): digits only before it, not part of
# a name or another number, and digits after it. No reading makes it a qualifier's dot (a
# database name of digits only must be quoted; a table name of digits only comes after the
# qualifier's own dot, which stays); every other dot may be one.
_NUMBER_DOT = re.compile(r"(?<![\w$.`'\"])[0-9]+\.[0-9]")


# Plans found clean in this process: the gate checks a plan before approval and the executor
# again before the lock (`verify.check_plan`); a plan is frozen, so the second finds the same.
_CLEAN: weakref.WeakValueDictionary[int, Plan] = weakref.WeakValueDictionary()


def check_statements(plan: Plan) -> None:
    """Refuse (exit 3) a plan that holds a statement mrpplan never makes, naming the step."""
    if _CLEAN.get(id(plan)) is plan:
        return
    _check_statements(plan)
    _CLEAN[id(plan)] = plan


def _check_statements(plan: Plan) -> None:
    for step in plan.steps:
        problem = step.kind.problem(step)
        if problem:
            raise Refused(
                f"step {step.id} ({step.action} {step.object}) is not {step.kind.noun} "
                f"mrpplan makes: {problem}. Nothing was changed.",
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
    if kind.verdict == DYNAMIC and not (step.kind.dynamic_when_checkpointed and step.checkpoint):
        return f"{kind.name} outside a migration allowed to run it (its whole-database checkpoint)"
    whole, named = _databases(statement)
    if whole:
        verb, name = whole
        if step.kind.names_database(name, database):
            return None
        if step.kind.moves_shadow and is_shadow_database(name):
            return None
        return f"{verb} DATABASE {name}"
    for name in named:
        if step.kind.moves_shadow and is_shadow_database(name):
            continue  # the swap moves tables between the target and its scratch/trash
        if name != database:
            return f"it names another database, {name}"
    if kind.name in _ROW_WRITES and not step.kind.writes_rows:
        return f"{kind.name} outside a seed or migration step"
    return None


@functools.lru_cache(maxsize=8192)
def _databases(statement: str) -> tuple[tuple[str, str] | None, tuple[str, ...]]:
    """The (verb, name) of a whole-database statement, and the databases that qualify the
    names in it: read once per statement (the gate and the executor check one plan).
    Neither can be in a statement without a dot other than a number's (`_NUMBER_DOT`: a
    table's decimal defaults) and without the word DATABASE or SCHEMA (a token's text is
    its word upper-cased, so it is in the upper-cased statement): most are not tokenized
    at all."""
    dotted = "." in statement and "." in _NUMBER_DOT.sub("", statement)
    if not dotted:
        upper = statement.upper()
        if "DATABASE" not in upper and "SCHEMA" not in upper:
            return None, ()
    tokens = tokenize(statement)
    whole = database_ddl(tokens)
    if whole or not dotted:  # a qualifier is a name and a dot
        return whole, ()
    return whole, tuple(token.name for token in named_databases(tokens))


def _short(statement: str, limit: int = 160) -> str:
    flat = " ".join(statement.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
