"""A table mrpplan cannot model exactly (explicit system-versioning columns) is reported,
never altered or recreated."""

from __future__ import annotations

from plan_test_support import (
    append_base_schema,
    edit_base_schema,
    saved_plan_path,
    snapshot,
    without_sync,
)

PARTITIONED = """CREATE TABLE meter_readings (
  id INT NOT NULL,
  taken DATE NOT NULL,
  reading DECIMAL(12,3) NULL,
  rs TIMESTAMP(6) GENERATED ALWAYS AS ROW START,
  re TIMESTAMP(6) GENERATED ALWAYS AS ROW END,
  PERIOD FOR SYSTEM_TIME (rs, re),
  PRIMARY KEY (id, taken)
) ENGINE=InnoDB WITH SYSTEM VERSIONING;"""


def test_change_to_an_unmodelled_table_is_shown_and_apply_refuses_it(project, cli) -> None:
    without_sync(project.root, "local")
    append_base_schema(project.root, PARTITIONED)
    built = cli("apply", "local", "--auto-approve")
    assert built.code == 0, built.output
    db = project.databases["local"]
    db.execute(
        "INSERT INTO meter_readings (id, taken, reading)"
        " VALUES (1, '2024-05-01', 12.5), (2, '2026-01-02', 3)"
    )

    edit_base_schema(
        project.root,
        "  rs TIMESTAMP(6) GENERATED ALWAYS AS ROW START,",
        "  rs TIMESTAMP(6) GENERATED ALWAYS AS ROW START INVISIBLE,",
    )
    planned = cli("plan", "local", "--detailed-exitcode")
    assert planned.code == 2, planned.output
    assert "unsupported_table" in planned.stdout and "meter_readings" in planned.stdout
    assert "ROW START/END columns is not modeled" in planned.stdout  # names what

    before = snapshot(db)
    refused = cli("apply", saved_plan_path(planned.stdout), "--auto-approve")
    assert refused.code == 3, refused.output
    assert "cannot make safely" in refused.stderr and "meter_readings" in refused.stderr
    assert "Nothing was changed" in refused.stderr
    assert snapshot(db) == before


def test_a_step_whose_action_has_no_runner_is_refused_at_plan_and_at_apply(project) -> None:
    """Issue 22: a provider that makes an action no runner carries out is refused when the
    plan is made, and such a step in a plan is refused at apply: never run as its SQL."""
    from dataclasses import replace

    import pytest

    from mrpplan.apply.executor import apply_plan
    from mrpplan.config import Project
    from mrpplan.config.loader import load_environment
    from mrpplan.errors import Refused
    from mrpplan.plan.planner import make_plan
    from mrpplan.plan.providers import StepDraft, register_step_provider

    without_sync(project.root, "local")
    proj = Project(project.root)
    env = load_environment(proj, "local")
    db = project.databases["local"]
    sneaky = StepDraft(action="frobnicate", object="ghost", sql=("CREATE TABLE ghost (id INT)",))
    register_step_provider("data", lambda _ctx: [sneaky], name="test-frobnicate")
    try:
        with pytest.raises(Refused) as refused:
            make_plan(proj, env)
    finally:
        register_step_provider("data", lambda _ctx: [], name="test-frobnicate")
    assert "frobnicate ghost" in refused.value.message and "no runner" in refused.value.message
    plan = make_plan(proj, env)
    assert plan.steps, "the empty local database needs steps"
    forged = replace(plan, steps=(*plan.steps, sneaky.to_step(str(len(plan.steps) + 1))))
    with pytest.raises(Refused) as at_apply:
        apply_plan(proj, env, forged)
    assert "frobnicate ghost" in at_apply.value.message
    assert not db.query("SHOW TABLES LIKE 'ghost'")
    assert not db.query("SHOW TABLES")  # nothing at all ran
