"""The strict offline syntax check (what `validate` runs when no server is reachable)
accepts the valid MariaDB the project and its tests use: every statement of the example
project's .sql files, the MariaDB feature fixtures, random tables of both strategies in
the author's form, the server's own SHOW CREATE TABLE text of them, and the ALTERs
mrpplan generates between two of them (a migration may be written from those)."""

from __future__ import annotations

from typing import Any

import pytest
from dbtools import REPO, drop_database, make_database
from feature_strategies import feature_pairs, feature_tables
from hypothesis import HealthCheck, Phase, given, settings
from schema_roundtrip import flavor_of, forward_sql, plan, reverse_sql, show_create, snapshot
from schema_strategies import ddl_of, rows_of, schemas
from test_mariadb_features import CASES

from mrpplan.sqlfiles.split import read_statements
from mrpplan.sqlfiles.syntax_check import syntax_problem

SETTINGS = {
    "deadline": None,
    "phases": (Phase.explicit, Phase.reuse, Phase.generate),
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


def refused(statements: list[str]) -> list[tuple[str, str]]:
    found = [(text, syntax_problem(text)) for text in statements]
    return [(text, problem.message) for text, problem in found if problem is not None]


def test_every_statement_of_the_example_project_passes() -> None:
    files = sorted((REPO / "database").glob("**/*.sql"))
    statements = [s.text for path in files for s in read_statements(path)]
    assert len(statements) > 50
    assert refused(statements) == []


def test_the_mariadb_feature_fixtures_pass() -> None:
    texts = [text for case in CASES for text in case[1:3] if isinstance(text, str)]
    assert len(texts) > 20
    assert refused(texts) == []


@settings(max_examples=60, **SETTINGS)  # type: ignore[arg-type]
@given(table=feature_tables(), tables=schemas())
def test_random_tables_in_the_authors_form_pass(table: Any, tables: Any) -> None:
    assert refused([table.ddl(), table.insert(), *ddl_of(tables), *rows_of(tables)]) == []


@pytest.mark.slow
@settings(max_examples=6, **SETTINGS)  # type: ignore[arg-type]
@given(pair=feature_pairs())
def test_the_servers_text_and_generated_alters_pass(server: Any, pair: Any) -> None:
    a, b = pair
    db_a, db_b = make_database(server, "sa"), make_database(server, "sb")
    try:
        db_a.execute(a.ddl())
        db_b.execute(b.ddl())
        steps = plan(snapshot(db_a), snapshot(db_b), flavor_of(db_a))
        generated = [*forward_sql(steps), *reverse_sql(steps)]
        texts = [*show_create(db_a).values(), *show_create(db_b).values(), *generated]
        assert refused(texts) == []
    finally:
        drop_database(server, db_a.name)
        drop_database(server, db_b.name)
