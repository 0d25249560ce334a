"""The line scanner that reads SHOW CREATE TABLE lines (model/words.py) jumps from one
quote, parenthesis or separator to the next with regular expressions. It must split every
line exactly as a plain character-by-character reading does (the reference below): the
same words, the same parts, the same lines refused."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mrpplan.model.words import LineSyntaxError, split_top, split_words


def _reference_skip(text: str, i: int) -> int:
    quote, i, n = text[i], i + 1, len(text)
    while i < n:
        if text[i] == "\\" and quote != "`":
            i += 2
            continue
        if text[i] == quote:
            if i + 1 < n and text[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    raise LineSyntaxError("unterminated")


def _reference_scan(text: str) -> list[tuple[int, str, int]]:
    out, depth, i = [], 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "'`\"":
            out.append((i, ch, depth))
            i = _reference_skip(text, i)
            continue
        depth += {"(": 1, ")": -1}.get(ch, 0)
        out.append((i, ch, depth))
        i += 1
    return out


def _reference_words(line: str) -> list[str]:
    words, start, depth = [], None, 0
    for i, ch, depth in _reference_scan(line):
        if depth < 0:
            raise LineSyntaxError("unbalanced")
        if ch == " " and depth == 0:
            if start is not None:
                words.append(line[start:i])
                start = None
        elif start is None:
            start = i
    if depth != 0:
        raise LineSyntaxError("unbalanced")
    return [*words, line[start:]] if start is not None else words


def _reference_top(text: str, sep: str) -> list[str]:
    parts, last = [], 0
    for i, ch, depth in _reference_scan(text):
        if ch == sep and depth == 0:
            parts.append(text[last:i])
            last = i + 1
    return [*parts, text[last:]]


def _outcome(split, *args):  # type: ignore[no-untyped-def]
    try:
        return split(*args)
    except LineSyntaxError:
        return "refused"


# the characters that matter, each likely, among ordinary ones and a newline
lines = st.text(alphabet=st.sampled_from(list("'`\"\\() ,ab=\n")), max_size=40)


@given(lines)
@settings(max_examples=3000, deadline=None)
def test_words_and_parts_split_as_a_character_reading_does(line: str) -> None:
    assert _outcome(split_words, line) == _outcome(_reference_words, line)
    for sep in (",", " "):
        assert _outcome(split_top, line, sep) == _outcome(_reference_top, line, sep)


def test_a_server_line_splits_into_its_words() -> None:
    line = "`note` varchar(40) DEFAULT 'it''s (a) \\' test' COMMENT 'x,y'"
    assert split_words(line) == [
        "`note`",
        "varchar(40)",
        "DEFAULT",
        "'it''s (a) \\' test'",
        "COMMENT",
        "'x,y'",
    ]
    assert split_top("`a`,`b``c`,(1,2)", ",") == ["`a`", "`b``c`", "(1,2)"]
