"""Split results kept on disk by text hash give the same statements, lines and file."""

from __future__ import annotations

from pathlib import Path

from mrpplan.sqlfiles import split

TEXT = (
    "-- a comment\nCREATE TABLE a (id INT);\n\n"
    "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END//\n"
)


def test_cached_split_equals_a_fresh_one(tmp_path: Path) -> None:
    fresh = split.split_sql(TEXT, Path("x.sql"))
    split.cache_statements_in(tmp_path)
    try:
        split._split_once.cache_clear()
        first = split.split_sql(TEXT, Path("x.sql"))
        assert len(list(tmp_path.glob("*.json"))) == 1
        split._split_once.cache_clear()
        again = split.split_sql(TEXT, Path("y.sql"))  # same text, another file name
    finally:
        split.cache_statements_in(None)
        split._split_once.cache_clear()
    assert first == fresh
    assert [(s.text, s.line) for s in again] == [(s.text, s.line) for s in fresh]
    assert {s.file for s in again} == {Path("y.sql")}
