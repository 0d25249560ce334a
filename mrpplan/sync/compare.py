"""Schema differences between two live environments, through the schema engine.

The result is what would make B like A: the changes `diff_schemas(B, A)` finds, rendered
as SQL for B's server. mrpplan's own tables are not part of either schema (inspect skips them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mrpplan.config.settings import Environment
from mrpplan.diff import diff_schemas
from mrpplan.diff.ddl import render_changes
from mrpplan.model import Schema
from mrpplan.mysql.connection import server_version, session
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.inspect import inspect_schema


@dataclass(frozen=True)
class Difference:
    """One change that would make B like A."""

    action: str
    object: str
    kind: str  # add | change | destroy
    destructive: bool
    reason: str
    sql: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "object": self.object,
            "kind": self.kind,
            "destructive": self.destructive,
            "reason": self.reason,
            "sql": list(self.sql),
        }


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    differences: list[Difference]

    @property
    def same(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "same": self.same,
            "differences": [d.as_dict() for d in self.differences],
        }


def _live_schema(env: Environment) -> tuple[Schema, Flavor]:
    with session(env.connection, read_only=True) as conn:
        return inspect_schema(conn, env.connection.database), Flavor.parse(server_version(conn))


def compare_environments(a: Environment, b: Environment) -> Comparison:
    """Read both live schemas (read only) and list what would make B like A."""
    schema_a, _ = _live_schema(a)
    schema_b, flavor_b = _live_schema(b)
    changes = diff_schemas(schema_b, schema_a)
    rendered = render_changes(changes, flavor_b) if changes else []
    return Comparison(
        a=a.name,
        b=b.name,
        differences=[
            Difference(
                action=r.action,
                object=r.object,
                kind=r.kind,
                destructive=bool(r.destructive),
                reason=r.reason,
                sql=tuple(r.sql),
            )
            for r in rendered
        ],
    )
