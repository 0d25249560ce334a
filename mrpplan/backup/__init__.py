"""Backups and restores: dump, manifest, verify, retention, restore, checkpoint (DESIGN §3.5)."""
