"""A plan file cannot make mrpplan run the tool on something else (DESIGN §3.7, §3.8): an
online step is one ALTER of its own table, with a method and a trash name mrpplan uses;
the tool's command line carries no credentials and nothing else from the plan."""

from __future__ import annotations

from dataclasses import replace

import pytest
from online_support import WIDER, TinyProject, needs_tool

from mrpplan.apply.statement_guard import check_statements
from mrpplan.config import Project, load_environment
from mrpplan.errors import Refused
from mrpplan.mysql.online_alter import OnlineAlter, alter_clauses, osc_argv
from mrpplan.plan.planner import make_plan
from mrpplan.plan.types import Plan
from mrpplan.wiring import wiring


def _online_plan(tiny: TinyProject, monkeypatch: pytest.MonkeyPatch) -> tuple[Plan, int]:
    assert tiny.cli("apply", "big", "--auto-approve").code == 0
    tiny.fill(orders=600, lines=10)
    tiny.schema((tiny.root / "database/schema/01_base_schema.sql").read_text().replace(*WIDER))
    monkeypatch.chdir(tiny.root)
    project = Project(tiny.root)
    plan = make_plan(project, load_environment(project, "big"), wiring=wiring())
    index = next(i for i, s in enumerate(plan.steps) if s.action == "online_alter")
    return plan, index


def _forged(plan: Plan, index: int, **changes: object) -> Plan:
    steps = list(plan.steps)
    steps[index] = replace(steps[index], **changes)  # type: ignore[arg-type]
    return replace(plan, steps=tuple(steps))


@needs_tool
def test_forged_online_steps_are_refused(
    tiny: TinyProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan, i = _online_plan(tiny, monkeypatch)
    check_statements(plan)  # the real one passes
    step = plan.steps[i]
    online = step.online
    assert online is not None
    forgeries = {
        "other table": {"sql": (step.sql[0].replace("`orders`", "`parents`", 1),)},
        "two statements": {"sql": (step.sql[0], step.sql[0])},
        "drop_swap": {"payload": replace(online, foreign_keys="drop_swap")},
        "rebuild_constraints": {"payload": replace(online, foreign_keys="rebuild_constraints")},
        "other tool": {"payload": replace(online, tool="/bin/sh")},
        "old table kept elsewhere": {"payload": replace(online, trash="orders_backup")},
        "injected statement": {"sql": (step.sql[0] + "; DROP TABLE parents",)},
    }
    for label, change in forgeries.items():
        with pytest.raises(Refused, match="online schema change mrpplan makes"):
            check_statements(_forged(plan, i, **change))
        assert label


def test_tool_command_line_has_no_secret_and_only_the_alter() -> None:
    spec = OnlineAlter("db", "orders", "MODIFY qty BIGINT", "none", 1.0, 25, "_t")
    argv = osc_argv("pt-online-schema-change", "/dev/fd/7", spec)
    assert argv[-1] == "F=/dev/fd/7,D=db,t=orders"  # credentials: the in-memory option file
    assert not any(a.startswith(("p=", "--password", "--user")) or ",p=" in a for a in argv)
    assert "--alter=MODIFY qty BIGINT" in argv
    assert "--max-lag=1" in argv and "--max-load=Threads_running=25" in argv
    assert "--alter-foreign-keys-method=none" in argv  # mrpplan re-points the children
    assert "--no-drop-old-table" in argv and "--execute" in argv
    assert (
        alter_clauses(
            "ALTER TABLE `orders` MODIFY COLUMN `qty` bigint(20), ALGORITHM=COPY, LOCK=SHARED",
            "orders",
        )
        == "MODIFY COLUMN `qty` bigint(20)"
    )
    with pytest.raises(ValueError):
        alter_clauses("ALTER TABLE `parents` DROP COLUMN x", "orders")
