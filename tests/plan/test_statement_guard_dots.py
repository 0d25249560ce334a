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
