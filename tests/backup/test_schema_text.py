"""The backup's schema is read in the verify pass, chunk by chunk as the decompressor hands
it over: however the stream is cut, the result is the dump without its rows (the history
tables' rows kept), the same as a line-by-line reading of the whole file."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mrpplan.backup.schema_text import SchemaText

KEPT = ("mrpplan_schema_history",)
LINES = [
    b"-- MariaDB dump 10.19\n",
    b"/*!40101 SET NAMES utf8mb4 */;\n",
    b"CREATE TABLE `items` (\n",
    b"  `id` int(11) NOT NULL,\n",
    b"  PRIMARY KEY (`id`)\n",
    b") ENGINE=InnoDB;\n",
    b"INSERT INTO `items` VALUES (1,'a;\\nb'),(2,'INSERT INTO `x` ;');\n",
    b"INSERT INTO `items` VALUES (3,'" + b"long " * 200 + b"');\n",
    b"INSERT INTO `mrpplan_schema_history` VALUES ('001','a;b');\n",
    b"CREATE VIEW `v` AS SELECT 1;\n",
    b"DELIMITER ;;\n",
    b"CREATE PROCEDURE p() BEGIN SELECT 1; END ;;\n",
    b"DELIMITER ;\n",
    b"-- Dump completed on 2026-12-07 15:00:00\n",
]


def _by_lines(dump: bytes) -> bytes:
    """The reference: drop each INSERT line that is not into a kept table."""
    kept = tuple(f"INSERT INTO `{t}` ".encode() for t in KEPT)
    lines = dump.splitlines(keepends=True)
    return b"".join(
        line for line in lines if not line.startswith(b"INSERT INTO ") or line.startswith(kept)
    )


@given(
    order=st.lists(st.sampled_from(LINES), min_size=1, max_size=30),
    cuts=st.lists(st.integers(1, 700), min_size=1, max_size=60),
)
def test_any_chunking_gives_the_dump_without_its_rows(order: list[bytes], cuts: list[int]) -> None:
    dump = b"".join(order)
    reader = SchemaText(KEPT)
    at, turn = 0, 0
    while at < len(dump):
        size = cuts[turn % len(cuts)]
        reader.write(dump[at : at + size])
        at, turn = at + size, turn + 1
    reader.close()
    assert reader.text == _by_lines(dump)
