"""Which grants make an account fit to be the workspace (SHOW GRANTS lines as MariaDB prints
them); the CLI test in test_workspace_isolation.py checks the same on the real server."""

from __future__ import annotations

import pytest

from mrpplan.mysql.workspace_grants import excess_privileges

USAGE = "GRANT USAGE ON *.* TO `ws`@`%` IDENTIFIED BY PASSWORD '*0123456789ABCDEF'"
WORKSPACE = "GRANT ALL PRIVILEGES ON `\\_mrpplan\\_ws\\_%`.* TO `ws`@`%`"


@pytest.mark.parametrize(
    "grants",
    [
        [USAGE, WORKSPACE],
        [USAGE, WORKSPACE, "GRANT SELECT ON `mrp_erp`.* TO `ws`@`%`"],
        ["GRANT SELECT ON *.* TO `ws`@`%`", WORKSPACE],
        [USAGE, "GRANT CREATE, DROP, ALTER, INDEX ON `\\_mrpplan\\_ws\\_%`.* TO `ws`@`%`"],
    ],
)
def test_fit_accounts(grants: list[str]) -> None:
    assert excess_privileges(grants) == []


@pytest.mark.parametrize(
    "grants, named",
    [
        ([USAGE], "no CREATE on"),
        ([USAGE, "GRANT ALL PRIVILEGES ON `_mrpplan_ws_%`.* TO `ws`@`%`"], "no CREATE on"),
        ([USAGE, WORKSPACE, "GRANT SELECT, DELETE ON `mrp_erp`.* TO `ws`@`%`"], "DELETE on"),
        (["GRANT CREATE USER ON *.* TO `ws`@`%`", WORKSPACE], "CREATE USER on *.*"),
        ([USAGE, WORKSPACE, "GRANT UPDATE (`a`) ON `db`.`t` TO `ws`@`%`"], "UPDATE on `db`.`t`"),
        ([USAGE, WORKSPACE, "GRANT `admin` TO `ws`@`%`"], "role `admin`"),
        ([USAGE, WORKSPACE, "GRANT EXECUTE ON PROCEDURE `db`.`p` TO `ws`@`%`"], "EXECUTE on"),
        ([USAGE, WORKSPACE + " WITH GRANT OPTION"], "GRANT OPTION"),
        ([USAGE, WORKSPACE, "GRANT PROXY ON ''@'%' TO 'ws'@'%'"], "PROXY"),
    ],
)
def test_too_much_is_named(grants: list[str], named: str) -> None:
    found = excess_privileges(grants)
    assert any(named in line for line in found), found
    assert not any("0123456789ABCDEF" in line for line in found)
