"""plan/apply against the real server, as a user runs them: refusals leave everything as it was."""

from __future__ import annotations

from dbtools import start_cli
from plan_test_support import (
    journal_status,
    run_on_terminal,
    saved_plan_path,
    snapshot,
    wait_for,
    without_sync,
)


def test_plan_apply_converges_and_detailed_exitcode(project, cli) -> None:
    without_sync(project.root, "local")
    first = cli("plan", "local", "--detailed-exitcode")
    assert first.code == 2, first.output
    assert "Plan:" in first.stdout
    path = saved_plan_path(first.stdout)
    applied = cli("apply", path, "--auto-approve")
    assert applied.code == 0, applied.output
    assert "Apply complete" in applied.stdout
    again = cli("plan", "local", "--detailed-exitcode", "--out", "plans/noop.json")
    assert again.code == 0, again.output
    assert "No changes." in again.stdout
    # a no-change plan saved with --out is a valid plan that applies as a no-op
    noop = cli("apply", "plans/noop.json", "--auto-approve")
    assert noop.code == 0, noop.output
    drift = cli("drift", "local")
    assert drift.code == 0, drift.output


def test_show_renders_a_saved_plan_and_refuses_an_edited_one(project, cli) -> None:
    made = cli("plan", "dev", "--out", "plans/dev.json")
    assert made.code == 0, made.output
    shown = cli("show", "plans/dev.json", "--sql")
    assert shown.code == 0, shown.output
    assert "CREATE TABLE" in shown.stdout
    assert cli("show", "plans/dev.json", "--json").stdout.startswith("{")
    assert "<details>" in cli("show", "plans/dev.json", "--markdown").stdout
    before = snapshot(project.databases["dev"])
    path = project.root / "plans" / "dev.json"
    text = path.read_text()
    position = text.index("DROP TABLE")  # one byte: the reverse of a step becomes "dROP"
    path.write_text(text[:position] + "d" + text[position + 1 :])
    tampered = cli("apply", "plans/dev.json", "--auto-approve")
    assert tampered.code == 3, tampered.output
    assert "edited" in tampered.stderr
    assert snapshot(project.databases["dev"]) == before


def test_stale_plan_is_refused_and_nothing_changes(project, cli) -> None:
    assert cli("apply", "dev", "--auto-approve").code == 0
    # dev is migration-driven (drift: warn): a change comes as a new migration
    (project.root / "database" / "migrations" / "004_zz_stale.sql").write_text(
        "-- mrpplan:up\nCREATE TABLE zz_stale (id INT PRIMARY KEY) ENGINE=InnoDB;\n"
    )
    made = cli("plan", "dev", "--out", "plans/stale.json")
    assert made.code == 0, made.output
    db = project.databases["dev"]
    db.execute("ALTER TABLE warehouses ADD COLUMN hotfix INT NULL")
    before = snapshot(db)
    stale = cli("apply", "plans/stale.json", "--auto-approve")
    assert stale.code == 3, stale.output
    assert "the database changed after this plan was made" in stale.stderr
    assert "warehouses" in stale.stderr
    assert snapshot(db) == before


def test_protected_environment_needs_approval(project, cli) -> None:
    db = project.databases["prod"]
    key = {"MRPPLAN_PLAN_KEY": "test-key"}  # a protected env takes keyed plan files only
    made = cli("plan", "prod", "--target-version", "002", "--out", "plans/prod.json", env=key)
    assert made.code == 0, made.output
    refused = cli("apply", "plans/prod.json", env=key)
    assert refused.code == 3, refused.output
    assert "protected" in refused.stderr
    assert cli("apply", "prod", "--auto-approve").code == 3
    assert snapshot(db) == ({}, {}, [])
    approved = cli("apply", "plans/prod.json", "--auto-approve", env=key)
    assert approved.code == 0, approved.output


def test_second_concurrent_apply_is_refused_while_the_first_succeeds(project, cli) -> None:
    made = cli("plan", "dev", "--out", "plans/dev.json")
    assert made.code == 0
    db = project.databases["dev"]
    resume = project.root / "resume"
    first = start_cli(
        "apply",
        "plans/dev.json",
        "--auto-approve",
        env={"MRPPLAN_TEST_PAUSE_AFTER_STEP": "1", "MRPPLAN_TEST_RESUME_FILE": str(resume)},
        cwd=project.root,
    )
    try:
        wait_for(lambda: journal_status(db, "1") == "done", "the first apply to run step 1")
        second = cli("apply", "plans/dev.json", "--auto-approve")
        assert second.code == 3, second.output
        assert "another apply is running" in second.stderr
        assert "connection" in second.stderr
        resume.touch()
        out, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, out + err
    assert cli("plan", "dev", "--detailed-exitcode").code == 0


def test_a_new_environment_gets_its_database_created(project, cli) -> None:
    name = project.databases["dev"].name + "_new"
    env = {"DEV_DB_NAME": name}
    try:
        made = cli("plan", "dev", "--out", "plans/new.json", env=env)
        assert made.code == 0, made.output
        assert "create_database" in made.stdout
        applied = cli("apply", "plans/new.json", "--auto-approve", env=env)
        assert applied.code == 0, applied.output
        again = cli("plan", "dev", "--detailed-exitcode", env=env)
        assert again.code == 0, again.output
    finally:
        project.databases["dev"].execute(f"DROP DATABASE IF EXISTS `{name}`")


def test_protected_environment_on_a_terminal_needs_its_name_typed(
    project, cli, monkeypatch
) -> None:
    monkeypatch.setenv("MRPPLAN_PLAN_KEY", "test-key")  # protected: keyed plan files only
    made = cli("plan", "prod", "--target-version", "001", "--out", "plans/prod.json")
    assert made.code == 0, made.output
    code, out = run_on_terminal("apply", "plans/prod.json", answer="yes", cwd=project.root)
    assert code == 3, out
    assert "Type its name" in out
    assert snapshot(project.databases["prod"]) == ({}, {}, [])
    code, out = run_on_terminal("apply", "plans/prod.json", answer="prod", cwd=project.root)
    assert code == 0, out
    assert "Apply complete" in out
