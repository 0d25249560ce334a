"""Reading the project's text files (YAML, .env, option files, SQL) as UTF-8, with file:line.

A stray Latin-1 byte is a common accident (a pasted name, an editor's default); it must
be reported where it is, like any other mistake in the file, never as a decode crash.
"""

from __future__ import annotations

from pathlib import Path

from mrpplan.errors import ConfigError


class TextFileError(ConfigError):
    """A file that cannot be read or is not UTF-8; carries file and line for `validate`."""

    def __init__(self, path: Path, line: int | None, problem: str):
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or a TextFileError saying why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TextFileError(path, None, f"cannot read ({exc.strerror or exc})") from None


def decode(data: bytes, path: Path) -> str:
    """UTF-8 text of `data`; a bad byte is reported at its line and column."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start]
        raise TextFileError(
            path,
            line,
            f"not UTF-8 text: byte 0x{byte:02x} at column {column}; save the file as UTF-8",
        ) from None


def read_text(path: Path) -> str:
    """The file as UTF-8 text (TextFileError naming file:line otherwise)."""
    return decode(read_bytes(path), path)


def write_new(path: Path, text: str) -> None:
    """Create `path` with `text`; never overwrite, and say why when it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise ConfigError(
            f"{path} already exists: it was left as it is and nothing was written",
            hint="choose another name",
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot write {path} ({exc.strerror or exc}): nothing was written"
        ) from None
