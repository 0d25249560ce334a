"""The plan file: round trip, digest, tamper refusal, JSON Schema, views."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mrpplan.errors import Refused
from mrpplan.plan.kinds import KINDS, CheckpointTables
from mrpplan.plan.planfile import (
    digest_of,
    dumps,
    loads,
    plan_json_schema,
    read_plan,
    with_digest,
    write_plan,
)
from mrpplan.plan.render import render_plan
from mrpplan.plan.render_markdown import render_markdown
from mrpplan.plan.types import Desired, Plan, Prior, Step, Target


def _step(step_id: str, action: str, *fields: Any, **named: Any) -> Step:
    """A numbered step of the kind `action` names (the plan file's order of fields)."""
    return Step(KINDS[action], *fields, **named, id=step_id)


FP = "a" * 64


def make_plan(steps: tuple[Step, ...] = ()) -> Plan:
    return with_digest(
        Plan(
            environment="prod",
            target=Target("127.0.0.1", 3306, "mrp_erp_prod", "mariadb", "10.11.6-MariaDB"),
            created_at="2026-01-02T03:04:05Z",
            prior=Prior(FP, "001", {"00_reference_data": "b" * 64}),
            desired=Desired("003", "c" * 64, "d" * 64),
            steps=steps,
            prior_objects={"table:orders": "0123456789abcdef"},
        )
    )


SAMPLE_STEPS = (
    _step(
        "1",
        "create_table",
        "bins",
        ("CREATE TABLE bins (id INT PRIMARY KEY)",),
        ("DROP TABLE bins",),
        False,
        "add table bins",
        "n/a",
        None,
    ),
    _step(
        "2",
        "checkpoint",
        "orders,order_lines",
        payload=CheckpointTables(("orders", "order_lines")),
        reason="save",
    ),
    _step(
        "3",
        "alter_table",
        "orders",
        ("ALTER TABLE orders DROP COLUMN note",),
        ("ALTER TABLE orders ADD COLUMN note TEXT",),
        True,
        "drops column orders.note and its data",
        "copy",
        "2",
    ),
    _step(
        "4",
        "drop_table",
        "legacy",
        ("RENAME TABLE legacy TO _mrpplan_trash_x_legacy",),
        ("RENAME TABLE _mrpplan_trash_x_legacy TO legacy",),
        True,
        "drops table legacy",
        "n/a",
        None,
    ),
)


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    plan = make_plan(SAMPLE_STEPS)
    path = write_plan(plan, tmp_path / "p.json")
    again = read_plan(path)
    assert again == plan
    document = json.loads(path.read_text())
    assert list(document)[:10] == [
        "format_version",
        "mrpplan_version",
        "environment",
        "target",
        "created_at",
        "prior",
        "desired",
        "summary",
        "steps",
        "prior_objects",
    ]
    assert document["summary"] == {"add": 1, "change": 1, "destroy": 1, "data": 0}
    assert set(document["steps"][0]) == {
        "id",
        "action",
        "object",
        "sql",
        "reverse_sql",
        "destructive",
        "reason",
        "algorithm",
        "checkpoint",
    }
    assert document["digest"] == digest_of(document)
    assert "password" not in path.read_text().lower()


def test_every_single_byte_edit_is_refused(tmp_path: Path) -> None:
    text = dumps(make_plan(SAMPLE_STEPS))
    # every 7th position keeps the test fast while touching keys, values, SQL and whitespace
    for index in range(0, len(text), 7):
        replacement = "x" if text[index] != "x" else "y"
        edited = text[:index] + replacement + text[index + 1 :]
        with pytest.raises(Refused):
            loads(edited)


def test_whitespace_edit_is_refused() -> None:
    text = dumps(make_plan(SAMPLE_STEPS))
    with pytest.raises(Refused, match="edited"):
        loads(text.replace("\n  ", "\n   ", 1))


def test_unknown_format_version_is_refused() -> None:
    document = json.loads(dumps(make_plan()))
    document["format_version"] = 99
    document["digest"] = digest_of(document)
    with pytest.raises(Refused, match="format version 99"):
        loads(json.dumps(document, indent=2))


def test_schema_is_shipped_and_requires_the_design_keys() -> None:
    schema = plan_json_schema()
    assert {"format_version", "target", "prior", "desired", "summary", "steps", "digest"} <= set(
        schema["required"]
    )


def test_terminal_view_has_markers_reasons_and_summary() -> None:
    from rich.console import Console

    console = Console(record=True, width=160, no_color=True)
    console.print(render_plan(make_plan(SAMPLE_STEPS), show_sql=True))
    text = console.export_text()
    assert "+   1 create_table" in text
    assert "-   4 drop_table" in text
    assert "DESTRUCTIVE: drops column orders.note and its data" in text
    assert "[copy]" in text
    assert "ALTER TABLE orders DROP COLUMN note" in text
    assert "Plan: 1 to add, 1 to change, 1 to destroy." in text


def test_no_change_view_says_so() -> None:
    from rich.console import Console

    console = Console(record=True, width=160, no_color=True)
    console.print(render_plan(make_plan()))
    assert "No changes." in console.export_text()


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=60), st.integers(min_value=10, max_value=4000))
def test_markdown_parts_stay_under_the_limit(count: int, width: int) -> None:
    steps = tuple(
        _step(
            str(i),
            "alter_table",
            f"t{i}",
            ("ALTER TABLE t ADD COLUMN c INT -- " + "x" * width,),
            ("ALTER TABLE t DROP COLUMN c",),
            False,
            "adds a column",
            "instant",
            None,
        )
        for i in range(1, count + 1)
    )
    parts = render_markdown(make_plan(steps), limit=20_000)
    assert all(len(part) < 20_000 for part in parts)
    joined = "".join(parts)
    assert all(f"SQL of step {i}:" in joined for i in range(1, count + 1))
    assert "<details>" in joined
    if len(parts) > 1:
        assert f"(part {len(parts)} of {len(parts)})" in parts[-1]


def test_every_plan_mrpplan_writes_is_valid_by_its_json_schema(project, cli) -> None:
    """`apply` refuses a plan file its JSON Schema rejects: everything mrpplan writes must
    pass that check, or a reviewed plan could never be applied."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(plan_json_schema())
    for env in ("prod", "staging"):  # prod: schema, migrations, seeds; staging: syncs too
        made = cli("plan", env, "--out", f"plans/{env}.json")
        assert made.code == 0, made.output
        document = json.loads((project.root / "plans" / f"{env}.json").read_text())
        assert document["steps"], env
        assert [e.message for e in validator.iter_errors(document)] == [], env
        applied = cli("apply", f"plans/{env}.json", "--auto-approve")
        assert applied.code == 0, applied.output
    assert validator.is_valid(json.loads(dumps(make_plan(SAMPLE_STEPS))))


def test_a_resealed_document_with_a_field_mrpplan_does_not_write_is_refused() -> None:
    document = json.loads(dumps(make_plan(SAMPLE_STEPS)))
    document["steps"][0]["comment"] = "harmless?"
    document["digest"] = digest_of(document)
    with pytest.raises(Refused, match="Nothing was changed"):
        loads(json.dumps(document, indent=2))


def test_rebuild_ignores_row_estimates_in_reasons_only() -> None:
    """A reviewed sync plan says "about 170 rows" from the server's estimate, which drifts
    by the time it is applied: that is not an edit. Any other change of a reason is."""
    from dataclasses import replace

    from mrpplan.plan.rebuild import first_difference

    plan = make_plan(SAMPLE_STEPS)
    step = replace(SAMPLE_STEPS[0], reason="load 6 table(s) of dev (about 170 rows) into x")
    made = replace(plan, steps=(step, *SAMPLE_STEPS[1:]))
    drifted = replace(step, reason="load 6 table(s) of dev (about 1,204 rows) into x")
    assert first_difference(made, replace(plan, steps=(drifted, *SAMPLE_STEPS[1:]))) is None
    edited = replace(step, reason="load 6 table(s) of prod (about 170 rows) into x")
    assert first_difference(made, replace(plan, steps=(edited, *SAMPLE_STEPS[1:])))
