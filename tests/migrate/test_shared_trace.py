"""A plan of a database that is behind traces many statements; from `SHARED_FROM` of them
on, a forked child traces the later half of the migrations (desired/trace.py `_traced`).
The traces must be exactly the ones one process makes: every statement's effect and
reverse, the renames, the derived rollback and its losses, and the schemas before and
after each migration; and the same again when the child fails."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from mrpplan.desired import trace as tracing
from mrpplan.forked import Forked
from mrpplan.mysql.connection import server_version
from mrpplan.mysql.flavor import Flavor
from mrpplan.sqlfiles.split import SqlStatement

AT = "20260101T000000Z"


def _project(seed: int = 3) -> tuple[list[SqlStatement], list[list[SqlStatement]]]:
    """30 tables, then 6 migrations of ALTERs (adds, keys, changes, drops, comments), a
    DROP TABLE and an INSERT (a statement that leaves the schema as it was)."""
    rng = random.Random(seed)
    base = [
        f"CREATE TABLE t{n} (id INT PRIMARY KEY, c0 INT NULL, c1 VARCHAR(20) NULL)"
        for n in range(30)
    ]
    columns = {n: ["c0", "c1"] for n in range(30)}
    groups: list[list[str]] = []
    serial = 0
    for m in range(6):
        group = []
        for _ in range(45):
            n = rng.randrange(29)  # t29 is dropped below
            roll = rng.random()
            if roll < 0.4 or len(columns[n]) < 2:
                columns[n].append(f"m{serial}")
                group.append(f"ALTER TABLE t{n} ADD COLUMN m{serial} INT NULL")
            elif roll < 0.6:
                group.append(f"ALTER TABLE t{n} ADD KEY k{serial} ({rng.choice(columns[n])})")
            elif roll < 0.75:
                group.append(f"ALTER TABLE t{n} MODIFY {columns[n][-1]} BIGINT NULL")
            elif roll < 0.85:
                group.append(f"ALTER TABLE t{n} COMMENT = 'migration {m}'")
            else:
                group.append(f"ALTER TABLE t{n} DROP COLUMN {columns[n].pop()}")
            serial += 1
        groups.append(group)
    groups[2].append("DROP TABLE t29")
    groups[4].append("INSERT INTO t1 (id) VALUES (1)")

    def statements(texts: list[str], file: str) -> list[SqlStatement]:
        return [SqlStatement(t, Path(file), n + 1) for n, t in enumerate(texts)]

    return statements(base, "database/schema/01.sql"), [
        statements(g, f"database/migrations/{m + 1:03d}_m.sql") for m, g in enumerate(groups)
    ]


def _flavor(db: Any) -> Flavor:
    conn = db.connect()
    try:
        return Flavor.parse(server_version(conn))
    finally:
        conn.close()


def _same(shared: list[Any], alone: list[Any]) -> None:
    assert len(shared) == len(alone)
    for a, b in zip(shared, alone, strict=True):
        assert a.before.fingerprint() == b.before.fingerprint()
        assert a.after.fingerprint() == b.after.fingerprint()
        assert (a.effects, a.renames, a.down, a.losses) == (b.effects, b.renames, b.down, b.losses)


def test_a_shared_trace_is_the_trace_of_one_process(
    fresh_db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix, groups = _project()
    assert sum(map(len, groups)) >= tracing.SHARED_FROM
    flavor = _flavor(fresh_db)
    started: list[int] = []
    monkeypatch.setattr(Forked, "__init__", _counting(Forked.__init__, started))

    shared = tracing.trace_chain(
        fresh_db.workspace, flavor, prefix, groups, tmp_path / "a", keep_data_at=AT
    )
    assert started  # the child traced the later migrations
    monkeypatch.setattr(tracing, "SHARED_FROM", 10**9)
    alone = tracing.trace_chain(
        fresh_db.workspace, flavor, prefix, groups, tmp_path / "b", keep_data_at=AT
    )

    _same(shared, alone)
    assert any(e.kept for t in shared for e in t.effects)  # the DROP TABLE kept its rows


def test_when_the_child_fails_this_process_traces_its_half(
    fresh_db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix, groups = _project(seed=5)
    flavor = _flavor(fresh_db)
    alone_at = tmp_path / "alone"
    monkeypatch.setattr(tracing, "SHARED_FROM", 10**9)
    alone = tracing.trace_chain(fresh_db.workspace, flavor, prefix, groups, alone_at)
    monkeypatch.setattr(tracing, "SHARED_FROM", 200)
    monkeypatch.setattr(Forked, "result", lambda self: None)

    failed = tracing.trace_chain(fresh_db.workspace, flavor, prefix, groups, tmp_path / "f")

    _same(failed, alone)


def _counting(init: Any, started: list[int]) -> Any:
    def counted(self: Any, work: Any) -> None:
        started.append(1)
        init(self, work)

    return counted
