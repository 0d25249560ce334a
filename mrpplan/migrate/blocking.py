"""Hand-written migrations on big tables (DESIGN §3.8): a blocking ALTER is flagged, and
refused under `policy.online_schema_change` unless the file says it may block.

A migration's statements run as written (their checksum is what was reviewed), so the
tool cannot take them over; what mrpplan can do is say, from the traced effect of each
statement (its predicted or stated ALGORITHM and LOCK) and the live table sizes, which
statement would stop the writers of a big table, and refuse it unless the author wrote
`-- mrpplan:allow-blocking` in the file (a reviewed, checksummed decision).
"""

from __future__ import annotations

import re
from dataclasses import replace

from mrpplan.desired.directory import Migration
from mrpplan.desired.trace import StatementEffect, Trace
from mrpplan.errors import Refused
from mrpplan.mysql.table_stats import estimated_rows
from mrpplan.plan.providers import PlanContext
from mrpplan.plan.types import Step

ALLOW_MARKER = "-- mrpplan:allow-blocking"
_MARKER = re.compile(r"--\s*mrpplan:allow-blocking\b", re.I)
_BLOCKING = ("shared", "exclusive")


def allows_blocking(migration: Migration) -> bool:
    try:
        return bool(_MARKER.search(migration.path.read_text(errors="replace")))
    except OSError:
        return False


def flag_blocking(ctx: PlanContext, migration: Migration, trace: Trace, draft: Step) -> Step:
    """The draft with its blocking statements named in its reason (and as a warning), or
    Refused when the environment's policy forbids them."""
    from mrpplan.plan.online_steps import DEFAULT_MIN_ROWS

    effects = [e for e in trace.effects if e.lock in _BLOCKING and e.altered]
    if not effects:
        return draft
    policy = ctx.env.policy.online_schema_change
    threshold = policy.min_rows if policy is not None else DEFAULT_MIN_ROWS
    tables = sorted({t for e in effects for t in e.altered})
    rows = estimated_rows(ctx.conn, ctx.env.connection.database, tables)
    big = [(e, t) for e in effects for t in e.altered if rows.get(t, 0) >= threshold]
    if not big:  # small tables: the stop is short, but the plan still names each statement
        named = "; ".join(
            f"`{_short(e)}` ({e.algorithm.upper()}, LOCK={e.lock.upper()})" for e in effects
        )
        return replace(draft, reason=f"{draft.reason}; blocks writes while it runs: {named}")
    what = "; ".join(_describe(e, t, threshold) for e, t in big)
    allowed = allows_blocking(migration)
    if policy is not None and not allowed:
        raise Refused(
            f"migration {migration.path.name} blocks writes on a big table: {what}. Under "
            f"policy.online_schema_change of {ctx.env.name} a big table never gets a blocking "
            "ALTER. Nothing was planned.",
            hint="make the ALTER online-capable (ALGORITHM=INPLACE, LOCK=NONE), let the "
            "declarative plan run it with pt-online-schema-change, or write "
            f"`{ALLOW_MARKER}` in the migration to accept the stop (in a maintenance window)",
        )
    note = f"BLOCKING on a big table: {what}" + (
        f" (allowed by `{ALLOW_MARKER}` in the file)" if allowed else ""
    )
    ctx.warn(f"migration {migration.path.name}: {note}")
    return replace(draft, reason=f"{draft.reason}; {note}")


def _short(effect: StatementEffect) -> str:
    """The statement on one line, cut at 80 characters, with its file:line."""
    line = " ".join(effect.statement.text.split())
    short = line if len(line) <= 80 else line[:77] + "..."
    return f"{short}` at `{effect.statement.file.name}:{effect.statement.line}"


def _describe(effect: StatementEffect, table: str, threshold: int) -> str:
    short = _short(effect)
    return (
        f"`{short}` takes ALGORITHM={effect.algorithm.upper()}, LOCK={effect.lock.upper()} "
        f"on {table} (at least {threshold:,} rows)"
    )
