"""Lint rules (issue 25): schema and change smells, each with an id, a level per
environment (`policy.lint`), suppressible in a migration with
`-- mrpplan:allow <rule> <reason>` (the comment is part of the migration's checksum).

`rules` is the table of rules, `schema_rules` / `change_rules` find them in the model,
`project` walks the project's schema and migrations (and a live database), `sarif`
writes SARIF 2.1.0 for GitHub code scanning.
"""
