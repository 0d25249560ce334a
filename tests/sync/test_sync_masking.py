"""Masking: the destination's rules run in the same pull and leave no original value."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sync_fixtures import CUSTOMERS, fill_erp

from mrpplan.errors import ConfigError
from mrpplan.sync.catalog import ColumnInfo
from mrpplan.sync.mask import MaskRule, generated, parse_rules, update_statement

LOCAL_MASK = (
    "  mask: {customers.email: email, customers.phone: phone, customers.contact_name: name}\n"
)


def test_pull_masks_personal_data_and_verifies_it(project, cli) -> None:  # type: ignore[no-untyped-def]
    dev, local = project.databases["dev"], project.databases["local"]
    fill_erp(dev)
    local.execute(
        "CREATE TABLE audit_log (id INT PRIMARY KEY, msg TEXT)",
        "INSERT INTO audit_log VALUES (1, 'mine')",
    )
    result = cli("sync", "pull", "dev", "--json")
    assert result.code == 0, result.output
    report = json.loads(result.stdout)
    checks = {c["column"]: c for c in report["mask_checks"]}
    assert set(checks) == {"customers.email", "customers.phone", "customers.contact_name"}
    assert all(c["source_values_remaining"] == 0 for c in checks.values())
    assert checks["customers.email"]["source_values"] == CUSTOMERS

    original = {r[0] for r in dev.query("SELECT email FROM customers")}
    masked = local.query("SELECT id, email, phone, contact_name FROM customers ORDER BY id")
    assert len(masked) == CUSTOMERS
    assert not original & {r[1] for r in masked}
    assert masked[0][1] == "user1@example.invalid"  # stable per primary key
    assert len({r[1] for r in masked}) == CUSTOMERS and len({r[2] for r in masked}) == CUSTOMERS
    originals = {r[0] for r in dev.query("SELECT phone FROM customers")}
    assert not originals & {r[2] for r in masked}
    # NULL stays NULL, other names are replaced
    null_ids = {r[0] for r in dev.query("SELECT id FROM customers WHERE contact_name IS NULL")}
    assert {r[0] for r in masked if r[3] is None} == null_ids
    assert not any(str(r[3]).startswith("Contact") for r in masked if r[3] is not None)
    # audit_log is excluded in local.yaml: local's own rows stay
    assert local.query("SELECT msg FROM audit_log") == [("mine",)]

    text = cli("sync", "pull", "dev")
    assert text.code == 0, text.output
    assert "Masking verified: no source value of a masked column remains." in text.stdout
    assert local.query("SELECT email FROM customers WHERE id = 1") == [("user1@example.invalid",)]


def test_missing_mask_column_fails_before_copying(project, cli) -> None:  # type: ignore[no-untyped-def]
    dev, local = project.databases["dev"], project.databases["local"]
    fill_erp(dev)
    path = project.root / "environments" / "local.yaml"
    path.write_text(
        path.read_text().replace(
            LOCAL_MASK.strip(), "mask: {customers.fax: null, vendors.email: email}"
        )
    )
    result = cli("sync", "pull", "dev")
    assert result.code == 1, result.output
    assert "customers.fax" in result.stderr and "vendors.email" in result.stderr
    assert "Nothing was copied." in result.stderr
    assert local.query("SHOW TABLES") == []


def test_fixed_and_null_rules(project, cli) -> None:  # type: ignore[no-untyped-def]
    dev, local = project.databases["dev"], project.databases["local"]
    fill_erp(dev)
    path = project.root / "environments" / "local.yaml"
    path.write_text(
        path.read_text().replace(
            LOCAL_MASK.strip(),
            "mask: {customers.email: null, customers.phone: 'fixed:+00 000: n/a',"
            " suppliers.email: email}",
        )
    )
    result = cli("sync", "pull", "dev")
    assert result.code == 0, result.output
    assert local.query("SELECT COUNT(*) FROM customers WHERE email IS NOT NULL")[0][0] == 0
    assert {r[0] for r in local.query("SELECT phone FROM customers")} == {"+00 000: n/a"}
    assert local.query("SELECT email FROM suppliers ORDER BY id") == [
        ("user1@example.invalid",),
        (None,),
    ]


def test_rule_syntax() -> None:
    rules = parse_rules(
        {"a.b": "email", "a.c": "fixed:x:y", "a.d": "fixed:", "a.e": "NULL"}, "f.yaml"
    )
    assert rules == [
        MaskRule("a", "b", "email"),
        MaskRule("a", "c", "fixed", "x:y"),
        MaskRule("a", "d", "fixed", ""),
        MaskRule("a", "e", "null"),
    ]
    for bad in ("hash", "email:x", "fixed"):
        with pytest.raises(ConfigError, match="unknown rule"):
            parse_rules({"a.b": bad}, "f.yaml")


_COLS = {
    "id": ColumnInfo("id", "int", False, None),
    "code": ColumnInfo("code", "varchar", False, 20),
    "email": ColumnInfo("email", "varchar", True, 120),
}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ids=st.sets(st.integers(min_value=-(2**31), max_value=2**31 - 1), min_size=1, max_size=30),
    kind=st.sampled_from(["email", "phone", "name"]),
    key=st.sampled_from([["id"], ["code"], []]),
)
def test_masked_values_are_unique_per_row(fresh_db, ids, kind, key) -> None:  # type: ignore[no-untyped-def]
    """email/phone/name keep a UNIQUE key valid whatever the key: integer, text, or none."""
    fresh_db.execute(
        "DROP TABLE IF EXISTS t",
        "CREATE TABLE t (id INT PRIMARY KEY, code VARCHAR(20) NOT NULL,"
        " email VARCHAR(120) NULL UNIQUE)",
    )
    values = ", ".join(f"({i}, 'c{i}', 'p{i}@x.example')" for i in ids)
    fresh_db.execute(f"INSERT INTO t VALUES {values}")
    rule = MaskRule("t", "email", kind)
    fresh_db.execute(update_statement("t", [rule], key, _COLS, "salt"))
    after = [r[0] for r in fresh_db.query("SELECT email FROM t")]
    assert len(set(after)) == len(ids)
    assert not {f"p{i}@x.example" for i in ids} & set(after)
    # the verifier recognises every generated value as generated (a masked source is no leak)
    assert fresh_db.query(f"SELECT COUNT(*) FROM t WHERE NOT ({generated(rule)})")[0][0] == 0


def test_pulling_from_an_already_masked_source_verifies(project, cli) -> None:  # type: ignore[no-untyped-def]
    """prod -> staging (masked) -> local (same rules again): generated values are no leak."""
    prod, local = project.databases["prod"], project.databases["local"]
    fill_erp(prod)
    first = cli("sync", "clone", "prod", "staging", "--json")
    assert first.code == 0, first.output
    second = cli("sync", "pull", "staging", "--json")
    assert second.code == 0, second.output
    checks = {c["column"]: c for c in json.loads(second.stdout)["mask_checks"]}
    assert checks["customers.email"]["source_values"] == 0  # staging holds only masked emails
    assert checks["customers.contact_name"]["source_values"] > 0  # staging does not mask names
    assert all(c["source_values_remaining"] == 0 for c in checks.values())
    originals = {r[0] for r in prod.query("SELECT contact_name FROM customers")}
    assert not originals & {r[0] for r in local.query("SELECT contact_name FROM customers")} - {
        None
    }
