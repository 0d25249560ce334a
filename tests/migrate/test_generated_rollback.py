"""Generated rollback: computed by the schema engine, it must undo a migration exactly like
the hand-written down section does; per-statement reverses must undo any prefix."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mrpplan.apply.steps import reverse_statements
from mrpplan.desired.directory import base_schema_statements, load_migrations
from mrpplan.desired.trace import StatementEffect, Trace, generated_down, trace_statements
from mrpplan.migrate.plan_steps import NOOP, statement_pairs
from mrpplan.mysql.connection import server_version, session
from mrpplan.mysql.flavor import Flavor
from mrpplan.plan.kinds import KINDS
from mrpplan.plan.types import Step
from mrpplan.sqlfiles.split import SqlStatement


def _step(step_id: str, action: str, *fields: Any, **named: Any) -> Step:
    """A numbered step of the kind `action` names (the plan file's order of fields)."""
    return Step(KINDS[action], *fields, **named, id=step_id)


REPO = Path(__file__).resolve().parents[2]


def _statements(texts: list[str]) -> list[SqlStatement]:
    return [SqlStatement(t, Path("generated.sql"), i + 1) for i, t in enumerate(texts)]


def _flavor(db: Any) -> Flavor:
    with session(db.settings) as conn:
        return Flavor.parse(server_version(conn))


def test_generated_rollback_matches_the_hand_written_down(fresh_db: Any) -> None:
    from mrpplan.desired.workspace import desired_schema

    flavor = _flavor(fresh_db)
    migrations = load_migrations(REPO / "database/migrations")
    with_down = [m for m in migrations if m.down is not None]
    assert with_down, "the example has migrations with a hand-written down section"
    prefix = list(base_schema_statements(REPO / "database/schema"))
    for migration in migrations:
        if migration.down is not None:
            trace = trace_statements(fresh_db.workspace, flavor, prefix, migration.up, None)
            generated = generated_down(trace, flavor)
            assert generated, migration.path.name
            before = desired_schema(fresh_db.workspace, prefix, None).fingerprint()
            by_hand = desired_schema(
                fresh_db.workspace, [*prefix, *migration.up, *migration.down], None
            )
            by_engine = desired_schema(
                fresh_db.workspace, [*prefix, *migration.up, *_statements(generated)], None
            )
            assert by_hand.fingerprint() == before, migration.path.name
            assert by_engine.fingerprint() == before, migration.path.name
        prefix.extend(migration.up)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "c"]), max_size=3), min_size=1, max_size=6))
def test_per_statement_reverses_undo_exactly_the_statements_that_ran(
    undo_sizes: list[list[str]],
) -> None:
    effects = tuple(
        StatementEffect(
            SqlStatement(f"S{i}", Path("m.sql"), i + 1),
            tuple(f"undo S{i} part {j}{x}" for j, x in enumerate(parts)),
            False,
            (),
            (),
            "n/a",
        )
        for i, parts in enumerate(undo_sizes)
    )
    pairs = statement_pairs(Trace(None, None, effects, {}))
    step = _step(
        "1",
        "migrate_up",
        "m",
        sql=tuple(f for f, _ in pairs),
        reverse_sql=tuple(r for _, r in reversed(pairs)),
    )
    for k in range(len(effects) + 1):  # statement k fails: S0..S(k-1) ran
        done = (
            next(i for i, (f, _) in enumerate(pairs) if f == f"S{k}")
            if k < len(effects)
            else len(pairs)
        )
        undo = [s for s in reverse_statements(step, done) or [] if s != NOOP]
        expected = [u for e in reversed(effects[:k]) for u in e.reverse]
        assert undo == expected


def test_a_cached_trace_equals_a_fresh_one(fresh_db: Any, tmp_path: Path) -> None:
    """`apply` re-derives its plan from cached traces: they must be what tracing gives, and
    name the files of the project that asks (the cache is shared by project copies)."""
    from mrpplan.desired.trace import trace_chain

    flavor = _flavor(fresh_db)
    migrations = load_migrations(REPO / "database/migrations")
    prefix = list(base_schema_statements(REPO / "database/schema"))
    groups = [m.up for m in migrations]
    at = "20260101T000000Z"
    fresh = trace_chain(fresh_db.workspace, flavor, prefix, groups, None, keep_data_at=at)
    cache = tmp_path / "cache"
    trace_chain(fresh_db.workspace, flavor, prefix, groups, cache, keep_data_at=at)
    assert list((cache / "traces").glob("*.json"))
    elsewhere = [
        [SqlStatement(s.text, Path("copy") / s.file.name, s.line) for s in g] for g in groups
    ]
    cached = trace_chain(fresh_db.workspace, flavor, prefix, elsewhere, cache, keep_data_at=at)
    for mine, theirs in zip(fresh, cached, strict=True):
        assert theirs.down is not None  # it came from the cache
        assert generated_down(theirs, flavor) == generated_down(mine, flavor)
        assert theirs.renames == mine.renames
        assert theirs.before.fingerprint() == mine.before.fingerprint()
        assert theirs.after.fingerprint() == mine.after.fingerprint()
        assert len(theirs.effects) == len(mine.effects)
        for a, b in zip(mine.effects, theirs.effects, strict=True):
            assert b.statement.file == Path("copy") / a.statement.file.name
            assert replace(b, statement=a.statement) == a
