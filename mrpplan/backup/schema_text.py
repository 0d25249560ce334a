"""A dump without its rows: what a restore needs to know the backup's schema.

`SchemaText` is fed the decompressed dump chunk by chunk (while the file is verified, in
the same pass) and keeps every statement but the `INSERT INTO` ones, except INSERTs into
`keep_rows` tables (mrpplan's history: the schema version the rows belong to).
mariadb-dump escapes newlines inside values, so an INSERT ends at the first `;` that ends
a line; the rows are skipped with `bytes.find`, never split into lines.
"""

from __future__ import annotations

INSERT = b"INSERT INTO "
_DECIDED = 256  # bytes of a line that tell whether it starts a skipped INSERT


class SchemaText:
    """A `decompress_file` reader: `text` is the dump without the skipped INSERTs."""

    def __init__(self, keep_rows: tuple[str, ...] = ()):
        self._kept = tuple(f"INSERT INTO `{t}` ".encode() for t in keep_rows)
        self._parts: list[bytes] = []
        self._line = b""  # the start of a line whose end has not arrived yet
        self._skipping = False  # inside an INSERT that is left out

    def write(self, data: bytes) -> int:
        at = 0
        if self._line:
            data, self._line = self._line + data, b""
        while at < len(data):
            if self._skipping:
                end = data.find(b";\n", at)
                if end < 0:
                    if data.endswith(b";"):  # its newline may start the next chunk
                        self._line = b";"
                    return len(data)
                at, self._skipping = end + 2, False
                continue
            end = data.find(b"\n", at)
            if (end >= 0 or len(data) - at >= _DECIDED) and self._skipped(data, at):
                self._skipping = True
                continue
            if end < 0:
                self._line = data[at:]
                return len(data)
            self._parts.append(data[at : end + 1])
            at = end + 1
        return len(data)

    def _skipped(self, data: bytes, at: int) -> bool:
        return data.startswith(INSERT, at) and not data.startswith(self._kept, at)

    def close(self) -> None:
        if self._line and not self._skipping:
            self._parts.append(self._line)
        self._line = b""

    @property
    def text(self) -> bytes:
        return b"".join(self._parts)
