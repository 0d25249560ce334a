"""ERP invariants around an apply: measured before the first change and, under the same
lock, after the last; a rule that held before and is broken after makes the apply undo
itself (issue 25). A rule already broken before is reported, not blamed on the plan,
unless the plan adds rows to its violations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mrpplan.config import Project
from mrpplan.invariants.files import Invariant, load_invariants
from mrpplan.mysql.invariants import Violations, violations


@dataclass
class InvariantGuard:
    invariants: list[Invariant]
    before: dict[str, Violations | None] = field(default_factory=dict)

    @classmethod
    def start(cls, project: Project, conn: Any, say: Callable[[str], None]) -> InvariantGuard:
        """Load the rules and measure them on the database as it is (before any change)."""
        guard = cls(load_invariants(project))
        for invariant in guard.invariants:
            guard.before[invariant.name] = _measure(conn, invariant)
            found = guard.before[invariant.name]
            if found is not None and found.rows:
                say(f"invariant {invariant.name} is already broken ({found.rows} row(s))")
        return guard

    def broken_by_plan(self, conn: Any) -> str | None:
        """After the last step: the rules the plan broke, worded, or None."""
        lines = []
        for invariant in self.invariants:
            earlier = self.before.get(invariant.name)
            now = _measure(conn, invariant)
            if earlier is None or now is None or now.rows <= earlier.rows:
                continue
            lines.append(violation_text(invariant, now, earlier.rows))
        return "\n".join(lines) if lines else None


def _measure(conn: Any, invariant: Invariant) -> Violations | None:
    """None when the SELECT cannot run on this schema (a table it names is not there)."""
    import pymysql

    try:
        return violations(conn, invariant.sql)
    except pymysql.err.ProgrammingError:
        return None
    except pymysql.err.OperationalError as exc:
        if exc.args and exc.args[0] in (1054, 1146):  # unknown column / table
            return None
        raise


def violation_text(invariant: Invariant, found: Violations, before: int = 0) -> str:
    """`invariant X (rule): N row(s) break it (before: M); e.g. col=v, ...`"""
    head = f"invariant {invariant.name} ({invariant.rule}): {found.rows} row(s) break it"
    if before:
        head += f" (before the apply: {before})"
    rows = [
        ", ".join(
            f"{c}={'NULL' if v is None else v}" for c, v in zip(found.columns, r, strict=False)
        )
        for r in found.samples
    ]
    return head + ("; e.g. " + " | ".join(rows) if rows else "")
