"""Helpers for the online schema change tests: a tiny project around one big-ish table with
foreign keys in and out (DESIGN §3.8).

`orders` references `parents` and is referenced by `order_lines`; `policy.online_schema_change`
treats it as big from a few hundred rows, so the tests copy small tables in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from dbtools import Database, run_cli

from mrpplan import sandbox
from mrpplan.mysql.online_alter import TOOL, tool_path

BASE = """\
CREATE TABLE parents (
    id INT NOT NULL PRIMARY KEY,
    name VARCHAR(40) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE orders (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    parent_id INT NOT NULL,
    qty INT NOT NULL DEFAULT 0,
    note VARCHAR(40) NULL,
    KEY idx_orders_parent (parent_id),
    CONSTRAINT fk_orders_parent FOREIGN KEY (parent_id) REFERENCES parents (id)
) ENGINE=InnoDB;

CREATE TABLE order_lines (
    id INT NOT NULL PRIMARY KEY,
    order_id INT NOT NULL,
    amount INT NOT NULL,
    CONSTRAINT fk_lines_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB;
"""

ENV = """\
name: big
connection:
  database: {database}
  option_file: {option_file}
protected: false
schema:
  version: latest
  drift: repair
seeds: []
policy:
  allow_destructive: true
  checkpoint: auto
{online}
"""

ONLINE = """\
  online_schema_change:
    tool: {tool}
    min_rows: 500
    max_lag: 1
"""


@dataclass
class TinyProject:
    root: Path
    db: Database
    server: sandbox.SandboxInfo

    def write_env(self, *, tool: str | None = "pt-online-schema-change", **extra: str) -> None:
        online = ONLINE.format(tool=tool) if tool else ""
        online += "".join(f"    {k}: {v}\n" for k, v in extra.items())
        (self.root / "environments" / "big.yaml").write_text(
            ENV.format(database=self.db.name, option_file=self.server.option_file, online=online)
        )

    def schema(self, text: str) -> None:
        (self.root / "database" / "schema" / "01_base_schema.sql").write_text(text)

    def cli(self, *args: str, env: dict[str, str] | None = None) -> object:
        return run_cli(*args, env={"MRPPLAN_PLAN_KEY": "", **(env or {})}, cwd=self.root)

    def fill(self, orders: int = 2000, lines: int = 300) -> None:
        """Rows in all three tables, and statistics that count them."""
        self.db.execute(
            "INSERT INTO parents SELECT seq, CONCAT('p', seq) FROM seq_1_to_10",
            f"INSERT INTO orders (id, parent_id, qty, note) SELECT seq, 1 + seq % 10, seq, "
            f"CONCAT('n', seq) FROM seq_1_to_{orders}",
            f"INSERT INTO order_lines SELECT seq, seq, seq * 2 FROM seq_1_to_{lines}",
            "ANALYZE TABLE parents, orders, order_lines",
        )


needs_tool = pytest.mark.skipif(
    tool_path() is None, reason=f"{TOOL} is not installed (Debian package percona-toolkit)"
)
WIDER = ("qty INT NOT NULL DEFAULT 0", "qty BIGINT NOT NULL DEFAULT 0")


def leftovers(tiny: TinyProject) -> list[object]:
    triggers = tiny.db.query(
        "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = %s",
        (tiny.db.name,),
    )
    tables = tiny.db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
        "AND (table_name LIKE '%%\\_new' OR table_name LIKE '%%\\_old')",
        (tiny.db.name,),
    )
    return [*triggers, *tables]
