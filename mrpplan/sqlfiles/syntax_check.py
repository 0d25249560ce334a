"""The offline syntax check of one SQL statement: strict where sqlglot can parse.

sqlglot is lenient in two ways a check must not be: it drops empty list items
(`(id int,, )` parses as `(id int)`), and a statement it cannot read to the end becomes
a generic Command with only a logged warning (`CREATE TABLE t (...) garbage`). Here both
are problems. A statement sqlglot cannot parse is accepted only when it is a known-valid
MariaDB form: a stored program (only the server judges its body), or one that parses
strictly once `parse_gaps` has rewritten the syntax the parser lacks, or a whole
statement of a kind sqlglot has no model of (`parse_gaps.is_known_form`).

A problem is `definite` (the statement is wrong) or not: sqlglot could not read it and no
known form matches, so only a server can tell (`validate` lets a server that loaded the
statement overrule it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from mrpplan.model.parse_gaps import is_known_form, is_stored_program, tolerated_variants


@dataclass(frozen=True)
class SyntaxProblem:
    offset: int  # line within the statement, 0-based
    message: str
    definite: bool  # False: sqlglot cannot read it (a server may still accept it)


def syntax_problem(text: str) -> SyntaxProblem | None:
    """What is wrong with the statement, or None when it parses (strictly)."""
    found = _strict_problem(text)
    if found is None or is_stored_program(text) or is_known_form(text):
        return None
    # a rewrite may leave an empty list item where it removed a clause: only the
    # original is checked for those
    variants = tolerated_variants(text)
    if any(_strict_problem(v, empty_items=False) is None for v in variants):
        return None
    return found


def _strict_problem(text: str, *, empty_items: bool = True) -> SyntaxProblem | None:
    from sqlglot.dialects.mysql import MySQL
    from sqlglot.errors import ErrorLevel, ParseError, SqlglotError

    dialect = MySQL()
    try:
        tokens = dialect.tokenize(text)
    except SqlglotError as exc:
        return SyntaxProblem(0, f"SQL does not parse: {str(exc).splitlines()[0]}", True)
    empty = _empty_list_item(tokens) if empty_items else None
    if empty is not None:
        return empty
    with _fallbacks() as fell_back:
        try:
            dialect.parser(error_level=ErrorLevel.RAISE).parse(tokens, text)
        except ParseError as exc:
            first = exc.errors[0] if exc.errors else {}
            offset = max(int(first.get("line") or 1), 1) - 1
            description = first.get("description") or str(exc).splitlines()[0]
            near = (first.get("highlight") or "").strip()
            where = f" near {near!r}" if near else ""
            return SyntaxProblem(offset, f"SQL does not parse: {description}{where}", True)
        except SqlglotError as exc:
            return SyntaxProblem(0, f"SQL does not parse: {str(exc).splitlines()[0]}", True)
    if fell_back:
        return SyntaxProblem(
            0,
            "SQL does not parse: the parser cannot read this statement to its end, and it "
            "is not a MariaDB form mrpplan knows (with a server reachable, e.g. after "
            "`mrpplan sandbox up`, validate lets the server decide)",
            False,
        )
    return None


def _empty_list_item(tokens: list) -> SyntaxProblem | None:  # type: ignore[type-arg]
    """`,,`, `(,`, `,)` or a trailing `,`: never valid in MySQL/MariaDB, dropped by sqlglot."""
    from sqlglot.tokens import TokenType

    significant = [t for t in tokens if t.token_type != TokenType.SEMICOLON]
    for index, token in enumerate(significant):
        if token.token_type != TokenType.COMMA:
            continue
        before = significant[index - 1].token_type if index else None
        after = significant[index + 1].token_type if index + 1 < len(significant) else None
        if after in (None, TokenType.COMMA, TokenType.R_PAREN):
            follows = {TokenType.COMMA: "','", TokenType.R_PAREN: "')'", None: "the end"}
            what = f"',' followed by {follows[after]}"
        elif before in (None, TokenType.COMMA, TokenType.L_PAREN):
            what = "',' with nothing before it"
        else:
            continue
        return SyntaxProblem(
            max(token.line, 1) - 1, f"SQL does not parse: an empty list item ({what})", True
        )
    return None


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "Falling back to parsing as a 'Command'" in record.getMessage():
            self.records.append(record.getMessage())


@contextmanager
def _fallbacks() -> Iterator[list[str]]:
    """The fallbacks to Command sqlglot logs while parsing (and nothing on the console)."""
    logger = logging.getLogger("sqlglot")
    recorder = _Recorder()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(recorder)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield recorder.records
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(level)
        logger.propagate = propagate
