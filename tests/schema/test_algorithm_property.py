"""Every ALGORITHM/LOCK prediction checked against the server: for generated ALTERs (one
to three clauses over the column types and table kinds that change the answer), the
prediction must be exactly the strongest ALGORITHM/LOCK the server accepts, and the
ALTERs run that way must reach the desired table. The predictions come from the table
measured on the server (mrpplan/diff/algorithm_table.json, written by
bench/measure_algorithm_table.py); a wrong entry in it fails the property."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from algorithm_measure import measure_steps
from algorithm_strategies import AlterTable, alter_pairs
from algorithm_table_cases import all_cases
from dbtools import drop_database, make_database
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schema_roundtrip import assert_same, flavor_of, plan, snapshot

from mrpplan.diff import algorithm_table

SETTINGS = {
    "deadline": None,
    "phases": (Phase.explicit, Phase.reuse, Phase.generate),
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


def check_prediction(server: Any, a: AlterTable, b: AlterTable) -> None:
    db_a, db_b = make_database(server, "aa"), make_database(server, "ab")
    try:
        db_a.execute(a.ddl(), a.insert())
        db_b.execute(b.ddl())
        schema_a, schema_b = snapshot(db_a), snapshot(db_b)
        assert schema_a.unsupported_tables() == [] and schema_b.unsupported_tables() == []
        steps = plan(schema_a, schema_b, flavor_of(db_a))
        conn = db_a.connect()
        try:
            measured = measure_steps(conn, steps)
        finally:
            conn.close()
        wrong = [m for m in measured if m.predicted != m.measured]
        assert not wrong, "\n".join(
            f"predicted {m.predicted}, the server's strongest is {m.measured}: {m.sql}"
            for m in wrong
        )
        assert_same(snapshot(db_a), schema_b, "forward", [m.sql for m in measured])
    finally:
        drop_database(server, db_a.name)
        drop_database(server, db_b.name)


# Derandomized: the same 40 combinations every run, so CI does not turn red on a draw;
# bench/measure_algorithms.py draws fresh ones (its disagreements are the work left).
@pytest.mark.slow
@settings(max_examples=40, derandomize=True, database=None, **SETTINGS)  # type: ignore[arg-type]
@given(pair=alter_pairs())
def test_every_predicted_algorithm_is_the_servers_strongest(server: Any, pair: Any) -> None:
    check_prediction(server, *pair)


# The clauses alone and in pairs that bench/measure_algorithm_table.py measured: drawn
# (derandomized), each asked of the server again; a wrong table entry fails here first.
@pytest.mark.slow
@settings(max_examples=60, derandomize=True, database=None, **SETTINGS)  # type: ignore[arg-type]
@given(case=st.sampled_from(all_cases()))
def test_the_measured_table_is_the_servers_answer(server: Any, case: Any) -> None:
    check_prediction(server, *case)


def _table(
    kind: str, columns: tuple[tuple[str, int], ...], keys: frozenset[str] = frozenset()
) -> AlterTable:
    return AlterTable(
        kind, columns, keys, frozenset(), (("comment", 0), ("row_format", 0), ("checksum", 0))
    )


NO_COMMENT = (("row_format", 0), ("checksum", 0))


# The refused predictions and what the property found, kept as plain examples:
# (label, before, after)
FOUND = [
    (
        "DEFAULT added to a JSON column (MODIFY carries its CHECK json_valid)",
        _table("plain", (("n", 0), ("j", 0))),
        _table("plain", (("n", 0), ("j", 1))),
    ),
    (
        "DEFAULT expression removed from a JSON column",
        _table("plain", (("n", 0), ("j", 2))),
        _table("plain", (("n", 0), ("j", 0))),
    ),
    (
        "ADD UNIQUE KEY ... USING HASH",
        _table("plain", (("n", 0), ("t", 0))),
        _table("plain", (("n", 0), ("t", 0)), frozenset({"uh_t"})),
    ),
    (
        "any change beside a long-unique key copies",
        _table("plain", (("n", 0), ("t", 0)), frozenset({"uh_t"})),
        _table("plain", (("t", 0),), frozenset({"uh_t"})),
    ),
    (
        "an explicit USING HASH key on a short column is kept through a copying ALTER",
        _table("plain", (("n", 0), ("s", 0)), frozenset({"uh_s"})),
        _table("plain", (("s", 0),), frozenset({"uh_s"})),
    ),
    (
        "a column added in front of a VIRTUAL column",
        _table("plain", (("n", 0), ("gv", 0))),
        _table("plain", (("s", 0), ("n", 0), ("gv", 0))),
    ),
    (
        "a column added after a VIRTUAL column",
        _table("plain", (("n", 0), ("gv", 0))),
        _table("plain", (("n", 0), ("gv", 0), ("s", 0))),
    ),
    (
        "a STORED generated column dropped",
        _table("plain", (("n", 0), ("gs", 0))),
        _table("plain", (("n", 0),)),
    ),
    (
        "a column added beside two FULLTEXT keys",
        _table("plain", (("s", 0), ("t", 0)), frozenset({"ft_s", "ft_t"})),
        _table("plain", (("s", 0), ("t", 0), ("n", 0)), frozenset({"ft_s", "ft_t"})),
    ),
    (
        "a second FULLTEXT key",
        _table("plain", (("s", 0), ("t", 0)), frozenset({"ft_s"})),
        _table("plain", (("s", 0), ("t", 0)), frozenset({"ft_s", "ft_t"})),
    ),
    (
        "a JSON column moved (MODIFY re-adds its CHECK)",
        _table("plain", (("n", 0), ("j", 0))),
        _table("plain", (("j", 0), ("n", 0))),
    ),
    (
        "the first FULLTEXT key of a system-versioned table",
        _table("versioned", (("n", 0), ("t", 0))),
        _table("versioned", (("n", 0), ("t", 0)), frozenset({"ft_t"})),
    ),
    (
        "a column with a UNIQUE key dropped in front of a VIRTUAL column (found by the schema"
        " property: predicted NOCOPY, the server copies)",
        _table("plain", (("n", 0), ("gv", 0)), frozenset({"u_n"})),
        _table("plain", (("gv", 0),)),
    ),
    (
        "a column with a plain key dropped in front of a VIRTUAL column",
        _table("plain", (("n", 0), ("gv", 0)), frozenset({"k_n"})),
        _table("plain", (("gv", 0),)),
    ),
    (
        "a column dropped in front of a VIRTUAL column beside a new key",
        _table("plain", (("n", 0), ("s", 0), ("gv", 0))),
        _table("plain", (("n", 0), ("gv", 0)), frozenset({"k_n"})),
    ),
    (
        "a column dropped beside a VIRTUAL column of a partitioned table",
        _table("partitioned", (("n", 0), ("gv", 0))),
        _table("partitioned", (("gv", 0),)),
    ),
    (
        "a column dropped behind a VIRTUAL column of a partitioned table (bench: predicted"
        " COPY, the server takes INSTANT)",
        _table("partitioned", (("n", 0), ("gv", 0), ("ts", 0))),
        _table("partitioned", (("n", 0), ("gv", 0))),
    ),
    (
        "a column dropped behind an indexed VIRTUAL column of a partitioned table (bench:"
        " predicted COPY, the server rebuilds in place)",
        _table("partitioned", (("n", 0), ("gv", 0), ("ts", 0)), frozenset({"k_gv"})),
        _table("partitioned", (("n", 0), ("gv", 0)), frozenset({"k_gv"})),
    ),
    (
        "a spatial column and its key dropped in front of a VIRTUAL column of a table with"
        " a FULLTEXT key (bench: predicted INPLACE, the server copies)",
        _table("plain", (("s", 0), ("pt", 0), ("gv", 0)), frozenset({"ft_s", "sp_pt"})),
        _table("plain", (("s", 0), ("gv", 0)), frozenset({"ft_s"})),
    ),
    (
        "a VARCHAR made longer beside a table COMMENT (measured for the table: predicted"
        " INSTANT, the server takes NOCOPY)",
        _table("plain", (("n", 0), ("s", 0))),
        replace(_table("plain", (("n", 0), ("s", 1))), options=(("comment", 1), *NO_COMMENT)),
    ),
    (
        "a column moved across a STORED column of a partitioned table beside a dropped key"
        " (bench: predicted COPY, the server takes NOCOPY)",
        _table("partitioned", (("n", 0), ("gs", 0), ("ts", 0)), frozenset({"k_gs"})),
        _table("partitioned", (("n", 0), ("ts", 0), ("gs", 0))),
    ),
    (
        "an indexed VIRTUAL column dropped beside a new key (bench: NOCOPY, not COPY)",
        _table("plain", (("t", 0), ("gv", 1), ("gs", 0)), frozenset({"k_gv"})),
        _table("plain", (("t", 0), ("gs", 0)), frozenset({"k_gs"})),
    ),
    (
        "a VIRTUAL column dropped beside a column and its key (bench: NOCOPY, not COPY)",
        _table("versioned", (("t", 2), ("gv", 1), ("ts", 1)), frozenset({"k_t"})),
        _table("versioned", (("ts", 1),)),
    ),
    (
        "a VIRTUAL column dropped in front of a STORED one of a partitioned table (bench)",
        _table("partitioned", (("n", 0), ("gv", 1), ("gs", 0), ("ts", 1))),
        _table("partitioned", (("n", 0), ("gs", 0), ("ts", 1))),
    ),
    (
        "a column and its FULLTEXT key dropped in front of a VIRTUAL column",
        _table("plain", (("n", 0), ("s", 0), ("gv", 0)), frozenset({"ft_s"})),
        _table("plain", (("n", 0), ("gv", 0))),
    ),
]


@pytest.mark.parametrize(("label", "before", "after"), FOUND, ids=[f[0] for f in FOUND])
def test_found_predictions_are_the_servers_strongest(
    server: Any, label: str, before: AlterTable, after: AlterTable
) -> None:
    check_prediction(server, before, after)


def test_a_wrong_entry_in_the_measured_table_fails_the_property(
    server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The prediction reads the table: one entry made wrong on purpose (a long-unique key
    added with NOCOPY) makes the property fail on the ALTER it keys."""
    _, before, after = FOUND[2]
    db_a, db_b = make_database(server, "aa"), make_database(server, "ab")
    try:
        db_a.execute(before.ddl())
        db_b.execute(after.ddl())
        (step,) = plan(snapshot(db_a), snapshot(db_b), flavor_of(db_a))
    finally:
        drop_database(server, db_a.name)
        drop_database(server, db_b.name)
    key = algorithm_table.group_key(step.changes)
    real = algorithm_table.load()
    assert key in real.entries and real.entries[key] == (step.algorithm, step.lock), key
    check_prediction(server, before, after)  # the measured entry agrees with the server
    wrong = algorithm_table.AlgorithmTable(real.server, {**real.entries, key: ("nocopy", "none")})
    monkeypatch.setattr(algorithm_table, "load", lambda: wrong)
    with pytest.raises(AssertionError, match=r"predicted \('nocopy', 'none'\)"):
        check_prediction(server, before, after)
