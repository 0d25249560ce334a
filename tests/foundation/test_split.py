"""The SQL splitter: statements and their lines, as the mariadb client would split them."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mrpplan.sqlfiles.split import read_statements, split_sql

F = Path("f.sql")


def texts(sql: str) -> list[str]:
    return [s.text for s in split_sql(sql, F)]


def test_semicolons_inside_strings_and_identifiers_do_not_split() -> None:
    sql = "INSERT INTO `a;b` VALUES ('x;y', \"p;q\");\nSELECT 1;"
    assert texts(sql) == ["INSERT INTO `a;b` VALUES ('x;y', \"p;q\")", "SELECT 1"]


def test_backslash_and_doubled_quote_escapes() -> None:
    first = r"""SELECT 'it\'s;', 'it''s;', "a"";b", "c\";d", `x``;y`"""
    assert texts(first + ";SELECT 2") == [first, "SELECT 2"]


def test_comments_are_dropped_and_lines_point_at_the_first_token() -> None:
    sql = (
        "-- header; not a statement\n"
        "# hash comment;\n"
        "/* block;\n comment */\n"
        "\n"
        "CREATE TABLE t (\n"
        "  a INT -- the a column; really\n"
        ") ;\n"
        "SELECT /* inline; */ 2;\n"
    )
    statements = split_sql(sql, F)
    assert [s.line for s in statements] == [6, 9]
    assert statements[0].text == "CREATE TABLE t (\n  a INT \n)"
    assert statements[1].text == "SELECT   2"
    assert statements[0].file == F


def test_executable_comments_and_hints_are_kept() -> None:
    sql = (
        "/*!40101 SET NAMES utf8mb4 */;\n/*M!100100 SET @x = 1 */;\n"
        "SELECT /*+ MAX_EXECUTION_TIME(5) */ 1;"
    )
    assert texts(sql) == [
        "/*!40101 SET NAMES utf8mb4 */",
        "/*M!100100 SET @x = 1 */",
        "SELECT /*+ MAX_EXECUTION_TIME(5) */ 1",
    ]


def test_double_dash_needs_a_space_to_be_a_comment() -> None:
    assert texts("SELECT 5--3;\nSELECT 1 -- c\n;") == ["SELECT 5--3", "SELECT 1"]


def test_delimiter_blocks_keep_trigger_bodies_whole() -> None:
    sql = (
        "CREATE TABLE t (a INT);\n"
        "DELIMITER $$\n"
        "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW\n"
        "BEGIN\n"
        "  SET NEW.a = 1; -- inside\n"
        "  SET NEW.a = NEW.a + 1;\n"
        "END$$\n"
        "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END $$\n"
        "delimiter ;\n"
        "SELECT 3;\n"
    )
    statements = split_sql(sql, F)
    assert [s.line for s in statements] == [1, 3, 8, 10]
    assert statements[1].text.endswith("SET NEW.a = NEW.a + 1;\nEND")
    assert statements[2].text == "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END"
    assert statements[3].text == "SELECT 3"


def test_last_statement_without_delimiter_and_empty_statements() -> None:
    assert texts(";;\n  ;SELECT 1;;SELECT 2\n-- trailing") == ["SELECT 1", "SELECT 2"]
    assert texts("") == [] and texts("-- only a comment\n") == []


def test_unterminated_string_keeps_the_rest_as_one_statement() -> None:
    assert texts("SELECT 'abc;\nSELECT 2;") == ["SELECT 'abc;\nSELECT 2;"]


def test_read_statements_of_the_example_migration(tmp_path: Path) -> None:
    path = tmp_path / "x.sql"
    path.write_text("-- é\nSELECT 'ü';\n", encoding="utf-8")
    [statement] = read_statements(path)
    assert (statement.text, statement.line, statement.file) == ("SELECT 'ü'", 2, path)


# --- property: statements with tricky strings and comments split back exactly ---

_string_body = st.text(alphabet=st.sampled_from(list("ab;'\"`\\-#/*\n $")), max_size=12)


def _quote(body: str, quote: str) -> str:
    if quote == "`":
        return "`" + body.replace("`", "``") + "`"
    escaped = body.replace("\\", "\\\\")
    return quote + escaped.replace(quote, quote + quote) + quote


_literal = st.builds(_quote, _string_body, st.sampled_from(["'", '"', "`"]))
_word = st.sampled_from(["SELECT", "a", "1", "t.x", "(", ")", ",", "=", "5--3", "/*!50001 x */"])
_statement = st.lists(st.one_of(_word, _literal), min_size=1, max_size=8).map(" ".join)
_gap = st.sampled_from(
    ["\n", " ", "\n-- c; 'x'\n", '\n# h; "y\n', "/* b; ` */", "\n\n/* m\n;\n */\n"]
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_statement, _gap), min_size=1, max_size=6))
def test_joined_statements_split_back(parts: list[tuple[str, str]]) -> None:
    sql = ""
    starts: list[int] = []
    for statement, gap in parts:
        sql += gap
        starts.append(sql.count("\n") + 1)
        sql += statement + ";"
    got = split_sql(sql, F)
    assert [s.text for s in got] == [p[0] for p in parts]
    assert [s.line for s in got] == starts
