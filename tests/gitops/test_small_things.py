"""Small things a user meets every day (issue 30, item 5): where `plan` writes files, piped
`backup --list`, an empty new migration, and the wording of counts."""

from __future__ import annotations


def _plan_files(project) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(p.name for p in (project.root / "plans").glob("*.json"))


def test_plan_writes_a_file_only_when_it_says_so(project, cli) -> None:  # type: ignore[no-untyped-def]
    for view in ("--markdown", "--json"):
        shown = cli("plan", "dev", view)
        assert shown.code == 0, shown.output
    assert _plan_files(project) == []  # a view on stdout is not a saved plan
    made = cli("plan", "dev")
    assert made.code == 0, made.output
    [saved] = _plan_files(project)
    assert f"Saved the plan to plans/{saved}" in made.stdout
    assert cli("apply", f"plans/{saved}", "--auto-approve").code == 0
    again = cli("plan", "dev")
    assert again.code == 0 and "No changes" in again.stdout, again.output
    assert _plan_files(project) == [saved]  # "No changes" leaves no file behind


def test_piped_backup_list_shows_whole_file_names(project, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("apply", "dev", "--auto-approve").code == 0
    assert cli("backup", "dev", "--auto").code == 0
    listed = cli("backup", "--list", "dev", env={"COLUMNS": "50"})
    assert listed.code == 0, listed.output
    [backup] = (project.root / "database" / "backups").glob("*.sql.gz")
    assert f"database/backups/{backup.name}" in listed.stdout, listed.stdout


def test_an_empty_new_migration_is_reported_not_planned(project, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("migrate", "create", "nothing_yet").code == 0
    checked = cli("validate")
    planned = cli("plan", "dev")
    assert checked.code == 1 and "has no statement" in checked.output, checked.output
    assert planned.code == 1 and "0 statements" not in planned.output, planned.output
    assert "004_nothing_yet.sql" in planned.output


def test_counts_read_as_words(project, cli) -> None:  # type: ignore[no-untyped-def]
    (project.root / "database" / "migrations" / "004_one.sql").write_text(
        "-- mrpplan:up\nCREATE TABLE one_more (id INT PRIMARY KEY);\n"
    )
    assert cli("apply", "dev", "--auto-approve", env={"DEV_SCHEMA_VERSION": "003"}).code == 0
    planned = cli("migrate", "up", "dev", "--force")
    assert planned.code == 0, planned.output
    assert "(1 statement;" in planned.stdout and "1 statements" not in planned.stdout
    assert "Apply complete: 1 step ran on dev" in planned.stdout, planned.stdout
