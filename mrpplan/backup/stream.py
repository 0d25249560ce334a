"""Byte pipelines between the client tools, the compressor and backup files.

Each stage is its own process or thread, so dump, compression and hashing run in
parallel on different cores; Python only moves 1 MiB chunks between pipes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from mrpplan.backup.compression import Codec
from mrpplan.backup.space import FULL_DISK
from mrpplan.errors import BackupError

CHUNK = 1 << 20
STOP_SECONDS = 10  # after a failure, how long a stage may take to notice and end
TAIL = 512
TRAILER = b"-- Dump completed"


@dataclass(frozen=True)
class WrittenFile:
    sha256: str
    compressed_bytes: int
    sql_bytes: int
    tail: bytes

    @property
    def has_trailer(self) -> bool:
        return TRAILER in self.tail


class Reader(Protocol):
    """Where decompressed bytes go when no file takes them (`decompress_file`'s reader)."""

    def write(self, data: bytes) -> int: ...

    def close(self) -> None: ...


class _Pump(threading.Thread):
    """Copy src -> dst in a thread, counting bytes and keeping the last bytes seen."""

    def __init__(
        self, src: IO[bytes], dst: IO[bytes] | Reader, on_bytes: Callable[[int], None] | None
    ):
        super().__init__(daemon=True)
        self.src, self.dst, self.on_bytes = src, dst, on_bytes
        self.total = 0
        self.tail = b""
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            read = getattr(self.src, "read1", self.src.read)
            while True:
                chunk = read(CHUNK)
                if not chunk:
                    break
                self.dst.write(chunk)
                self.total += len(chunk)
                self.tail = (self.tail + chunk)[-TAIL:]
                if self.on_bytes:
                    self.on_bytes(self.total)
        except BaseException as exc:  # reported by the caller after join
            self.error = exc
        finally:
            with contextlib.suppress(OSError):
                self.dst.close()


def private_file(path: Path) -> IO[bytes]:
    """Create a file readable only by its owner (0600), refusing to follow a symlink."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb", buffering=0)


def compress_to_file(
    source: IO[bytes],
    dest: Path,
    codec: Codec,
    on_bytes: Callable[[int], None] | None = None,
    *,
    stop_source: Callable[[], None] | None = None,
) -> WrittenFile:
    """Stream SQL from `source` through the codec's program into `dest`, hashing the output.

    If writing fails (a full disk: DiskFull), the compressor is killed at once and
    `stop_source` (e.g. killing mariadb-dump) is called, so no stage stays blocked on a
    pipe; none is waited for longer than STOP_SECONDS after a failure.
    """
    comp = subprocess.Popen(
        codec.compress_argv(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_plain_env(),
    )
    assert comp.stdin is not None and comp.stdout is not None
    pump = _Pump(source, comp.stdin, on_bytes)
    pump.start()
    digest = hashlib.sha256()
    written = 0
    try:
        with private_file(dest) as out:
            while True:
                chunk = os.read(comp.stdout.fileno(), CHUNK)
                if not chunk:
                    break
                digest.update(chunk)
                write_all(out.fileno(), chunk)
                written += len(chunk)
    except OSError as exc:
        _abort(comp, pump, stop_source)
        if exc.errno in FULL_DISK:
            raise DiskFull(dest, written, pump.total) from None
        raise BackupError(f"writing {dest} failed: {exc.strerror or exc}") from None
    except BaseException:
        _abort(comp, pump, stop_source)
        raise
    pump.join()
    comp.wait()
    if pump.error is not None and not isinstance(pump.error, BrokenPipeError):
        raise BackupError(f"writing {dest.name} failed: {pump.error}")
    if comp.returncode != 0:
        err = comp.stderr.read().decode("utf-8", "replace").strip() if comp.stderr else ""
        raise BackupError(
            f"{codec.name} failed while writing {dest.name}: {err or comp.returncode}"
        )
    return WrittenFile(digest.hexdigest(), written, pump.total, pump.tail)


def _abort(
    comp: subprocess.Popen[bytes], pump: _Pump, stop_source: Callable[[], None] | None
) -> None:
    """Stop the compressor, the source and the thread between them, never waiting long."""
    if comp.poll() is None:
        comp.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        comp.wait(timeout=STOP_SECONDS)
    if stop_source is not None:
        stop_source()
    pump.join(timeout=STOP_SECONDS)  # ends once its source ends or the killed pipe breaks


class DiskFull(BackupError):
    """The file's filesystem filled up while writing (ENOSPC/EDQUOT)."""

    def __init__(self, path: Path, written: int, sql_bytes: int):
        super().__init__(f"no space left on {path.parent} while writing {path.name}")
        self.path, self.written, self.sql_bytes = path, written, sql_bytes


def write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is written (a nearly full disk takes part of a chunk)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


@dataclass(frozen=True)
class ReadFacts:
    sha256: str
    compressed_bytes: int
    sql_bytes: int
    tail: bytes
    error: str  # "" when the compressed stream was whole


def decompress_file(
    path: Path,
    codec: Codec,
    sink: IO[bytes] | None,
    on_bytes: Callable[[int], None] | None = None,
    *,
    reader: Reader | None = None,
    fast: bool = False,
) -> ReadFacts:
    """Feed the file through the decompressor into `sink` (None: discard), hashing the file.

    Python feeds the compressed bytes (progress = bytes of the file consumed) while the
    decompressor's output goes to `sink`; with `sink` None we read it to keep the tail,
    and hand every chunk to `reader` when given. `fast`: the fastest decompressor (igzip)
    instead of the one whose messages users know.
    """
    dec = subprocess.Popen(
        codec.load_argv() if fast else codec.decompress_argv(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE if sink is None else sink,
        stderr=subprocess.PIPE,
        env=_plain_env(),
    )
    assert dec.stdin is not None
    digest = hashlib.sha256()
    tail_reader: _Pump | None = None
    if sink is None:
        assert dec.stdout is not None
        tail_reader = _Pump(dec.stdout, reader or _Discard(), None)
        tail_reader.start()
    fed = 0
    feed_error = ""
    try:
        with path.open("rb", buffering=0) as handle:
            while True:
                chunk = handle.read(CHUNK)
                if not chunk:
                    break
                digest.update(chunk)
                fed += len(chunk)
                try:
                    dec.stdin.write(chunk)
                except BrokenPipeError:
                    feed_error = "the decompressor stopped reading"
                    digest.update(handle.read())
                    break
                if on_bytes:
                    on_bytes(fed)
    finally:
        with contextlib.suppress(OSError):
            dec.stdin.close()
        dec.wait()
        if tail_reader:
            tail_reader.join()
    stderr = dec.stderr.read().decode("utf-8", "replace").strip() if dec.stderr else ""
    error = ""
    if dec.returncode != 0:
        error = _decompress_message(stderr) or feed_error or f"exit code {dec.returncode}"
    return ReadFacts(
        digest.hexdigest(),
        fed,
        tail_reader.total if tail_reader else 0,
        tail_reader.tail if tail_reader else b"",
        error,
    )


def _plain_env() -> dict[str, str]:
    """Compressors need nothing from our environment (and must not see any secret)."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}


def _decompress_message(stderr: str) -> str:
    """gzip's last lines (`gzip: stdin: unexpected end of file`), or the reason that ends
    igzip's traceback."""
    lines = [line.split(": ", 1)[-1] for line in stderr.splitlines() if line.strip()]
    if stderr.startswith("Traceback"):
        return lines[-1] if lines else ""
    return "; ".join(lines[-2:])


class _Discard:
    """A write-only sink that drops everything (keeps _Pump's interface)."""

    def write(self, data: bytes) -> int:
        return len(data)

    def close(self) -> None:
        return None
