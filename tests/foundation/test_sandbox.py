"""`mrpplan sandbox`: a private server's lifecycle, driven through the CLI.

Uses its own sandbox folder (MRPPLAN_SANDBOX_DIR) so the shared test server is never
touched, and always stops it at the end.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mrpplan import sandbox
from mrpplan.errors import ToolMissing


def _port(output: str) -> int:
    match = re.search(r"127\.0\.0\.1:(\d+)", output)
    assert match, output
    return int(match.group(1))


def test_sandbox_lifecycle(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "sb"
    env = {"MRPPLAN_SANDBOX_DIR": str(folder)}

    def run(*args: str):  # type: ignore[no-untyped-def]
        return cli("sandbox", *args, env=env, cwd=tmp_path)

    try:
        first = run("up")
        assert first.code == 0, first.output
        assert "sandbox running: MariaDB" in first.stdout
        port = _port(first.stdout)

        again = run("up")  # idempotent: the running server is reused
        assert again.code == 0, again.output
        assert _port(again.stdout) == port

        status = run("status", "--json")
        assert status.code == 0
        assert json.loads(status.stdout) | {"pid": 0, "version": ""} == {
            "running": True,
            "port": port,
            "pid": 0,
            "version": "",
        }
        assert "MariaDB" in run("status").stdout

        info = sandbox.status(folder)
        assert info is not None and info.password
        hidden = run("url")
        assert hidden.code == 0
        assert hidden.stdout.strip() == f"mysql://root:****@127.0.0.1:{port}/"
        assert info.password not in hidden.output
        shown = run("url", "--show-password")
        assert shown.stdout.strip() == f"mysql://root:{info.password}@127.0.0.1:{port}/"

        down = run("down")
        assert down.code == 0 and "sandbox stopped" in down.stdout
        assert run("status").stdout.strip() == "stopped"
        stopped_url = run("url")
        assert stopped_url.code == 1 and "not running" in stopped_url.stderr
        assert "sandbox was not running" in run("down").stdout

        restarted = run("up")  # the data folder is reused, the server comes back
        assert restarted.code == 0, restarted.output
        assert sandbox.status(folder) is not None
    finally:
        sandbox.down(folder)
    assert sandbox.status(folder) is None


def test_missing_server_binary_is_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # mariadbd is found on PATH or in the usual sbin folders; hide both
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(sandbox, "_SEARCH", ())
    with pytest.raises(ToolMissing) as caught:
        sandbox.up(tmp_path / "sb")
    assert "is not installed" in caught.value.message
    assert "apt-get install mariadb-server" in caught.value.render()
