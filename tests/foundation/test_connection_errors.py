"""Connection problems give one readable line naming the cause, exit 1, and never a secret."""

from __future__ import annotations

from pathlib import Path


def test_wrong_password_names_its_variable_and_hides_it(project, cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("plan", "prod", env={"PROD_DB_PASSWORD": "Wr0ng-Secret-123"})
    assert done.code == 1
    assert (
        "access denied" in done.stderr and "check the password in PROD_DB_PASSWORD" in done.stderr
    )
    assert "Wr0ng-Secret-123" not in done.output
    assert "Traceback" not in done.output
    assert "Nothing was changed" in done.stderr


def test_unset_password_variable_is_named(project, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    no_password = tmp_path / "client.cnf"
    text = Path(project.env["PROD_DB_OPTION_FILE"]).read_text()
    no_password.write_text(
        "".join(line for line in text.splitlines(True) if "password" not in line)
    )
    done = cli("plan", "prod", env={"PROD_DB_OPTION_FILE": str(no_password)})
    assert done.code == 1
    assert "the password variable PROD_DB_PASSWORD is not set" in done.stderr


def test_unreachable_server_says_so(project, cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("migrate", "status", "prod", env={"PROD_DB_HOST": "127.0.0.1", "PROD_DB_PORT": "1"})
    assert done.code == 1
    assert "cannot reach the server at 127.0.0.1:1 (is it running?)" in done.stderr
    assert "Traceback" not in done.output


def test_verbose_shows_the_traceback(project, cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("--verbose", "plan", "prod", env={"PROD_DB_HOST": "127.0.0.1", "PROD_DB_PORT": "1"})
    assert done.code == 1
    assert "Traceback" in done.stderr
