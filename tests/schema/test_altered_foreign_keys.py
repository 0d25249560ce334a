"""Tables made by a sequence of ALTERs that changed a primary key referenced by foreign
keys (several children of one modified parent) print lines mrpplan used to refuse ("its
lines are not in the order the server prints them": a composite foreign key's column
list is printed with ", "). They are modelled now: each converges both ways through
plan/apply, and the result equals the server's own load of the desired SQL."""

from __future__ import annotations

from typing import Any

import pytest
from schema_roundtrip import (
    assert_round_trip,
    assert_same,
    client_load,
    flavor_of,
    forward_sql,
    plan,
    run,
    show_create,
    snapshot,
)

from mrpplan.model.parse import parse_table_text

BEFORE = [
    "CREATE TABLE p (id INT NOT NULL, code INT NOT NULL, x INT, PRIMARY KEY (id))",
    "CREATE TABLE c1 (id INT PRIMARY KEY, pid INT, pc INT,"
    " CONSTRAINT f1 FOREIGN KEY (pid) REFERENCES p (id))",
    "CREATE TABLE c2 (id INT PRIMARY KEY, pid INT, pc INT,"
    " CONSTRAINT f2 FOREIGN KEY (pid) REFERENCES p (id))",
    "INSERT INTO p VALUES (1, 10, 0), (2, 20, 0)",
    "INSERT INTO c1 VALUES (1, 1, 10)",
    "INSERT INTO c2 VALUES (1, 2, 20)",
]
# the parent's primary key becomes (id, code) while children reference it; then the
# children's foreign keys are re-pointed at the new key, in different orders
ALTERS = [
    "SET FOREIGN_KEY_CHECKS=0",
    "ALTER TABLE p DROP PRIMARY KEY, ADD PRIMARY KEY (id, code)",
    "SET FOREIGN_KEY_CHECKS=1",
    "ALTER TABLE c1 ADD CONSTRAINT g1 FOREIGN KEY (pid, pc) REFERENCES p (id, code)",
    "ALTER TABLE c1 DROP FOREIGN KEY f1",
    "ALTER TABLE c2 ADD KEY k2 (pc)",
    "ALTER TABLE c2 DROP FOREIGN KEY f2",
    "ALTER TABLE c2 ADD CONSTRAINT g2 FOREIGN KEY (pid, pc) REFERENCES p (id, code)"
    " ON DELETE CASCADE",
    "ALTER TABLE c2 ADD CONSTRAINT f2 FOREIGN KEY (pid) REFERENCES p (id)",
]


def test_tables_altered_around_a_referenced_primary_key_converge(database_factory: Any) -> None:
    a, b, loaded = database_factory(), database_factory(), database_factory()
    a.execute(*BEFORE)
    b.execute(*BEFORE, *ALTERS)
    texts = show_create(b)
    for name, text in texts.items():
        parsed = parse_table_text(text)
        assert parsed.supported, (name, parsed.unsupported_reason, text)
        assert parsed.render() == text  # the text back exactly
    desired = snapshot(b)
    assert desired.unsupported_tables() == [] and snapshot(a).unsupported_tables() == []

    # both ways, rows kept
    rows = a.query("SELECT * FROM c2 ORDER BY id")
    assert_round_trip(a, desired)
    assert a.query("SELECT * FROM c2 ORDER BY id") == rows
    back = database_factory()
    back.execute(*BEFORE)
    assert_round_trip(b, snapshot(back))

    # the result equals the server's own load of the desired SQL
    run(a, forward_sql(plan(snapshot(a), desired, flavor_of(a))))
    client_load(
        loaded,
        "SET FOREIGN_KEY_CHECKS=0;\n" + ";\n".join(texts.values()) + ";\n",
    )
    assert_same(snapshot(a), snapshot(loaded), "desired SQL loaded by the client")


def test_a_line_order_the_model_does_not_expect_is_kept() -> None:
    """Where the server prints a foreign key before a key (or any other unusual order),
    the parser keeps the order it read: the text renders back exactly."""
    text = (
        "CREATE TABLE `c` (\n"
        "  `id` int(11) NOT NULL,\n"
        "  `pid` int(11) DEFAULT NULL,\n"
        "  `pc` int(11) DEFAULT NULL,\n"
        "  PRIMARY KEY (`id`),\n"
        "  CONSTRAINT `g` FOREIGN KEY (`pid`, `pc`) REFERENCES `p` (`id`, `code`),\n"
        "  KEY `g` (`pid`,`pc`)\n"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"
    )
    parsed = parse_table_text(text)
    assert parsed.supported, parsed.unsupported_reason
    assert parsed.render() == text
    assert [fk.columns for fk in parsed.foreign_keys] == [("pid", "pc")]


# More histories whose tables the server prints in an order a fresh CREATE would not
# (a UNIQUE NOT NULL key promoted, keys and foreign keys re-made around a changed
# referenced key, IGNORED keys, FULLTEXT/SPATIAL keys added later): (creates, alters)
HISTORIES = {
    "keys added and re-made": (
        [
            "CREATE TABLE p (id INT PRIMARY KEY, code INT NOT NULL, UNIQUE KEY (code))",
            "CREATE TABLE t (a INT, b INT NOT NULL, c INT, s VARCHAR(20), pt POINT NOT NULL,"
            " KEY ka (a))",
        ],
        [
            "ALTER TABLE t ADD UNIQUE KEY ub (b)",
            "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (c) REFERENCES p (code)",
            "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0)",
            "ALTER TABLE t ADD FULLTEXT KEY ft (s)",
            "ALTER TABLE t ADD SPATIAL KEY sp (pt)",
            "ALTER TABLE t ADD PRIMARY KEY (b)",
            "ALTER TABLE t ADD KEY kc (c), ALTER INDEX ka IGNORED",
            "ALTER TABLE t DROP KEY ub",
            "ALTER TABLE t ADD UNIQUE KEY uc (c, a)",
            "ALTER TABLE t ADD CONSTRAINT f2 FOREIGN KEY (a) REFERENCES p (id) ON DELETE CASCADE",
        ],
    ),
    "referenced key widened, children re-pointed": (
        [
            "CREATE TABLE p (id INT NOT NULL, k INT NOT NULL, PRIMARY KEY (id))",
            "CREATE TABLE c (id INT PRIMARY KEY, a INT, b INT,"
            " CONSTRAINT fa FOREIGN KEY (a) REFERENCES p (id))",
            "CREATE TABLE d (id INT PRIMARY KEY, a INT, b INT, KEY kb (b),"
            " CONSTRAINT fd FOREIGN KEY (a) REFERENCES p (id))",
        ],
        [
            "SET FOREIGN_KEY_CHECKS=0",
            "ALTER TABLE p DROP PRIMARY KEY, ADD PRIMARY KEY (k, id)",
            "ALTER TABLE p ADD UNIQUE KEY (id)",
            "SET FOREIGN_KEY_CHECKS=1",
            "ALTER TABLE c ADD CONSTRAINT fb FOREIGN KEY (b, a) REFERENCES p (k, id)",
            "ALTER TABLE c DROP FOREIGN KEY fa",
            "ALTER TABLE d DROP KEY kb",
            "ALTER TABLE d ADD CONSTRAINT fe FOREIGN KEY (b, a) REFERENCES p (k, id)"
            " ON UPDATE CASCADE",
            "ALTER TABLE d ADD KEY kb (b)",
            "ALTER TABLE d DROP FOREIGN KEY fd",
            "ALTER TABLE d ADD CONSTRAINT fd FOREIGN KEY (a) REFERENCES p (id)",
        ],
    ),
}


@pytest.mark.parametrize("history", list(HISTORIES))
def test_tables_of_an_alter_history_parse_and_converge(database_factory: Any, history: str) -> None:
    creates, alters = HISTORIES[history]
    a, b, loaded = database_factory(), database_factory(), database_factory()
    a.execute(*creates)
    b.execute(*creates, *alters)
    texts = show_create(b)
    for name, text in texts.items():
        parsed = parse_table_text(text)
        assert parsed.supported, (name, parsed.unsupported_reason, text)
        assert parsed.render() == text
    desired = snapshot(b)
    assert desired.unsupported_tables() == []
    assert_round_trip(a, desired)
    back = database_factory()
    back.execute(*creates)
    assert_round_trip(b, snapshot(back))
    run(a, forward_sql(plan(snapshot(a), desired, flavor_of(a))))
    client_load(loaded, "SET FOREIGN_KEY_CHECKS=0;\n" + ";\n".join(texts.values()) + ";\n")
    assert_same(snapshot(a), snapshot(loaded), "desired SQL loaded by the client")
