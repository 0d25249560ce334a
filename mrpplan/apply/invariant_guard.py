"""ERP invariants around an apply: measured before the first change and, under the same
lock, after the last; a rule that held before and is broken after makes the apply undo
itself (issue 25). A rule already broken before is reported, not blamed on the plan,
unless the plan adds rows to its violations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mrpplan.config import Project
from mrpplan.errors import ConfigError
from mrpplan.invariants.files import Invariant, load_invariants
from mrpplan.mysql.connection import Session
from mrpplan.mysql.invariants import Violations, violations


@dataclass
class InvariantGuard:
    invariants: list[Invariant]
    before: dict[str, Violations | None] = field(default_factory=dict)

    @classmethod
    def start(cls, project: Project, conn: Session, say: Callable[[str], None]) -> InvariantGuard:
        """Load the rules and measure them on the database as it is (before any change)."""
        guard = cls(load_invariants(project))
        for invariant in guard.invariants:
            guard.before[invariant.name] = measure(conn, invariant)
            found = guard.before[invariant.name]
            if found is not None and found.rows:
                say(f"invariant {invariant.name} is already broken ({found.rows} row(s))")
        return guard

    def broken_by_plan(self, conn: Session) -> str | None:
        """After the last step: the rules the plan broke, worded, or None."""
        lines = []
        for invariant in self.invariants:
            earlier = self.before.get(invariant.name)
            now = measure(conn, invariant)
            if earlier is None or now is None or now.rows <= earlier.rows:
                continue
            lines.append(violation_text(invariant, now, earlier.rows))
        return "\n".join(lines) if lines else None


def measure(conn: Session, invariant: Invariant) -> Violations | None:
    """None when the SELECT cannot run on this schema (a table or column it names is not
    there); any other server error is the file's fault, named by file:line."""
    import pymysql

    try:
        return violations(conn, invariant.sql)
    except pymysql.err.MySQLError as exc:
        code = exc.args[0] if exc.args else 0
        if code in (1054, 1146):  # unknown column / table
            return None
        if code in (2006, 2013):  # the connection is gone: not the file's fault
            raise
        raise ConfigError(
            f"{invariant.file}:{invariant.line}: invariant {invariant.name}'s SELECT fails on "
            f"the server: {exc.args[-1]}",
            unchanged="Nothing was changed.",
        ) from None


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
