"""Issue 12: a plan file cannot be forged. Each forgery is refused with exit 3 and the
database is byte for byte as it was (SHOW CREATE and CHECKSUM TABLE of every table)."""

from __future__ import annotations

import re

import pytest
from forgery_support import add_migration, load, picture, reseal, step_of
from plan_test_support import without_sync

KEY = "team-secret-key-for-tests"
OTHER_KEY = "someone-elses-key"
KEYED = {"MRPPLAN_PLAN_KEY": KEY}

INJECTIONS = {
    "delete": "DELETE FROM currencies",
    "create_user": "CREATE USER 'intruder'@'%' IDENTIFIED BY 'x'",
    "grant": "GRANT ALL PRIVILEGES ON *.* TO 'intruder'@'%' WITH GRANT OPTION",
}


def _built_prod(project, cli) -> None:
    """prod at the latest version with its reference seeds, through a keyed, reviewed plan."""
    made = cli("plan", "prod", "--out", "plans/setup.json", env=KEYED)
    assert made.code == 0, made.output
    applied = cli("apply", "plans/setup.json", "--auto-approve", env=KEYED)
    assert applied.code == 0, applied.output
    assert project.databases["prod"].query("SELECT COUNT(*) FROM currencies")[0][0] > 0


def _prod_plan(project, cli, key: str | None = KEY) -> tuple:
    """A real plan for prod (migration 004), saved with `key` (None: unkeyed)."""
    _built_prod(project, cli)
    add_migration(project.root)
    env = {"MRPPLAN_PLAN_KEY": key or ""}
    made = cli("plan", "prod", "--out", "plans/prod.json", env=env)
    assert made.code == 0, made.output
    path = project.root / "plans" / "prod.json"
    return path, load(path)


@pytest.mark.parametrize("what", sorted(INJECTIONS))
def test_injected_statement_with_the_right_key_is_refused(project, cli, what) -> None:
    """An insider who holds the key still cannot add a statement mrpplan did not make."""
    path, document = _prod_plan(project, cli)
    step = step_of(document, "migrate_up")
    step["sql"].insert(1, INJECTIONS[what])
    step["reverse_sql"].append("DO 0")
    forged = _apply_resealed(project, cli, path, document)
    assert f"step {step['id']}" in forged.stderr
    assert KEY not in forged.output


def _apply_resealed(project, cli, path, document):  # type: ignore[no-untyped-def]
    """Seal the forged document with the team's key and apply it: refused, nothing changed."""
    reseal(path, document, KEY.encode())
    db = project.databases["prod"]
    before = picture(db)
    forged = cli("apply", "plans/prod.json", "--auto-approve", env=KEYED)
    assert forged.code == 3, forged.output
    assert "Nothing was changed" in forged.stderr
    assert picture(db) == before
    return forged


@pytest.mark.parametrize("what", sorted(INJECTIONS))
def test_injected_statement_with_a_plain_digest_is_refused(project, cli, what) -> None:
    """Without the key the forger recomputes a plain sha256: prod refuses it unkeyed."""
    path, document = _prod_plan(project, cli)
    step = step_of(document, "migrate_up")
    step["sql"].insert(1, INJECTIONS[what])
    reseal(path, document)
    db = project.databases["prod"]
    before = picture(db)
    for env in (KEYED, {"MRPPLAN_PLAN_KEY": ""}):
        forged = cli("apply", "plans/prod.json", "--auto-approve", env=env)
        assert forged.code == 3, forged.output
        assert "not sealed with a key" in forged.stderr
        assert "MRPPLAN_PLAN_KEY" in forged.stderr
    assert picture(db) == before


@pytest.mark.parametrize("what", sorted(INJECTIONS))
def test_injected_statement_on_an_unprotected_environment_is_refused(project, cli, what) -> None:
    """An unprotected environment takes unkeyed plans, but never one mrpplan did not make."""
    without_sync(project.root, "dev")
    assert cli("apply", "dev", "--auto-approve").code == 0
    add_migration(project.root)
    assert cli("plan", "dev", "--out", "plans/dev.json").code == 0
    path = project.root / "plans" / "dev.json"
    document = load(path)
    step = step_of(document, "migrate_up")
    step["sql"].insert(1, INJECTIONS[what])
    reseal(path, document)
    db = project.databases["dev"]
    before = picture(db)
    forged = cli("apply", "plans/dev.json", "--auto-approve")
    assert forged.code == 3, forged.output
    assert f"step {step['id']}" in forged.stderr
    assert picture(db) == before


def test_drop_table_flagged_not_destructive_is_refused(project, cli) -> None:
    """allow_destructive: false and checkpoint: always (staging): a DROP TABLE added to a
    step with "destructive": false must not run, with or without the key."""
    without_sync(project.root, "staging")
    made = cli("plan", "staging", "--out", "plans/setup.json")
    assert made.code == 0 and cli("apply", "plans/setup.json", "--auto-approve").code == 0
    add_migration(project.root)
    assert cli("plan", "staging", "--out", "plans/staging.json", env=KEYED).code == 0
    path = project.root / "plans" / "staging.json"
    db = project.databases["staging"]
    before = picture(db)
    for key in (KEY.encode(), None):
        document = load(path)
        step = step_of(document, "migrate_up")
        step["sql"].insert(1, "DROP TABLE currencies")
        step["reverse_sql"].append("DO 0")
        step["destructive"] = False
        reseal(path, document, key)
        forged = cli("apply", "plans/staging.json", "--auto-approve", env=KEYED)
        assert forged.code == 3, forged.output
        assert f"step {step['id']}" in forged.stderr
        assert picture(db) == before
    assert db.query("SELECT COUNT(*) FROM currencies")[0][0] > 0


def test_migration_sql_that_differs_from_the_file_is_refused(project, cli) -> None:
    path, document = _prod_plan(project, cli)
    step = step_of(document, "migrate_up")
    index = next(i for i, s in enumerate(step["sql"]) if "forgery_note" in s)
    step["sql"][index] = step["sql"][index].replace("VARCHAR(40)", "VARCHAR(41)")
    reseal(path, document, KEY.encode())
    db = project.databases["prod"]
    before = picture(db)
    forged = cli("apply", "plans/prod.json", "--auto-approve", env=KEYED)
    assert forged.code == 3, forged.output
    assert f"step {step['id']} (migrate_up 004_forgery_note) differs in its SQL" in forged.stderr
    assert picture(db) == before


def test_migration_file_edited_after_review_is_refused(project, cli) -> None:
    """The reviewed plan no longer matches the file in the checkout: refused, not run."""
    _prod_plan(project, cli)
    migration = project.root / "database" / "migrations" / "004_forgery_note.sql"
    migration.write_text(migration.read_text().replace("VARCHAR(40)", "VARCHAR(41)"))
    db = project.databases["prod"]
    before = picture(db)
    forged = cli("apply", "plans/prod.json", "--auto-approve", env=KEYED)
    assert forged.code == 3, forged.output
    assert "004_forgery_note" in forged.stderr
    assert picture(db) == before


def test_plan_sealed_with_another_key_is_refused(project, cli) -> None:
    _built_prod(project, cli)
    add_migration(project.root)
    made = cli("plan", "prod", "--out", "plans/prod.json", env={"MRPPLAN_PLAN_KEY": OTHER_KEY})
    assert made.code == 0, made.output
    db = project.databases["prod"]
    before = picture(db)
    forged = cli("apply", "plans/prod.json", "--auto-approve", env=KEYED)
    assert forged.code == 3, forged.output
    assert "sealed with another key" in forged.stderr
    assert KEY not in forged.output and OTHER_KEY not in forged.output
    assert picture(db) == before


def test_protected_environment_refuses_an_unkeyed_plan(project, cli) -> None:
    _path, document = _prod_plan(project, cli, key=None)
    assert document["seal"] == "sha256"
    db = project.databases["prod"]
    before = picture(db)
    for env in (KEYED, {"MRPPLAN_PLAN_KEY": ""}):
        refused = cli("apply", "plans/prod.json", "--auto-approve", env=env)
        assert refused.code == 3, refused.output
        assert "prod is protected and this plan file is not sealed with a key" in refused.stderr
    assert picture(db) == before


def test_a_plan_applied_twice_says_when_it_was_applied(project, cli) -> None:
    _prod_plan(project, cli)
    first = cli("apply", "plans/prod.json", "--auto-approve", env=KEYED)
    assert first.code == 0, first.output
    db = project.databases["prod"]
    before = picture(db)
    again = cli("apply", "plans/prod.json", "--auto-approve", env=KEYED)
    assert again.code == 3, again.output
    assert re.search(
        r"this plan was already applied to \S+ \(at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", again.stderr
    ), again.stderr
    assert "stale" not in again.stderr
    assert picture(db) == before


def test_a_step_whose_action_has_no_runner_is_refused(project, cli) -> None:
    """Issue 22: an action nothing carries out is refused, never run as its `sql`; here the
    insider renames a migration step's action and holds the key."""
    path, document = _prod_plan(project, cli)
    step = step_of(document, "migrate_up")
    step["action"] = "run_anything"
    forged = _apply_resealed(project, cli, path, document)
    assert f"step {step['id']} (run_anything" in forged.stderr
    assert "no runner" in forged.stderr
