"""Sync test helpers: a small ERP-like database to copy, and environment files to copy between.

Plain functions (not a conftest.py: several conftest modules make `from conftest import`
ambiguous); test modules import them by this unique name."""

from __future__ import annotations

from pathlib import Path

CUSTOMERS = 40
DATA_TABLES = ["customers", "orders", "audit_log", "suppliers"]


def fill_erp(db) -> None:  # type: ignore[no-untyped-def]
    """Customers (personal data), orders (FK), an audit log, a view, a trigger, a routine and
    mrpplan's schema history, so a copy has everything a real ERP database has."""
    db.execute(
        "CREATE TABLE customers (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(80) NOT NULL,"
        " email VARCHAR(120) NULL UNIQUE, phone VARCHAR(30) NULL, contact_name VARCHAR(80) NULL)",
        "CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(12,2),"
        " FOREIGN KEY (customer_id) REFERENCES customers(id))",
        "CREATE TABLE audit_log (id INT PRIMARY KEY AUTO_INCREMENT, msg TEXT)",
        "CREATE TABLE suppliers (id INT PRIMARY KEY, email VARCHAR(120))",
        "CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100",
        "CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW"
        " INSERT INTO audit_log (msg) VALUES (CONCAT('order ', NEW.id))",
        "CREATE FUNCTION order_count() RETURNS INT READS SQL DATA"
        " RETURN (SELECT COUNT(*) FROM orders)",
        "CREATE TABLE mrpplan_schema_history (version VARCHAR(32) PRIMARY KEY, name VARCHAR(255),"
        " checksum CHAR(64), applied_at DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6),"
        " applied_by VARCHAR(255) DEFAULT '', execution_ms INT DEFAULT 0, down_sql LONGTEXT,"
        " success TINYINT(1) DEFAULT 1)",
        "INSERT INTO mrpplan_schema_history (version, name, checksum) VALUES ('001', 'one', 'x'),"
        " ('002', 'two', 'y')",
    )
    rows = ", ".join(
        f"({i}, 'Customer {i}', 'person{i}@corp.example', '+49 30 {1000 + i}',"
        f" {'NULL' if i % 7 == 0 else repr(f'Contact {i}')})"
        for i in range(1, CUSTOMERS + 1)
    )
    db.execute(f"INSERT INTO customers (id, name, email, phone, contact_name) VALUES {rows}")
    orders = ", ".join(f"({i}, {1 + i % CUSTOMERS}, {i * 7.5})" for i in range(1, 101))
    db.execute(f"INSERT INTO orders VALUES {orders}")
    db.execute("INSERT INTO suppliers VALUES (1, 'sales@supplier.example'), (2, NULL)")


def write_env(root: Path, name: str, text: str) -> Path:
    path = root / "environments" / f"{name}.yaml"
    path.write_text(text)
    return path


def env_yaml(
    name: str,
    database: str,
    option_file: Path,
    *,
    protected: bool = False,
    sync: str = "",
) -> str:
    """A minimal environment file on the sandbox (or another server's option file)."""
    return (
        f"name: {name}\n"
        "connection:\n"
        f"  database: {database}\n"
        f"  option_file: {option_file}\n"
        f"protected: {'true' if protected else 'false'}\n"
        "schema:\n  version: latest\n  drift: warn\n"
        "backup:\n  dir: database/backups\n" + sync
    )


def checksums(db, tables: list[str]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    rows = db.query("CHECKSUM TABLE " + ", ".join(f"`{t}`" for t in tables))
    return {str(r[0]).split(".", 1)[1]: r[1] for r in rows}
