"""A fresh build's leading table DDL runs on two sessions (`mysql/workspace_lanes`): the
schema, or the first failing statement and its error, must be exactly a run in order's."""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from dbtools import scratch_databases_left, start_cli, wait_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mrpplan.desired.workspace import desired_schema
from mrpplan.errors import SqlError
from mrpplan.mysql import workspace, workspace_lanes
from mrpplan.sqlfiles.split import SqlStatement

TABLES = [f"t{n}" for n in range(6)]
name = st.sampled_from(TABLES)
number = st.integers(0, 2)
# statements that collide on purpose: foreign keys between the same few tables, constraint
# names shared across tables (they are per database), key types changed under a foreign key
statement = st.one_of(
    st.tuples(name, name, number).map(
        lambda a: (
            f"CREATE OR REPLACE TABLE {a[0]} (id INT PRIMARY KEY, v INT, p INT NULL,"
            f" CONSTRAINT fk{a[2]} FOREIGN KEY (p) REFERENCES {a[1]} (id))"
        )
    ),
    st.tuples(name, name, number).map(
        lambda a: (
            f"ALTER TABLE {a[0]} ADD CONSTRAINT fk{a[2]} FOREIGN KEY (p) REFERENCES {a[1]} (id)"
        )
    ),
    st.tuples(name, name).map(
        lambda a: f"ALTER TABLE {a[0]} ADD FOREIGN KEY (p) REFERENCES {a[1]} (id)"
    ),
    st.tuples(name, number).map(lambda a: f"ALTER TABLE {a[0]} DROP FOREIGN KEY fk{a[1]}"),
    st.tuples(name, number).map(
        lambda a: f"ALTER TABLE {a[0]} ADD COLUMN IF NOT EXISTS c{a[1]} INT"
    ),
    st.tuples(name, number).map(lambda a: f"CREATE INDEX IF NOT EXISTS ix{a[1]} ON {a[0]} (v)"),
    name.map(lambda t: f"ALTER TABLE {t} MODIFY id BIGINT NOT NULL"),
    name.map(lambda t: f"ALTER TABLE {t} MODIFY p BIGINT NULL"),
    name.map(lambda t: f"ALTER TABLE {t} MODIFY v VARCHAR(20)"),
    name.map(lambda t: f"DROP TABLE IF EXISTS {t}"),
    name.map(lambda t: f"CREATE TABLE IF NOT EXISTS {t} (id INT PRIMARY KEY, v INT, p INT NULL)"),
)
# every table first, so most statements find what they name and the runs go far
PREAMBLE = [f"CREATE TABLE {t} (id INT PRIMARY KEY, v INT, p INT NULL)" for t in TABLES]


def files(texts: list[str], cuts: list[int]) -> list[SqlStatement]:
    """The statements, spread over files at `cuts` (a watch measures each file's end)."""
    out = []
    for n, text in enumerate(texts):
        part = sum(1 for c in cuts if c <= n)
        out.append(SqlStatement(text, Path(f"database/migrations/{part:03d}_m.sql"), n + 1))
    return out


def outcome(place: Any, statements: list[SqlStatement]) -> Any:
    """The schema's texts, or the error (the scratch database's name masked)."""
    try:
        return desired_schema(place, statements, None).to_texts()
    except SqlError as exc:
        return ("error", exc.errno, re.sub(r"_mrpplan_ws_[0-9a-f]+", "ws", exc.message))


def in_order(place: Any, statements: list[SqlStatement]) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workspace_lanes, "WORTH_IT", 10**9)  # one session, in order
        return outcome(place, statements)


def uneven(patch: pytest.MonkeyPatch, delays: list[int]) -> None:
    """Each statement starts after its own delay (ms), as a busy server would make them
    take uneven times: a statement that does not wait for another then overtakes it."""
    real = workspace._run

    def run(cur: Any, statement: SqlStatement, place: Any) -> None:
        time.sleep(delays[(statement.line - 1) % len(delays)] / 1000)
        real(cur, statement, place)

    patch.setattr(workspace, "_run", run)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(statement, min_size=workspace_lanes.WORTH_IT, max_size=40),
    st.lists(st.integers(1, 45), max_size=3),
    st.lists(st.sampled_from([0, 0, 1, 5, 15]), min_size=1, max_size=20),
)
def test_two_sessions_build_what_one_builds(
    fresh_db: Any, texts: list[str], cuts: list[int], delays: list[int]
) -> None:
    statements = files(PREAMBLE + texts, cuts)
    assert all(workspace_lanes.qualifies(s) for s in statements)  # all on two sessions
    with pytest.MonkeyPatch.context() as patch:
        uneven(patch, delays)
        assert outcome(fresh_db.workspace, statements) == in_order(fresh_db.workspace, statements)


def test_the_first_failing_statement_is_reported_with_its_own_error(fresh_db: Any) -> None:
    """A later, independent statement fails first in time on the other session; the error
    named is still the first one in file order, as a run in order would name it."""
    texts = [f"CREATE TABLE a{n} (id INT PRIMARY KEY)" for n in range(20)]
    texts[5] = (
        "CREATE TABLE bad (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES missing (id))"
    )
    texts[19] = "ALTER TABLE nowhere ADD COLUMN x INT"
    statements = files(texts, [10])
    got = outcome(fresh_db.workspace, statements)
    assert got == in_order(fresh_db.workspace, statements)
    assert got[0] == "error" and "database/migrations/000_m.sql:6:" in got[2]


def test_a_build_uses_a_second_session_only_for_the_leading_table_ddl(
    fresh_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[int] = []
    real = workspace_lanes.run_in_lanes

    def counting(*args: Any) -> int:
        ran.append(real(*args))
        return ran[-1]

    monkeypatch.setattr(workspace, "run_in_lanes", counting)
    texts = [f"CREATE TABLE a{n} (id INT PRIMARY KEY)" for n in range(20)]
    texts += ["SET NAMES utf8mb4", "CREATE TABLE z (id INT PRIMARY KEY)"]
    schema = desired_schema(fresh_db.workspace, files(texts, []), None)
    assert ran == [20]  # the SET and what follows run in order on the first session
    assert set(schema.tables) == {f"a{n}" for n in range(20)} | {"z"}


def test_ctrl_c_while_two_sessions_build_leaves_no_scratch_database(project: Any) -> None:
    """`mrpplan plan` interrupted while both workspace sessions run statements: it stops
    saying nothing was changed, and the scratch database is gone (both sessions'
    statements ended)."""
    many = "".join(
        f"CREATE TABLE many_{n} (id INT PRIMARY KEY, v VARCHAR(20), KEY (v));\n" for n in range(400)
    )
    (project.root / "database" / "schema" / "02_many.sql").write_text(many)
    db = project.databases["local"]

    def building() -> bool:
        rows = db.query(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME LIKE 'many\\_%'"
            " AND TABLE_SCHEMA LIKE '\\_mrpplan\\_ws\\_%'"
        )
        return int(rows[0][0]) >= 40

    proc = start_cli("plan", "local", env={}, cwd=project.root)
    try:
        wait_for(building, "the workspace build to be under way")
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 1, err
    assert "Aborted. Nothing was changed." in err and "Traceback" not in err
    assert scratch_databases_left(db) == []
    assert db.query("SHOW TABLES") == []  # the environment's database was not touched
