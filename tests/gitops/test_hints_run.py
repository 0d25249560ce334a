"""Every hint the CLI can print that names a command is a command line that works.

The hints are collected from the source (every `hint=` argument and every function whose
name says it makes a hint), their `mrpplan …` commands picked out, placeholders filled with
real values of a project on the sandbox, and each parsed by the real command tree: it must
name existing commands and options (no "No such option", no missing argument).
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import click
import pytest
from dbtools import REPO

from mrpplan.cli.main import cli

_COMMAND = re.compile(r"`(mrpplan [^`]+)`|(?<![`\w])(mrpplan (?:--[\w-]+ )*[a-z][^`;,()]*)")
# what a {placeholder} stands for, by the words in it; then the CAPITAL placeholders
_VALUES = (
    (("make",), "plan"),
    (("request.command",), "apply"),
    (("path.name",), "BACKUP"),
    (("path", "shown", "where"), "PLAN"),
    (("env", "environment", "source"), "local"),
)
_WORDS = {"ENV": "local", "FLEET": "local", "FILE": "PLAN", "PLANFILE": "PLAN", "N": "1"}
_WORDS |= {"SAVED_FILE": "PLAN", "NAME": "lot_tracking", "VERSION": "003"}


def _text(node: ast.expr) -> str | None:
    """A string expression as written, its {placeholders} kept."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "{" + ast.unparse(part.value) + "}"  # type: ignore[attr-defined]
            for part in node.values
        )
    if isinstance(node, ast.BinOp):
        left, right = _text(node.left), _text(node.right)
        return (left or "") + (right or "") if left or right else None
    if isinstance(node, ast.IfExp):
        return " | ".join(filter(None, (_text(node.body), _text(node.orelse))))
    return None


def hint_texts() -> dict[str, str]:
    """hint text -> where it is (file:line), from the whole package."""
    found: dict[str, str] = {}
    for path in sorted((REPO / "mrpplan").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            values: list[ast.expr] = []
            if isinstance(node, ast.keyword) and node.arg == "hint":
                values.append(node.value)
            if isinstance(node, ast.FunctionDef) and "hint" in node.name:
                values += [n.value for n in ast.walk(node) if isinstance(n, ast.Return) and n.value]
            for value in values:
                text = _text(value)
                if text:
                    found[text] = f"{path.relative_to(REPO)}:{value.lineno}"
    return found


def hint_commands() -> list[tuple[str, str]]:
    commands = []
    for text, where in hint_texts().items():
        for match in _COMMAND.finditer(text):
            command = (match.group(1) or match.group(2)).strip().rstrip(".:")
            commands.append((command, where))
    return sorted(set(commands))


def _filled(command: str, plan: Path, backup: Path) -> list[str]:
    files = {"PLAN": str(plan), "BACKUP": str(backup)}

    def value(words: str) -> str:
        for keys, meaning in _VALUES:
            if any(k in words for k in keys):
                return files.get(meaning, meaning)
        raise AssertionError(f"the test cannot fill the placeholder {words!r} of {command!r}")

    command = re.sub(r"\{([^}]*)\}", lambda m: value(m.group(1)), command)
    command = command.replace("...", " ").replace("…", " ")
    args = []
    for word in shlex.split(command)[1:]:
        if re.fullmatch(r"\[.*\]", word):
            continue  # an optional part, as usage lines write it
        if re.fullmatch(r"[A-Z][A-Z_]*", word):
            assert word in _WORDS, f"the test cannot fill {word!r} of {command!r}"
            word = files.get(_WORDS[word], _WORDS[word])
        args.append(word)
    return args


def _parse(args: list[str]) -> None:
    """Parse like `mrpplan ARGS` would, down to the last subcommand, without running it."""
    ctx = cli.make_context("mrpplan", list(args))
    command: click.Command = cli
    while isinstance(command, click.Group):
        rest = [*ctx.protected_args, *ctx.args]
        if not rest:
            return  # a group alone prints its help
        name, sub, left = command.resolve_command(ctx, rest)
        assert sub is not None, f"no command {name!r}"
        ctx = sub.make_context(name or "", left, parent=ctx)
        command = sub


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # click's protected_args
def test_every_hint_names_a_command_that_parses(project) -> None:  # type: ignore[no-untyped-def]
    plan = project.root / "plans" / "local.json"
    plan.write_text("{}\n")
    backup = project.root / "database" / "backups" / "b.sql.gz"
    backup.parent.mkdir(exist_ok=True)
    backup.write_bytes(b"")
    commands = hint_commands()
    assert len(commands) > 20, commands  # the collector finds the hints
    broken = []
    for command, where in commands:
        args = _filled(command, plan, backup)
        try:
            _parse(args)
        except (click.UsageError, AssertionError) as exc:
            broken.append(f"{where}: `{command}` -> mrpplan {shlex.join(args)}: {exc}")
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("typo", ["prdo", "locl"])
def test_an_unknown_environment_is_a_usage_error_with_a_suggestion(project, cli, typo) -> None:  # type: ignore[no-untyped-def]
    result = cli("plan", typo)
    assert result.code == 64, result.output
    assert "unknown environment" in result.stderr and "did you mean" in result.stderr
    assert ("prod" if typo == "prdo" else "local") in result.stderr
