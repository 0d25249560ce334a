"""A small MRP-like dataset for backup tests: FKs, a view, a trigger, a procedure, odd values."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from mrpplan.config.settings import BackupSettings, Environment

DATASET = [
    "CREATE TABLE warehouses (id INT PRIMARY KEY, code CHAR(4) NOT NULL UNIQUE,"
    " name VARCHAR(60) NOT NULL)",
    "CREATE TABLE items (id INT PRIMARY KEY AUTO_INCREMENT, sku VARCHAR(32) NOT NULL,"
    " descr TEXT, price DECIMAL(12,4), picture BLOB, created DATETIME(3), KEY (sku))",
    "CREATE TABLE stock (item_id INT NOT NULL, warehouse_id INT NOT NULL, qty DECIMAL(14,3),"
    " PRIMARY KEY (item_id, warehouse_id),"
    " CONSTRAINT fk_stock_item FOREIGN KEY (item_id) REFERENCES items (id),"
    " CONSTRAINT fk_stock_wh FOREIGN KEY (warehouse_id) REFERENCES warehouses (id))",
    "CREATE TABLE stock_audit (id INT PRIMARY KEY AUTO_INCREMENT, item_id INT, note VARCHAR(80))",
    "CREATE VIEW stock_totals AS SELECT item_id, SUM(qty) AS total FROM stock GROUP BY item_id",
    "CREATE TRIGGER stock_ai AFTER INSERT ON stock FOR EACH ROW"
    " INSERT INTO stock_audit (item_id, note) VALUES (NEW.item_id, 'inserted;\\nline')",
    "CREATE PROCEDURE reorder(IN lim INT) BEGIN SELECT item_id FROM stock WHERE qty < lim; END",
    "INSERT INTO warehouses VALUES (1, 'WH01', 'Main'), (2, 'WH02', 'Überseehafen ✓')",
    "INSERT INTO items (sku, descr, price, picture, created)"
    " SELECT CONCAT('SKU-', seq),"
    " IF(seq MOD 7 = 0, NULL, CONCAT('part ', seq, ' \\'q\\' \\\\ ;\\n')),"
    " seq / 3, IF(seq MOD 5 = 0, UNHEX(CONCAT('00FF0A0D', HEX(seq))), NULL),"
    " TIMESTAMP('2025-01-01 00:00:00.123') + INTERVAL seq MINUTE FROM seq_1_to_300",
    "INSERT INTO stock SELECT id, 1 + id MOD 2, id * 1.5 FROM items",
]

ALL_TABLES = ("items", "stock", "stock_audit", "warehouses")


def seed(db: Any) -> None:
    db.execute(*DATASET)


def checksums(db: Any) -> dict[str, int]:
    """CHECKSUM TABLE of every base table, what a user would compare (mrpplan's own journal
    of applies is not the user's data)."""
    tables = [
        r[0]
        for r in db.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
            " AND table_type = 'BASE TABLE' AND table_name <> 'mrpplan_apply_journal'"
        )
    ]
    return {str(t): int(db.query(f"CHECKSUM TABLE `{t}`")[0][1]) for t in sorted(tables)}


def objects(db: Any) -> dict[str, list[str]]:
    """Views, triggers and routines by name."""
    return {
        "views": [
            r[0]
            for r in db.query(
                "SELECT table_name FROM information_schema.views WHERE table_schema = DATABASE()"
            )
        ],
        "triggers": [
            r[0]
            for r in db.query(
                "SELECT trigger_name FROM information_schema.triggers"
                " WHERE trigger_schema = DATABASE()"
            )
        ],
        "routines": [
            r[0]
            for r in db.query(
                "SELECT routine_name FROM information_schema.routines"
                " WHERE routine_schema = DATABASE()"
            )
        ],
    }


def environment(db: Any, folder: Path, name: str = "local", protected: bool = False) -> Environment:
    return Environment(
        name=name,
        file=folder / f"{name}.yaml",
        connection=db.settings,
        protected=protected,
        backup=BackupSettings(dir=folder / "backups", retention_days=7),
    )


def backups_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.sql.*") if not p.name.endswith(".manifest.json"))


def password_login(db: Any, *databases: str) -> tuple[str, str]:
    """A dedicated login with a distinctive password (user, password), as password_env
    would give it; no file of the project or the sandbox holds that password."""
    password = "Pw-" + secrets.token_hex(12)
    user = "bk_" + secrets.token_hex(4)
    db.execute(
        # not binary-logged: the statement holds the password, and the sandbox's binary logs
        # are files under the clone, which the secrets tests scan when it lies in /tmp
        "SET SESSION sql_log_bin = 0",
        f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'",
        *(f"GRANT ALL ON `{name}`.* TO '{user}'@'%'" for name in databases or (db.name,)),
        # restores and syncs load into `_mrpplan_load_*` and keep the old rows in
        # `_mrpplan_trash_*` databases next to the target (DESIGN §3.6)
        f"GRANT ALL ON `\\_mrpplan\\_%`.* TO '{user}'@'%'",
        f"GRANT RELOAD, PROCESS ON *.* TO '{user}'@'%'",
        f"GRANT SELECT ON mysql.* TO '{user}'@'%'",  # SHOW CREATE PROCEDURE of others' routines
    )
    return user, password


def drop_login(db: Any, user: str) -> None:
    db.execute(f"DROP USER IF EXISTS '{user}'@'%'")
