"""Seed data: sets of seed files, idempotent runs, who owns a table's rows (the history table is
`mysql/seed_history.py`)."""
