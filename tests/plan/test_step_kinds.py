"""Issue 24: every step kind is one value of plan/kinds.py that says how it counts, what it
may run and how it runs; the plan file names it by its action and refuses any other."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from mrpplan.errors import Refused
from mrpplan.plan import kinds
from mrpplan.plan.planfile import digest_of, dumps, loads
from mrpplan.plan.types import Desired, Plan, Prior, Step, Summary, Target

FP = "a" * 64


def _plan(*steps: Step) -> Plan:
    return Plan(
        environment="prod",
        target=Target("127.0.0.1", 3306, "erp", "mariadb", "10.11.6-MariaDB"),
        created_at="2026-01-02T03:04:05Z",
        prior=Prior(FP, "001"),
        desired=Desired("002", "c" * 64, "d" * 64),
        steps=steps,
    )


def test_every_action_name_is_one_kind() -> None:
    assert len(kinds.KINDS) == 29
    for action, kind in kinds.KINDS.items():
        assert kind.action == action
        assert kinds.kind_named(action) is kind
    assert kinds.kind_named("sync_table") is None  # no producer ever made one


def test_summary_counts_each_kind_as_before() -> None:
    steps = [
        Step(kinds.CREATE_TABLE, "a"),
        Step(kinds.CREATE_ROUTINE["trigger"], "t"),
        Step(kinds.ALTER_TABLE, "a", destructive=True),
        Step(kinds.DROP_VIEW, "v"),
        Step(kinds.TRASH_TABLE, "old"),
        Step(kinds.SEED, "s"),
        Step(kinds.SWAP_TABLES, "a", destructive=True),
        Step(kinds.MIGRATE_UP, "003", destructive=True),
        Step(kinds.CHECKPOINT, "a", payload=kinds.CheckpointTables(("a",))),
        Step(kinds.RECORD_HISTORY, "h"),
    ]
    assert Summary.of(steps) == Summary(add=2, change=1, destroy=4, data=1)


def test_guard_rules_are_the_kinds() -> None:
    writers = {a for a, k in kinds.KINDS.items() if k.writes_rows}
    assert writers == {
        "seed",
        "migrate_up",
        "migrate_down",
        "record_history",
        "shadow_load",
        "empty_tables",
    }
    shadow = {a for a, k in kinds.KINDS.items() if k.moves_shadow}
    assert shadow == {"shadow_prepare", "swap_tables", "trash_table", "drop_database"}
    hooked = {a for a, k in kinds.KINDS.items() if k.runs_itself}
    assert hooked == {"checkpoint", "seed", "shadow_load", "binlog_replay", "online_alter"}


def test_a_checkpoint_keeps_its_tables_as_a_tuple_through_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MRPPLAN_PLAN_KEY", raising=False)
    checkpoint = Step(kinds.CHECKPOINT, "a,b", payload=kinds.CheckpointTables(("a", "b")), id="1")
    read = loads(dumps(_plan(checkpoint)))
    assert read.steps[0].checkpoint_tables == ("a", "b")
    assert read.steps[0].kind is kinds.CHECKPOINT


def test_an_unknown_kind_is_refused_naming_the_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MRPPLAN_PLAN_KEY", raising=False)
    document = json.loads(
        dumps(_plan(Step(kinds.CREATE_TABLE, "bins", ("CREATE TABLE bins (id INT)",), id="1")))
    )
    document["steps"][0]["action"] = "frobnicate"
    document["digest"] = digest_of(document)
    with pytest.raises(Refused, match=r"step 1 \(frobnicate bins\) is of a kind"):
        loads(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def test_a_plan_of_an_older_format_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MRPPLAN_PLAN_KEY", raising=False)
    document = json.loads(dumps(replace(_plan(), format_version=0)))
    with pytest.raises(Refused, match="made by an older mrpplan: plan again"):
        loads(json.dumps(document, indent=2))
