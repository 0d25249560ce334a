"""Every generated ALTER names ALGORITHM and LOCK (DESIGN §3.8): when mrpplan's prediction
is wrong the server refuses the statement instead of silently blocking writes, the apply
says so, and the database is as it was."""

from __future__ import annotations

import pytest
from online_support import WIDER, TinyProject

from mrpplan.apply.executor import apply_plan
from mrpplan.config import Project, load_environment
from mrpplan.diff import algorithm_table
from mrpplan.diff.clauses import ModifyColumn
from mrpplan.errors import MrpplanError
from mrpplan.plan.planner import make_plan
from mrpplan.wiring import wiring


def _refused_apply(
    tiny: TinyProject, monkeypatch: pytest.MonkeyPatch, change: tuple[str, str]
) -> tuple[str, str, object]:
    """Apply `change` to the schema with a wrong (in-place) prediction for the type
    change: (the generated ALTER, the error the apply reports, the database before)."""
    assert tiny.cli("apply", "big", "--auto-approve").code == 0
    tiny.fill(orders=50, lines=10)  # small: a plain ALTER, no online tool
    before = tiny.db.snapshot()
    tiny.schema((tiny.root / "database/schema/01_base_schema.sql").read_text().replace(*change))
    # a prediction as wrong as the issue's: a type change (a table copy) said to be in place
    monkeypatch.setattr(ModifyColumn, "algorithm", lambda self, flavor, group: "inplace")
    # ... and no measured entry to correct it (mrpplan/diff/algorithm_table.json)
    monkeypatch.setattr(algorithm_table, "load", lambda: algorithm_table.AlgorithmTable("", {}))
    monkeypatch.chdir(tiny.root)
    project = Project(tiny.root)
    env = load_environment(project, "big")
    plan = make_plan(project, env, wiring=wiring())
    step = next(s for s in plan.steps if s.object == "orders")
    assert step.sql[0].endswith("ALGORITHM=INPLACE, LOCK=NONE"), step.sql
    with pytest.raises(MrpplanError) as failure:
        apply_plan(project, env, plan, wiring=wiring())
    text = failure.value.render() if hasattr(failure.value, "render") else str(failure.value)
    return step.sql[0], text, before


def test_wrong_prediction_is_refused_by_the_server(
    tiny: TinyProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, text, before = _refused_apply(tiny, monkeypatch, WIDER)
    assert "is not supported" in text  # the server's own words (errno 1846)
    assert "prediction was wrong" in text and "did not run" in text
    # the refused statement is named, with the ALGORITHM/LOCK the server refused
    assert "statement: ALTER TABLE `orders`" in text, text
    assert "ALGORITHM=INPLACE, LOCK=NONE" in text, text
    assert "back where it was" in text
    assert tiny.db.snapshot() == before


def test_a_long_refused_alter_is_named_with_its_algorithm(
    tiny: TinyProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused ALTER longer than the message's one-line limit still shows the
    ALGORITHM/LOCK the server refused (its end), not only its start (issue 29)."""
    note = "quantity ordered, " * 20  # a long column comment makes a long ALTER
    sql, text, _ = _refused_apply(
        tiny, monkeypatch, (WIDER[0], f"{WIDER[1]} COMMENT '{note.strip()}'")
    )
    assert len(sql) > 300, sql
    assert "statement: ALTER TABLE `orders`" in text, text
    assert "ALGORITHM=INPLACE, LOCK=NONE" in text, text
