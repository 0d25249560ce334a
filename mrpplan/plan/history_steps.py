"""The step that records which migrations a converged database is at.

The row format (REPLACE with down SQL as a JSON list) belongs to `mrpplan.mysql.schema_history`;
this builds a plan step from it whose reverse puts the table back exactly as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mrpplan.mysql import schema_history as history
from mrpplan.plan import kinds
from mrpplan.plan.types import Step


@dataclass(frozen=True)
class HistoryRow:
    """A schema history row a plan records (or removes) for a migration."""

    version: str
    name: str
    checksum: str
    down_sql: tuple[str, ...] | None = None


def record_history_step(
    add: Sequence[HistoryRow],
    remove: Sequence[HistoryRow],
    *,
    table_exists: bool,
    reason: str,
) -> Step | None:
    """Record `add`, forget `remove`; reverse_sql[j] undoes sql[n-1-j]."""
    pairs: list[tuple[str, str]] = []
    if not table_exists:
        pairs.append((history.CREATE_SQL, f"DROP TABLE IF EXISTS `{history.TABLE}`"))
    for row in remove:
        pairs.append((history.remove_sql(row.version), _record(row)))
    for row in add:
        pairs.append((_record(row), history.remove_sql(row.version)))
    if not add and not remove:
        return None
    return Step(
        kind=kinds.RECORD_HISTORY,
        object=history.TABLE,
        sql=tuple(forward for forward, _ in pairs),
        reverse_sql=tuple(reverse for _, reverse in reversed(pairs)),
        reason=reason,
        history=True,
    )


def _record(row: HistoryRow) -> str:
    return history.record_sql(row.version, row.name, row.checksum, row.down_sql)
