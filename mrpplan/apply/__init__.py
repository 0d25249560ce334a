"""Applying a plan: checks before it, the executor, step runners, undo and recover."""
