"""Property: a plan applied converges (re-plan is empty), and a rollback restores the prior
schema and data exactly, whatever mix of creates, drops, widenings and narrowings it holds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plan_test_support import snapshot

from mrpplan.apply.executor import apply_plan
from mrpplan.config import Project, load_environment
from mrpplan.errors import MrpplanError
from mrpplan.plan.kinds import KINDS
from mrpplan.plan.planner import make_plan
from mrpplan.plan.types import Step
from mrpplan.wiring import wiring


def _step(step_id: str, action: str, *fields: Any, **named: Any) -> Step:
    """A numbered step of the kind `action` names (the plan file's order of fields)."""
    return Step(KINDS[action], *fields, **named, id=step_id)


TABLE = st.fixed_dictionaries(
    {
        "before": st.booleans(),
        "after": st.booleans(),
        "cols_before": st.sets(st.sampled_from(["qty", "label", "price"])),
        "cols_after": st.sets(st.sampled_from(["qty", "label", "price"])),
        "width_before": st.sampled_from([20, 40]),
        "width_after": st.sampled_from([20, 40]),
        "index_before": st.booleans(),
        "index_after": st.booleans(),
    }
)


def table_sql(name: str, cols: set[str], width: int, index: bool) -> str:
    parts = ["id INT NOT NULL"]
    if "qty" in cols:
        parts.append("qty INT NULL")
    if "label" in cols:
        parts.append(f"label VARCHAR({width}) NULL")
    if "price" in cols:
        parts.append("price DECIMAL(10,2) NULL")
    parts.append("PRIMARY KEY (id)")
    if index and "qty" in cols:
        parts.append("KEY idx_qty (qty)")
    return f"CREATE TABLE {name} ({', '.join(parts)}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"


def schema_sql(tables: list[dict], side: str) -> list[str]:
    return [
        table_sql(f"p{i}", t[f"cols_{side}"], t[f"width_{side}"], t[f"index_{side}"])
        for i, t in enumerate(tables)
        if t[side]
    ]


@pytest.fixture
def mini_project(tmp_path: Path, fresh_db, server):
    root = tmp_path / "mini"
    for part in ("environments", "database/schema", "database/migrations", "database/seeds"):
        (root / part).mkdir(parents=True)
    (root / "environments" / "t.yaml").write_text(
        "name: t\n"
        "connection:\n"
        f"  database: {fresh_db.name}\n"
        f"  option_file: {server.option_file}\n"
        "schema:\n  version: latest\n  drift: repair\n"
        "backup:\n  dir: database/backups\n  retention_days: 1\n"
        "policy:\n  allow_destructive: true\n  checkpoint: auto\n"
    )
    return root, fresh_db


def reset(db) -> None:
    tables = db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
    )
    db.execute("SET FOREIGN_KEY_CHECKS = 0", *[f"DROP TABLE `{t[0]}`" for t in tables])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(TABLE, min_size=1, max_size=3))
def test_apply_converges_and_rollback_restores(mini_project, tables) -> None:
    root, db = mini_project
    reset(db)
    for i, statement in enumerate(schema_sql(tables, "before")):
        db.execute(statement)
        cols = tables[[k for k, t in enumerate(tables) if t["before"]][i]]["cols_before"]
        name = statement.split()[2]
        values = {"qty": "seq * 7", "label": "CONCAT('item-', seq)", "price": "seq / 4"}
        chosen = [c for c in ("qty", "label", "price") if c in cols]
        db.execute(
            f"INSERT INTO {name} (id{''.join(', ' + c for c in chosen)}) "
            f"SELECT seq{''.join(', ' + values[c] for c in chosen)} FROM seq_1_to_50"
        )
    (root / "database" / "schema" / "01.sql").write_text(
        ";\n".join(schema_sql(tables, "after")) + (";\n" if any(t["after"] for t in tables) else "")
    )
    project = Project(root)
    env = load_environment(project, "t")
    before = snapshot(db)
    plan = make_plan(project, env, wiring=wiring())
    # a statement that fails after every real step: everything must come back
    failing = _step(
        str(len(plan.steps) + 1),
        "alter_table",
        "missing",
        ("ALTER TABLE no_such_table ADD COLUMN x INT",),
        ("DO 0",),
    )
    with pytest.raises(MrpplanError) as failure:
        apply_plan(
            project,
            env,
            replace(plan, steps=(*plan.steps, failing)),
            wiring=wiring(),
        )
    assert "back where it was" in failure.value.render()
    assert snapshot(db) == before
    apply_plan(project, env, plan, wiring=wiring())
    assert not make_plan(project, env, wiring=wiring()).steps
