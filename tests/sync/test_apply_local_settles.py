"""The new developer's recipe: `mrpplan apply local` on the example project settles in one
run, whether dev exists yet or not, and seeds and the sync agree on who owns which rows
(seed/ownership.py: the sync owns the tables it copies; seeds writing them are not run)."""

from __future__ import annotations

from dbtools import drop_database


def _count(db, table: str) -> int:  # type: ignore[no-untyped-def]
    return int(db.query(f"SELECT COUNT(*) FROM `{table}`")[0][0])


def test_apply_local_before_dev_exists_warns_and_settles(project, server, cli) -> None:  # type: ignore[no-untyped-def]
    drop_database(server, project.databases["dev"].name)

    applied = cli("apply", "local", "--auto-approve")

    assert applied.code == 0, applied.output
    assert "Apply complete" in applied.stdout
    warning = [line for line in applied.output.splitlines() if "does not exist yet" in line]
    assert warning and "mrpplan apply dev" in warning[0], applied.output
    again = cli("plan", "local", "--detailed-exitcode")
    assert again.code == 0, again.output


def test_seeds_and_sync_have_one_owner_and_seed_status_tells_the_truth(project, cli) -> None:  # type: ignore[no-untyped-def]
    dev, local = project.databases["dev"], project.databases["local"]
    assert cli("apply", "dev", "--auto-approve").code == 0

    applied = cli("apply", "local", "--auto-approve")

    assert applied.code == 0, applied.output
    lines = applied.output.splitlines()
    # the rule is stated once per plan shown, not once per table
    assert len({line for line in lines if "Warning: sync" in line}) == 1, applied.output
    assert not any("replaces the rows" in line for line in lines)
    assert max(len(line) for line in lines) < 700, max(lines, key=len)
    # local holds dev's rows, and no seed ran to be overwritten
    for table in ("work_centers", "items", "currencies"):
        assert _count(local, table) == _count(dev, table), table
    status = cli("seed", "status", "local")
    assert status.code == 0, status.output
    row = next(line for line in status.stdout.splitlines() if "02_production_data" in line)
    assert "applied" not in row and "rows from dev (sync)" in row, status.stdout
    again = cli("plan", "local", "--detailed-exitcode")
    assert again.code == 0, again.output
