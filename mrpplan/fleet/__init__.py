"""Fleets: one plan across many databases (tenants and shards), applied with a canary."""
