"""Versioned migrations: the directory of files, their history and status."""
