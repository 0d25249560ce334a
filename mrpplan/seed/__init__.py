"""Seed data: sets of seed files, their history and idempotent runs."""
