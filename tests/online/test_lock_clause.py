"""Every generated ALTER names ALGORITHM and LOCK (DESIGN §3.8): when mrpplan's prediction
is wrong the server refuses the statement instead of silently blocking writes, the apply
says so, and the database is as it was."""

from __future__ import annotations

import pytest
from online_support import WIDER, TinyProject

from mrpplan.apply.executor import apply_plan
from mrpplan.config import Project, load_environment
from mrpplan.diff.clauses import ModifyColumn
from mrpplan.errors import MrpplanError
from mrpplan.plan.planner import make_plan


def test_wrong_prediction_is_refused_by_the_server(
    tiny: TinyProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tiny.cli("apply", "big", "--auto-approve").code == 0
    tiny.fill(orders=50, lines=10)  # small: a plain ALTER, no online tool
    before = tiny.db.snapshot()
    tiny.schema((tiny.root / "database/schema/01_base_schema.sql").read_text().replace(*WIDER))
    # a prediction as wrong as the issue's: a type change (a table copy) said to be in place
    monkeypatch.setattr(ModifyColumn, "algorithm", lambda self, flavor, group: "inplace")
    monkeypatch.chdir(tiny.root)
    project = Project(tiny.root)
    env = load_environment(project, "big")
    plan = make_plan(project, env)
    step = next(s for s in plan.steps if s.object == "orders")
    assert step.sql[0].endswith("ALGORITHM=INPLACE, LOCK=NONE"), step.sql

    with pytest.raises(MrpplanError) as failure:
        apply_plan(project, env, plan, approved=True)
    text = failure.value.render() if hasattr(failure.value, "render") else str(failure.value)
    assert "is not supported" in text  # the server's own words (errno 1846)
    assert "prediction was wrong" in text and "did not run" in text
    # the refused statement is named, with the ALGORITHM/LOCK the server refused
    assert "statement: ALTER TABLE `orders`" in text, text
    assert "ALGORITHM=INPLACE, LOCK=NONE" in text, text
    assert "back where it was" in text
    assert tiny.db.snapshot() == before
