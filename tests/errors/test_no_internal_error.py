"""Guard: every command (walked from the click tree, so a new one is covered the day it is
added) meets a set of broken inputs, and none may answer with "internal error" or a
traceback: those words are kept for real bugs in mrpplan.

The commands run in-process through `mrpplan.cli.main.main` (the console script's entry,
with its exit-code mapping), because the tree times the inputs is a few hundred runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from corpus_support import NEVER_SHOWN

from mrpplan.cli.main import cli as root_command
from mrpplan.cli.main import main

ENV_ARGUMENTS = {"env_name", "env", "target", "source", "destination", "a", "b"}
FILE_ARGUMENTS = {"planfile", "file"}
# these start or stop the shared sandbox server: only inputs that click itself rejects
SERVER_CONTROL = {("sandbox", "up"), ("sandbox", "down")}
EXIT_CODES = {0, 1, 2, 3, 64}


def commands() -> Iterator[tuple[tuple[str, ...], click.Command]]:
    ctx = click.Context(root_command)

    def walk(command: click.Command, path: tuple[str, ...]) -> Iterator[Any]:
        if isinstance(command, click.Group):  # the top group loads its commands lazily
            for name in sorted(command.list_commands(ctx)):
                sub = command.get_command(ctx, name)
                if sub is not None:
                    yield from walk(sub, (*path, name))
        else:
            yield path, command

    yield from walk(root_command, ())


def arguments(command: click.Command, env: str, file: str) -> list[str]:
    """A value for each required argument: an environment, a file, or a plain name."""
    values: list[str] = []
    for param in command.params:
        if isinstance(param, click.Argument) and param.required:
            name = param.name or ""
            values.append(env if name in ENV_ARGUMENTS else file if name in FILE_ARGUMENTS else "x")
    return values


def bad_flags(command: click.Command) -> list[list[str]]:
    """An unknown option, and a wrong value for every option that takes a typed one."""
    found = [["--no-such-option"]]
    for param in command.params:
        if isinstance(param, click.Option) and not param.is_flag and param.opts[0].startswith("--"):
            bad = "abc" if isinstance(param.type, click.types._NumberParamTypeBase) else "-1"
            if isinstance(param.type, click.Choice):
                bad = "no-such-choice"
            found.append([param.opts[0], bad])
    return found


# -- the broken inputs: each edits the project copy and returns variables to set ---------


def _replace(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data, f"{old!r} not in {path}"
    path.write_bytes(data.replace(old, new))


def _dev(root: Path) -> Path:
    return root / "environments" / "dev.yaml"


def _option_file(root: Path, line: str, mode: int = 0o600) -> dict[str, str]:
    import os

    path = root / "client.cnf"
    source = Path(os.environ["DEV_DB_OPTION_FILE"]).read_text()
    kept = [k for k in source.splitlines() if not (line and k.startswith(line.split("=")[0]))]
    path.write_text("\n".join([*kept, line]) + "\n")  # the bad line replaces the good one
    path.chmod(mode)
    return {"DEV_DB_OPTION_FILE": str(path)}


BROKEN: dict[str, Callable[[Path], dict[str, str]]] = {
    "broken YAML": lambda root: _replace(_dev(root), b"protected: false", b"protected: [no") or {},
    "non-UTF-8 YAML": lambda root: _replace(_dev(root), b"Shared", b"Sh\xe4red") or {},
    "unknown key in YAML": lambda root: _replace(_dev(root), b"protected:", b"protectd:") or {},
    "unset variable": lambda root: (
        _replace(_dev(root), b"${DEV_DB_HOST:-}", b"${NO_SUCH_VAR}") or {}
    ),
    "non-UTF-8 .env": lambda root: (root / ".env").write_bytes(b"NOTE=caf\xe9\n") and {},
    "malformed .env": lambda root: (root / ".env").write_text("just some words\n") and {},
    "port=abc option file": lambda root: _option_file(root, "port=abc"),
    "port=99999 option file": lambda root: _option_file(root, "port=99999"),
    "world-writable option file": lambda root: _option_file(root, "", 0o666),
    "missing option file": lambda root: {"DEV_DB_OPTION_FILE": str(root / "nowhere.cnf")},
    "non-UTF-8 migration": lambda root: (
        (root / "database" / "migrations" / "004_latin1.sql").write_bytes(
            b"-- mrpplan:up\nCREATE TABLE t (n VARCHAR(9) DEFAULT 'caf\xe9');\n"
        )
        and {}
    ),
    "non-UTF-8 seed": lambda root: (
        (root / "database" / "seeds" / "09_latin1.sql").write_bytes(
            b"INSERT INTO currencies (code) VALUES ('\xe9');\n"
        )
        and {}
    ),
    "no environments folder": lambda root: __import__("shutil").rmtree(root / "environments") or {},
}


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`mrpplan ARGS` through the console script's entry point; (exit code, all output)."""
    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def check(code: int, output: str, args: list[str]) -> None:
    for word in NEVER_SHOWN:
        assert word not in output, f"mrpplan {' '.join(args)} said {word!r}:\n{output}"
    assert code in EXIT_CODES, f"mrpplan {' '.join(args)} exited {code}:\n{output}"


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_every_command_with_a_broken_project(
    broken: str, project: Any, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    for name, value in BROKEN[broken](project.root).items():
        monkeypatch.setenv(name, value)
    ran = 0
    for path, command in commands():
        if path in SERVER_CONTROL:
            continue
        args = [*path, *arguments(command, "dev", "plans/missing.json")]
        code, output = run(*args, capsys=capsys)
        check(code, output, args)
        if path == ("plan",):  # the input really is broken: planning on it must fail
            assert code in (1, 3), output
        ran += 1
    assert ran >= 25


def test_every_command_with_bad_names_files_and_flags(
    project: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    for path, command in commands():
        named = arguments(command, "dev", "x")
        attempts = [[*path, *named, *flags] for flags in bad_flags(command)]
        if path not in SERVER_CONTROL:
            attempts.append([*path, *arguments(command, "no_such_env", "plans/missing.json")])
            attempts.append([*path, *arguments(command, "../dev", "/nonexistent/dir/plan.json")])
        for args in attempts:
            code, output = run(*args, capsys=capsys)
            check(code, output, args)
            if args[-1] == "--no-such-option":
                assert code == 64, f"mrpplan {' '.join(args)}: {output}"
