"""The apply guard tokenizes a statement for database qualifiers only when it has a dot
other than a decimal number's (`DEFAULT 0.0000` in every table with a DECIMAL column).
That shortcut must never hide a qualifier the tokenizer finds: drawn statements mixing
names, numbers, dots, quotes and comments get the same answer both ways."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mrpplan.apply.statement_guard import _databases
from mrpplan.sqlfiles.statement_kinds import named_databases
from mrpplan.sqlfiles.tokens import tokenize

PIECES = st.sampled_from(
    [
        "DROP TABLE ",
        "ALTER TABLE ",
        "CREATE TABLE ",
        "UPDATE ",
        " SET ",
        "INSERT INTO ",
        " ",
        ".",
        " . ",
        "0",
        "12",
        "0.0000",
        "-1.5",
        ".5",
        "1e5",
        "other",
        "t1",
        "1t",
        "`other`",
        "`1`",
        "'v1.2'",
        '"db"',
        "/*!50000 ",
        " */",
        "/* x.y */",
        "-- a.b\n",
        "(",
        ")",
        ",",
        "DEFAULT ",
        "@@global.",
    ]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=12).map("".join))
def test_the_dot_shortcut_never_hides_a_qualifier(statement: str) -> None:
    expected = tuple(token.name for token in named_databases(tokenize(statement)))
    _databases.cache_clear()
    _whole, named = _databases(statement)
    assert named == expected, statement


def test_decimal_defaults_are_not_qualifiers_but_names_are() -> None:
    table = "CREATE TABLE `t` (`a` DECIMAL(18,4) NOT NULL DEFAULT 0.0000, `b` INT DEFAULT -1.5)"
    assert _databases(table) == (None, ())
    assert _databases("DROP TABLE other.t") == (None, ("other",))
    assert _databases("DROP TABLE t1 . t2") == (None, ("t1",))
    assert _databases("UPDATE t SET `t`.`a` = 0.5 WHERE `other`.`x`.`y` = 1")[1] != ()


VERSIONS = st.sampled_from([None, (5, 7, 44), (8, 0, 36), (10, 4, 0), (10, 11, 9), (11, 4, 2)])
KIND_PIECES = st.sampled_from(
    ["GRANT ALL ON *.* TO x", "PREPARE s FROM @q", "EXECUTE s", "SELECT 1 INTO OUTFILE 'f'",
     "CREATE OR REPLACE TABLE t (a INT)", "TRUNCATE t", "CALL p()", "SET GLOBAL x = 1", "-- c\n",
     "# c\n", "/*!50700 DROP USER u */", "/*M!100400 SHUTDOWN */", "/*+ hint */", "/* c */"]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(PIECES, KIND_PIECES), min_size=1, max_size=8).map("".join), VERSIONS,
       st.booleans())  # fmt: skip
def test_a_statement_is_read_alike_by_every_server_unless_it_holds_a_comment(
    statement: str, version: tuple[int, int, int] | None, mariadb: bool
) -> None:
    """The guard and the plan's file checks share one reading of a statement without
    `/*` (`classify`): it must be the reading for that server."""
    from mrpplan.sqlfiles.statement_kinds import _classify, classify

    _classify.cache_clear()
    classify(statement)  # the guard's reading, remembered first
    assert classify(statement, version, mariadb) == _classify.__wrapped__(
        statement, version, mariadb
    ), statement
