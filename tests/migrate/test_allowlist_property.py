"""Issue 22: a property over migrations drawn from a grammar of statement kinds and their
disguises (comments, executable comments, case changes, EXECUTE IMMEDIATE with CONCAT,
REVERSE and variables, quoted and unquoted `db.t` qualifiers), run through `validate`,
`plan` and `apply` on the protected `prod` environment. After each migration:

1. no account, other database or global variable changed;
2. every table of prod that lost rows has them in a checkpoint written by this apply or in
   a trash table, or else the plan was refused (and then nothing lost any row);
3. the workspace never ran with the apply account (the server says who each workspace
   session was: `MRPPLAN_WORKSPACE_LOG`, `workspace_never_used_apply_account` below).

Dynamic SQL a file allows by annotation can do anything its text hides; the grammar gives
it only in-database payloads: stopping accounts and other databases there is the job of
the measured effects (issue 22, part A), not of the allowlist.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

OTHER = "other22_property"
USER = "h22_property"
KEYWORDS = re.compile(
    r"\b(DELETE|FROM|TRUNCATE|TABLE|DROP|CREATE|OR|REPLACE|INSERT|INTO|VALUES|UPDATE|SET"
    r"|RENAME|TO|ALTER|ADD|COLUMN|USER|IF|NOT|EXISTS|EXECUTE|IMMEDIATE|PREPARE|WHERE|GLOBAL"
    r"|CONCAT|REVERSE)\b"
)

# (statement, where it reaches): "rows" writes rows of prod, "outside" reaches past it
PAYLOADS = [
    ("DELETE FROM audit_log WHERE id <= 120", "rows"),
    ("TRUNCATE TABLE audit_log", "rows"),
    ("TRUNCATE audit_log", "rows"),
    ("DROP TABLE audit_log", "rows"),
    ("UPDATE customers SET name = CONCAT(name, '!') WHERE id <= 3", "rows"),
    (
        "INSERT INTO audit_log (table_name, record_id, action, changed_by)"
        " VALUES ('x', 1, 'insert', 'h')",
        "rows",
    ),
    (f"CREATE USER IF NOT EXISTS '{USER}'@'%'", "outside"),
    (f"DROP TABLE IF EXISTS {OTHER}.precious", "outside"),
    (f"DELETE FROM `{OTHER}`.`precious`", "outside"),
    ("SET GLOBAL div_precision_increment = 9", "outside"),
]
PLAIN_ONLY = [
    "RENAME TABLE audit_log TO h_old;\nDROP TABLE h_old",
    "CREATE TABLE h_notes (id INT PRIMARY KEY)",
    "ALTER TABLE customers ADD COLUMN h_note VARCHAR(10) NULL",
]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@st.composite
def dynamic(draw: Any, payload: str) -> str:
    """`payload` run as dynamic SQL, hidden in one of several ways."""
    how = draw(st.sampled_from(["literal", "concat", "reverse", "variable", "prepare"]))
    if how == "literal":
        return f"EXECUTE IMMEDIATE {_quote(payload)}"
    if how == "concat":
        cut = draw(st.integers(1, len(payload) - 1))
        return f"EXECUTE IMMEDIATE CONCAT({_quote(payload[:cut])}, {_quote(payload[cut:])})"
    if how == "reverse":
        return f"EXECUTE IMMEDIATE REVERSE({_quote(payload[::-1])})"
    if how == "variable":
        return f"SET @h_q = {_quote(payload)};\nEXECUTE IMMEDIATE @h_q"
    return f"SET @h_q = {_quote(payload)};\nPREPARE h_s FROM @h_q;\nEXECUTE h_s"


@st.composite
def disguised(draw: Any, statement: str) -> str:
    """The statement with keyword case changes, comments, or inside an executable comment."""
    if draw(st.booleans()):
        rng = random.Random(draw(st.integers(0, 2**16)))
        statement = KEYWORDS.sub(
            lambda m: "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in m.group(0)),
            statement,
        )
    if draw(st.booleans()):
        statement = statement.replace(" ", " /* c */ ", 1)
    if ";" not in statement and draw(st.booleans()):
        opening = draw(st.sampled_from(["/*!", "/*!100000", "/*M!", "/*M!100500", "/*!40101"]))
        statement = f"{opening} {statement} */"
    return statement


@st.composite
def migrations(draw: Any) -> tuple[str, bool]:
    """(file text, policy allows destructive)."""
    annotated = draw(st.booleans())
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 2))):
        choice = draw(st.sampled_from(["plain", "dynamic", "fixed"]))
        if choice == "fixed":
            statement = draw(st.sampled_from(PLAIN_ONLY))
        else:
            payload, reach = draw(st.sampled_from(PAYLOADS))
            if choice == "dynamic" and not (annotated and reach == "outside"):
                statement = draw(dynamic(payload))
            else:
                statement = payload
        if ";" not in statement:
            statement = draw(disguised(statement))
        parts.append(statement)
    head = "-- mrpplan:allow-dynamic reviewed in the property test\n" if annotated else ""
    return head + "-- mrpplan:up\n" + ";\n".join(parts) + ";\n", draw(st.booleans())


def workspace_never_used_apply_account(log: Path, apply_user: str) -> None:
    """Every workspace session of this example (as the server saw it: CURRENT_USER(), the
    `MRPPLAN_WORKSPACE_LOG` hook) ran as the restricted workspace account, never as the
    apply account."""
    sessions = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    used = {s["current_user"].rsplit("@", 1)[0] for s in sessions}
    assert apply_user not in used, f"the workspace ran as the apply account: {sessions}"


def _dump(server: Any, database: str, to: Path) -> None:
    with to.open("w") as out:
        subprocess.run(
            [
                "mariadb-dump",
                f"--defaults-extra-file={server.option_file}",
                "--routines",
                "--triggers",
                "--events",
                database,
            ],
            stdout=out,
            check=True,
        )


def _reload(server: Any, db: Any, dump: Path) -> None:
    db.execute(f"DROP DATABASE IF EXISTS `{db.name}`", f"CREATE DATABASE `{db.name}`")
    with dump.open() as source:
        subprocess.run(
            ["mariadb", f"--defaults-extra-file={server.option_file}", db.name],
            stdin=source,
            check=True,
        )


def _columns(db: Any) -> dict[str, tuple[str, ...]]:
    """Each table's column names in order: a trash copy of a table has the same."""
    found: dict[str, list[str]] = {}
    for table, column in db.query(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = %s ORDER BY table_name, ordinal_position",
        (db.name,),
    ):
        found.setdefault(str(table), []).append(str(column))
    return {t: tuple(c) for t, c in found.items()}


def _rows(db: Any) -> dict[str, int]:
    tables = db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
        " AND table_type = 'BASE TABLE'",
        (db.name,),
    )
    names = [str(r[0]) for r in tables]
    return {t: int(db.query(f"SELECT COUNT(*) FROM `{t}`")[0][0]) for t in names}


def _outside(db: Any) -> tuple[Any, ...]:
    return (
        db.query("SELECT COUNT(*) FROM mysql.user WHERE User = %s", (USER,)),
        db.query(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s", (OTHER,)
        ),
        db.query(f"CHECKSUM TABLE `{OTHER}`.`precious`"),
        db.query("SELECT @@GLOBAL.div_precision_increment"),
    )


def _kept_rows(root: Path, manifests: set[Path], table: str) -> list[int]:
    counts = []
    for manifest in set(root.glob("database/backups/**/*.manifest.json")) - manifests:
        entry = (json.loads(manifest.read_text()).get("tables") or {}).get(table)
        if entry is not None:
            counts.append(int(entry.get("rows") or 0))
    return counts


@pytest.mark.slow
def test_no_migration_reaches_outside_or_loses_rows_unkept(
    project: Any, cli: Any, server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = project.databases["prod"]
    log = tmp_path / "workspace-sessions.jsonl"
    monkeypatch.setenv("MRPPLAN_WORKSPACE_LOG", str(log))
    apply_user = str(db.query("SELECT CURRENT_USER()")[0][0]).rsplit("@", 1)[0]
    made = cli("plan", "prod", "--out", "plans/setup.json")
    assert made.code == 0, made.output
    assert cli("apply", "plans/setup.json", "--auto-approve").code == 0
    db.execute(
        "INSERT INTO audit_log (table_name, record_id, action, changed_by) "
        "SELECT 'items', seq, 'update', 'alice' FROM seq_1_to_300",
        "INSERT INTO customers (customer_code, name, email) "
        "SELECT CONCAT('C', seq), CONCAT('Customer ', seq), 'c@example.com' FROM seq_1_to_50",
        f"DROP DATABASE IF EXISTS {OTHER}",
        f"CREATE DATABASE {OTHER}",
        f"CREATE TABLE {OTHER}.precious (id INT PRIMARY KEY)",
        f"INSERT INTO {OTHER}.precious SELECT seq FROM seq_1_to_50",
        f"DROP USER IF EXISTS '{USER}'@'%'",
    )
    dump = tmp_path / "prod.sql"
    _dump(server, db.name, dump)
    prod_yaml = project.root / "environments" / "prod.yaml"
    policy = prod_yaml.read_text()
    outside = _outside(db)
    migration = project.root / "database" / "migrations" / "004_drawn.sql"

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(migrations())
    def check(drawn: tuple[str, bool]) -> None:
        text, destructive_allowed = drawn
        _reload(server, db, dump)
        allowed = policy.replace("allow_destructive: false", "allow_destructive: true")
        prod_yaml.write_text(allowed if destructive_allowed else policy)
        migration.write_text(text)
        before, shapes = _rows(db), _columns(db)
        manifests = set(project.root.glob("database/backups/**/*.manifest.json"))
        cli("validate")
        planned = cli("plan", "prod", "--out", "plans/drawn.json")
        applied = cli("apply", "plans/drawn.json", "--auto-approve") if planned.code == 0 else None
        refused = applied is None or applied.code != 0
        shown = text + planned.output + (applied.output if applied else "")
        assert _outside(db) == outside, shown
        after = _rows(db)
        for table, rows in before.items():
            if after.get(table, 0) >= rows:
                continue
            assert not refused, f"{table} lost rows though the plan was refused\n{shown}"
            # a trash copy under any name (a table renamed, then dropped, is trashed under its
            # new name) with the table's columns
            now = _columns(db)
            trash = [
                t for t in after if t.startswith("_mrpplan_trash_") and now[t] == shapes[table]
            ]
            kept = _kept_rows(project.root, manifests, table)
            kept += [after[t] for t in trash]
            assert any(n >= rows for n in kept), f"{table}: {rows} rows not kept\n{shown}"
        workspace_never_used_apply_account(log, apply_user)

    try:
        check()
        assert log.exists(), "no workspace session was recorded: the hook did not run"
    finally:
        migration.unlink(missing_ok=True)
        db.execute(f"DROP DATABASE IF EXISTS {OTHER}", f"DROP USER IF EXISTS '{USER}'@'%'")
